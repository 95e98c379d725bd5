/**
 * The relay's commands (docs/protocol/relay.md §3) over one RelayConnection, with the client's
 * side of each rule: proofs of queue keys (§6.3), put_many split to the frame ceiling (§3.5),
 * replies checked. Every function rejects with a RelayRequestError.
 */
import type { Ed25519KeyPair } from '@opendescent/crypto';
import {
  MAX_BLOB_BYTES,
  MAX_PUT_MANY_ENTRIES,
  PROVEN_ON_THIS_CONNECTION,
  PUT_SHARED_COST,
  QUEUE_ID_LENGTH,
  SHARED_ID_LENGTH,
  encodeAck,
  encodeCreate,
  encodeDelete,
  encodeFetch,
  encodeFetchShared,
  encodePrekeyClaim,
  encodePrekeyFetch,
  encodePrekeyPublish,
  encodePut,
  encodePutMany,
  encodePutShared,
  encodeRevocationPush,
  encodeSubscribe,
  type FetchedMessage,
  type OptionalSigner,
  type PrekeyPublishMode,
  type PutManyEntry,
  encodeTurnCredentials,
  type TurnCredentials,
} from '@opendescent/protocol';
import { RelayRequestError, asRequestError, type RelayRequestErrorCode } from './errors';
import type { OkReplyOf, RelayConnection } from './relay-connection';

/** Per put_many entry: stored (`ok`), or why not. */
export type PutManyOutcome = 'ok' | RelayRequestErrorCode;

export interface FetchResult {
  readonly more: boolean;
  readonly messages: readonly FetchedMessage[];
}

/** relay.md §3.5: header (6) + ttl (4) + entry count (2). */
const PUT_MANY_FRAME_OVERHEAD = 6 + 4 + 2;
/** relay.md §3.5: sender id (16) + blob length (4) before each blob. */
const PUT_MANY_ENTRY_OVERHEAD = QUEUE_ID_LENGTH + 4;
/** relay.md §8.3: a put_many costs one token more per 16 entries. */
const putManyCost = (entries: number): number => 1 + Math.floor(entries / 16);

/** §3.3. The new queue's key is then proven on this connection (§6.3). */
export async function createQueue(
  connection: RelayConnection,
  recipientKey: Ed25519KeyPair,
): Promise<{ recipientId: Uint8Array; senderId: Uint8Array }> {
  const reply = await connection.command('create', (requestId) =>
    encodeCreate({ requestId }, connection.signer(recipientKey)),
  );
  connection.prove(reply.recipientId);
  return { recipientId: reply.recipientId, senderId: reply.senderId };
}

/** §3.4. `ttl` in seconds; 0 is the relay's default TTL. */
export async function put(connection: RelayConnection, senderId: Uint8Array, blob: Uint8Array, ttl = 0): Promise<void> {
  await connection.command('put', (requestId) => encodePut({ requestId, senderId, ttl, blob }));
}

/**
 * §3.5, split into as many frames as the frame ceiling and the 256-entry limit need. Every entry
 * gets its own outcome, in entry order: `ok`, the relay's status, or the error of the frame that
 * carried it. An entry that can never fit a frame is `oversized`, a malformed one `malformed`.
 */
export async function putMany(
  connection: RelayConnection,
  entries: readonly PutManyEntry[],
  ttl = 0,
): Promise<PutManyOutcome[]> {
  const outcomes: PutManyOutcome[] = new Array<PutManyOutcome>(entries.length);
  const batches = putManyBatches(entries, connection.limits.maxFrameBytes, outcomes);
  await Promise.all(
    batches.map(async (indexes) => {
      try {
        const reply = await connection.command(
          'put_many',
          (requestId) => encodePutMany({ requestId, ttl, entries: indexes.map((i) => entries[i] as PutManyEntry) }),
          putManyCost(indexes.length),
        );
        if (reply.statuses.length !== indexes.length)
          throw new RelayRequestError('bad_reply', 'put_many: one status per entry expected');
        indexes.forEach((entryIndex, i) => (outcomes[entryIndex] = reply.statuses[i] as PutManyOutcome));
      } catch (error) {
        const code = asRequestError(error).code;
        for (const entryIndex of indexes) outcomes[entryIndex] = code;
      }
    }),
  );
  return outcomes;
}

/** Groups entry indexes into frames that fit; entries that never fit get their outcome here. */
export function putManyBatches(
  entries: readonly PutManyEntry[],
  maxFrameBytes: number,
  outcomes: PutManyOutcome[],
): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let size = PUT_MANY_FRAME_OVERHEAD;
  entries.forEach((entry, index) => {
    const problem = putManyEntryProblem(entry, maxFrameBytes);
    if (problem !== undefined) {
      outcomes[index] = problem;
      return;
    }
    const entrySize = PUT_MANY_ENTRY_OVERHEAD + entry.blob.length;
    if (batch.length === MAX_PUT_MANY_ENTRIES || size + entrySize > maxFrameBytes) {
      batches.push(batch);
      batch = [];
      size = PUT_MANY_FRAME_OVERHEAD;
    }
    batch.push(index);
    size += entrySize;
  });
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Why an entry can never be sent (checked before any connection is opened for it), or undefined. */
export function putManyEntryProblem(entry: PutManyEntry, maxFrameBytes: number): PutManyOutcome | undefined {
  if (!(entry.senderId instanceof Uint8Array) || entry.senderId.length !== QUEUE_ID_LENGTH) return 'malformed';
  if (!(entry.blob instanceof Uint8Array) || entry.blob.length < 1) return 'malformed';
  if (entry.blob.length > MAX_BLOB_BYTES) return 'oversized';
  if (PUT_MANY_FRAME_OVERHEAD + PUT_MANY_ENTRY_OVERHEAD + entry.blob.length > maxFrameBytes) return 'oversized';
  return undefined;
}

/** §3.6: signed; proves the key on this connection. */
export async function subscribe(
  connection: RelayConnection,
  recipientId: Uint8Array,
  recipientKey: Ed25519KeyPair,
): Promise<void> {
  await connection.command('subscribe', (requestId) =>
    encodeSubscribe({ requestId, recipientId }, connection.signer(recipientKey)),
  );
  connection.prove(recipientId);
}

/** §3.7, unsigned when the queue's key is proven on this connection (§6.3). */
export async function fetchPending(
  connection: RelayConnection,
  recipientId: Uint8Array,
  recipientKey: Ed25519KeyPair,
  max: number,
): Promise<FetchResult> {
  const reply = await provenOrSigned(connection, 'fetch', recipientId, recipientKey, (requestId, signer) =>
    encodeFetch({ requestId, recipientId, max }, signer),
  );
  return { more: reply.more, messages: reply.messages };
}

/** §3.8 (idempotent), unsigned when the queue's key is proven on this connection (§6.3). */
export async function ack(
  connection: RelayConnection,
  recipientId: Uint8Array,
  recipientKey: Ed25519KeyPair,
  messageIds: readonly Uint8Array[],
): Promise<void> {
  await provenOrSigned(connection, 'ack', recipientId, recipientKey, (requestId, signer) =>
    encodeAck({ requestId, recipientId, messageIds }, signer),
  );
}

/** §3.9: always signed. */
export async function deleteQueue(
  connection: RelayConnection,
  recipientId: Uint8Array,
  recipientKey: Ed25519KeyPair,
): Promise<void> {
  await connection.command('delete', (requestId) =>
    encodeDelete({ requestId, recipientId }, connection.signer(recipientKey)),
  );
  connection.forgetProof(recipientId);
}

/** §3.10; resolves to the one-time prekeys the slot now holds. */
export async function publishPrekeys(
  connection: RelayConnection,
  slotId: Uint8Array,
  slotKey: Ed25519KeyPair,
  mode: PrekeyPublishMode,
  bundle: Uint8Array,
  oneTimeItems: readonly Uint8Array[],
): Promise<number> {
  const reply = await connection.command('prekey_publish', (requestId) =>
    encodePrekeyPublish({ requestId, slotId, mode, bundle, oneTimePrekeys: oneTimeItems }, connection.signer(slotKey)),
  );
  return reply.remaining;
}

/** §3.11: the bundle, without claiming a one-time prekey. */
export async function fetchPrekeys(
  connection: RelayConnection,
  slotId: Uint8Array,
): Promise<{ remaining: number; bundle: Uint8Array }> {
  const reply = await connection.command('prekey_fetch', (requestId) => encodePrekeyFetch({ requestId, slotId }));
  return { remaining: reply.remaining, bundle: reply.bundle };
}

/** §3.11: the bundle and one one-time prekey, removed atomically (null when none is left). */
export async function claimPrekeys(
  connection: RelayConnection,
  slotId: Uint8Array,
): Promise<{ bundle: Uint8Array; oneTime: Uint8Array | null }> {
  const reply = await connection.command('prekey_claim', (requestId) => encodePrekeyClaim({ requestId, slotId }));
  return { bundle: reply.bundle, oneTime: reply.oneTimePrekey ?? null };
}

/** §3.12; resolves to the list version the relay now holds. */
export async function pushRevocationList(connection: RelayConnection, list: Uint8Array): Promise<number> {
  const reply = await connection.command('revocation_push', (requestId) => encodeRevocationPush({ requestId, list }));
  return reply.listVersion;
}

/** relay.md §3.13: header (6) + ttl (4) + blob length (4). */
const PUT_SHARED_FRAME_OVERHEAD = 6 + 4 + 4;

/** Why a shared blob can never be sent (checked before any connection is opened for it), or undefined. */
export function sharedBlobProblem(blob: Uint8Array, maxFrameBytes: number): 'malformed' | 'oversized' | undefined {
  if (!(blob instanceof Uint8Array) || blob.length < 1) return 'malformed';
  if (blob.length > MAX_BLOB_BYTES || PUT_SHARED_FRAME_OVERHEAD + blob.length > maxFrameBytes) return 'oversized';
  return undefined;
}

/** Whether a shared id has the shape the relay hands out (§3.13). */
export const isSharedId = (sharedId: unknown): sharedId is Uint8Array =>
  sharedId instanceof Uint8Array && sharedId.length === SHARED_ID_LENGTH;

/** §3.13: stores the blob once; resolves to the id the relay drew. Costs 4 tokens (§8.3). */
export async function putShared(connection: RelayConnection, blob: Uint8Array, ttl = 0): Promise<Uint8Array> {
  const reply = await connection.command(
    'put_shared',
    (requestId) => encodePutShared({ requestId, ttl, blob }),
    PUT_SHARED_COST,
  );
  return reply.sharedId;
}

/** §3.14: the blob stored under this id; rejects `not_found` when it is unknown or expired. */
export async function fetchShared(connection: RelayConnection, sharedId: Uint8Array): Promise<Uint8Array> {
  const reply = await connection.command('fetch_shared', (requestId) => encodeFetchShared({ requestId, sharedId }));
  return reply.blob;
}

/** §3.16: the organisation's TURN URLs and a fresh credential; rejects `not_found` when the relay has none. */
export async function turnCredentials(connection: RelayConnection): Promise<TurnCredentials> {
  const reply = await connection.command('turn_credentials', (requestId) => encodeTurnCredentials({ requestId }));
  return reply.turn;
}

/** §6.3: unsigned on a connection that proved the key; if the relay no longer counts that proof, once more signed. */
async function provenOrSigned<N extends 'fetch' | 'ack'>(
  connection: RelayConnection,
  command: N,
  recipientId: Uint8Array,
  key: Ed25519KeyPair,
  build: (requestId: number, signer: OptionalSigner) => Promise<Uint8Array>,
): Promise<OkReplyOf<N>> {
  const unsigned = connection.isProven(recipientId);
  try {
    const reply = await connection.command(command, (requestId) =>
      build(requestId, unsigned ? PROVEN_ON_THIS_CONNECTION : connection.signer(key)),
    );
    connection.prove(recipientId);
    return reply;
  } catch (error) {
    if (!unsigned || !(error instanceof RelayRequestError) || error.code !== 'auth') throw error;
    connection.forgetProof(recipientId);
    const reply = await connection.command(command, (requestId) => build(requestId, connection.signer(key)));
    connection.prove(recipientId);
    return reply;
  }
}
