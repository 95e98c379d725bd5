/**
 * Attachment files kept on the device as their sealed chunks (docs/protocol/attachments.md §2.2),
 * straight in the RecordStore under `a:`, not sealed again by the vault: a chunk is already
 * AES-256-GCM ciphertext under the file's key K, which lives only inside a vault-sealed message
 * record, so a second seal would halve the throughput and hide nothing more. A copy of the store
 * shows how many attachments there are and their padded lengths, as the relay sees them.
 *
 *   key   = "a:" ‖ localId (32 lower-case hex) ‖ ":" ‖ chunk index (8 lower-case hex digits)
 *   value = sealed chunk i, 16 to 65,552 bytes
 *
 * The fixed-width index makes a prefix scan of one file come back in chunk order.
 *
 * The RecordStore can list keys only with their values, so finding which files are held and how
 * many bytes they take means reading every chunk. That is done once per instance, lazily, in 16
 * slices (one per first hex digit of the id, so that about 1/16 of the bytes is in memory at a
 * time), into an index of (localId → chunk index → length) that put and delete keep up to date.
 * Hence: make one AttachmentChunks per store (Vault.attachmentChunks does) and write only through it.
 */
import { ATTACHMENT_SEALED_CHUNK_BYTES, ATTACHMENT_TAG_BYTES, randomBytes } from '@opendescent/crypto';
import { encodeHex } from '@opendescent/protocol';
import { isBytes, type RecordStore } from './record-store';

export const ATTACHMENT_CHUNK_KEY_PREFIX = 'a:';
/** Random bytes in a local id: as unguessable as a record id, and never reused. */
export const ATTACHMENT_LOCAL_ID_BYTES = 16;
/** The largest chunk index the key holds (the cipher's index is a u32 too). */
export const MAX_ATTACHMENT_CHUNK_INDEX = 0xffff_ffff;
/** Keys deleted per store transaction by delete(): a 100 MiB file is 1,600 chunks, so 7 transactions. */
export const ATTACHMENT_DELETE_BATCH = 256;

const LOCAL_ID = /^[0-9a-f]{32}$/;
const CHUNK_KEY = /^a:([0-9a-f]{32}):([0-9a-f]{8})$/;

/** A fresh local id for a file about to be stored (sealFile draws its own). */
export function newAttachmentLocalId(): string {
  return encodeHex(randomBytes(ATTACHMENT_LOCAL_ID_BYTES));
}

/** The store key of chunk `index` of file `localId`. */
export function attachmentChunkKey(localId: string, index: number): string {
  checkLocalId(localId);
  checkIndex(index, 'chunk index');
  return `${ATTACHMENT_CHUNK_KEY_PREFIX}${localId}:${index.toString(16).padStart(8, '0')}`;
}

export interface AttachmentChunksOptions {
  /** Called before every operation; throws to refuse it (the vault's: 'locked'). */
  readonly assertUsable?: () => void;
}

/** localId → chunk index → sealed length, with the total. */
interface ChunkIndex {
  readonly files: Map<string, Map<number, number>>;
  bytes: number;
}

export class AttachmentChunks {
  readonly #store: RecordStore;
  readonly #assertUsable: () => void;
  #index: Promise<ChunkIndex> | undefined;

  constructor(store: RecordStore, options: AttachmentChunksOptions = {}) {
    this.#store = store;
    this.#assertUsable = options.assertUsable ?? (() => undefined);
  }

  /**
   * Stores sealed chunks firstIndex, firstIndex+1, … of a file in one transaction (all or none),
   * replacing any held under those indices. Each value is copied first, as checkedWrite does.
   */
  async put(localId: string, firstIndex: number, sealedChunks: readonly Uint8Array[]): Promise<void> {
    this.#assertUsable();
    checkLocalId(localId);
    checkIndex(firstIndex, 'first chunk index');
    if (!Array.isArray(sealedChunks)) throw new TypeError('AttachmentChunks.put: expected an array of sealed chunks');
    checkIndex(firstIndex + Math.max(0, sealedChunks.length - 1), 'last chunk index');
    const values = sealedChunks.map((chunk, i) => checkedChunk(chunk, firstIndex + i));
    if (values.length === 0) return;
    // The index is built before any write, so a scan in progress never sees half of one.
    const index = await this.#ready();
    await this.#store.apply(values.map((value, i) => ({ key: attachmentChunkKey(localId, firstIndex + i), value })));
    const file = index.files.get(localId) ?? new Map<number, number>();
    index.files.set(localId, file);
    values.forEach((value, i) => {
      index.bytes += value.length - (file.get(firstIndex + i) ?? 0);
      file.set(firstIndex + i, value.length);
    });
  }

  /** Sealed chunk `index` of the file, or undefined when it is not held. */
  async get(localId: string, index: number): Promise<Uint8Array | undefined> {
    this.#assertUsable();
    return this.#store.get(attachmentChunkKey(localId, index));
  }

  /**
   * The ciphertext bytes [offset, offset + length) of the file, cut from its chunks (chunk i starts
   * at i · 65,552 in the sealed stream; only the last may be shorter). Undefined when a chunk the
   * range needs is not held. RangeError for an offset or length that is not a non-negative
   * integer, and for a range that runs past the end of the stream: past a short (final) chunk, or
   * past chunk `chunkCount − 1` when the caller gives the file's chunk count.
   */
  async read(localId: string, offset: number, length: number, chunkCount?: number): Promise<Uint8Array | undefined> {
    checkCount(length, 'length');
    const out = new Uint8Array(length);
    return (await this.readInto(localId, offset, out, chunkCount)) ? out : undefined;
  }

  /** As `read`, into `out` (its length is the range's): false when a chunk of the range is not held. */
  async readInto(localId: string, offset: number, out: Uint8Array, chunkCount?: number): Promise<boolean> {
    this.#assertUsable();
    checkLocalId(localId);
    checkCount(offset, 'offset');
    if (chunkCount !== undefined) checkCount(chunkCount, 'chunk count');
    const length = out.length;
    if (length === 0) return true;
    const first = Math.floor(offset / ATTACHMENT_SEALED_CHUNK_BYTES);
    const last = Math.floor((offset + length - 1) / ATTACHMENT_SEALED_CHUNK_BYTES);
    if (chunkCount !== undefined && last >= chunkCount)
      throw new RangeError(`AttachmentChunks.read: the range passes the file's ${chunkCount} chunks`);
    // One read for the whole range; the fixed-width index keeps the keys in chunk order.
    const held = await this.#store.between(attachmentChunkKey(localId, first), attachmentChunkKey(localId, last));
    if (held.length !== last - first + 1) return false;
    for (let i = first; i <= last; i++) {
      const entry = held[i - first] as { key: string; value: Uint8Array };
      if (entry.key !== attachmentChunkKey(localId, i)) return false;
      const chunk = entry.value;
      const chunkStart = i * ATTACHMENT_SEALED_CHUNK_BYTES;
      const from = Math.max(offset, chunkStart) - chunkStart;
      const to = Math.min(offset + length, chunkStart + ATTACHMENT_SEALED_CHUNK_BYTES) - chunkStart;
      if (to > chunk.length) throw new RangeError('AttachmentChunks.read: the range passes the end of the stream');
      out.set(chunk.subarray(from, to), chunkStart + from - offset);
    }
    return true;
  }

  /** How many chunks of the file are held (0 for an unknown file). */
  async count(localId: string): Promise<number> {
    this.#assertUsable();
    checkLocalId(localId);
    return (await this.#ready()).files.get(localId)?.size ?? 0;
  }

  /**
   * Deletes every chunk of the file, ATTACHMENT_DELETE_BATCH keys per transaction, from the last
   * chunk down: a delete cut short leaves the file's first chunks, which openFile reports as
   * incomplete and collectOrphans or a later delete removes. Deleting an unknown file does nothing.
   */
  async delete(localId: string): Promise<void> {
    this.#assertUsable();
    checkLocalId(localId);
    const index = await this.#ready();
    const file = index.files.get(localId);
    if (file === undefined) return;
    const chunkIndices = [...file.keys()].sort((a, b) => b - a);
    for (let start = 0; start < chunkIndices.length; start += ATTACHMENT_DELETE_BATCH) {
      const batch = chunkIndices.slice(start, start + ATTACHMENT_DELETE_BATCH);
      await this.#store.apply(batch.map((i) => ({ key: attachmentChunkKey(localId, i), value: null })));
      for (const i of batch) {
        index.bytes -= file.get(i) ?? 0;
        file.delete(i);
      }
    }
    index.files.delete(localId);
  }

  /** The local ids of every file with at least one chunk held, in key order. */
  async localIds(): Promise<string[]> {
    this.#assertUsable();
    return [...(await this.#ready()).files.keys()].sort();
  }

  /**
   * The sealed bytes held for every file. The first call of an instance (or of localIds, count,
   * put, delete) builds the index from the keys and each file's last chunk; later calls cost nothing.
   */
  async bytesUsed(): Promise<number> {
    this.#assertUsable();
    return (await this.#ready()).bytes;
  }

  #ready(): Promise<ChunkIndex> {
    this.#index ??= this.#scan().catch((error: unknown) => {
      this.#index = undefined;
      throw error;
    });
    return this.#index;
  }

  /**
   * Reads the keys, and of each file only its last chunk's value: every other chunk of a file is
   * a full sealed chunk (attachments.md §2.2), so no more than one chunk's bytes is ever read at
   * once, however much the device holds.
   */
  async #scan(): Promise<ChunkIndex> {
    const index: ChunkIndex = { files: new Map(), bytes: 0 };
    for (const key of await this.#store.keys(ATTACHMENT_CHUNK_KEY_PREFIX)) {
      // Anything else under the prefix is not ours: neither counted nor deleted.
      const match = CHUNK_KEY.exec(key);
      if (match === null) continue;
      const [, localId, hexIndex] = match as unknown as [string, string, string];
      const file = index.files.get(localId) ?? new Map<number, number>();
      index.files.set(localId, file);
      file.set(Number.parseInt(hexIndex, 16), ATTACHMENT_SEALED_CHUNK_BYTES);
    }
    for (const [localId, file] of index.files) {
      const last = Math.max(...file.keys());
      const length = (await this.#store.get(attachmentChunkKey(localId, last)))?.length ?? 0;
      file.set(last, length);
      index.bytes += (file.size - 1) * ATTACHMENT_SEALED_CHUNK_BYTES + length;
    }
    return index;
  }
}

function checkLocalId(localId: string): void {
  if (typeof localId !== 'string' || !LOCAL_ID.test(localId))
    throw new TypeError('AttachmentChunks: a local id is 32 lower-case hex digits');
}

function checkIndex(index: number, what: string): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_ATTACHMENT_CHUNK_INDEX)
    throw new RangeError(`AttachmentChunks: the ${what} must be an integer from 0 to ${MAX_ATTACHMENT_CHUNK_INDEX}`);
}

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`AttachmentChunks: the ${what} must be a non-negative integer`);
}

/** A copy of the view only: a structured clone of a subarray would store its whole buffer. */
function checkedChunk(chunk: Uint8Array, index: number): Uint8Array {
  if (!isBytes(chunk)) throw new TypeError(`AttachmentChunks.put: chunk ${index} is not a Uint8Array`);
  if (chunk.length < ATTACHMENT_TAG_BYTES || chunk.length > ATTACHMENT_SEALED_CHUNK_BYTES)
    throw new RangeError(
      `AttachmentChunks.put: a sealed chunk is ${ATTACHMENT_TAG_BYTES} to ${ATTACHMENT_SEALED_CHUNK_BYTES} bytes`,
    );
  return chunk.slice();
}
