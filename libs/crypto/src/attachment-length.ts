/**
 * The lengths of an encrypted attachment (docs/protocol/attachments.md §2), shared by the cipher
 * (attachment-cipher.ts), the relay (which admits an upload by its ciphertext length) and the web
 * client. Pure arithmetic: no key, no byte of content.
 *
 * A file of `size` bytes is padded to `paddedAttachmentLength(size)` (Padmé, Nikitin et al.,
 * "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", PETS 2019: at most
 * 12% larger, and a length reveals O(log log n) bits), cut into chunks of ATTACHMENT_CHUNK_BYTES
 * (the last may be shorter, and a padded length of 0 is one empty chunk), and each chunk is sealed
 * with a 16-byte tag.
 */

/** Plaintext bytes per chunk (64 KiB). */
export const ATTACHMENT_CHUNK_BYTES = 65_536;
/** AES-256-GCM tag per chunk. */
export const ATTACHMENT_TAG_BYTES = 16;
/** Ciphertext bytes of a full chunk. */
export const ATTACHMENT_SEALED_CHUNK_BYTES = ATTACHMENT_CHUNK_BYTES + ATTACHMENT_TAG_BYTES;
/** The largest file the format describes: the chunk index is a u32 and the length a u53. */
export const MAX_ATTACHMENT_FILE_BYTES = 2 ** 40;

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_ATTACHMENT_FILE_BYTES)
    throw new RangeError(`an attachment size must be an integer from 0 to ${MAX_ATTACHMENT_FILE_BYTES}`);
}

/** Padmé: keeps the top ⌊log2 E⌋ + 1 bits of the length's exponent E, rounding the rest up. */
export function paddedAttachmentLength(size: number): number {
  checkSize(size);
  if (size < 2) return size;
  const exponent = Math.floor(Math.log2(size));
  const mantissaBits = Math.floor(Math.log2(exponent)) + 1;
  const step = 2 ** (exponent - mantissaBits);
  return Math.ceil(size / step) * step;
}

/** How many chunks a file of `size` bytes is sealed in (at least one). */
export function attachmentChunkCount(size: number): number {
  return Math.max(1, Math.ceil(paddedAttachmentLength(size) / ATTACHMENT_CHUNK_BYTES));
}

/** The bytes the relay stores for a file of `size` bytes: the padded length plus one tag per chunk. */
export function attachmentCiphertextLength(size: number): number {
  return paddedAttachmentLength(size) + attachmentChunkCount(size) * ATTACHMENT_TAG_BYTES;
}

/**
 * Whether `length` is the ciphertext length of some padded file, so that a relay can refuse an
 * upload whose length was not padded (the padding protects every sender, so none may skip it).
 */
export function isAttachmentCiphertextLength(length: number): boolean {
  if (!Number.isSafeInteger(length) || length < ATTACHMENT_TAG_BYTES) return false;
  const chunks = Math.ceil(length / ATTACHMENT_SEALED_CHUNK_BYTES);
  const padded = length - chunks * ATTACHMENT_TAG_BYTES;
  if (padded < 0 || padded > MAX_ATTACHMENT_FILE_BYTES) return false;
  return paddedAttachmentLength(padded) === padded && attachmentChunkCount(padded) === chunks;
}
