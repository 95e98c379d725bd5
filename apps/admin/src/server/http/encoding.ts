// Binary values at the admin app's edges. Their text forms (hex, unpadded base64url: admin-api.md
// §1) are @opendescent/protocol's one encoding module: decodeHex/decodeBase64Url refuse anything
// but the canonical form with ProtocolError('malformed'), encodeHex/encodeBase64Url. This file
// keeps what is the admin app's own: the byte type Prisma takes and how signed documents count time.

/** Bytes backed by a plain ArrayBuffer: what Prisma's Bytes fields take. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A copy the database layer accepts (libs return Uint8Array over any buffer). */
export function dbBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes);
}

/** Unix seconds, as every signed document counts time. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
