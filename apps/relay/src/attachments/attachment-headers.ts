/**
 * The request headers of the attachment routes (attachments.md §4), parsed strictly: a value
 * that is not exactly what the route expects is absent, and the route answers 400. Capabilities
 * travel in headers only, never in the path, so no access log holds one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ATTACHMENT_HTTP, attachmentIdFromHex } from '@opendescent/protocol';

/** An id or nonce header: exactly `length` bytes of lower-case hex, given once. */
export function capabilityHeader(headers: IncomingHttpHeaders, name: string, length: number): Uint8Array | undefined {
  const value = headers[name];
  return typeof value === 'string' ? attachmentIdFromHex(value, length) : undefined;
}

/** A non-negative decimal integer (Upload-Offset, Content-Length), or undefined. */
export function byteCountHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name];
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return undefined;
  const count = Number(value);
  return Number.isSafeInteger(count) ? count : undefined;
}

/** tus: a PATCH body is `application/offset+octet-stream` (parameters, if any, ignored). */
export function isOffsetOctetStream(headers: IncomingHttpHeaders): boolean {
  const value = headers['content-type'];
  if (typeof value !== 'string') return false;
  return (value.split(';')[0] ?? '').trim().toLowerCase() === ATTACHMENT_HTTP.contentType;
}
