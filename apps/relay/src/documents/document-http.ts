import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A signed organisation document over HTTP (relay.md §7): served as held, and accepted when
 * posted. Self-authenticating: the organisation's signature is the authorisation, so any caller
 * may post; a document that does not verify or supersede is refused with its code.
 */
export function sendDocument(response: ServerResponse, bytes: Uint8Array | undefined): void {
  response.setHeader('Cache-Control', 'no-store');
  if (bytes === undefined) {
    response.statusCode = 404;
    response.end();
    return;
  }
  response.setHeader('Content-Type', 'application/octet-stream');
  response.end(Buffer.from(bytes));
}

/** Reads the posted document (`application/octet-stream`, at most `limit` bytes) and hands it to `accept`; `refusalOf` names a refusal's code. */
export async function receiveDocument<T>(
  request: IncomingMessage,
  limit: number,
  accept: (body: Uint8Array) => Promise<T>,
  refusalOf: (error: unknown) => string | undefined,
): Promise<T> {
  const body = await readOctetStream(request, limit);
  try {
    return await accept(body);
  } catch (error) {
    const code = refusalOf(error);
    if (code !== undefined) throw new HttpException({ error: code }, HttpStatus.BAD_REQUEST);
    throw error;
  }
}

async function readOctetStream(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
    throw new HttpException({ error: 'malformed' }, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpException({ error: 'oversized' }, HttpStatus.PAYLOAD_TOO_LARGE);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new HttpException({ error: 'oversized' }, HttpStatus.PAYLOAD_TOO_LARGE);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
