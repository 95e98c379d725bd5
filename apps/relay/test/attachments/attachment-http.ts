/**
 * The HTTP half of attachments (attachments.md §4) as the tests drive it: plain node:http, so a
 * test controls every header (Content-Length included), streams a body in pieces, or cuts it off.
 */
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { ATTACHMENT_HTTP, attachmentCiphertextLength, attachmentHex, type RelayReply } from '@opendescent/protocol';
import { errorOf } from '../support/relay-client';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface OpenRequest {
  readonly request: ClientRequest;
  /** The answer, whenever it comes (before the body is done, for an early refusal). */
  readonly answer: Promise<HttpAnswer>;
}

/** Starts a request and sends its headers; the caller writes (or never writes) the body. */
export function openRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string | number>,
): OpenRequest {
  const request = httpRequest(`${baseUrl}${path}`, { method, headers, agent: false });
  const answer = new Promise<HttpAnswer>((resolve, reject) => {
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    // Writing on after an early answer closed the connection fails: the answer is what counts.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
  });
  request.flushHeaders();
  return { request, answer };
}

/** One request with its whole body (or none), Content-Length set unless `chunked`. */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body?: Uint8Array | readonly Uint8Array[],
): Promise<HttpAnswer> {
  const pieces = body === undefined ? [] : body instanceof Uint8Array ? [body] : body;
  const chunked = !(body instanceof Uint8Array);
  const all = chunked || body === undefined ? headers : { 'content-length': body.length, ...headers };
  const { request, answer } = openRequest(baseUrl, method, path, all);
  for (const piece of pieces) request.write(piece);
  request.end();
  return answer;
}

export const uploadId = (id: Uint8Array): Record<string, string> => ({
  [ATTACHMENT_HTTP.uploadIdHeader]: attachmentHex(id),
});
export const attachmentId = (id: Uint8Array): Record<string, string> => ({
  [ATTACHMENT_HTTP.attachmentIdHeader]: attachmentHex(id),
});

export function head(baseUrl: string, id: Uint8Array): Promise<HttpAnswer> {
  return send(baseUrl, 'HEAD', ATTACHMENT_HTTP.uploadPath, uploadId(id));
}

/** A tus PATCH of `body` at `offset`; `headers` override or add. */
export function patch(
  baseUrl: string,
  id: Uint8Array,
  offset: number,
  body: Uint8Array | readonly Uint8Array[],
  headers: Record<string, string | number> = {},
): Promise<HttpAnswer> {
  return send(
    baseUrl,
    'PATCH',
    ATTACHMENT_HTTP.uploadPath,
    { ...uploadId(id), 'upload-offset': offset, 'content-type': ATTACHMENT_HTTP.contentType, ...headers },
    body,
  );
}

export function download(baseUrl: string, id: Uint8Array, range?: string): Promise<HttpAnswer> {
  return send(baseUrl, 'GET', ATTACHMENT_HTTP.filePath, { ...attachmentId(id), ...(range ? { range } : {}) });
}

export function fetched(baseUrl: string, id: Uint8Array, nonce: Uint8Array): Promise<HttpAnswer> {
  return send(baseUrl, 'POST', ATTACHMENT_HTTP.fetchedPath, {
    ...attachmentId(id),
    [ATTACHMENT_HTTP.fetchNonceHeader]: attachmentHex(nonce),
  });
}

/** What attach_create answered, or the test fails with the relay's code. */
export interface Admitted {
  readonly uploadId: Uint8Array;
  readonly attachmentId: Uint8Array;
  readonly expiresAt: number;
}

export function admitted(reply: RelayReply): Admitted {
  if (!reply.ok || reply.command !== 'attach_create') throw new Error(`attach_create refused: ${errorOf(reply)}`);
  return { uploadId: reply.uploadId, attachmentId: reply.attachmentId, expiresAt: reply.expiresAt };
}

/** Ciphertext of the right length for a file of `fileBytes` (its content does not matter to the relay). */
export function ciphertextFor(fileBytes: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(attachmentCiphertextLength(fileBytes));
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

export const headerNumber = (answer: HttpAnswer, name: string): number => Number(answer.headers[name]);

/** Resolves when `condition` holds, polling; rejects after `timeoutMs`. */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
