/**
 * Refusals of the attachment files on the device (attachment-files.ts) that are not the cipher's:
 * a CryptoError (auth_failed, attachment_truncated, attachment_oversized, attachment_padding,
 * attachment_digest) is passed through as it is, so a caller branches on one of the two types.
 */
export type AttachmentFileErrorCode =
  /** The caller's AbortSignal fired (or abort() was called): whatever was stored is deleted. */
  | 'cancelled'
  /** Storing the file would pass the device's attachment budget: nothing was written. */
  | 'storage_full'
  /** A chunk the operation needs is not on the device (deleted, or never completely stored). */
  | 'not_found'
  /** Chunks are already held under this local id: a new file needs a fresh one. */
  | 'already_stored'
  /** The file could not be read (changed or removed on disk since it was picked). */
  | 'read_failed';

export class AttachmentFileError extends Error {
  override readonly name = 'AttachmentFileError';

  constructor(
    readonly code: AttachmentFileErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

export function isAttachmentFileError(value: unknown, code?: AttachmentFileErrorCode): value is AttachmentFileError {
  return value instanceof AttachmentFileError && (code === undefined || value.code === code);
}
