/**
 * Unpadded base64url (RFC 4648 §5), the encoding of every binary field in the admin API's JSON
 * (docs/protocol/admin-api.md §1). Decoding is strict so that one value has exactly one
 * encoding: no padding, no other alphabet, no white space, and the unused low bits of the last
 * character must be zero (RFC 4648 §3.5, "canonical encoding"). A table rather than atob/btoa,
 * which accept padding and non-canonical input and work on binary strings.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export class Base64UrlError extends Error {
  override readonly name = 'Base64UrlError';
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let text = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    text += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + ALPHABET.charAt((n >>> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    text += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    text += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + ALPHABET.charAt((n >>> 6) & 63);
  }
  return text;
}

/** Throws Base64UrlError unless `text` is canonical unpadded base64url (of `length` bytes, when given). */
export function decodeBase64Url(text: string, length?: number): Uint8Array {
  if (typeof text !== 'string') throw new Base64UrlError('base64url: expected a string');
  // A remainder of one character cannot carry a whole byte.
  if (text.length % 4 === 1) throw new Base64UrlError('base64url: impossible length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (VALUES[code] as number) : -1;
    if (value < 0) throw new Base64UrlError('base64url: character outside the alphabet (padding included)');
    buffer = ((buffer << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >>> bits) & 0xff;
    }
  }
  // Leftover bits (2 or 4) are padding of the last character; canonical input leaves them zero.
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new Base64UrlError('base64url: non-canonical trailing bits');
  if (length !== undefined && out.length !== length) throw new Base64UrlError(`base64url: expected ${length} bytes, got ${out.length}`);
  return out;
}
