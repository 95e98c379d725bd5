import type { ByteReader, ByteWriter, Ed25519PrivateKey } from '@opendescent/crypto';
import { protocolReader, protocolWriter } from '../wire-bytes';
import { ProtocolError } from '../errors';
import { MAX_REVOCATION_LIST_BYTES } from '../revocation-list';
import {
  boundedCount,
  boundedLength,
  checkLength,
  commandHeader as header,
  readRelayVersion,
  relayFrameBytes,
} from './bytes';
import {
  COMMAND_HEADER_LENGTH,
  MAX_ACK_IDS,
  MAX_BLOB_BYTES,
  MAX_FETCH_MESSAGES,
  MAX_HELLO_TOKEN_BYTES,
  MAX_ONE_TIME_PREKEYS_PER_PUBLISH,
  MAX_ONE_TIME_PREKEY_BYTES,
  MAX_PREKEY_BUNDLE_BYTES,
  MAX_PUT_MANY_ENTRIES,
  MAX_RELAY_FRAME_BYTES,
  MESSAGE_ID_LENGTH,
  QUEUE_ID_LENGTH,
  RELAY_COMMANDS,
  RELAY_PUBLIC_KEY_LENGTH,
  RELAY_SIGNATURE_LENGTH,
  SLOT_ID_LENGTH,
  type RelayCommandName,
} from './constants';
import { decodeAttachCreateBody, type AttachCreateCommand } from './attachments';
import { SHARED_BLOB_BODY_DECODERS, type SharedBlobCommand } from './shared-blobs';
import { decodeTurnCredentialsBody, type TurnCredentialsCommand } from './turn';
import { signCommand } from './signatures';

/**
 * Client-to-relay frames (docs/protocol/relay.md §3): one encoder per command for clients, one
 * strict decoder for the relay. Signed commands keep the exact bytes their signature covers
 * (`signed`) so the relay verifies what was sent, not a re-encoding.
 */

interface Header {
  readonly requestId: number;
}

/** The bytes a recipient or slot signature covers, and the signature (§6.2). */
export interface SignedPart {
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * `fetch` and `ack` may leave the signature out on a connection that has proven the queue's key
 * (§6.3): then both fields are undefined, and the relay must find that proof or refuse (`auth`).
 */
export type OptionallySignedPart = SignedPart | { readonly signed: undefined; readonly signature: undefined };

export type PrekeyPublishMode = 'replace' | 'append';
const PUBLISH_MODES: readonly PrekeyPublishMode[] = ['replace', 'append'];

export interface PutManyEntry {
  readonly senderId: Uint8Array;
  readonly blob: Uint8Array;
}

export type RelayCommand =
  | ({ readonly command: 'hello'; readonly token: Uint8Array } & Header)
  | ({ readonly command: 'create'; readonly recipientKey: Uint8Array } & Header & SignedPart)
  | ({
      readonly command: 'put';
      readonly senderId: Uint8Array;
      readonly ttl: number;
      readonly blob: Uint8Array;
    } & Header)
  | ({ readonly command: 'put_many'; readonly ttl: number; readonly entries: readonly PutManyEntry[] } & Header)
  | ({ readonly command: 'subscribe'; readonly recipientId: Uint8Array } & Header & SignedPart)
  | ({ readonly command: 'fetch'; readonly recipientId: Uint8Array; readonly max: number } & Header &
      OptionallySignedPart)
  | ({
      readonly command: 'ack';
      readonly recipientId: Uint8Array;
      readonly messageIds: readonly Uint8Array[];
    } & Header &
      OptionallySignedPart)
  | ({ readonly command: 'delete'; readonly recipientId: Uint8Array } & Header & SignedPart)
  | ({
      readonly command: 'prekey_publish';
      readonly slotId: Uint8Array;
      readonly slotKey: Uint8Array;
      readonly mode: PrekeyPublishMode;
      readonly bundle: Uint8Array;
      readonly oneTimePrekeys: readonly Uint8Array[];
    } & Header &
      SignedPart)
  | ({ readonly command: 'prekey_fetch'; readonly slotId: Uint8Array } & Header)
  | ({ readonly command: 'prekey_claim'; readonly slotId: Uint8Array } & Header)
  | ({ readonly command: 'revocation_push'; readonly list: Uint8Array } & Header)
  | SharedBlobCommand
  | AttachCreateCommand
  | TurnCredentialsCommand;

export type RelayCommandOf<N extends RelayCommandName> = Extract<RelayCommand, { command: N }>;

/** The request id of a frame, or 0 when it is too broken to have one (§4.2). Never throws. */
export function peekRequestId(input: unknown): number {
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (bytes === undefined || bytes.length < COMMAND_HEADER_LENGTH) return 0;
  return (
    (bytes[2] as number) * 2 ** 24 + (((bytes[3] as number) << 16) | ((bytes[4] as number) << 8) | (bytes[5] as number))
  );
}

/**
 * Decodes the frame carried by the event `command` (§3). Throws only ProtocolError: `malformed`,
 * `oversized`, `version_too_old`, `version_unknown`. `maxFrameBytes` is the relay's ceiling.
 */
export function decodeRelayCommand<N extends RelayCommandName>(
  command: N,
  input: unknown,
  maxFrameBytes = MAX_RELAY_FRAME_BYTES,
): RelayCommandOf<N> {
  const what = `relay ${command}`;
  const bytes = relayFrameBytes(input, what, Math.min(maxFrameBytes, MAX_RELAY_FRAME_BYTES));
  const reader = protocolReader(bytes, what);
  readRelayVersion(reader, what);
  const code = reader.u8('command code');
  if (code !== RELAY_COMMANDS[command])
    throw new ProtocolError('malformed', `${what}: the command code does not match the event`);
  const requestId = reader.u32('request id');
  if (requestId === 0) throw new ProtocolError('malformed', `${what}: request id 0 is reserved for notices`);
  const decoded = BODY_DECODERS[command](reader, bytes, requestId, what);
  reader.end();
  return decoded as RelayCommandOf<N>;
}

type BodyDecoder = (reader: ByteReader, bytes: Uint8Array, requestId: number, what: string) => RelayCommand;

/** The signature is the last 64 bytes; everything before it is what it signs. */
function signedPart(reader: ByteReader, bytes: Uint8Array): SignedPart {
  const end = reader.offset;
  const signature = reader.raw(RELAY_SIGNATURE_LENGTH, 'signature');
  return { signed: bytes.slice(0, end), signature };
}

/** §3.7, §3.8: the body's own counts fix where it ends, so nothing after it means unsigned. */
function optionallySignedPart(reader: ByteReader, bytes: Uint8Array): OptionallySignedPart {
  return reader.remaining === 0 ? { signed: undefined, signature: undefined } : signedPart(reader, bytes);
}

const BODY_DECODERS: Record<RelayCommandName, BodyDecoder> = {
  hello: (reader, _bytes, requestId, what) => {
    const token = reader.raw(boundedLength(reader, 2, 'token', 1, MAX_HELLO_TOKEN_BYTES, what), 'token');
    return { command: 'hello', requestId, token };
  },
  create: (reader, bytes, requestId) => {
    const recipientKey = reader.raw(RELAY_PUBLIC_KEY_LENGTH, 'recipient key');
    return { command: 'create', requestId, recipientKey, ...signedPart(reader, bytes) };
  },
  put: (reader, _bytes, requestId, what) => {
    const senderId = reader.raw(QUEUE_ID_LENGTH, 'sender id');
    const ttl = reader.u32('ttl');
    const blob = reader.raw(boundedLength(reader, 4, 'blob', 1, MAX_BLOB_BYTES, what), 'blob');
    return { command: 'put', requestId, senderId, ttl, blob };
  },
  put_many: (reader, _bytes, requestId, what) => {
    const ttl = reader.u32('ttl');
    const count = boundedCount(reader, 2, 'entries', 1, MAX_PUT_MANY_ENTRIES, what);
    const entries: PutManyEntry[] = [];
    for (let i = 0; i < count; i++) {
      const senderId = reader.raw(QUEUE_ID_LENGTH, 'sender id');
      entries.push({ senderId, blob: reader.raw(boundedLength(reader, 4, 'blob', 1, MAX_BLOB_BYTES, what), 'blob') });
    }
    return { command: 'put_many', requestId, ttl, entries };
  },
  subscribe: (reader, bytes, requestId) => {
    const recipientId = reader.raw(QUEUE_ID_LENGTH, 'recipient id');
    return { command: 'subscribe', requestId, recipientId, ...signedPart(reader, bytes) };
  },
  fetch: (reader, bytes, requestId, what) => {
    const recipientId = reader.raw(QUEUE_ID_LENGTH, 'recipient id');
    const max = boundedCount(reader, 2, 'messages', 1, MAX_FETCH_MESSAGES, what);
    return { command: 'fetch', requestId, recipientId, max, ...optionallySignedPart(reader, bytes) };
  },
  ack: (reader, bytes, requestId, what) => {
    const recipientId = reader.raw(QUEUE_ID_LENGTH, 'recipient id');
    const count = boundedCount(reader, 2, 'message ids', 1, MAX_ACK_IDS, what);
    const messageIds: Uint8Array[] = [];
    for (let i = 0; i < count; i++) messageIds.push(reader.raw(MESSAGE_ID_LENGTH, 'message id'));
    return { command: 'ack', requestId, recipientId, messageIds, ...optionallySignedPart(reader, bytes) };
  },
  delete: (reader, bytes, requestId) => {
    const recipientId = reader.raw(QUEUE_ID_LENGTH, 'recipient id');
    return { command: 'delete', requestId, recipientId, ...signedPart(reader, bytes) };
  },
  prekey_publish: (reader, bytes, requestId, what) => {
    const slotId = reader.raw(SLOT_ID_LENGTH, 'slot id');
    const slotKey = reader.raw(RELAY_PUBLIC_KEY_LENGTH, 'slot key');
    const mode = PUBLISH_MODES[reader.u8('mode')];
    if (mode === undefined) throw new ProtocolError('malformed', `${what}: unknown mode`);
    const bundle = reader.raw(boundedLength(reader, 2, 'bundle', 1, MAX_PREKEY_BUNDLE_BYTES, what), 'bundle');
    const count = boundedCount(reader, 2, 'one-time prekeys', 0, MAX_ONE_TIME_PREKEYS_PER_PUBLISH, what);
    const oneTimePrekeys: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      oneTimePrekeys.push(
        reader.raw(boundedLength(reader, 2, 'one-time prekey', 1, MAX_ONE_TIME_PREKEY_BYTES, what), 'one-time prekey'),
      );
    }
    return {
      command: 'prekey_publish',
      requestId,
      slotId,
      slotKey,
      mode,
      bundle,
      oneTimePrekeys,
      ...signedPart(reader, bytes),
    };
  },
  prekey_fetch: (reader, _bytes, requestId) => ({
    command: 'prekey_fetch',
    requestId,
    slotId: reader.raw(SLOT_ID_LENGTH, 'slot id'),
  }),
  prekey_claim: (reader, _bytes, requestId) => ({
    command: 'prekey_claim',
    requestId,
    slotId: reader.raw(SLOT_ID_LENGTH, 'slot id'),
  }),
  revocation_push: (reader, _bytes, requestId, what) => {
    const list = reader.raw(
      boundedLength(reader, 4, 'revocation list', 1, MAX_REVOCATION_LIST_BYTES, what),
      'revocation list',
    );
    return { command: 'revocation_push', requestId, list };
  },
  ...SHARED_BLOB_BODY_DECODERS,
  attach_create: decodeAttachCreateBody,
  turn_credentials: decodeTurnCredentialsBody,
};

// ── Encoders (clients; the relay never builds these) ─────────────────────────────────────

/** What a signed command needs: this connection's challenge and the key that signs. */
export interface CommandSigner {
  readonly challenge: Uint8Array;
  readonly key: Ed25519PrivateKey;
}

/**
 * Explicitly no signature: for `fetch` and `ack` on a connection that has already proven the
 * queue's key (§6.3). A relay refuses it (`auth`) anywhere else.
 */
export const PROVEN_ON_THIS_CONNECTION = 'proven on this connection' as const;
export type OptionalSigner = CommandSigner | typeof PROVEN_ON_THIS_CONNECTION;

async function optionallySigned(writer: ByteWriter, signer: OptionalSigner): Promise<Uint8Array> {
  return signer === PROVEN_ON_THIS_CONNECTION ? writer.finish() : signed(writer, signer);
}

async function signed(writer: ByteWriter, signer: CommandSigner): Promise<Uint8Array> {
  const body = writer.finish();
  return protocolWriter()
    .raw(body)
    .raw(await signCommand(signer.challenge, body, signer.key), RELAY_SIGNATURE_LENGTH)
    .finish();
}

/** §3.2: an anonymous access token (access-tokens.md), nothing that names the device. */
export function encodeHello(fields: { requestId: number; token: Uint8Array }): Uint8Array {
  const token = checkLength(fields.token, 'token', 1, MAX_HELLO_TOKEN_BYTES);
  return header('hello', fields.requestId).u16(token.length).raw(token).finish();
}

/** `create`, signed by the new queue's recipient key (signer.key), whose public half it carries. */
export async function encodeCreate(fields: { requestId: number }, signer: CommandSigner): Promise<Uint8Array> {
  return signed(header('create', fields.requestId).raw(signer.key.publicKey, RELAY_PUBLIC_KEY_LENGTH), signer);
}

export function encodePut(fields: {
  requestId: number;
  senderId: Uint8Array;
  ttl?: number;
  blob: Uint8Array;
}): Uint8Array {
  const blob = checkLength(fields.blob, 'blob', 1, MAX_BLOB_BYTES);
  return header('put', fields.requestId)
    .raw(fields.senderId, QUEUE_ID_LENGTH)
    .u32(fields.ttl ?? 0)
    .u32(blob.length)
    .raw(blob)
    .finish();
}

export function encodePutMany(fields: {
  requestId: number;
  ttl?: number;
  entries: readonly PutManyEntry[];
}): Uint8Array {
  if (fields.entries.length < 1 || fields.entries.length > MAX_PUT_MANY_ENTRIES) {
    throw new ProtocolError('oversized', `relay frame: put_many takes 1 … ${MAX_PUT_MANY_ENTRIES} entries`);
  }
  const writer = header('put_many', fields.requestId)
    .u32(fields.ttl ?? 0)
    .u16(fields.entries.length);
  for (const entry of fields.entries) {
    const blob = checkLength(entry.blob, 'blob', 1, MAX_BLOB_BYTES);
    writer.raw(entry.senderId, QUEUE_ID_LENGTH).u32(blob.length).raw(blob);
  }
  return writer.finish();
}

export async function encodeSubscribe(
  fields: { requestId: number; recipientId: Uint8Array },
  signer: CommandSigner,
): Promise<Uint8Array> {
  return signed(header('subscribe', fields.requestId).raw(fields.recipientId, QUEUE_ID_LENGTH), signer);
}

/** `fetch`, signed, or unsigned on a connection that has proven the queue's key (§3.7, §6.3). */
export async function encodeFetch(
  fields: { requestId: number; recipientId: Uint8Array; max: number },
  signer: OptionalSigner,
): Promise<Uint8Array> {
  return optionallySigned(
    header('fetch', fields.requestId).raw(fields.recipientId, QUEUE_ID_LENGTH).u16(fields.max),
    signer,
  );
}

/** `ack`, signed, or unsigned on a connection that has proven the queue's key (§3.8, §6.3). */
export async function encodeAck(
  fields: { requestId: number; recipientId: Uint8Array; messageIds: readonly Uint8Array[] },
  signer: OptionalSigner,
): Promise<Uint8Array> {
  if (fields.messageIds.length < 1 || fields.messageIds.length > MAX_ACK_IDS) {
    throw new ProtocolError('oversized', `relay frame: ack takes 1 … ${MAX_ACK_IDS} message ids`);
  }
  const writer = header('ack', fields.requestId).raw(fields.recipientId, QUEUE_ID_LENGTH).u16(fields.messageIds.length);
  for (const id of fields.messageIds) writer.raw(id, MESSAGE_ID_LENGTH);
  return optionallySigned(writer, signer);
}

export async function encodeDelete(
  fields: { requestId: number; recipientId: Uint8Array },
  signer: CommandSigner,
): Promise<Uint8Array> {
  return signed(header('delete', fields.requestId).raw(fields.recipientId, QUEUE_ID_LENGTH), signer);
}

/** `prekey_publish`, signed by the slot key (signer.key), whose public half it carries. */
export async function encodePrekeyPublish(
  fields: {
    requestId: number;
    slotId: Uint8Array;
    mode: PrekeyPublishMode;
    bundle: Uint8Array;
    oneTimePrekeys: readonly Uint8Array[];
  },
  signer: CommandSigner,
): Promise<Uint8Array> {
  const bundle = checkLength(fields.bundle, 'bundle', 1, MAX_PREKEY_BUNDLE_BYTES);
  if (fields.oneTimePrekeys.length > MAX_ONE_TIME_PREKEYS_PER_PUBLISH) {
    throw new ProtocolError(
      'oversized',
      `relay frame: at most ${MAX_ONE_TIME_PREKEYS_PER_PUBLISH} one-time prekeys per publish`,
    );
  }
  const writer = header('prekey_publish', fields.requestId)
    .raw(fields.slotId, SLOT_ID_LENGTH)
    .raw(signer.key.publicKey, RELAY_PUBLIC_KEY_LENGTH)
    .u8(PUBLISH_MODES.indexOf(fields.mode))
    .u16(bundle.length)
    .raw(bundle)
    .u16(fields.oneTimePrekeys.length);
  for (const key of fields.oneTimePrekeys)
    writer.u16(checkLength(key, 'one-time prekey', 1, MAX_ONE_TIME_PREKEY_BYTES).length).raw(key);
  return signed(writer, signer);
}

export function encodePrekeyFetch(fields: { requestId: number; slotId: Uint8Array }): Uint8Array {
  return header('prekey_fetch', fields.requestId).raw(fields.slotId, SLOT_ID_LENGTH).finish();
}

export function encodePrekeyClaim(fields: { requestId: number; slotId: Uint8Array }): Uint8Array {
  return header('prekey_claim', fields.requestId).raw(fields.slotId, SLOT_ID_LENGTH).finish();
}

export function encodeRevocationPush(fields: { requestId: number; list: Uint8Array }): Uint8Array {
  const list = checkLength(fields.list, 'revocation list', 1, MAX_REVOCATION_LIST_BYTES);
  return header('revocation_push', fields.requestId).u32(list.length).raw(list).finish();
}
