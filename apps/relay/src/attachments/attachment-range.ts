/**
 * The one `Range` form a resuming download needs (RFC 9110 §14.1.2): a single byte range,
 * `bytes=a-`, `bytes=a-b` or the suffix `bytes=-n`. Anything else (several ranges, other units,
 * junk) is ignored and the whole file is served, as §14.2 allows.
 */

/** Bytes `start` … `end` (exclusive) of the file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

const SINGLE_RANGE = /^bytes=(\d{0,16})-(\d{0,16})$/;

/**
 * The range asked for, clamped to the file: undefined to serve it whole, `unsatisfiable` when it
 * starts at or past the end (416).
 */
export function requestedRange(header: string | undefined, length: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return undefined;
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, length - suffix), end: length };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return undefined;
  if (last !== '') {
    const lastByte = Number(last);
    if (!Number.isSafeInteger(lastByte) || lastByte < start) return undefined;
    if (start >= length) return 'unsatisfiable';
    return { start, end: Math.min(lastByte + 1, length) };
  }
  if (start >= length) return 'unsatisfiable';
  return { start, end: length };
}
