import type { RawWrite } from './record-store';
import type { Vault } from './vault';

/** What a batch needs from its vault: addressing and sealing, both under the vault's keys. */
export interface BatchSealer {
  entryKey(table: string, group: string, id: string): string;
  groupPrefix(table: string, group: string): string;
  seal(key: string, value: unknown): Uint8Array;
  storedKeys(prefix: string): Promise<string[]>;
}

/**
 * Writes prepared (addressed and sealed) now and stored together by Vault.commit. A later
 * operation on the same record wins. Made by Vault.batch().
 */
export class VaultBatch {
  readonly #writes = new Map<string, Uint8Array | null>();
  readonly #sealer: BatchSealer;

  constructor(
    readonly vault: Vault,
    sealer: BatchSealer,
  ) {
    this.#sealer = sealer;
  }

  /** Refuses (TypeError) a value that is not plain data, before anything is written. */
  put(table: string, group: string, id: string, value: unknown): this {
    const key = this.#sealer.entryKey(table, group, id);
    this.#writes.set(key, this.#sealer.seal(key, value));
    return this;
  }

  delete(table: string, group: string, id: string): this {
    this.#writes.set(this.#sealer.entryKey(table, group, id), null);
    return this;
  }

  /**
   * Deletes every record of the group: those stored when it resolves and those put in this batch
   * so far. Await it before the next operation on the batch.
   */
  async deleteGroup(table: string, group: string): Promise<this> {
    const prefix = this.#sealer.groupPrefix(table, group);
    const stored = await this.#sealer.storedKeys(prefix);
    for (const key of [...this.#writes.keys(), ...stored]) if (key.startsWith(prefix)) this.#writes.set(key, null);
    return this;
  }

  get size(): number {
    return this.#writes.size;
  }

  /** The raw writes (entry keys and sealed values only), for Vault.commit. */
  writes(): RawWrite[] {
    return Array.from(this.#writes, ([key, value]) => ({ key, value }));
  }
}
