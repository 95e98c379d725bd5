/**
 * Where the relay keeps attachments (relay.md §3.15, attachments.md §4), declared once and split
 * in two concerns so each can be swapped on its own:
 * - the index (`AttachmentIndex`): one small record per upload, with the reservation budget, the
 *   single-writer claim and the fetch count. In memory now; a Redis index for scale-out implements
 *   the same interface (each method is one atomic step, a Lua script there);
 * - the bytes (`AttachmentBytes`): the ciphertext itself, appended at an offset and read from one.
 *   On the filesystem now; an object store (S3: a multipart upload, one part per PATCH batch,
 *   completed by `finish`) implements the same interface.
 *
 * The index never holds an upload id, only its SHA-256 (`uploadIdHash`): a dump of the index
 * lets nobody write. Every call takes the caller's clock (`now`, Unix milliseconds), and an
 * expired record is absent to every reader even before the sweep removes it.
 */
import type { Readable } from 'node:stream';
import { attachmentHex } from '@opendescent/protocol';

/** What `attach_create` admits (relay.md §3.15). */
export interface NewAttachment {
  readonly attachmentId: Uint8Array;
  /** SHA-256 of the upload id; the upload id itself is handed to the client and kept nowhere. */
  readonly uploadIdHash: Uint8Array;
  /** The declared ciphertext length, reserved in full until the record goes. */
  readonly length: number;
  /** How many distinct fetch nonces delete it. */
  readonly fetches: number;
  /** Unix milliseconds. */
  readonly expiresAt: number;
}

/** One upload as readers see it. */
export interface AttachmentRecord {
  readonly attachmentId: Uint8Array;
  readonly length: number;
  /** Bytes written so far (the tus offset). */
  readonly received: number;
  /** `received === length`, and the bytes store has finished the object. */
  readonly complete: boolean;
  readonly fetchesRemaining: number;
  /** Unix milliseconds. */
  readonly expiresAt: number;
}

export type CreateOutcome = 'created' | 'collision' | 'store_full';

/** The right to write at `offset`, held by one PATCH at a time. */
export type WriteClaim =
  | { readonly ok: true; readonly record: AttachmentRecord }
  | { readonly ok: false; readonly reason: 'unknown' }
  | { readonly ok: false; readonly reason: 'busy' | 'offset'; readonly received: number };

/** `last`: that nonce brought the count to 0 and the record is gone (the caller deletes the bytes). */
export type FetchedOutcome = 'counted' | 'repeated' | 'last' | 'unknown';

export interface AttachmentIndex {
  /** Refuses `store_full` when the live reservations plus this one would pass the budget. */
  create(attachment: NewAttachment, now: number): Promise<CreateOutcome>;
  byUpload(uploadIdHash: Uint8Array, now: number): Promise<AttachmentRecord | undefined>;
  /** Whatever its state; the caller decides what an incomplete upload answers. */
  byAttachment(attachmentId: Uint8Array, now: number): Promise<AttachmentRecord | undefined>;
  /** Claims the single writer's right when nobody holds it and `offset` is the current one. */
  claimWrite(uploadIdHash: Uint8Array, offset: number, now: number): Promise<WriteClaim>;
  /**
   * Ends a claim, recording the new offset (complete when it reaches the length). Undefined when
   * the record expired or was deleted meanwhile.
   */
  releaseWrite(attachmentId: Uint8Array, received: number, now: number): Promise<AttachmentRecord | undefined>;
  /** Counts a complete attachment's fetch once per distinct nonce; removes it at 0. */
  fetched(attachmentId: Uint8Array, nonce: Uint8Array, now: number): Promise<FetchedOutcome>;
  /** Removes expired records, releasing their reservations; resolves to their attachment ids. */
  sweep(now: number): Promise<Uint8Array[]>;
  /** Removes a record whatever its state (a failed create); false when there was none. */
  remove(attachmentId: Uint8Array): Promise<boolean>;
  /** Whether a record, live or not yet swept, names these bytes (the start-up clean-up). */
  knows(attachmentId: Uint8Array): Promise<boolean>;
  /** Every attachment id it holds (the bytes to delete when a volatile index closes). */
  attachmentIds(): Promise<Uint8Array[]>;
  /** False for an index that forgets everything when the process ends (the memory one). */
  readonly durable: boolean;
  close(): Promise<void>;
}

/**
 * How a PATCH body ended. `appended`: the source ended; `interrupted`: it failed part-way (the
 * client went away) and the bytes that reached the store are kept (tus); `overflow`: more than
 * the limit arrived, so nothing of this PATCH is kept; `missing`: the bytes are gone (deleted).
 */
export type AppendOutcome =
  | { readonly outcome: 'appended'; readonly written: number }
  | { readonly outcome: 'interrupted'; readonly written: number }
  | { readonly outcome: 'overflow' }
  | { readonly outcome: 'missing' };

export interface AttachmentBytes {
  /** Makes room for a new attachment (an empty file; an object store's upload); an id used already fails. */
  create(attachmentId: Uint8Array): Promise<void>;
  /**
   * Writes `source` at `offset`, dropping anything stored past it first. Never keeps more than
   * `limit` bytes of it: on the byte that would pass, it restores the length to `offset` and
   * answers `overflow`. Streams: holds at most one chunk of the source in memory.
   */
  append(
    attachmentId: Uint8Array,
    offset: number,
    source: AsyncIterable<Uint8Array>,
    limit: number,
  ): Promise<AppendOutcome>;
  /** Called once, when the last byte is in (an object store completes its multipart upload). */
  finish(attachmentId: Uint8Array, length: number): Promise<void>;
  /** Bytes held, or undefined when none are. */
  size(attachmentId: Uint8Array): Promise<number | undefined>;
  /** Bytes `start` … `end` (exclusive), opened before it resolves; undefined when there are none. */
  read(attachmentId: Uint8Array, start: number, end: number): Promise<Readable | undefined>;
  /** Idempotent. */
  delete(attachmentId: Uint8Array): Promise<void>;
  /** Every attachment id it holds bytes for. */
  attachmentIds(): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

/** The two halves together, as the service sees them. */
export interface AttachmentStore {
  readonly index: AttachmentIndex;
  readonly bytes: AttachmentBytes;
  close(): Promise<void>;
}

/** A failure of the bytes store, named by its code only: a filesystem message would carry a path, and so an id. */
export class AttachmentStoreError extends Error {
  override readonly name = 'AttachmentStoreError';

  constructor(readonly code: string) {
    super(`attachment store failure: ${code}`);
  }
}

/** Lower-case hex of an id, as index keys and file names use it (never logged). */
export const idKey = (id: Uint8Array): string => attachmentHex(id);
