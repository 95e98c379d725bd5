// Binary fields in the admin app's JSON: base64url without padding (RFC 4648 §5), decoded
// strictly so that one value has exactly one encoding (docs/protocol/admin-api.md §1).

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Bytes backed by a plain ArrayBuffer: what Prisma's Bytes fields take. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A copy the database layer accepts (libs return Uint8Array over any buffer). */
export function dbBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes);
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Undefined unless `text` is canonical unpadded base64url of exactly `length` bytes. */
export function fromBase64Url(text: unknown, length?: number): Bytes | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (length !== undefined && bytes.length !== length) return undefined;
  // Non-canonical trailing bits would let two strings name the same bytes.
  return toBase64Url(bytes) === text ? bytes : undefined;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string): Bytes {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Unix seconds, as every signed document counts time. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
