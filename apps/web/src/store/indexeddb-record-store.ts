/**
 * The browser's RecordStore: one IndexedDB database with one object store of opaque entries.
 * Uses `idb` for promises over requests. idb recognises IndexedDB objects with `instanceof` on the
 * global IDB* classes, which a browser and a worker provide (tests install fake-indexeddb's); the
 * factory itself is passed in, so a test can give each case a fresh, empty one.
 */
import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import { checkedWrite, isBytes, STORE_NAMES, type RawWrite, type RecordStore } from './record-store';

const [ENTRIES] = STORE_NAMES;

interface EntriesSchema extends DBSchema {
  [ENTRIES]: { key: string; value: Uint8Array };
}

/**
 * One numbered migration per schema change: MIGRATIONS[n - 1] takes a database from version n - 1
 * to n, inside the upgrade transaction (so a failing migration aborts the whole upgrade). Never
 * edit a shipped migration; append one, with its own test.
 */
export const MIGRATIONS: readonly ((db: IDBDatabase, transaction: IDBTransaction) => void)[] = [
  // 1: the entries store; keys are given with each put (out-of-line), values are bytes.
  (db) => {
    db.createObjectStore(ENTRIES);
  },
];
export const SCHEMA_VERSION = MIGRATIONS.length;

export class IndexedDbRecordStore implements RecordStore {
  readonly #db: IDBPDatabase<EntriesSchema>;

  private constructor(db: IDBPDatabase<EntriesSchema>) {
    this.#db = db;
  }

  /** Opens (creating or upgrading) the database `name`. Refuses a database from a newer client. */
  static async open(name: string, idbFactory: IDBFactory = globalThis.indexedDB): Promise<IndexedDbRecordStore> {
    const request = idbFactory.open(name, SCHEMA_VERSION);
    request.addEventListener('upgradeneeded', (event) => {
      const transaction = request.transaction;
      if (transaction === null) throw new Error('IndexedDB: upgradeneeded without a transaction');
      for (let version = event.oldVersion; version < SCHEMA_VERSION; version++) {
        MIGRATIONS[version]?.(request.result, transaction);
      }
    });
    let db: IDBPDatabase | undefined;
    try {
      db = await wrap(request);
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'VersionError') {
        throw new Error(
          `IndexedDB "${name}" has a schema newer than version ${SCHEMA_VERSION}: written by a newer client`,
        );
      }
      throw error;
    }
    if (db === undefined) throw new Error(`IndexedDB "${name}" did not open`);
    // Another tab or worker opening a newer schema must not wait for us forever: step aside.
    db.addEventListener('versionchange', () => db.close());
    return new IndexedDbRecordStore(db as unknown as IDBPDatabase<EntriesSchema>);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value: unknown = await this.#db.get(ENTRIES, key);
    return value === undefined ? undefined : storedBytes(value);
  }

  async list(prefix: string): Promise<{ key: string; value: Uint8Array }[]> {
    const range = prefixRange(prefix);
    const transaction = this.#db.transaction(ENTRIES, 'readonly');
    // Both reads in one transaction see the same snapshot, in the same key order.
    const [keys, values] = await Promise.all([
      transaction.store.getAllKeys(range),
      transaction.store.getAll(range),
      transaction.done,
    ]);
    return keys.map((key, i) => ({ key, value: storedBytes(values[i]) }));
  }

  async between(first: string, last: string): Promise<{ key: string; value: Uint8Array }[]> {
    if (first > last) return [];
    const range = IDBKeyRange.bound(first, last);
    const transaction = this.#db.transaction(ENTRIES, 'readonly');
    const [keys, values] = await Promise.all([
      transaction.store.getAllKeys(range),
      transaction.store.getAll(range),
      transaction.done,
    ]);
    return keys.map((key, i) => ({ key, value: storedBytes(values[i]) }));
  }

  async keys(prefix: string): Promise<string[]> {
    return this.#db.getAllKeys(ENTRIES, prefixRange(prefix));
  }

  async apply(writes: readonly RawWrite[]): Promise<void> {
    const transaction = this.#db.transaction(ENTRIES, 'readwrite');
    const requests: Promise<unknown>[] = [];
    try {
      for (const write of writes) {
        const { key, value } = checkedWrite(write);
        requests.push(value === null ? transaction.store.delete(key) : transaction.store.put(value, key));
      }
    } catch (error) {
      // A write refused before IndexedDB saw it must also undo the writes queued before it.
      transaction.abort();
      await Promise.allSettled([...requests, transaction.done]);
      throw error;
    }
    // A request that fails later aborts the transaction (its error is not prevented), so
    // `done` rejects and nothing is written.
    await Promise.all([...requests, transaction.done]);
  }

  async clear(): Promise<void> {
    await this.#db.clear(ENTRIES);
  }

  close(): void {
    this.#db.close();
  }
}

function storedBytes(value: unknown): Uint8Array {
  if (!isBytes(value)) throw new TypeError('IndexedDbRecordStore: a stored value is not bytes');
  // Re-made in this realm (a structured clone may come from another) and never shared.
  return new Uint8Array(value);
}

/**
 * The keys that start with `prefix`: from prefix up to (excluding) the least string greater than
 * all of them, its last code unit below 0xFFFF incremented (IndexedDB compares code units).
 */
function prefixRange(prefix: string): IDBKeyRange {
  const stem = prefix.replace(/\uffff+$/, '');
  if (stem === '') return IDBKeyRange.lowerBound(prefix);
  const upper = stem.slice(0, -1) + String.fromCharCode(stem.charCodeAt(stem.length - 1) + 1);
  return IDBKeyRange.bound(prefix, upper, false, true);
}
