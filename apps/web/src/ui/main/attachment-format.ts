/**
 * How an attachment's facts are written for people: its size in the language's units ("1.5 MB",
 * "1,5 Mo"), how far a transfer has come ("42%", "42 %"), a short type ("PDF"), and the sentence
 * that explains a problem. Pure functions: the card (attachment-card.tsx) only lays them out.
 */
import { MESSENGER_ERROR_CODES, type MessengerErrorCode } from '../../messenger/api';
import type { AttachmentView } from '../../messenger/attachment-api';
import type { Language, MessageKey } from '../../i18n';

/**
 * Binary steps (1 KB = 1,024 bytes), as the file managers of most of this software's users count:
 * the 100 MiB ceiling then reads "100 MB", as the error message says.
 */
const UNITS = [
  ['kilobyte', 1024],
  ['megabyte', 1024 ** 2],
  ['gigabyte', 1024 ** 3],
] as const;

/** "12 bytes", "512 kB", "1.5 MB", "100 MB" (French: "12 octets", "512 ko", "1,5 Mo"): one decimal under 10. */
export function formatFileSize(bytes: number, language: Language): string {
  const size = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  const unit = [...UNITS].reverse().find(([, step]) => size >= step);
  if (!unit) {
    // The short form of "byte" is not a unit people read in English ("12 byte"): the long one is.
    return new Intl.NumberFormat(language, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(size);
  }
  const [name, step] = unit;
  const value = size / step;
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit: name,
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 ? 1 : 0,
  }).format(value);
}

/** How much of a transfer is done, 0 to 100 (whole numbers; 100 only once everything is there). */
export function percentDone(done: number, total: number): number {
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0 || done <= 0) return 0;
  if (done >= total) return 100;
  return Math.min(99, Math.floor((done / total) * 100));
}

/** "42%" in English, "42 %" in French. */
export function formatPercent(percent: number, language: Language): string {
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(percent / 100);
}

/** An extension people recognise ("PDF", "DOCX"), else the media type the sender gave, else nothing. */
export function fileTypeLabel(name: string, type: string): string | undefined {
  const extension = /\.([a-z0-9]{1,8})$/i.exec(name)?.[1];
  if (extension && extension.length < name.length - 1) return extension.toUpperCase();
  return type.trim() || undefined;
}

/**
 * Pictures the page may show full size from the decrypted file: raster formats only. The type is
 * the sender's word; an SVG is a document that can carry script, and a blob: URL of one opened in
 * a tab ("Open image in new tab") would run with this page's origin.
 */
const SHOWN_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/bmp',
]);

/** The media type to show this file's picture under, or undefined when it is not shown as a picture. */
export function shownImageType(attachment: Pick<AttachmentView, 'type' | 'thumbnail'>): string | undefined {
  const type = attachment.type.trim().toLowerCase();
  return attachment.thumbnail && SHOWN_IMAGE_TYPES.has(type) ? type : undefined;
}

const ERROR_CODES: ReadonlySet<string> = new Set(MESSENGER_ERROR_CODES);

/** The sentence for an expired or failed attachment: its problem's translation, else the state's usual cause. */
export function attachmentProblemKey(attachment: Pick<AttachmentView, 'state' | 'problem'>): MessageKey {
  const { problem, state } = attachment;
  if (problem !== undefined && ERROR_CODES.has(problem)) return `error.${problem as MessengerErrorCode}`;
  return state === 'expired' ? 'error.attachment_expired' : 'error.internal';
}
