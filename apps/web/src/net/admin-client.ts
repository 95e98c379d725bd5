/**
 * The device side of the admin app's HTTP API (docs/protocol/admin-api.md): enrolment, renewal,
 * directory look-ups, the organisation document and the revocation list.
 *
 * - Device requests are signed as §3 specifies: the payload is a JSON string, signed exactly as
 *   sent with the device identity key (`signDeviceRequest`), with a fresh 16-byte nonce and the
 *   current Unix time, so neither side canonicalises JSON.
 * - Every answer is validated strictly (zod, no unknown keys; binary fields canonical unpadded
 *   base64url of the right length, §1) before anything of it is returned. A server that answers
 *   otherwise is `malformed_response`, never half-trusted.
 * - No cookies (`credentials: 'omit'`, §1: the device endpoints rely on the signature only), no
 *   redirects followed, a timeout on every request, a size cap on every answer.
 * - Nothing here logs.
 */
import { randomBytes, type DeviceIdentity } from '@opendescent/crypto';
import { DEVICE_REQUEST_NONCE_LENGTH, DEVICE_REQUEST_VERSION, MAX_ATTESTATION_BYTES, MAX_REVOCATION_LIST_BYTES, signDeviceRequest } from '@opendescent/protocol';
import { z } from 'zod';
import { decodeBase64Url, encodeBase64Url } from './base64url';

/** The refusal codes of admin-api.md §2 a device can meet. */
export const ADMIN_ERROR_CODES = [
  'malformed',
  'unsupported_version',
  'invalid_address',
  'bad_signature',
  'stale_request',
  'attestation_required',
  'attestation_invalid',
  'attestation_mismatch',
  'code_invalid',
  'wrong_organisation',
  'device_revoked',
  'unknown_device',
  'replayed',
  'key_in_use',
  'code_used',
  'code_expired',
  'code_cancelled',
  'code_locked',
  'too_large',
  'unsupported_media_type',
  'rate_limited',
  'directory_suspended',
  'internal',
] as const;

/**
 * A §2 code, or this client's own: `unreachable` (network error, timeout, or a gateway error
 * without the API's error body) and `malformed_response` (an answer that does not validate). A
 * code a newer server adds is passed through as it is.
 */
export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number] | 'unreachable' | 'malformed_response' | (string & Record<never, never>);

export class AdminRequestError extends Error {
  override readonly name = 'AdminRequestError';

  constructor(
    /** The HTTP status; 0 when no answer arrived. */
    readonly status: number,
    readonly code: AdminErrorCode,
    /** For people (the server's message, or ours); never shows a key or a signature. */
    message: string,
    /** From `Retry-After` on `429 rate_limited` (§8). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const DEFAULT_ADMIN_TIMEOUT_MS = 10_000;
/** JSON answers are a few KiB; anything near this is not the admin app. */
const MAX_JSON_ANSWER_BYTES = 256 * 1024;
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

// ── answer schemas (admin-api.md §4.3, §7.3, §9.1) ────────────────────────────────────────

const bytes = (length?: number, max?: number) =>
  z.string().transform((text, context) => {
    try {
      const value = decodeBase64Url(text, length);
      if (max !== undefined && (value.length < 1 || value.length > max)) throw new Error('length');
      return value;
    } catch {
      context.addIssue({ code: 'custom', message: length === undefined ? 'expected unpadded base64url' : `expected ${length} bytes in unpadded base64url` });
      return z.NEVER;
    }
  });

const unixSeconds = z.number().int().min(0).max(0xffff_ffff);

const orgKeySchema = z.strictObject({
  keyId: bytes(8),
  publicKey: bytes(32),
  status: z.enum(['active', 'pending', 'retired']),
  pinnedUntil: unixSeconds.optional(),
});

const orgSchema = z.strictObject({
  orgId: bytes(16),
  keys: z.array(orgKeySchema).min(1).max(64),
  revocationListVersion: unixSeconds,
});

const attestationAnswerSchema = z
  .strictObject({
    deviceId: bytes(16),
    attestation: bytes(undefined, MAX_ATTESTATION_BYTES),
    issuedAt: unixSeconds,
    expiresAt: unixSeconds,
    renewAfter: unixSeconds,
    org: orgSchema,
  })
  .refine((a) => a.issuedAt < a.expiresAt && a.issuedAt <= a.renewAfter && a.renewAfter <= a.expiresAt, 'expected issuedAt <= renewAfter <= expiresAt');

const lookupAnswerSchema = z.strictObject({
  address: z.string().min(1).max(512),
  devices: z
    .array(
      z.strictObject({
        deviceId: bytes(16),
        attestation: bytes(undefined, MAX_ATTESTATION_BYTES),
        prekeySlotId: bytes(16).optional(),
      }),
    )
    .max(1_000),
});

const errorBodySchema = z.object({
  error: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  message: z.string().max(2_000).optional(),
});

export type OrgKeyStatus = 'active' | 'pending' | 'retired';

export interface OrgKeyInfo {
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly status: OrgKeyStatus;
  /** Retired keys: pinned until this Unix time (§9.1). */
  readonly pinnedUntil?: number;
}

export interface OrgInfo {
  readonly orgId: Uint8Array;
  readonly keys: readonly OrgKeyInfo[];
  readonly revocationListVersion: number;
}

/** §4.3. The caller still verifies the attestation against the pinned org keys. */
export interface AttestationAnswer {
  readonly deviceId: Uint8Array;
  readonly attestation: Uint8Array;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly renewAfter: number;
  readonly org: OrgInfo;
}

/** §7.3. The caller still verifies each attestation (org key, validity, revocation, address). */
export interface LookupAnswer {
  readonly address: string;
  readonly devices: readonly { readonly deviceId: Uint8Array; readonly attestation: Uint8Array; readonly prekeySlotId?: Uint8Array }[];
}

export interface AdminClientOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** Unix milliseconds; the payload timestamp comes from it (§3.3). */
  readonly clock?: () => number;
}

export class AdminClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #clock: () => number;

  constructor(baseUrl: string, options: AdminClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError('AdminClient: expected an http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('AdminClient: expected an http(s) URL');
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw new TypeError('AdminClient: expected a base URL without query, fragment or credentials');
    this.#baseUrl = url.href.replace(/\/+$/, '');
    // Bound to the global: a worker's fetch throws "Illegal invocation" when called as a method of another object.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS);
    this.#clock = options.clock ?? Date.now;
  }

  /** §9.1: the keys to pin. Check `orgId` against what the administrator gave out of band. */
  async org(): Promise<OrgInfo> {
    return this.#json('GET', '/api/v1/org', undefined, orgSchema, [200]);
  }

  /** §4.2: enrols this device's identity with a one-time code. */
  async enrol(request: { code: string; identity: DeviceIdentity; prekeySlotId?: Uint8Array }): Promise<AttestationAnswer> {
    const body = await this.#signed(request.identity, 'enrol', {
      code: request.code,
      signingKey: encodeBase64Url(request.identity.signing.publicKey),
      agreementKey: encodeBase64Url(request.identity.agreement.publicKey),
      ...(request.prekeySlotId ? { prekeySlotId: encodeBase64Url(request.prekeySlotId) } : {}),
    });
    return this.#json('POST', '/api/v1/enrol', body, attestationAnswerSchema, [201]);
  }

  /** §5: a fresh attestation for an enrolled device, signed with its enrolled identity key. */
  async renew(request: { orgId: Uint8Array; deviceId: Uint8Array; identity: DeviceIdentity; prekeySlotId?: Uint8Array }): Promise<AttestationAnswer> {
    const body = await this.#signed(request.identity, 'renew', {
      orgId: encodeBase64Url(request.orgId),
      deviceId: encodeBase64Url(request.deviceId),
      ...(request.prekeySlotId ? { prekeySlotId: encodeBase64Url(request.prekeySlotId) } : {}),
    });
    return this.#json('POST', '/api/v1/renew', body, attestationAnswerSchema, [200]);
  }

  /** §7: one exact address; `devices` is empty for an unknown address. */
  async lookup(request: { orgId: Uint8Array; deviceId: Uint8Array; attestation: Uint8Array; identity: DeviceIdentity; address: string }): Promise<LookupAnswer> {
    const body = await this.#signed(
      request.identity,
      'lookup',
      { orgId: encodeBase64Url(request.orgId), deviceId: encodeBase64Url(request.deviceId), address: request.address },
      request.attestation,
    );
    return this.#json('POST', '/api/v1/directory/lookup', body, lookupAnswerSchema, [200]);
  }

  /** §6.2: the signed list, as bytes; the caller verifies it (verifyRevocationList) and checks `supersedes`. */
  async revocationList(): Promise<Uint8Array> {
    const { response, raw } = await this.#request('GET', '/api/v1/revocation-list', undefined, 'application/octet-stream', MAX_REVOCATION_LIST_BYTES);
    if (response.status !== 200) throw refusal(response, raw);
    if (!isContentType(response, 'application/octet-stream') || raw.length === 0) {
      throw new AdminRequestError(response.status, 'malformed_response', 'the revocation list answer is not a signed list');
    }
    return raw;
  }

  // ── transport ───────────────────────────────────────────────────────────────────────────

  /** §3.1, §3.3: the body of a signed device request. */
  async #signed(identity: DeviceIdentity, type: 'enrol' | 'renew' | 'lookup', fields: Record<string, string>, attestation?: Uint8Array): Promise<string> {
    const payload = JSON.stringify({
      v: DEVICE_REQUEST_VERSION,
      type,
      timestamp: Math.floor(this.#clock() / 1000),
      nonce: encodeBase64Url(randomBytes(DEVICE_REQUEST_NONCE_LENGTH)),
      ...fields,
    });
    const signature = await signDeviceRequest(payload, identity.signing.privateKey);
    return JSON.stringify({ payload, signature: encodeBase64Url(signature), ...(attestation ? { attestation: encodeBase64Url(attestation) } : {}) });
  }

  async #json<T>(method: 'GET' | 'POST', path: string, body: string | undefined, schema: z.ZodType<T>, expected: readonly number[]): Promise<T> {
    const { response, raw } = await this.#request(method, path, body, 'application/json', MAX_JSON_ANSWER_BYTES);
    if (!expected.includes(response.status)) throw refusal(response, raw);
    if (!isContentType(response, 'application/json')) throw new AdminRequestError(response.status, 'malformed_response', `${path}: the answer is not JSON`);
    const parsed = schema.safeParse(parseJson(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AdminRequestError(response.status, 'malformed_response', `${path}: ${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }

  /** One request and its whole answer (at most `max` bytes), within one timeout. */
  async #request(method: 'GET' | 'POST', path: string, body: string | undefined, accept: string, max: number): Promise<{ response: Response; raw: Uint8Array }> {
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
      throw new AdminRequestError(0, 'unreachable', controller.signal.aborted ? `${path}: no answer in ${this.#timeoutMs} ms` : `${path}: the admin app is unreachable`);
    } finally {
      clearTimeout(timer);
      // Whatever was not read is not wanted (a refused or oversized answer).
      controller.abort();
    }
  }
}

/** The body, refused beyond `max` bytes (announced or counted) before it is all buffered. */
async function readAtMost(response: Response, max: number): Promise<Uint8Array> {
  const tooLarge = () => new AdminRequestError(response.status, 'malformed_response', 'the answer is larger than any the API gives');
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

/** §2: `{"error": code, "message": …}`; a gateway's own error page means the app is not reachable. */
function refusal(response: Response, raw: Uint8Array): AdminRequestError {
  const parsed = errorBodySchema.safeParse(parseJson(raw));
  if (!parsed.success || response.status < 400) {
    if (GATEWAY_STATUSES.has(response.status)) return new AdminRequestError(response.status, 'unreachable', `the admin app is unreachable (HTTP ${response.status})`);
    return new AdminRequestError(response.status, 'malformed_response', `unexpected answer (HTTP ${response.status})`);
  }
  const retryAfter = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfter !== null && /^\d{1,7}$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return new AdminRequestError(response.status, parsed.data.error, parsed.data.message ?? parsed.data.error, retryAfterSeconds);
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
