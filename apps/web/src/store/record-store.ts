/**
 * The web client's raw storage interface, declared once: opaque byte values under string keys.
 * Implementations: MemoryRecordStore (tests) and IndexedDbRecordStore (the browser), both held to
 * one contract suite (test/store/record-store-contract.ts). Nothing here knows about encryption:
 * the Vault (vault.ts) seals every value and hashes every key before it reaches a RecordStore.
 *
 * Writes are batches because an IndexedDB transaction commits as soon as its task awaits anything
 * that is not an IndexedDB request: callers compute every write first (sealing, hashing), then
 * `apply` them in one transaction.
 */

/** IndexedDB object stores: one, of opaque entries; the key prefixes ('meta:', 'r:') keep kinds apart. */
export const STORE_NAMES = ['entries'] as const;

export interface RawWrite {
  readonly key: string;
  /** null deletes the entry (deleting a missing key is not an error). */
  readonly value: Uint8Array | null;
}

export interface RecordStore {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every entry whose key starts with prefix, in key order (UTF-16 code units, as IndexedDB orders strings). */
  list(prefix: string): Promise<{ key: string; value: Uint8Array }[]>;
  /**
   * Every entry whose key is in [first, last], in key order, read in one go (one IndexedDB
   * transaction, not one per key): an upload reads 64 chunks of a file for each request.
   */
  between(first: string, last: string): Promise<{ key: string; value: Uint8Array }[]>;
  /** The keys `list` would return, without reading a value (an attachment's chunks are 64 KiB each). */
  keys(prefix: string): Promise<string[]>;
  /** Applies every write or none (one IndexedDB readwrite transaction). A later write to a key wins. */
  apply(writes: readonly RawWrite[]): Promise<void>;
  /** Deletes everything (used on wipe). */
  clear(): Promise<void>;
  close(): void;
}

/**
 * True for a Uint8Array from any realm: a structured clone (IndexedDB, postMessage) can come from
 * another realm, where `instanceof` fails (the same test as @opendescent/crypto's).
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor?.name === 'Uint8Array');
}

/**
 * Checks one write and copies its value. The copy is of the view only: a structured clone of a
 * subarray would store its whole underlying buffer, which may hold plaintext next to it.
 */
export function checkedWrite(write: RawWrite): { key: string; value: Uint8Array | null } {
  if (typeof write?.key !== 'string') throw new TypeError('RecordStore: a key must be a string');
  if (write.value === null) return { key: write.key, value: null };
  if (!isBytes(write.value)) throw new TypeError('RecordStore: a value must be a Uint8Array or null');
  return { key: write.key, value: write.value.slice() };
}

/** Compares keys as IndexedDB does (by UTF-16 code unit), which is also JavaScript's `<` on strings. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
