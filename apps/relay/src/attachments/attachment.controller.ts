import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Head, Inject, Patch, Post, Req, Res } from '@nestjs/common';
import {
  ATTACHMENT_HTTP,
  ATTACHMENT_ID_LENGTH,
  FETCH_NONCE_LENGTH,
  MAX_ATTACHMENT_PATCH_BYTES,
  UPLOAD_ID_LENGTH,
} from '@opendescent/protocol';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { StoreUnavailableError } from '../store/relay-store';
import { byteCountHeader, capabilityHeader, isOffsetOctetStream } from './attachment-headers';
import { AttachmentService } from './attachment.service';

const H = ATTACHMENT_HTTP;

/**
 * The attachment bytes over HTTP (attachments.md §4), tus-style. Thin: it parses headers, asks
 * the service, and streams. Every answer has an empty body and `Cache-Control: no-store`, and
 * carries no id; unknown, expired and wrong ids are the same 404, so a prober learns nothing.
 * bodyParser is off (bootstrap.ts): a PATCH body is streamed to the store as it arrives.
 */
@Controller()
export class AttachmentController {
  constructor(
    private readonly attachments: AttachmentService,
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
  ) {}

  /** HEAD upload: where to resume. */
  @Head(H.uploadPath)
  async uploadState(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    await this.#answering('head', response, async () => {
      const uploadId = capabilityHeader(request.headers, H.uploadIdHeader, UPLOAD_ID_LENGTH);
      if (uploadId === undefined) return answer(request, response, 400);
      const record = await this.attachments.upload(uploadId);
      if (record === undefined) return answer(request, response, 404);
      response.setHeader(H.offsetHeader, record.received);
      response.setHeader(H.lengthHeader, record.length);
      response.setHeader(H.expiresHeader, Math.floor(record.expiresAt / 1000));
      return answer(request, response, 200);
    });
  }

  /** PATCH upload: append at Upload-Offset; 204 with the new offset. */
  @Patch(H.uploadPath)
  async append(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    await this.#answering('patch', response, async () => {
      const uploadId = capabilityHeader(request.headers, H.uploadIdHeader, UPLOAD_ID_LENGTH);
      const offset = byteCountHeader(request.headers, H.offsetHeader);
      const hasLength = request.headers['content-length'] !== undefined;
      const declared = hasLength ? byteCountHeader(request.headers, 'content-length') : undefined;
      if (uploadId === undefined || offset === undefined || (hasLength && declared === undefined) || declared === 0)
        return answer(request, response, 400);
      if (!isOffsetOctetStream(request.headers)) return answer(request, response, 415);
      if (declared !== undefined && declared > MAX_ATTACHMENT_PATCH_BYTES) return answer(request, response, 413);
      // Not destroyed when the store stops reading early: the 413 must still reach the client.
      const body = request.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
      const result = await this.attachments.append(uploadId, offset, declared, body);
      if (result.outcome === 'unknown') return answer(request, response, 404);
      if (result.outcome === 'too_large') return answer(request, response, 413);
      response.setHeader(H.offsetHeader, result.received);
      return answer(request, response, result.outcome === 'conflict' ? 409 : 204);
    });
  }

  /** GET file: the ciphertext, whole or from a `Range` (206), once the upload is complete. */
  @Get(H.filePath)
  async download(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    await this.#answering('get', response, async () => {
      const attachmentId = capabilityHeader(request.headers, H.attachmentIdHeader, ATTACHMENT_ID_LENGTH);
      if (attachmentId === undefined) return answer(request, response, 400);
      const result = await this.attachments.download(attachmentId, request.headers.range);
      if (result.outcome === 'unknown') return answer(request, response, 404);
      if (result.outcome === 'unsatisfiable') {
        response.setHeader('Content-Range', `bytes */${result.length}`);
        return answer(request, response, 416);
      }
      response.statusCode = result.partial ? 206 : 200;
      response.setHeader('Cache-Control', 'no-store');
      response.setHeader('Content-Type', 'application/octet-stream');
      response.setHeader('Content-Length', result.end - result.start);
      response.setHeader('Accept-Ranges', 'bytes');
      if (result.partial)
        response.setHeader('Content-Range', `bytes ${result.start}-${result.end - 1}/${result.length}`);
      if (request.method === 'HEAD') {
        result.body.destroy();
        response.end();
        return;
      }
      // A client that goes away mid-download ends the stream; it resumes with a Range.
      await pipeline(result.body, response).catch(() => undefined);
    });
  }

  /** POST fetched: one device has the file; at the last distinct nonce the attachment is deleted. */
  @Post(H.fetchedPath)
  async fetched(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    await this.#answering('fetched', response, async () => {
      const attachmentId = capabilityHeader(request.headers, H.attachmentIdHeader, ATTACHMENT_ID_LENGTH);
      const nonce = capabilityHeader(request.headers, H.fetchNonceHeader, FETCH_NONCE_LENGTH);
      if (attachmentId === undefined || nonce === undefined) return answer(request, response, 400);
      return answer(request, response, (await this.attachments.fetched(attachmentId, nonce)) ? 204 : 404);
    });
  }

  /** Nothing thrown reaches Nest (whose error log would print a message): a failed store is 503. */
  async #answering(route: string, response: ServerResponse, handle: () => Promise<void>): Promise<void> {
    try {
      await handle();
    } catch (error) {
      const unavailable = error instanceof StoreUnavailableError;
      if (!unavailable) this.runtime.logger.error({ event: 'internal_error', route }, 'attachment route failed');
      if (response.headersSent) response.destroy();
      else {
        response.setHeader('Connection', 'close');
        response.statusCode = unavailable ? 503 : 500;
        response.end();
      }
    }
    this.runtime.logger.debug({ event: 'attachment_http', route, status: response.statusCode }, 'attachment request');
  }
}

/**
 * An empty answer. A body the route did not read (refused early, or a PATCH cut at the limit) is
 * not drained: the connection closes instead, so an oversized body costs the relay nothing more.
 */
function answer(request: IncomingMessage, response: ServerResponse, status: number): void {
  response.statusCode = status;
  response.setHeader('Cache-Control', 'no-store');
  if (!request.complete) response.setHeader('Connection', 'close');
  response.end();
}
