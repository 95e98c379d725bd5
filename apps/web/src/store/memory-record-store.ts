import { checkedWrite, compareKeys, type RawWrite, type RecordStore } from './record-store';

/** A RecordStore in memory, for tests. Copies bytes in and out, as IndexedDB's structured clone does. */
export class MemoryRecordStore implements RecordStore {
  readonly #entries = new Map<string, Uint8Array>();
  #closed = false;

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    return this.#entries.get(key)?.slice();
  }

  async list(prefix: string): Promise<{ key: string; value: Uint8Array }[]> {
    this.#checkOpen();
    return [...this.#entries]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, value]) => ({ key, value: value.slice() }));
  }

  async between(first: string, last: string): Promise<{ key: string; value: Uint8Array }[]> {
    this.#checkOpen();
    return [...this.#entries]
      .filter(([key]) => key >= first && key <= last)
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, value]) => ({ key, value: value.slice() }));
  }

  async keys(prefix: string): Promise<string[]> {
    this.#checkOpen();
    return [...this.#entries.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  async apply(writes: readonly RawWrite[]): Promise<void> {
    this.#checkOpen();
    // Check every write before changing anything: all or nothing.
    const checked = writes.map(checkedWrite);
    for (const { key, value } of checked) {
      if (value === null) this.#entries.delete(key);
      else this.#entries.set(key, value);
    }
  }

  async clear(): Promise<void> {
    this.#checkOpen();
    this.#entries.clear();
  }

  close(): void {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('MemoryRecordStore: the store is closed');
  }
}
