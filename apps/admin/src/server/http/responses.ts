import { concatBytes } from '@opendescent/crypto';
import { adminLog } from '../log.mjs';
import { ApiError } from './api-error';

const NO_STORE = { 'Cache-Control': 'no-store' };

export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

export function errorResponse(error: ApiError, headers: Record<string, string> = {}): Response {
  return jsonResponse(
    { error: error.code, message: error.message },
    { status: error.status, headers: { ...headers, ...error.headers } },
  );
}

/** Runs a handler; refusals become their JSON error, anything unexpected a bare 500. */
export async function respond(work: () => Promise<Response>, headers: Record<string, string> = {}): Promise<Response> {
  try {
    const response = await work();
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error, headers);
    // No request content in the log: it may carry codes or addresses.
    adminLog().error({ event: 'internal_error', err: error }, 'internal error');
    return jsonResponse({ error: 'internal', message: 'internal error' }, { status: 500, headers });
  }
}

/**
 * Reads a JSON body of at most `limit` bytes: the size is enforced while reading, before
 * parsing (A5), and the content type must say JSON.
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new ApiError(415, 'unsupported_media_type', 'expected Content-Type: application/json');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw new ApiError(413, 'too_large', `the body is limited to ${limit} bytes`);
  const bytes = await readLimited(request, limit);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new ApiError(400, 'malformed', 'the body is not well-formed UTF-8 JSON');
  }
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new ApiError(413, 'too_large', `the body is limited to ${limit} bytes`);
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}
