/**
 * The relay's storage, declared once (docs/protocol/relay.md §9). Two implementations: in memory
 * (the embedded default) and Redis (scale-out); one test suite runs against both
 * (test/store/relay-store.suite.ts). Nothing here takes a device identity: a store cannot hold
 * one next to a queue id because no operation is ever given one.
 *
 * Every operation takes the caller's clock (`now`, Unix milliseconds) so expiry is testable, and
 * is all-or-nothing: a refused operation changes nothing.
 */
import { encodeHex } from '@opendescent/protocol';

export interface StoreLimits {
  /** relay.md §8.4 */
  readonly queueMaxMessages: number;
  readonly queueMaxBytes: number;
  /** relay.md §8.2: a queue with no activity for this long is gone, with its blobs. */
  readonly queueIdleTtlMs: number;
  /** relay.md §3.10 */
  readonly prekeyTtlMs: number;
  readonly maxOneTimePrekeysPerSlot: number;
  /** relay.md §8.4: the memory store's whole budget (ignored by Redis: its maxmemory rules). */
  readonly memoryMaxBytes: number;
  /** relay.md §8.4: bytes of live shared blobs (§3.13), in either store. */
  readonly sharedMaxBytes: number;
}

export interface NewQueue {
  readonly recipientId: Uint8Array;
  readonly senderId: Uint8Array;
  readonly recipientKey: Uint8Array;
}

export interface StoredMessage {
  readonly messageId: Uint8Array;
  /** Unix milliseconds. */
  readonly receivedAt: number;
  readonly blob: Uint8Array;
}

export interface NewMessage extends StoredMessage {
  /** Unix milliseconds; already capped by the relay's maximum TTL. */
  readonly expiresAt: number;
}

export type PutOutcome =
  | { readonly ok: true; readonly recipientId: Uint8Array }
  | { readonly ok: false; readonly error: 'auth' | 'quota_exceeded' | 'store_full' };

export interface PendingMessages {
  readonly messages: readonly StoredMessage[];
  /** More are pending than were returned. */
  readonly more: boolean;
}

export interface PrekeyPublication {
  readonly slotId: Uint8Array;
  readonly slotKey: Uint8Array;
  readonly mode: 'replace' | 'append';
  readonly bundle: Uint8Array;
  readonly oneTimePrekeys: readonly Uint8Array[];
}

export type PublishOutcome =
  | { readonly ok: true; readonly remaining: number }
  | { readonly ok: false; readonly error: 'auth' | 'quota_exceeded' | 'store_full' };

export interface PrekeyClaim {
  readonly bundle: Uint8Array;
  /** Undefined when the slot has none left. */
  readonly oneTimePrekey: Uint8Array | undefined;
}

/** relay.md §3.13: a blob stored once, under an id the relay drew; nothing names a queue or a connection. */
export interface NewSharedBlob {
  readonly sharedId: Uint8Array;
  readonly blob: Uint8Array;
  /** Unix milliseconds; already capped by the relay's maximum TTL. */
  readonly expiresAt: number;
}

/**
 * The organisation's signed documents a relay holds and shares with its other nodes (relay.md §7,
 * §3.2), and the organisation-key statements it followed (§7.2), end to end, versioned by the
 * sequence of the last one applied.
 */
export type SignedDocumentKind = 'revocation_list' | 'token_key_set' | 'org_key_statements';

export interface RelayStore {
  /** `taken` when either id is already in use (the caller draws new ids). */
  createQueue(queue: NewQueue, now: number): Promise<'created' | 'taken' | 'store_full'>;
  /** The queue's recipient key, or undefined when there is no such (live) queue. */
  recipientKey(recipientId: Uint8Array, now: number): Promise<Uint8Array | undefined>;
  /** Stores a blob in the queue of this sender id, within its quotas. */
  put(senderId: Uint8Array, message: NewMessage, now: number): Promise<PutOutcome>;
  /** Oldest first, at most `max` blobs and, beyond the first, at most `maxBytes` of blob. Counts as activity. */
  pending(
    recipientId: Uint8Array,
    limits: { max: number; maxBytes: number },
    now: number,
  ): Promise<PendingMessages | undefined>;
  /** Deletes the named blobs; ids that are gone are ignored (idempotent). False when there is no such queue. */
  ack(recipientId: Uint8Array, messageIds: readonly Uint8Array[], now: number): Promise<boolean>;
  /** Deletes a queue, both its ids and its blobs. False when there was none. */
  deleteQueue(recipientId: Uint8Array, now: number): Promise<boolean>;

  /** Creates or updates a slot; a slot is bound to the key of its first publication. */
  publishPrekeys(publication: PrekeyPublication, now: number): Promise<PublishOutcome>;
  fetchPrekeys(slotId: Uint8Array, now: number): Promise<{ bundle: Uint8Array; remaining: number } | undefined>;
  /** Atomically removes and returns one one-time prekey: concurrent claims never share one. */
  claimPrekey(slotId: Uint8Array, now: number): Promise<PrekeyClaim | undefined>;

  /**
   * Stores a shared blob (relay.md §3.13) within the shared-blob budget (and, in memory, the whole
   * budget); `taken` when the id is already in use (the caller draws another).
   */
  putShared(shared: NewSharedBlob, now: number): Promise<'stored' | 'taken' | 'store_full'>;
  /** A live shared blob (§3.14); fetching does not delete it. Undefined when unknown or expired. */
  fetchShared(sharedId: Uint8Array, now: number): Promise<Uint8Array | undefined>;

  /** Keeps the document if its version is higher than the one stored; the caller has verified it. */
  offerDocument(kind: SignedDocumentKind, version: number, bytes: Uint8Array): Promise<boolean>;
  document(kind: SignedDocumentKind): Promise<Uint8Array | undefined>;

  /**
   * Records an access token as spent until `expiresAt` (Unix ms; its key's acceptance end):
   * true the first time, false for every later use, on every node sharing the store (relay.md §3.2).
   */
  spendToken(spendId: Uint8Array, expiresAt: number, now: number): Promise<boolean>;

  /** Reclaims what has expired (the memory store; Redis expires keys itself). */
  sweep(now: number): Promise<void>;
  close(): Promise<void>;
}

/** The store failed (Redis unreachable): relay.md error `unavailable`. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** An id as the stores key it (a Map key, a Redis key part): @opendescent/protocol's one hex encoder, lower case. */
export const hexId: (bytes: Uint8Array) => string = encodeHex;
