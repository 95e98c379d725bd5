/**
 * Byte helpers and the input checks every public function runs first (one wrapper for misuse
 * checks, as in noble). Inputs are plain `Uint8Array`s; nothing here allocates a `Buffer`.
 */
import { CryptoError } from './errors';

/**
 * True for a Uint8Array from any realm. `instanceof` alone fails across realms (a Web Worker, a
 * Node vm context such as Jest's), so the constructor name is checked as noble does.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && value.constructor !== undefined && value.constructor.name === 'Uint8Array')
  );
}

/**
 * The single input check: a TypeError for what is not bytes at all (a programming error), a
 * CryptoError('bad_length') for bytes of the wrong length (possibly hostile input).
 */
export function expectBytes(value: unknown, what: string, length?: number): Uint8Array {
  if (!isBytes(value)) throw new TypeError(`${what} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new CryptoError('bad_length', `${what} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they
 * differ. Lengths are public (a MAC or key length), so unequal lengths return false at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  expectBytes(a, 'constantTimeEqual: a');
  expectBytes(b, 'constantTimeEqual: b');
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += expectBytes(part, 'concatBytes: part').length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('utf8Encode: text must be a string');
  // Re-wrap so the result is a Uint8Array of this realm whatever realm TextEncoder belongs to.
  return new Uint8Array(encoder.encode(text));
}

/** Strict: malformed UTF-8 is refused, never replaced with U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  expectBytes(bytes, 'utf8Decode: bytes');
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new CryptoError('malformed_utf8', 'the bytes are not well-formed UTF-8');
  }
}

/** Big-endian unsigned integer of `byteLength` bytes (used by length prefixes in derivations). */
export function uintBE(value: number, byteLength: 1 | 2 | 4): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * byteLength)) {
    throw new CryptoError('bad_parameter', `${value} does not fit in ${byteLength} byte(s)`);
  }
  const out = new Uint8Array(byteLength);
  for (let i = byteLength - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}
