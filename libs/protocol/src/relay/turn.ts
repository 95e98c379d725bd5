import { utf8Decode, utf8Encode, type ByteReader, type ByteWriter } from '@opendescent/crypto';
import { ProtocolError } from '../errors';
import { boundedCount, boundedLength, commandHeader } from './bytes';

/**
 * TURN credentials from the relay (docs/protocol/relay.md §3.16, direct.md §8): the organisation's
 * TURN URLs and a short-lived credential in coturn's shared-secret scheme, handed to a connection
 * the relay admitted with an anonymous access token. Nothing in it names the device.
 */

/** §3.16: at most this many TURN URLs, each at most MAX_TURN_URL_BYTES. */
export const MAX_TURN_URLS = 4;
export const MAX_TURN_URL_BYTES = 256;
/** `expiry:32 hex digits` is 43 characters; room for a longer expiry or id. */
export const MAX_TURN_USERNAME_BYTES = 128;
/** base64 of an HMAC-SHA1 is 28 characters. */
export const MAX_TURN_CREDENTIAL_BYTES = 64;
const TURN_URL = /^turns?:[^\s]+$/;

export interface TurnCredentials {
  /** `turn:` or `turns:` URLs of the organisation's TURN server. */
  readonly urls: readonly string[];
  readonly username: string;
  readonly credential: string;
  /** Unix seconds: the TURN server refuses the user name from then on. */
  readonly expiresAt: number;
}

function text(reader: ByteReader, field: string, max: number, what: string): string {
  const bytes = reader.raw(boundedLength(reader, 2, field, 1, max, what), field);
  try {
    return utf8Decode(bytes);
  } catch {
    throw new ProtocolError('malformed', `${what}: ${field} is not UTF-8`);
  }
}

function writeText(writer: ByteWriter, value: string, field: string, max: number): void {
  const bytes = utf8Encode(value);
  if (bytes.length < 1 || bytes.length > max)
    throw new ProtocolError('malformed', `turn_credentials: ${field} must be 1 … ${max} bytes`);
  writer.u16(bytes.length).raw(bytes);
}

/** §3.16 reply body: `expires at (u32) ‖ user name ‖ credential ‖ n (u16) ‖ n URLs`, each text `len (u16) ‖ UTF-8`. */
export function writeTurnCredentials(writer: ByteWriter, turn: TurnCredentials): void {
  if (turn.urls.length < 1 || turn.urls.length > MAX_TURN_URLS || !turn.urls.every((url) => TURN_URL.test(url)))
    throw new ProtocolError('malformed', `turn_credentials: 1 … ${MAX_TURN_URLS} turn: or turns: URLs`);
  writer.u32(turn.expiresAt);
  writeText(writer, turn.username, 'user name', MAX_TURN_USERNAME_BYTES);
  writeText(writer, turn.credential, 'credential', MAX_TURN_CREDENTIAL_BYTES);
  writer.u16(turn.urls.length);
  for (const url of turn.urls) writeText(writer, url, 'url', MAX_TURN_URL_BYTES);
}

export function readTurnCredentials(reader: ByteReader, what: string): TurnCredentials {
  const expiresAt = reader.u32('expires at');
  const username = text(reader, 'user name', MAX_TURN_USERNAME_BYTES, what);
  const credential = text(reader, 'credential', MAX_TURN_CREDENTIAL_BYTES, what);
  const count = boundedCount(reader, 2, 'urls', 1, MAX_TURN_URLS, what);
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const url = text(reader, 'url', MAX_TURN_URL_BYTES, what);
    if (!TURN_URL.test(url)) throw new ProtocolError('malformed', `${what}: a url that is not turn: or turns:`);
    urls.push(url);
  }
  return { urls, username, credential, expiresAt };
}

export interface TurnCredentialsCommand {
  readonly command: 'turn_credentials';
  readonly requestId: number;
}

/** §3.16: the header alone. Unsigned: the access token admitted the connection. */
export function decodeTurnCredentialsBody(
  _reader: ByteReader,
  _bytes: Uint8Array,
  requestId: number,
): TurnCredentialsCommand {
  return { command: 'turn_credentials', requestId };
}

export function encodeTurnCredentials(fields: { requestId: number }): Uint8Array {
  return commandHeader('turn_credentials', fields.requestId).finish();
}
