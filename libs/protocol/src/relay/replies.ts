import { utf8Encode, type ByteReader } from '@opendescent/crypto';
import { protocolReader, protocolWriter } from '../wire-bytes';
import { ProtocolError } from '../errors';
import { boundedCount, boundedLength, readRelayVersion, relayFrameBytes } from './bytes';
import {
  CHALLENGE_LENGTH,
  MAX_BLOB_BYTES,
  MAX_ERROR_DETAIL_BYTES,
  MAX_FETCH_MESSAGES,
  MAX_ONE_TIME_PREKEY_BYTES,
  MAX_PREKEY_BUNDLE_BYTES,
  MAX_PUT_MANY_ENTRIES,
  MAX_RELAY_FRAME_BYTES,
  MESSAGE_ID_LENGTH,
  QUEUE_ID_LENGTH,
  RELAY_COMMANDS,
  RELAY_FRAME_TYPES,
  RELAY_FRAME_VERSION,
  SHARED_ID_LENGTH,
  relayCommandName,
  type RelayCommandName,
} from './constants';
import { RELAY_ERRORS, relayErrorName, type RelayErrorName } from './errors';
import { ATTACHMENT_ID_LENGTH, UPLOAD_ID_LENGTH } from './attachments';
import { readTurnCredentials, writeTurnCredentials, type TurnCredentials } from './turn';

/** Relay-to-client frames (docs/protocol/relay.md §3.1, §4): the relay encodes, clients decode. */

/** A reply may carry a fetch of up to the frame ceiling plus one blob (§3.7). */
const MAX_REPLY_BYTES = MAX_RELAY_FRAME_BYTES + MAX_BLOB_BYTES + 1024;

// ── challenge (§3.1) ─────────────────────────────────────────────────────────────────────

export interface RelayLimits {
  readonly maxFrameBytes: number;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly queueMaxMessages: number;
  readonly queueMaxBytes: number;
  readonly ratePerSecond: number;
  readonly rateBurst: number;
}

const LIMIT_FIELDS = [
  'maxFrameBytes',
  'defaultTtlSeconds',
  'maxTtlSeconds',
  'queueMaxMessages',
  'queueMaxBytes',
  'ratePerSecond',
  'rateBurst',
] as const;

export interface RelayChallenge {
  readonly challenge: Uint8Array;
  readonly limits: RelayLimits;
}

export function encodeChallenge(value: RelayChallenge): Uint8Array {
  const writer = protocolWriter()
    .u8(RELAY_FRAME_VERSION)
    .u8(RELAY_FRAME_TYPES.challenge)
    .raw(value.challenge, CHALLENGE_LENGTH);
  for (const field of LIMIT_FIELDS) writer.u32(value.limits[field]);
  return writer.finish();
}

export function decodeChallenge(input: unknown): RelayChallenge {
  const reader = relayFrame(input, 'relay challenge', RELAY_FRAME_TYPES.challenge, 64);
  const challenge = reader.raw(CHALLENGE_LENGTH, 'challenge');
  const limits = Object.fromEntries(LIMIT_FIELDS.map((field) => [field, reader.u32(field)])) as unknown as RelayLimits;
  reader.end();
  return { challenge, limits };
}

// ── replies (§4.1, §4.2) ─────────────────────────────────────────────────────────────────

export interface FetchedMessage {
  readonly messageId: Uint8Array;
  /** Unix seconds, the relay's clock. */
  readonly receivedAt: number;
  readonly blob: Uint8Array;
}

/** One status per put_many entry (§3.5). */
export type PutManyStatus = 'ok' | RelayErrorName;

interface ReplyHeader {
  readonly ok: true;
  readonly requestId: number;
}

export type RelayOkReply =
  | ({ readonly command: 'hello' | 'put' | 'subscribe' | 'ack' | 'delete' } & ReplyHeader)
  | ({ readonly command: 'create'; readonly recipientId: Uint8Array; readonly senderId: Uint8Array } & ReplyHeader)
  | ({ readonly command: 'put_many'; readonly statuses: readonly PutManyStatus[] } & ReplyHeader)
  | ({ readonly command: 'fetch'; readonly more: boolean; readonly messages: readonly FetchedMessage[] } & ReplyHeader)
  | ({ readonly command: 'prekey_publish'; readonly remaining: number } & ReplyHeader)
  | ({ readonly command: 'prekey_fetch'; readonly remaining: number; readonly bundle: Uint8Array } & ReplyHeader)
  | ({
      readonly command: 'prekey_claim';
      readonly bundle: Uint8Array;
      readonly oneTimePrekey: Uint8Array | undefined;
    } & ReplyHeader)
  | ({ readonly command: 'revocation_push'; readonly listVersion: number } & ReplyHeader)
  | ({ readonly command: 'put_shared'; readonly sharedId: Uint8Array } & ReplyHeader)
  | ({ readonly command: 'fetch_shared'; readonly blob: Uint8Array } & ReplyHeader)
  | ({
      readonly command: 'attach_create';
      readonly uploadId: Uint8Array;
      readonly attachmentId: Uint8Array;
      /** Unix seconds: the upload and its bytes are gone then, fetched or not. */
      readonly expiresAt: number;
    } & ReplyHeader)
  | ({ readonly command: 'turn_credentials'; readonly turn: TurnCredentials } & ReplyHeader);

export interface RelayErrorReply {
  readonly ok: false;
  /** 0 for a notice or a frame too broken to carry one. */
  readonly requestId: number;
  readonly command: RelayCommandName | undefined;
  readonly error: RelayErrorName;
  /** For people only; clients act on `error`. */
  readonly detail: string;
}

export type RelayReply = RelayOkReply | RelayErrorReply;

export function encodeRelayReply(reply: RelayReply): Uint8Array {
  if (!reply.ok) return encodeErrorReply(reply);
  const writer = protocolWriter()
    .u8(RELAY_FRAME_VERSION)
    .u8(RELAY_FRAME_TYPES.ok)
    .u32(reply.requestId)
    .u8(RELAY_COMMANDS[reply.command]);
  switch (reply.command) {
    case 'create':
      writer.raw(reply.recipientId, QUEUE_ID_LENGTH).raw(reply.senderId, QUEUE_ID_LENGTH);
      break;
    case 'put_many':
      writer.u16(reply.statuses.length);
      for (const status of reply.statuses) writer.u16(status === 'ok' ? 0 : RELAY_ERRORS[status]);
      break;
    case 'fetch':
      writer.u8(reply.more ? 1 : 0).u16(reply.messages.length);
      for (const m of reply.messages)
        writer.raw(m.messageId, MESSAGE_ID_LENGTH).u32(m.receivedAt).u32(m.blob.length).raw(m.blob);
      break;
    case 'prekey_publish':
      writer.u16(reply.remaining);
      break;
    case 'prekey_fetch':
      writer.u16(reply.remaining).u16(reply.bundle.length).raw(reply.bundle);
      break;
    case 'prekey_claim': {
      const key = reply.oneTimePrekey ?? new Uint8Array(0);
      writer.u16(reply.bundle.length).raw(reply.bundle).u16(key.length).raw(key);
      break;
    }
    case 'revocation_push':
      writer.u32(reply.listVersion);
      break;
    case 'put_shared':
      writer.raw(reply.sharedId, SHARED_ID_LENGTH);
      break;
    case 'fetch_shared':
      writer.u32(reply.blob.length).raw(reply.blob);
      break;
    case 'attach_create':
      writer.raw(reply.uploadId, UPLOAD_ID_LENGTH).raw(reply.attachmentId, ATTACHMENT_ID_LENGTH).u32(reply.expiresAt);
      break;
    case 'turn_credentials':
      writeTurnCredentials(writer, reply.turn);
      break;
    default:
      break;
  }
  return writer.finish();
}

function encodeErrorReply(reply: RelayErrorReply): Uint8Array {
  const detail = truncateUtf8(reply.detail, MAX_ERROR_DETAIL_BYTES);
  return protocolWriter()
    .u8(RELAY_FRAME_VERSION)
    .u8(RELAY_FRAME_TYPES.error)
    .u32(reply.requestId)
    .u8(reply.command === undefined ? 0 : RELAY_COMMANDS[reply.command])
    .u16(RELAY_ERRORS[reply.error])
    .u8(detail.length)
    .raw(detail)
    .finish();
}

/** §4.3: an unsolicited notice, sent just before the relay closes a connection. */
export function encodeNotice(error: RelayErrorName, detail: string): Uint8Array {
  return encodeErrorReply({ ok: false, requestId: 0, command: undefined, error, detail });
}

export function decodeRelayReply(input: unknown): RelayReply {
  const bytes = relayFrameBytes(input, 'relay reply', MAX_REPLY_BYTES);
  const reader = protocolReader(bytes, 'relay reply');
  readRelayVersion(reader, 'relay reply');
  const type = reader.u8('type');
  const requestId = reader.u32('request id');
  const code = reader.u8('command code');
  const command = relayCommandName(code);
  if (type === RELAY_FRAME_TYPES.error) {
    if (command === undefined && code !== 0) throw new ProtocolError('malformed', 'relay reply: unknown command code');
    const error = relayErrorName(reader.u16('error code'));
    if (error === undefined) throw new ProtocolError('malformed', 'relay reply: unknown error code');
    const detailLength = reader.u8('detail length');
    if (detailLength > MAX_ERROR_DETAIL_BYTES) throw new ProtocolError('oversized', 'relay reply: detail too long');
    const detail = reader.utf8(detailLength, 'detail');
    reader.end();
    return { ok: false, requestId, command, error, detail };
  }
  if (type !== RELAY_FRAME_TYPES.ok) throw new ProtocolError('malformed', 'relay reply: not a reply (type byte)');
  if (command === undefined) throw new ProtocolError('malformed', 'relay reply: unknown command code');
  if (requestId === 0) throw new ProtocolError('malformed', 'relay reply: request id 0 in a success');
  const reply = decodeOkBody(reader, command, requestId);
  reader.end();
  return reply;
}

function decodeOkBody(reader: ByteReader, command: RelayCommandName, requestId: number): RelayOkReply {
  const what = 'relay reply';
  switch (command) {
    case 'create':
      return {
        ok: true,
        requestId,
        command,
        recipientId: reader.raw(QUEUE_ID_LENGTH, 'recipient id'),
        senderId: reader.raw(QUEUE_ID_LENGTH, 'sender id'),
      };
    case 'put_many': {
      const count = boundedCount(reader, 2, 'statuses', 1, MAX_PUT_MANY_ENTRIES, what);
      const statuses: PutManyStatus[] = [];
      for (let i = 0; i < count; i++) {
        const code = reader.u16('status');
        const status = code === 0 ? 'ok' : relayErrorName(code);
        if (status === undefined) throw new ProtocolError('malformed', `${what}: unknown status code`);
        statuses.push(status);
      }
      return { ok: true, requestId, command, statuses };
    }
    case 'fetch': {
      const moreByte = reader.u8('more');
      if (moreByte > 1) throw new ProtocolError('malformed', `${what}: "more" must be 0 or 1`);
      const count = boundedCount(reader, 2, 'messages', 0, MAX_FETCH_MESSAGES, what);
      const messages: FetchedMessage[] = [];
      for (let i = 0; i < count; i++) {
        const messageId = reader.raw(MESSAGE_ID_LENGTH, 'message id');
        const receivedAt = reader.u32('received at');
        messages.push({
          messageId,
          receivedAt,
          blob: reader.raw(boundedLength(reader, 4, 'blob', 1, MAX_BLOB_BYTES, what), 'blob'),
        });
      }
      return { ok: true, requestId, command, more: moreByte === 1, messages };
    }
    case 'prekey_publish':
      return { ok: true, requestId, command, remaining: reader.u16('remaining') };
    case 'prekey_fetch': {
      const remaining = reader.u16('remaining');
      return {
        ok: true,
        requestId,
        command,
        remaining,
        bundle: reader.raw(boundedLength(reader, 2, 'bundle', 1, MAX_PREKEY_BUNDLE_BYTES, what), 'bundle'),
      };
    }
    case 'prekey_claim': {
      const bundle = reader.raw(boundedLength(reader, 2, 'bundle', 1, MAX_PREKEY_BUNDLE_BYTES, what), 'bundle');
      const keyLength = boundedLength(reader, 2, 'one-time prekey', 0, MAX_ONE_TIME_PREKEY_BYTES, what);
      const key = reader.raw(keyLength, 'one-time prekey');
      return { ok: true, requestId, command, bundle, oneTimePrekey: keyLength === 0 ? undefined : key };
    }
    case 'revocation_push':
      return { ok: true, requestId, command, listVersion: reader.u32('list version') };
    case 'put_shared':
      return { ok: true, requestId, command, sharedId: reader.raw(SHARED_ID_LENGTH, 'shared id') };
    case 'fetch_shared':
      return {
        ok: true,
        requestId,
        command,
        blob: reader.raw(boundedLength(reader, 4, 'blob', 1, MAX_BLOB_BYTES, what), 'blob'),
      };
    case 'attach_create':
      return {
        ok: true,
        requestId,
        command,
        uploadId: reader.raw(UPLOAD_ID_LENGTH, 'upload id'),
        attachmentId: reader.raw(ATTACHMENT_ID_LENGTH, 'attachment id'),
        expiresAt: reader.u32('expires at'),
      };
    case 'turn_credentials':
      return { ok: true, requestId, command, turn: readTurnCredentials(reader, what) };
    default:
      return { ok: true, requestId, command };
  }
}

// ── deliver (§4.4) ───────────────────────────────────────────────────────────────────────

export interface RelayDelivery {
  readonly recipientId: Uint8Array;
  readonly messageId: Uint8Array;
  /** Unix seconds, the relay's clock. */
  readonly receivedAt: number;
  readonly blob: Uint8Array;
}

export function encodeDeliver(delivery: RelayDelivery): Uint8Array {
  return protocolWriter()
    .u8(RELAY_FRAME_VERSION)
    .u8(RELAY_FRAME_TYPES.deliver)
    .raw(delivery.recipientId, QUEUE_ID_LENGTH)
    .raw(delivery.messageId, MESSAGE_ID_LENGTH)
    .u32(delivery.receivedAt)
    .u32(delivery.blob.length)
    .raw(delivery.blob)
    .finish();
}

export function decodeDeliver(input: unknown): RelayDelivery {
  const what = 'relay deliver';
  const reader = relayFrame(input, what, RELAY_FRAME_TYPES.deliver, 42 + MAX_BLOB_BYTES);
  const recipientId = reader.raw(QUEUE_ID_LENGTH, 'recipient id');
  const messageId = reader.raw(MESSAGE_ID_LENGTH, 'message id');
  const receivedAt = reader.u32('received at');
  const blob = reader.raw(boundedLength(reader, 4, 'blob', 1, MAX_BLOB_BYTES, what), 'blob');
  reader.end();
  return { recipientId, messageId, receivedAt, blob };
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────

function relayFrame(input: unknown, what: string, type: number, maxLength: number): ByteReader {
  const reader = protocolReader(relayFrameBytes(input, what, maxLength), what);
  readRelayVersion(reader, what);
  if (reader.u8('type') !== type) throw new ProtocolError('malformed', `${what}: wrong frame type`);
  return reader;
}

/** Cuts text to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): Uint8Array {
  let bytes = utf8Encode(text);
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  bytes = bytes.slice(0, end);
  return bytes;
}
