/**
 * Secret-bearing bytes (private keys, shared secrets, chain and storage keys) live in a
 * `SecretBytes`, which never prints them (STYLE.md, principle 6): `JSON.stringify`, Node's
 * `util.inspect` (and so `console.log`), template strings and `String()` all show a redacted
 * placeholder. The bytes sit in an ECMAScript private field, which no enumeration, spread or
 * structured clone copies. `exposeBytes()` is the one deliberate way in, for crypto code and for
 * serialising state; `wipe()` zeroes the bytes and makes later use an error instead of a silent
 * all-zero key.
 */
import { expectBytes } from './bytes';
import { CryptoError } from './errors';

const NODE_INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class SecretBytes {
  readonly #bytes: Uint8Array;
  #wiped = false;

  /**
   * Takes ownership of `bytes` (no copy): wipe() zeroes that very array. Use `SecretBytes.copyOf`
   * when the caller keeps using its array.
   */
  constructor(
    bytes: Uint8Array,
    /** What the secret is, for the redacted placeholder and for debugging: never the bytes. */
    readonly kind = 'secret',
  ) {
    this.#bytes = expectBytes(bytes, 'SecretBytes');
  }

  static copyOf(bytes: Uint8Array, kind?: string): SecretBytes {
    return new SecretBytes(expectBytes(bytes, 'SecretBytes.copyOf').slice(), kind);
  }

  get length(): number {
    return this.#bytes.length;
  }

  get isWiped(): boolean {
    return this.#wiped;
  }

  /**
   * The secret itself, by reference (no copy that wipe() would miss). Do not keep it, log it or
   * modify it; copy with `.slice()` if it must outlive this object.
   */
  exposeBytes(): Uint8Array {
    if (this.#wiped) throw new CryptoError('secret_wiped', `this ${this.kind} was wiped`);
    return this.#bytes;
  }

  /** Zeroes the bytes. Idempotent. JavaScript cannot promise no copy survives elsewhere (GC). */
  wipe(): void {
    this.#bytes.fill(0);
    this.#wiped = true;
  }

  toString(): string {
    return `[${this.kind}: redacted]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [NODE_INSPECT](): string {
    return `SecretBytes ${this.toString()}`;
  }

  get [Symbol.toStringTag](): string {
    return 'SecretBytes';
  }
}

/** Accepts either form wherever a key is read; secrets are only ever read, never stored, here. */
export type KeyBytes = Uint8Array | SecretBytes;

export function keyBytes(key: KeyBytes, what: string, length?: number): Uint8Array {
  if (key instanceof SecretBytes) {
    return expectBytes(key.exposeBytes(), what, length);
  }
  return expectBytes(key, what, length);
}
