/**
 * The transport under AdminClient: one request, its whole answer, within one timeout and a size
 * cap; no cookies (`credentials: 'omit'`: the device endpoints rely on the signature only,
 * admin-api.md §1), no cache, no redirect followed. JSON answers are checked against the shared
 * schema (@opendescent/protocol) before anything of them is returned. Nothing here logs.
 */
import type { z } from 'zod';
import { AdminRequestError, refusal } from './admin-errors';

export const DEFAULT_ADMIN_TIMEOUT_MS = 10_000;
/** JSON answers are a few KiB; anything near this is not the admin app. */
const MAX_JSON_ANSWER_BYTES = 256 * 1024;

export interface AdminHttpOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

type Method = 'GET' | 'POST';

export class AdminHttp {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, options: AdminHttpOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError('AdminClient: expected an http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError('AdminClient: expected an http(s) URL');
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
      throw new TypeError('AdminClient: expected a base URL without query, fragment or credentials');
    this.#baseUrl = url.href.replace(/\/+$/, '');
    // Bound to the global: a worker's fetch throws "Illegal invocation" when called as a method of another object.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS);
  }

  /** A JSON answer with one of the `expected` statuses, parsed by `schema`; a refusal otherwise. */
  async json<S extends z.ZodType>(
    method: Method,
    path: string,
    body: string | undefined,
    schema: S,
    expected: readonly number[],
  ): Promise<z.output<S>> {
    const { response, raw } = await this.#request(method, path, body, 'application/json', MAX_JSON_ANSWER_BYTES);
    if (!expected.includes(response.status)) throw refusal(response, parseJson(raw));
    if (!isContentType(response, 'application/json'))
      throw new AdminRequestError(response.status, 'malformed_response', `${path}: the answer is not JSON`);
    const parsed = schema.safeParse(parseJson(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AdminRequestError(
        response.status,
        'malformed_response',
        `${path}: ${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  }

  /** A signed binary document (`application/octet-stream`, 1 to `max` bytes); the caller verifies it. */
  async document(path: string, max: number, what: string): Promise<Uint8Array> {
    const { response, raw } = await this.#request('GET', path, undefined, 'application/octet-stream', max);
    if (response.status !== 200) throw refusal(response, parseJson(raw));
    if (!isContentType(response, 'application/octet-stream') || raw.length === 0) {
      throw new AdminRequestError(response.status, 'malformed_response', `the ${what} answer is not a signed document`);
    }
    return raw;
  }

  /** One request and its whole answer (at most `max` bytes), within one timeout. */
  async #request(
    method: Method,
    path: string,
    body: string | undefined,
    accept: string,
    max: number,
  ): Promise<{ response: Response; raw: Uint8Array }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(this.#baseUrl + path, {
        method,
        headers: body === undefined ? { Accept: accept } : { Accept: accept, 'Content-Type': 'application/json' },
        body,
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
        signal: controller.signal,
      });
      return { response, raw: await readAtMost(response, max) };
    } catch (error) {
      if (error instanceof AdminRequestError) throw error;
      throw new AdminRequestError(
        0,
        'unreachable',
        controller.signal.aborted
          ? `${path}: no answer in ${this.#timeoutMs} ms`
          : `${path}: the admin app is unreachable`,
      );
    } finally {
      clearTimeout(timer);
      // Whatever was not read is not wanted (a refused or oversized answer).
      controller.abort();
    }
  }
}

/** The body, refused beyond `max` bytes (announced or counted) before it is all buffered. */
async function readAtMost(response: Response, max: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new AdminRequestError(response.status, 'malformed_response', 'the answer is larger than any the API gives');
  if (Number(response.headers.get('content-length')) > max) throw tooLarge();
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) throw tooLarge();
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    return undefined;
  }
}

function isContentType(response: Response, type: string): boolean {
  const value = response.headers.get('content-type');
  return value !== null && value.split(';')[0]?.trim().toLowerCase() === type;
}
