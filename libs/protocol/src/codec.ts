import { ProtocolError } from './errors';

/**
 * Strict big-endian byte reading and writing shared by every binary format (docs/protocol/
 * README.md, "Conventions"). The reader never reads past its input and turns every shortfall into
 * ProtocolError('malformed'); `finish()` refuses trailing bytes.
 */
export class ByteReader {
  #offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  u8(field: string): number {
    return this.take(1, field)[0] as number;
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  u32(field: string): number {
    const b = this.take(4, field);
    return (b[0] as number) * 2 ** 24 + (((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number));
  }

  /** A copy of the next `length` bytes. */
  bytesOf(length: number, field: string): Uint8Array {
    return this.take(length, field).slice();
  }

  /** UTF-8 text of `length` bytes; ill-formed UTF-8 is malformed, never replaced. */
  utf8(length: number, field: string): string {
    try {
      return strictUtf8.decode(this.take(length, field));
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError('malformed', `${this.what}: ${field} is not well-formed UTF-8`);
    }
  }

  finish(): void {
    if (this.remaining !== 0) {
      throw new ProtocolError('malformed', `${this.what}: ${this.remaining} unexpected trailing byte(s)`);
    }
  }

  private take(length: number, field: string): Uint8Array {
    if (this.remaining < length) throw new ProtocolError('malformed', `${this.what}: truncated in ${field}`);
    const slice = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();

export class ByteWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  u8(value: number): this {
    return this.push(Uint8Array.of(checkUint(value, 1)));
  }

  u16(value: number): this {
    const v = checkUint(value, 2);
    return this.push(Uint8Array.of(v >>> 8, v & 0xff));
  }

  u32(value: number): this {
    const v = checkUint(value, 4);
    return this.push(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }

  bytes(value: Uint8Array, expectedLength?: number): this {
    if (expectedLength !== undefined && value.length !== expectedLength) {
      throw new ProtocolError('malformed', `expected ${expectedLength} bytes, got ${value.length}`);
    }
    return this.push(value.slice());
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

  private push(part: Uint8Array): this {
    this.#parts.push(part);
    this.#length += part.length;
    return this;
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8.encode(text);
}

function checkUint(value: number, bytes: 1 | 2 | 4): number {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * bytes)) {
    throw new ProtocolError('malformed', `${value} does not fit in ${bytes} unsigned byte(s)`);
  }
  return value;
}

/** Refuses an input that is not a Uint8Array before any parsing. */
export function expectBytesInput(value: unknown, what: string, maxLength: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ProtocolError('malformed', `${what}: expected bytes`);
  if (value.length > maxLength) throw new ProtocolError('oversized', `${what}: ${value.length} bytes exceeds ${maxLength}`);
  return value;
}
