// Signed device requests (docs/protocol/admin-api.md §3): the JSON a device sends to enrol, renew
// and look colleagues up. The device signs the payload string exactly as sent, so no JSON
// canonicalisation is needed: the server verifies the bytes it received, then parses them.
import {
  ALLOWED_CLOCK_SKEW_SECONDS,
  DEVICE_REQUEST_VERSION,
  MAX_DEVICE_REQUEST_BYTES,
  MAX_DEVICE_REQUEST_PAYLOAD_CHARS,
  signedRequestBodySchema,
  verifyDeviceRequest,
  type DeviceRequestType,
} from '@opendescent/protocol';
import type { z } from 'zod';
import { isUniqueViolation } from '../http/db-errors';
import { ApiError, malformed } from '../http/api-error';
import { unixSeconds } from '../http/encoding';
import type { Db } from '../services';

// The JSON itself (fields, limits) is @opendescent/protocol's admin-api schemas, shared with the web client.
export { MAX_DEVICE_REQUEST_BYTES };
/** A request's timestamp may be this far from the server's clock, either way (attestations.md §2.3's skew). */
export const REQUEST_FRESHNESS_SECONDS = ALLOWED_CLOCK_SKEW_SECONDS;

export interface DeviceRequestEnvelope {
  readonly payload: string;
  readonly signature: Uint8Array;
  readonly attestation: Uint8Array | undefined;
}

const defaultBody = signedRequestBodySchema();
const ENCODED_FIELDS: ReadonlySet<PropertyKey> = new Set(['signature', 'attestation']);

/** §3.1. `maxPayloadChars`: larger only for an endpoint whose requests are (admin-api.md §11.2). */
export function parseEnvelope(
  body: unknown,
  maxPayloadChars: number = MAX_DEVICE_REQUEST_PAYLOAD_CHARS,
): DeviceRequestEnvelope {
  const parsed = (
    maxPayloadChars === MAX_DEVICE_REQUEST_PAYLOAD_CHARS ? defaultBody : signedRequestBodySchema(maxPayloadChars)
  ).safeParse(body);
  if (!parsed.success) {
    // A binary field that does not decode is named; any other shape error gets the layout.
    const issue = parsed.error.issues[0];
    const field = issue?.path.length === 1 ? issue.path[0] : undefined;
    if (issue?.code === 'custom' && ENCODED_FIELDS.has(field as PropertyKey))
      throw malformed(`${String(field)}: ${issue.message}`);
    throw malformed(
      'expected {"payload": string, "signature": base64url[, "attestation": base64url]} and nothing else',
    );
  }
  return { payload: parsed.data.payload, signature: parsed.data.signature, attestation: parsed.data.attestation };
}

/** Parses the signed payload string as JSON and checks it against `shape` (no unknown keys). */
export function parsePayload<T extends z.ZodType<{ v: number; type: DeviceRequestType }>>(
  payload: string,
  type: DeviceRequestType,
  shape: T,
): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw malformed('payload: not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw malformed('payload: expected a JSON object');
  const version = (json as { v?: unknown }).v;
  if (version !== DEVICE_REQUEST_VERSION) {
    throw new ApiError(
      400,
      'unsupported_version',
      `payload: version ${JSON.stringify(version)} is not supported (expected ${DEVICE_REQUEST_VERSION})`,
    );
  }
  if ((json as { type?: unknown }).type !== type) throw malformed(`payload: expected type "${type}" at this endpoint`);
  const parsed = shape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(`payload: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export async function verifyDeviceSignature(signingKey: Uint8Array, envelope: DeviceRequestEnvelope): Promise<void> {
  if (!(await verifyDeviceRequest(envelope.payload, envelope.signature, signingKey))) {
    throw new ApiError(401, 'bad_signature', 'the request signature does not verify under the device key');
  }
}

export function checkFreshness(timestamp: number, now: Date): void {
  if (Math.abs(unixSeconds(now) - timestamp) > REQUEST_FRESHNESS_SECONDS) {
    throw new ApiError(
      401,
      'stale_request',
      `the request timestamp is more than ${REQUEST_FRESHNESS_SECONDS} s from the server's clock`,
    );
  }
}

/**
 * Records a nonce; a second use inside the freshness window is `replayed`. Kept until the
 * request's timestamp could no longer pass checkFreshness, so a replay is always caught by one
 * of the two checks.
 */
export async function consumeNonce(db: Db, nonce: Uint8Array, timestamp: number): Promise<void> {
  try {
    await db.deviceRequestNonce.create({
      data: { nonce: new Uint8Array(nonce), expiresAt: new Date((timestamp + REQUEST_FRESHNESS_SECONDS + 60) * 1000) },
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError(409, 'replayed', 'this request was already received');
    }
    throw error;
  }
}
