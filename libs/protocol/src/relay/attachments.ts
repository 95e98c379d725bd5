import { isAttachmentCiphertextLength, type ByteReader } from '@opendescent/crypto';
import { ProtocolError } from '../errors';
import { boundedCount, commandHeader } from './bytes';

// The relay admits an upload by its ciphertext length and may not import the crypto library.
export { attachmentCiphertextLength, isAttachmentCiphertextLength } from '@opendescent/crypto';

/**
 * Attachments at the relay (docs/protocol/relay.md §3.15, attachments.md §4): `attach_create`
 * over a socket.io connection admits an upload (the connection's access token and rate pay for
 * it) and hands back two unrelated capabilities, an upload id that writes and an attachment id
 * that reads; the bytes then travel over HTTP, tus-style (PATCH at an offset, HEAD to resume,
 * GET with a range), where the capability is the only credential.
 */

/** §3.15: 128 bits from the relay's CSPRNG each, drawn independently. */
export const UPLOAD_ID_LENGTH = 16;
export const ATTACHMENT_ID_LENGTH = 16;
/** §3.15: the most devices one upload may be fetched by before it is deleted (a 1,000-member group). */
export const MAX_ATTACHMENT_FETCHES = 16_384;
/** §8.3: the tokens an attach_create costs in all (admitted on one, charged the rest once parsed). */
export const ATTACH_CREATE_COST = 4;
/** attachments.md §4.2: the most bytes one PATCH request may carry. */
export const MAX_ATTACHMENT_PATCH_BYTES = 16 * 1024 * 1024;
/** attachments.md §4: a fetch nonce, chosen by the device, makes `fetched` idempotent. */
export const FETCH_NONCE_LENGTH = 16;

/** attachments.md §4: where the bytes go, and the headers that carry the capabilities. */
export const ATTACHMENT_HTTP = {
  uploadPath: '/v1/attachments/upload',
  filePath: '/v1/attachments/file',
  fetchedPath: '/v1/attachments/fetched',
  uploadIdHeader: 'od-upload-id',
  attachmentIdHeader: 'od-attachment-id',
  fetchNonceHeader: 'od-fetch-nonce',
  offsetHeader: 'upload-offset',
  lengthHeader: 'upload-length',
  expiresHeader: 'upload-expires',
  contentType: 'application/offset+octet-stream',
} as const;

export interface AttachCreateCommand {
  readonly command: 'attach_create';
  readonly requestId: number;
  /** Seconds; 0 is the relay's default, more than its maximum is lowered to it (§8.2). */
  readonly ttl: number;
  /** The ciphertext length (attachments.md §2), which must be that of a padded file. */
  readonly length: number;
  /** How many fetches delete it (one per recipient device, §3.15). */
  readonly fetches: number;
}

/** §3.15 body: `ttl (u32) ‖ length (u64) ‖ fetches (u16)`. */
export function decodeAttachCreateBody(
  reader: ByteReader,
  _bytes: Uint8Array,
  requestId: number,
  what: string,
): AttachCreateCommand {
  const ttl = reader.u32('ttl');
  const length = reader.u64('length');
  if (!isAttachmentCiphertextLength(length))
    throw new ProtocolError('malformed', `${what}: ${length} is not the ciphertext length of a padded file`);
  const fetches = boundedCount(reader, 2, 'fetches', 1, MAX_ATTACHMENT_FETCHES, what);
  return { command: 'attach_create', requestId, ttl, length, fetches };
}

/** §3.15: `header ‖ ttl ‖ length ‖ fetches`. Unsigned: the access token admitted the connection. */
export function encodeAttachCreate(fields: {
  requestId: number;
  ttl?: number;
  length: number;
  fetches: number;
}): Uint8Array {
  if (!isAttachmentCiphertextLength(fields.length))
    throw new ProtocolError(
      'malformed',
      `attach_create: ${fields.length} is not the ciphertext length of a padded file`,
    );
  if (!Number.isInteger(fields.fetches) || fields.fetches < 1 || fields.fetches > MAX_ATTACHMENT_FETCHES)
    throw new ProtocolError('malformed', `attach_create: fetches must be 1 … ${MAX_ATTACHMENT_FETCHES}`);
  return commandHeader('attach_create', fields.requestId)
    .u32(fields.ttl ?? 0)
    .u64(fields.length)
    .u16(fields.fetches)
    .finish();
}

/** Lower-case hexadecimal, as the HTTP headers carry ids and nonces. */
export function attachmentHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A header's id or nonce, or undefined when it is not exactly `length` bytes of lower-case hex. */
export function attachmentIdFromHex(text: string | undefined, length: number): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length !== length * 2 || !/^[0-9a-f]+$/.test(text)) return undefined;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
