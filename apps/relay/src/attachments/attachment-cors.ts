/**
 * CORS for the relay's HTTP routes. The web client runs on another origin (RELAY_ALLOWED_ORIGINS):
 * the attachment routes (attachments.md §4) take HEAD, PATCH, POST and GET with the capability and
 * tus headers, and expose the tus answers; every other route stays GET only, as before. Never
 * credentials: the capability is in a header, not a cookie.
 */
import type { IncomingMessage } from 'node:http';
import type { CorsOptions, CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface';
import { ATTACHMENT_HTTP } from '@opendescent/protocol';

/** Seconds a browser may reuse a preflight answer. */
export const ATTACHMENT_PREFLIGHT_MAX_AGE = 600;

const ATTACHMENT_PATHS = new Set<string>([
  ATTACHMENT_HTTP.uploadPath,
  ATTACHMENT_HTTP.filePath,
  ATTACHMENT_HTTP.fetchedPath,
]);

export function relayCorsOptions(allowedOrigins: readonly string[]): CorsOptionsDelegate<IncomingMessage> {
  const origin = [...allowedOrigins];
  const others: CorsOptions = { origin, methods: ['GET'] };
  const attachments: CorsOptions = {
    origin,
    methods: ['GET', 'HEAD', 'PATCH', 'POST'],
    allowedHeaders: [
      ATTACHMENT_HTTP.uploadIdHeader,
      ATTACHMENT_HTTP.attachmentIdHeader,
      ATTACHMENT_HTTP.fetchNonceHeader,
      ATTACHMENT_HTTP.offsetHeader,
      'content-type',
      'range',
    ],
    exposedHeaders: [
      ATTACHMENT_HTTP.offsetHeader,
      ATTACHMENT_HTTP.lengthHeader,
      ATTACHMENT_HTTP.expiresHeader,
      'content-range',
      'content-length',
    ],
    maxAge: ATTACHMENT_PREFLIGHT_MAX_AGE,
  };
  return (request, callback) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    callback(null, ATTACHMENT_PATHS.has(path) ? attachments : others);
  };
}
