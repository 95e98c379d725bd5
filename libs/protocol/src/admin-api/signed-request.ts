/**
 * Signed device requests (docs/protocol/admin-api.md §3): the body, its limits and the payload
 * fields every request carries. The device signs the payload string exactly as sent
 * (deviceRequestSigningInput), so the payload travels as a string and is parsed by the server
 * only after the signature over those bytes has been checked.
 */
import { z } from 'zod';
import { DEVICE_REQUEST_NONCE_LENGTH, DEVICE_REQUEST_VERSION } from '../device-request';
import { base64UrlField, unixSecondsField } from './json-fields';

/** §3.1: a request body is a few hundred bytes; anything near this is hostile (A5). */
export const MAX_DEVICE_REQUEST_BYTES = 8 * 1024;
export const MAX_DEVICE_REQUEST_PAYLOAD_CHARS = 4 * 1024;
/** §3.1, §11.2: 20 token requests of 346 base64url characters are about 7 KiB of payload: room, and no more. */
export const MAX_TOKENS_REQUEST_BYTES = 16 * 1024;
export const MAX_TOKENS_REQUEST_PAYLOAD_CHARS = 12 * 1024;
/** §3.1: the attestation a look-up carries, as base64url text. */
export const MAX_ATTESTATION_FIELD_CHARS = 1024;

/** The request types of §3.3, one per endpoint, so a request signed for one cannot be replayed at another. */
export type DeviceRequestType = 'enrol' | 'renew' | 'lookup' | 'tokens' | 'certify';

/** §3.1: `{payload, signature[, attestation]}` and nothing else. */
export function signedRequestBodySchema(maxPayloadChars: number = MAX_DEVICE_REQUEST_PAYLOAD_CHARS) {
  return z.strictObject({
    payload: z.string().min(2).max(maxPayloadChars),
    signature: base64UrlField(64),
    attestation: z.string().max(MAX_ATTESTATION_FIELD_CHARS).pipe(base64UrlField()).optional(),
  });
}

/** §3.3: the fields of every payload. `v` is checked first by the server (`unsupported_version`). */
export const deviceRequestFields = {
  v: z.literal(DEVICE_REQUEST_VERSION),
  timestamp: unixSecondsField,
  nonce: base64UrlField(DEVICE_REQUEST_NONCE_LENGTH),
};

/** The JSON a device sends: the body (§3.1). */
export type SignedRequestBodyJson = z.input<ReturnType<typeof signedRequestBodySchema>>;
