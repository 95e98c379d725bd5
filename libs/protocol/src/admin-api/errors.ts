/** Refusals (docs/protocol/admin-api.md §2): `{"error": code, "message": for people}`, a stable code clients act on. */
import { z } from 'zod';

/** The §2 codes a device can meet on the device endpoints (§3-§9, §11). */
export const DEVICE_API_ERROR_CODES = [
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
  'attestation_expired',
  'directory_suspended',
  'unknown_device',
  'replayed',
  'unknown_token_key',
  'token_key_not_issuing',
  'key_in_use',
  'identity_not_allowed',
  'code_used',
  'code_expired',
  'code_cancelled',
  'code_locked',
  'too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal',
  'token_keys_unavailable',
  'unknown_tree_size',
  'not_in_log',
  'certificate_mismatch',
  'user_key_mismatch',
] as const;

export type DeviceApiErrorCode = (typeof DEVICE_API_ERROR_CODES)[number];

/** An error code: lower case, digits and underscores. A newer server may add codes; a client passes them through. */
export const adminErrorBodySchema = z.object({
  error: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  message: z.string().max(2_000).optional(),
});

export type AdminErrorBodyJson = z.input<typeof adminErrorBodySchema>;
