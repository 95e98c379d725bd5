/**
 * What a soak message carries, inside its encryption: who sent it and that sender's sequence
 * number, so the receiving device can tell a lost, a repeated or a reordered message. Padded to
 * 1 KiB, a typical padded text envelope (crypto.md's buckets).
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 1 | version, 0x01 |
 * | 1 | 4 | sender (device index, u32) |
 * | 5 | 4 | sequence (per sender, u32, from 1) |
 * | 9 | … | zeros up to PAYLOAD_BYTES |
 */
export const PAYLOAD_VERSION = 0x01;
export const PAYLOAD_BYTES = 1024;
const HEADER_BYTES = 9;

export interface SoakPayload {
  readonly sender: number;
  readonly sequence: number;
}

export function encodePayload({ sender, sequence }: SoakPayload): Uint8Array {
  const bytes = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, PAYLOAD_VERSION);
  view.setUint32(1, sender);
  view.setUint32(5, sequence);
  return bytes;
}

/** Throws on anything that is not a version-1 payload (a corrupted or foreign blob). */
export function decodePayload(bytes: Uint8Array): SoakPayload {
  if (bytes.length < HEADER_BYTES || bytes[0] !== PAYLOAD_VERSION) throw new Error('not a soak payload');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { sender: view.getUint32(1), sequence: view.getUint32(5) };
}
