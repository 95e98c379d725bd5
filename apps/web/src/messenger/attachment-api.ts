/**
 * What the page sees of an attachment (docs/protocol/attachments.md §3, §5), and its limits. The
 * key, the digest and the relay's capabilities stay in the worker (records.ts AttachmentSecret):
 * the page gets a name, a type, a size, a thumbnail and where the transfer stands.
 */

/** The largest file a person may send: the relay's default ceiling (attachments.md §4.5). */
export const MAX_ATTACHMENT_FILE_BYTES = 100 * 1024 * 1024;
/** A received file up to this size is fetched at once; a larger one waits for a click (data plans, disks). */
export const AUTO_DOWNLOAD_BYTES = 25 * 1024 * 1024;
/** A file name is shown, never trusted: at most this many characters, no path. */
export const MAX_ATTACHMENT_NAME_CHARACTERS = 255;
export const MAX_ATTACHMENT_TYPE_CHARACTERS = 127;

/**
 * Where an attachment stands on this device:
 * - `uploading`: ours, sealed on this device and going up to the relay (the message is sent once it is there);
 * - `sent`: ours, uploaded, the message sent; the file is kept here;
 * - `available`: theirs, on the relay, not fetched yet (a click fetches it);
 * - `downloading`: theirs, being fetched and checked;
 * - `stored`: theirs, fetched, checked and kept here (encrypted);
 * - `expired`: gone from the relay before this device fetched it (its TTL, or every fetch was counted);
 * - `failed`: refused: the bytes did not check (wrong digest, a forged chunk), or the upload was refused.
 */
export type AttachmentState = 'uploading' | 'sent' | 'available' | 'downloading' | 'stored' | 'expired' | 'failed';

export interface AttachmentThumbnailView {
  /** A WebP or JPEG image of at most 16 KiB, made on the sender's device. */
  readonly data: Uint8Array;
  readonly type: 'image/webp' | 'image/jpeg';
  readonly width: number;
  readonly height: number;
}

export interface AttachmentView {
  readonly name: string;
  readonly type: string;
  /** The file's size in bytes (what the relay holds is padded, attachments.md §2.3). */
  readonly size: number;
  readonly state: AttachmentState;
  readonly thumbnail?: AttachmentThumbnailView;
  /** Why it failed or expired: an error code, for the page to explain. */
  readonly problem?: string;
}

/** A transfer's progress, sent as an event (never written to the vault on every step). */
export interface AttachmentProgress {
  readonly conversationId: string;
  readonly messageId: string;
  readonly done: number;
  readonly total: number;
}
