/**
 * The attachment index in memory (the embedded default): gone when the process ends, which is why
 * the bytes of a previous run are deleted at start (open-attachment-store.ts). Each method is one
 * synchronous step behind an async signature, so it is atomic here as a Lua script would be in
 * Redis.
 */
import {
  idKey,
  type AttachmentIndex,
  type AttachmentRecord,
  type CreateOutcome,
  type FetchedOutcome,
  type NewAttachment,
  type WriteClaim,
} from './attachment-store';

/**
 * relay.md §8.4 (as the memory store's 256 bytes per queue): what a record costs beside its
 * declared length, so the budget also bounds how many records there are. A filesystem gives each
 * file at least one 4 KiB block, and tiny uploads would otherwise be nearly free.
 */
export const ATTACHMENT_RECORD_RESERVE_BYTES = 4096;

interface Entry {
  readonly attachmentId: Uint8Array;
  readonly uploadKey: string;
  readonly length: number;
  received: number;
  complete: boolean;
  fetchesRemaining: number;
  /** Hex of every fetch nonce counted; fewer than `fetches` by construction. */
  readonly nonces: Set<string>;
  readonly expiresAt: number;
  writing: boolean;
}

export class MemoryAttachmentIndex implements AttachmentIndex {
  readonly durable = false;
  readonly #byAttachment = new Map<string, Entry>();
  readonly #byUpload = new Map<string, string>();
  #reserved = 0;

  /** `maxReservedBytes`: RELAY_ATTACHMENT_STORE_MAX_BYTES. */
  constructor(private readonly maxReservedBytes: number) {}

  /** What the live and unswept records reserve (tests and the budget). */
  get reservedBytes(): number {
    return this.#reserved;
  }

  async create(attachment: NewAttachment, _now: number): Promise<CreateOutcome> {
    const key = idKey(attachment.attachmentId);
    const uploadKey = idKey(attachment.uploadIdHash);
    if (this.#byAttachment.has(key) || this.#byUpload.has(uploadKey)) return 'collision';
    const reserve = attachment.length + ATTACHMENT_RECORD_RESERVE_BYTES;
    if (this.#reserved + reserve > this.maxReservedBytes) return 'store_full';
    this.#reserved += reserve;
    this.#byUpload.set(uploadKey, key);
    this.#byAttachment.set(key, {
      attachmentId: Uint8Array.from(attachment.attachmentId),
      uploadKey,
      length: attachment.length,
      received: 0,
      complete: false,
      fetchesRemaining: attachment.fetches,
      nonces: new Set(),
      expiresAt: attachment.expiresAt,
      writing: false,
    });
    return 'created';
  }

  async byUpload(uploadIdHash: Uint8Array, now: number): Promise<AttachmentRecord | undefined> {
    const entry = this.#uploadEntry(uploadIdHash, now);
    return entry && recordOf(entry);
  }

  async byAttachment(attachmentId: Uint8Array, now: number): Promise<AttachmentRecord | undefined> {
    const entry = this.#live(this.#byAttachment.get(idKey(attachmentId)), now);
    return entry && recordOf(entry);
  }

  async claimWrite(uploadIdHash: Uint8Array, offset: number, now: number): Promise<WriteClaim> {
    const entry = this.#uploadEntry(uploadIdHash, now);
    if (entry === undefined) return { ok: false, reason: 'unknown' };
    if (entry.writing) return { ok: false, reason: 'busy', received: entry.received };
    if (offset !== entry.received) return { ok: false, reason: 'offset', received: entry.received };
    entry.writing = true;
    return { ok: true, record: recordOf(entry) };
  }

  async releaseWrite(attachmentId: Uint8Array, received: number, now: number): Promise<AttachmentRecord | undefined> {
    const entry = this.#byAttachment.get(idKey(attachmentId));
    if (entry === undefined) return undefined;
    entry.writing = false;
    if (this.#live(entry, now) === undefined) return undefined;
    if (!Number.isSafeInteger(received) || received < entry.received || received > entry.length)
      throw new RangeError('an upload offset only moves forward, up to the length');
    entry.received = received;
    entry.complete = received === entry.length;
    return recordOf(entry);
  }

  async fetched(attachmentId: Uint8Array, nonce: Uint8Array, now: number): Promise<FetchedOutcome> {
    const key = idKey(attachmentId);
    const entry = this.#live(this.#byAttachment.get(key), now);
    if (entry === undefined || !entry.complete) return 'unknown';
    const nonceKey = idKey(nonce);
    if (entry.nonces.has(nonceKey)) return 'repeated';
    entry.fetchesRemaining -= 1;
    if (entry.fetchesRemaining > 0) {
      entry.nonces.add(nonceKey);
      return 'counted';
    }
    this.#delete(key, entry);
    return 'last';
  }

  async sweep(now: number): Promise<Uint8Array[]> {
    const expired: Uint8Array[] = [];
    for (const [key, entry] of this.#byAttachment) {
      if (entry.expiresAt > now) continue;
      this.#delete(key, entry);
      expired.push(entry.attachmentId);
    }
    return expired;
  }

  async remove(attachmentId: Uint8Array): Promise<boolean> {
    const key = idKey(attachmentId);
    const entry = this.#byAttachment.get(key);
    if (entry === undefined) return false;
    this.#delete(key, entry);
    return true;
  }

  async knows(attachmentId: Uint8Array): Promise<boolean> {
    return this.#byAttachment.has(idKey(attachmentId));
  }

  async attachmentIds(): Promise<Uint8Array[]> {
    return [...this.#byAttachment.values()].map((entry) => entry.attachmentId);
  }

  async close(): Promise<void> {
    this.#byAttachment.clear();
    this.#byUpload.clear();
    this.#reserved = 0;
  }

  #uploadEntry(uploadIdHash: Uint8Array, now: number): Entry | undefined {
    const key = this.#byUpload.get(idKey(uploadIdHash));
    return key === undefined ? undefined : this.#live(this.#byAttachment.get(key), now);
  }

  /** An expired record answers nothing at once, before the sweep (relay.md §3.15). */
  #live(entry: Entry | undefined, now: number): Entry | undefined {
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  #delete(key: string, entry: Entry): void {
    this.#byAttachment.delete(key);
    this.#byUpload.delete(entry.uploadKey);
    this.#reserved -= entry.length + ATTACHMENT_RECORD_RESERVE_BYTES;
  }
}

function recordOf(entry: Entry): AttachmentRecord {
  return {
    attachmentId: entry.attachmentId,
    length: entry.length,
    received: entry.received,
    complete: entry.complete,
    fetchesRemaining: entry.fetchesRemaining,
    expiresAt: entry.expiresAt,
  };
}
