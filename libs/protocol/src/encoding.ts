/**
 * The one text encoding of bytes in the project, with one error contract: a decoder refuses
 * anything but the canonical form with ProtocolError('malformed') (README.md, "Conventions"),
 * so that one value has exactly one encoding and a caller can compare, store or sign the text.
 *
 * - Hex: lower case only, two digits per byte (ids in admin-api.md §10 and messages.md §4, the
 *   relay's environment in relay.md §7, the issuer name of access-tokens.md §2). On
 *   @noble/hashes/utils, after a strict check: noble accepts upper case.
 * - Base64url: RFC 4648 §5 without padding, the binary fields of admin-api.md §1 and of the
 *   client's records (storage.md). Strict: no padding, no other alphabet, no white space, and
 *   the unused low bits of the last character must be zero (RFC 4648 §3.5, "canonical
 *   encoding"). On @scure/base's base64urlnopad, which refuses all of these (atob/btoa accept
 *   padding and non-canonical input).
 * - Base32: RFC 4648 §6 without padding, upper case, for what people type (the device-link code,
 *   user-keys.md §3.2). The same strictness: only `A-Z 2-7`, no padding, no white space, zero
 *   unused low bits (§3.5). Case folding and the grouping people type belong to the format that
 *   reads a typed code, not here. On @scure/base's base32nopad, which refuses all of these.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { base32nopad, base64urlnopad } from '@scure/base';
import { ProtocolError } from './errors';

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/** Lower-case hexadecimal, two digits per byte. */
export function encodeHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** The bytes of canonical lower-case hex (of `length` bytes, when given); anything else is ProtocolError('malformed'). */
export function decodeHex(text: string, length?: number): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new ProtocolError('malformed', 'hex: expected a string');
  if (!LOWER_HEX.test(text))
    throw new ProtocolError('malformed', 'hex: expected lower-case hexadecimal, two digits per byte');
  // A copy over a plain ArrayBuffer, the type a database layer (Prisma's Bytes) takes.
  return expectLength(new Uint8Array(hexToBytes(text)), length, 'hex');
}

/** Unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** The bytes of canonical unpadded base64url (of `length` bytes, when given); anything else is ProtocolError('malformed'). */
export function decodeBase64Url(text: string, length?: number): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new ProtocolError('malformed', 'base64url: expected a string');
  let bytes: Uint8Array;
  try {
    bytes = base64urlnopad.decode(text);
  } catch {
    throw new ProtocolError(
      'malformed',
      'base64url: not canonical unpadded base64url (alphabet, padding, white space, length or trailing bits)',
    );
  }
  return expectLength(new Uint8Array(bytes), length, 'base64url');
}

/** Unpadded upper-case base32 (RFC 4648 §6). */
export function encodeBase32(bytes: Uint8Array): string {
  return base32nopad.encode(bytes);
}

/** The bytes of canonical unpadded upper-case base32 (of `length` bytes, when given); anything else is ProtocolError('malformed'). */
export function decodeBase32(text: string, length?: number): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new ProtocolError('malformed', 'base32: expected a string');
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(text);
  } catch {
    throw new ProtocolError(
      'malformed',
      'base32: not canonical unpadded upper-case base32 (alphabet, case, padding, white space, length or trailing bits)',
    );
  }
  return expectLength(new Uint8Array(bytes), length, 'base32');
}

function expectLength(
  bytes: Uint8Array<ArrayBuffer>,
  length: number | undefined,
  what: string,
): Uint8Array<ArrayBuffer> {
  if (length !== undefined && bytes.length !== length)
    throw new ProtocolError('malformed', `${what}: expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}
