/**
 * What a refusal of the admin app's device API becomes on this side (docs/protocol/admin-api.md
 * §2): one error type with a stable code, which the messenger and the UI act on (never on a
 * message). The codes are the server's, plus two of this client's own.
 */
import { DEVICE_API_ERROR_CODES, adminErrorBodySchema, type DeviceApiErrorCode } from '@opendescent/protocol';

/** The refusal codes of admin-api.md §2 a device can meet. */
export const ADMIN_ERROR_CODES = DEVICE_API_ERROR_CODES;

/**
 * A §2 code, or this client's own: `unreachable` (network error, timeout, or a gateway error
 * without the API's error body) and `malformed_response` (an answer that does not validate). A
 * code a newer server adds is passed through as it is.
 */
export type AdminErrorCode =
  DeviceApiErrorCode | 'unreachable' | 'malformed_response' | (string & Record<never, never>);

export class AdminRequestError extends Error {
  override readonly name = 'AdminRequestError';

  constructor(
    /** The HTTP status; 0 when no answer arrived (or the request was refused before it was sent). */
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

/**
 * Why a directory look-up (§7) was refused, each its own code so that the person is told what
 * happened:
 * - `invalid_address`: not one exact address inside the address profile (§7.2). Checked here
 *   before anything is sent (status 0), so a typo costs no look-up from the daily budget; the
 *   server checks it again (400).
 * - `rate_limited`: not allowed now, too many look-ups (§8); `retryAfterSeconds` says when.
 * - `directory_suspended`: not allowed now, until an administrator resumes this member's
 *   directory access (§8.3).
 * - `device_revoked`: this device was revoked (or its member disabled); it never looks up again.
 * An address the directory knows no current device for is not a refusal: the answer lists no
 * device. The directory answers an unknown address and a member with no enrolled device
 * alike (§7.3), so all a client can say is "no enrolled device found for this address".
 */
export const LOOKUP_REFUSAL_CODES = [
  'invalid_address',
  'rate_limited',
  'directory_suspended',
  'device_revoked',
] as const;
export type LookupRefusalCode = (typeof LOOKUP_REFUSAL_CODES)[number];

const LOOKUP_REFUSALS: ReadonlySet<string> = new Set(LOOKUP_REFUSAL_CODES);

export function isLookupRefusal(error: unknown): error is AdminRequestError & { readonly code: LookupRefusalCode } {
  return error instanceof AdminRequestError && LOOKUP_REFUSALS.has(error.code);
}

const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** §2: `{"error": code, "message": …}`; a gateway's own error page means the app is not reachable. */
export function refusal(response: Response, body: unknown): AdminRequestError {
  const parsed = adminErrorBodySchema.safeParse(body);
  if (!parsed.success || response.status < 400) {
    if (GATEWAY_STATUSES.has(response.status))
      return new AdminRequestError(
        response.status,
        'unreachable',
        `the admin app is unreachable (HTTP ${response.status})`,
      );
    return new AdminRequestError(response.status, 'malformed_response', `unexpected answer (HTTP ${response.status})`);
  }
  const retryAfter = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfter !== null && /^\d{1,7}$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return new AdminRequestError(
    response.status,
    parsed.data.error,
    parsed.data.message ?? parsed.data.error,
    retryAfterSeconds,
  );
}
