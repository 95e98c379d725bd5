/**
 * Strict big-endian byte encoding for the records and frames of the protocol modules (prekey
 * state, handshake transcripts, ratchet headers and sessions, sender key messages). One writer
 * and one reader so that every format in docs/protocol/crypto.md is built and parsed the same
 * way: integers are unsigned big-endian, lengths are explicit, and a reader refuses short input
 * (CryptoError 'bad_length'), trailing bytes ('bad_length') and out-of-range values
 * ('malformed_message'). It never throws anything else on hostile bytes.
 */
import { expectBytes } from './bytes';
import { CryptoError } from './errors';

const TWO_POW_32 = 2 ** 32;

export class ByteWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  u8(value: number): this {
    return this.#uint(value, 1);
  }

  u16(value: number): this {
    return this.#uint(value, 2);
  }

  u32(value: number): this {
    return this.#uint(value, 4);
  }

  /** A non-negative safe integer (e.g. a time in ms) as 8 bytes. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new CryptoError('bad_parameter', `${value} is not a non-negative safe integer`);
    }
    this.#uint(Math.floor(value / TWO_POW_32), 4);
    return this.#uint(value % TWO_POW_32, 4);
  }

  /** Raw bytes, no length: for fixed-size fields. */
  raw(bytes: Uint8Array, length?: number): this {
    expectBytes(bytes, 'ByteWriter field', length);
    this.#parts.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  /** u16 length, then the bytes. */
  bytes16(bytes: Uint8Array): this {
    expectBytes(bytes, 'ByteWriter field');
    return this.u16(bytes.length).raw(bytes);
  }

  /** u32 length, then the bytes. */
  bytes32(bytes: Uint8Array): this {
    expectBytes(bytes, 'ByteWriter field');
    return this.u32(bytes.length).raw(bytes);
  }

  get length(): number {
    return this.#length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  #uint(value: number, byteLength: number): this {
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * byteLength)) {
      throw new CryptoError('bad_parameter', `${value} does not fit in ${byteLength} byte(s)`);
    }
    const out = new Uint8Array(byteLength);
    for (let i = byteLength - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
    return this.raw(out);
  }
}

export class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(
    bytes: Uint8Array,
    /** What is being read, for error messages (never the bytes themselves). */
    readonly what: string,
  ) {
    this.#bytes = expectBytes(bytes, what);
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  u8(): number {
    return this.#take(1)[0] as number;
  }

  u16(): number {
    const b = this.#take(2);
    return (b[0] as number) * 256 + (b[1] as number);
  }

  u32(): number {
    const b = this.#take(4);
    return (((b[0] as number) * 256 + (b[1] as number)) * 256 + (b[2] as number)) * 256 + (b[3] as number);
  }

  u64(): number {
    const high = this.u32();
    const low = this.u32();
    if (high >= 2 ** 21) throw new CryptoError('malformed_message', `${this.what}: a u64 field exceeds 2^53 - 1`);
    return high * TWO_POW_32 + low;
  }

  /** A 0/1 presence flag; anything else is malformed. */
  flag(): boolean {
    const value = this.u8();
    if (value > 1) throw new CryptoError('malformed_message', `${this.what}: a flag byte is ${value}, not 0 or 1`);
    return value === 1;
  }

  /** A copy of the next `length` bytes (callers may keep it; the input may be reused). */
  raw(length: number): Uint8Array {
    return this.#take(length).slice();
  }

  bytes16(maxLength: number): Uint8Array {
    return this.#bounded(this.u16(), maxLength);
  }

  bytes32(maxLength: number): Uint8Array {
    return this.#bounded(this.u32(), maxLength);
  }

  /** A count field checked against its documented bound. */
  count(value: number, max: number, field: string): number {
    if (value > max) throw new CryptoError('malformed_message', `${this.what}: ${field} is ${value}, over its bound ${max}`);
    return value;
  }

  /** Everything left, as a copy. */
  rest(): Uint8Array {
    return this.raw(this.remaining);
  }

  /** Refuses trailing bytes. */
  end(): void {
    if (this.remaining !== 0) throw new CryptoError('bad_length', `${this.what}: ${this.remaining} trailing byte(s)`);
  }

  #bounded(length: number, maxLength: number): Uint8Array {
    if (length > maxLength) throw new CryptoError('malformed_message', `${this.what}: a field of ${length} bytes exceeds ${maxLength}`);
    return this.raw(length);
  }

  #take(length: number): Uint8Array {
    if (length > this.remaining) {
      throw new CryptoError('bad_length', `${this.what} is truncated: needed ${length} more byte(s), ${this.remaining} left`);
    }
    const out = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }
}

/** Reads the leading version byte of a record or frame; an older one is 'version_too_old', a newer one 'unknown_version'. */
export function expectVersion(reader: ByteReader, version: number): void {
  if (reader.remaining === 0) throw new CryptoError('bad_length', `${reader.what} is empty`);
  const got = reader.u8();
  if (got < version) throw new CryptoError('version_too_old', `${reader.what} version ${got} is no longer accepted (expected ${version})`);
  if (got > version) throw new CryptoError('unknown_version', `${reader.what} version ${got} is not known (expected ${version})`);
}
