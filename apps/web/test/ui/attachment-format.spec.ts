/**
 * How an attachment's facts read (attachment-format.ts): sizes in each language's units, progress
 * that never says more than is true, a short type, which files may be shown as pictures, and the
 * sentence for a problem, even an unknown one.
 */
import type { AttachmentView } from '../../src/messenger/attachment-api';
import {
  attachmentProblemKey,
  fileTypeLabel,
  formatFileSize,
  formatPercent,
  percentDone,
  shownImageType,
} from '../../src/ui/main/attachment-format';

const MiB = 1024 * 1024;
const thumbnail = { data: new Uint8Array([1]), type: 'image/webp' as const, width: 4, height: 3 };
const picture = (type: string): Pick<AttachmentView, 'type' | 'thumbnail'> => ({ type, thumbnail });

describe('file sizes', () => {
  it('reads bytes, kilobytes and megabytes in English, one decimal under ten', () => {
    expect(formatFileSize(1, 'en')).toBe('1 byte');
    expect(formatFileSize(12, 'en')).toBe('12 bytes');
    expect(formatFileSize(512 * 1024, 'en')).toBe('512 kB');
    expect(formatFileSize(1.5 * MiB, 'en')).toBe('1.5 MB');
    expect(formatFileSize(100 * MiB, 'en')).toBe('100 MB'); // the ceiling reads as the error message says it
  });

  it('reads them in French units and decimals', () => {
    // French puts a no-break space between a number and its unit.
    expect(formatFileSize(12, 'fr')).toMatch(/^12\s+octets$/);
    expect(formatFileSize(512 * 1024, 'fr')).toMatch(/^512\s+ko$/);
    expect(formatFileSize(1.5 * MiB, 'fr')).toMatch(/^1,5\s+Mo$/);
  });

  it('shows a malformed size (negative, NaN) as nothing rather than a made-up number', () => {
    expect(formatFileSize(-5, 'en')).toBe('0 bytes');
    expect(formatFileSize(Number.NaN, 'en')).toBe('0 bytes');
  });
});

describe('progress', () => {
  it('is a whole percentage, and 100 only once everything is there', () => {
    expect(percentDone(0, 1000)).toBe(0);
    expect(percentDone(425, 1000)).toBe(42);
    expect(percentDone(999_999, 1_000_000)).toBe(99);
    expect(percentDone(1000, 1000)).toBe(100);
  });

  it('says 0 for a malformed step (no total, NaN) and 100 for one past the total', () => {
    expect(percentDone(10, 0)).toBe(0);
    expect(percentDone(Number.NaN, 10)).toBe(0);
    expect(percentDone(20, 10)).toBe(100);
  });

  it('is written as each language writes a percentage', () => {
    expect(formatPercent(42, 'en')).toBe('42%');
    expect(formatPercent(42, 'fr')).toMatch(/^42\s%$/);
  });
});

describe('file types', () => {
  it('names a file by its extension, else by its media type, else not at all', () => {
    expect(fileTypeLabel('Budget 2027.xlsx', 'application/vnd.ms-excel')).toBe('XLSX');
    expect(fileTypeLabel('notes', 'text/plain')).toBe('text/plain');
    expect(fileTypeLabel('.bashrc', '')).toBeUndefined();
    expect(fileTypeLabel('archive.tar.verylongext', ' ')).toBeUndefined();
  });

  it('shows raster pictures with a thumbnail full size, whatever the case of their type', () => {
    expect(shownImageType(picture('image/jpeg'))).toBe('image/jpeg');
    expect(shownImageType(picture('Image/PNG'))).toBe('image/png');
  });

  it('never shows an SVG or an HTML file as a picture (a blob: URL of one would run script), nor a file without a thumbnail', () => {
    expect(shownImageType(picture('image/svg+xml'))).toBeUndefined();
    expect(shownImageType(picture('text/html'))).toBeUndefined();
    expect(shownImageType({ type: 'image/jpeg' })).toBeUndefined();
  });
});

describe('problems', () => {
  it('translates the problem code the worker gave', () => {
    expect(attachmentProblemKey({ state: 'failed', problem: 'attachment_invalid' })).toBe('error.attachment_invalid');
    expect(attachmentProblemKey({ state: 'failed', problem: 'storage_full' })).toBe('error.storage_full');
  });

  it('falls back on the state’s usual cause for a missing or unknown (malformed) code', () => {
    expect(attachmentProblemKey({ state: 'expired' })).toBe('error.attachment_expired');
    expect(attachmentProblemKey({ state: 'failed' })).toBe('error.internal');
    expect(attachmentProblemKey({ state: 'failed', problem: '<script>' })).toBe('error.internal');
  });
});
