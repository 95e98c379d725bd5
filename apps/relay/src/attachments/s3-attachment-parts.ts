/**
 * The object layout of the S3 bytes store (attachments.md §4.5): one object per PATCH that ended
 * normally, `<prefix><attachment id hex>/<offset, 16 decimal digits>`, holding that PATCH's bytes.
 * Nothing else names an object and no object carries metadata: a bucket listing shows attachment
 * ids, offsets and sizes, which the relay's index holds anyway. The empty object at offset 0,
 * written by `create`, says the attachment exists before its first byte arrives.
 *
 * Parts rather than S3 multipart: a multipart part must be at least 5 MiB (but the last), and a
 * tus PATCH may be any size.
 */
import { ATTACHMENT_ID_LENGTH, attachmentIdFromHex } from '@opendescent/protocol';
import { AttachmentStoreError, idKey } from './attachment-store';

/** 10^16 bytes: far past the largest upload a relay admits (RELAY_ATTACHMENT_MAX_BYTES ≤ 4 GiB). */
const OFFSET_DIGITS = 16;
const OFFSET_NAME = new RegExp(`^\\d{${OFFSET_DIGITS}}$`);
const ID_NAME = new RegExp(`^[0-9a-f]{${2 * ATTACHMENT_ID_LENGTH}}$`);

export interface StoredPart {
  readonly key: string;
  readonly offset: number;
  readonly size: number;
}

/** What one GetObject reads: bytes `from` … `to` (exclusive) of the part at `key`. */
export interface PartSlice {
  readonly key: string;
  readonly from: number;
  readonly to: number;
}

/** `<prefix><id hex>/`: every part of one attachment, and nothing of another. */
export const attachmentPrefix = (prefix: string, attachmentId: Uint8Array): string =>
  `${prefix}${idKey(attachmentId)}/`;

export const partKey = (prefix: string, attachmentId: Uint8Array, offset: number): string =>
  `${attachmentPrefix(prefix, attachmentId)}${String(offset).padStart(OFFSET_DIGITS, '0')}`;

/** A listed object as one part, or none for a name this store never writes (left alone). */
export function partOf(attachmentPrefixKey: string, key: string | undefined, size: number | undefined): StoredPart[] {
  const name = key?.startsWith(attachmentPrefixKey) ? key.slice(attachmentPrefixKey.length) : undefined;
  if (key === undefined || name === undefined || !OFFSET_NAME.test(name)) return [];
  return [{ key, offset: Number(name), size: size ?? 0 }];
}

/** A listed common prefix (`<prefix><id hex>/`) as an attachment id, or none. */
export function attachmentIdOf(prefix: string, commonPrefix: string | undefined): Uint8Array[] {
  const name = commonPrefix?.startsWith(prefix) ? commonPrefix.slice(prefix.length, -1) : undefined;
  const id = name !== undefined && ID_NAME.test(name) ? attachmentIdFromHex(name, ATTACHMENT_ID_LENGTH) : undefined;
  return id ? [id] : [];
}

/**
 * The slices that make bytes `start` … `end` (exclusive), in order. The parts of an attachment
 * run from 0 without a gap; a range they do not cover is a store failure, never a short read.
 */
export function slicesOf(parts: readonly StoredPart[], start: number, end: number): PartSlice[] {
  const slices: PartSlice[] = [];
  let covered = 0;
  for (const part of [...parts].sort((a, b) => a.offset - b.offset)) {
    if (part.size === 0) continue;
    if (part.offset !== covered) break;
    const from = Math.max(start, part.offset);
    const to = Math.min(end, part.offset + part.size);
    if (from < to) slices.push({ key: part.key, from: from - part.offset, to: to - part.offset });
    covered = part.offset + part.size;
  }
  if (covered < end) throw new AttachmentStoreError('parts_incomplete');
  return slices;
}

/**
 * What an append at `offset` must change first, so that nothing past it is kept: parts that start
 * after it go, a part at it is emptied (it is overwritten when the PATCH ends; emptied rather than
 * deleted, so that at offset 0 the attachment still exists meanwhile), and a part across it is cut.
 */
export function partsPast(
  parts: readonly StoredPart[],
  offset: number,
): { readonly remove: StoredPart[]; readonly empty: StoredPart[]; readonly cut: StoredPart[] } {
  return {
    remove: parts.filter((part) => part.offset > offset),
    empty: parts.filter((part) => part.offset === offset && part.size > 0),
    cut: parts.filter((part) => part.offset < offset && part.offset + part.size > offset),
  };
}
