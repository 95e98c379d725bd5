// Signed device requests (docs/protocol/admin-api.md §3): the JSON a device sends to enrol, renew
// and look colleagues up. The device signs the payload string exactly as sent, so no JSON
// canonicalisation is needed: the server verifies the bytes it received, then parses them.
import { ALLOWED_CLOCK_SKEW_SECONDS, DEVICE_REQUEST_NONCE_LENGTH, DEVICE_REQUEST_VERSION, verifyDeviceRequest } from '@opendescent/protocol';
import { z } from 'zod';
import { isUniqueViolation } from '../http/db-errors';
import { ApiError, malformed } from '../http/api-error';
import { fromBase64Url, unixSeconds } from '../http/encoding';
import type { Db } from '../services';

export { DEVICE_REQUEST_VERSION };
/** A request body is a few hundred bytes; anything near this is hostile (A5). */
export const MAX_DEVICE_REQUEST_BYTES = 8 * 1024;
const MAX_PAYLOAD_CHARS = 4 * 1024;
/** A request's timestamp may be this far from the server's clock, either way (attestations.md §2.3's skew). */
export const REQUEST_FRESHNESS_SECONDS = ALLOWED_CLOCK_SKEW_SECONDS;
export const NONCE_LENGTH = DEVICE_REQUEST_NONCE_LENGTH;

export interface DeviceRequestEnvelope {
  readonly payload: string;
  readonly signature: Uint8Array;
  readonly attestation: Uint8Array | undefined;
}

const envelopeShape = z.strictObject({
  payload: z.string().min(2).max(MAX_PAYLOAD_CHARS),
  signature: z.string(),
  attestation: z.string().max(1024).optional(),
});

export function parseEnvelope(body: unknown): DeviceRequestEnvelope {
  const parsed = envelopeShape.safeParse(body);
  if (!parsed.success) throw malformed('expected {"payload": string, "signature": base64url[, "attestation": base64url]} and nothing else');
  const signature = fromBase64Url(parsed.data.signature, 64);
  if (!signature) throw malformed('signature: expected 64 bytes in unpadded base64url');
  let attestation: Uint8Array | undefined;
  if (parsed.data.attestation !== undefined) {
    attestation = fromBase64Url(parsed.data.attestation);
    if (!attestation) throw malformed('attestation: expected unpadded base64url');
  }
  return { payload: parsed.data.payload, signature, attestation };
}

/** Bytes in unpadded base64url of an exact length. */
export const b64bytes = (length: number) =>
  z.string().transform((text, context) => {
    const bytes = fromBase64Url(text, length);
    if (!bytes) {
      context.addIssue({ code: 'custom', message: `expected ${length} bytes in unpadded base64url` });
      return z.NEVER;
    }
    return bytes;
  });

/** Fields every payload carries. */
export const commonFields = {
  v: z.number(),
  timestamp: z.number().int().min(0).max(0xffff_ffff),
  nonce: b64bytes(NONCE_LENGTH),
};

/** Parses the signed payload string as JSON and checks it against `shape` (no unknown keys). */
export function parsePayload<T extends z.ZodType<{ v: number; type: string }>>(payload: string, type: string, shape: T): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw malformed('payload: not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw malformed('payload: expected a JSON object');
  const version = (json as { v?: unknown }).v;
  if (version !== DEVICE_REQUEST_VERSION) {
    throw new ApiError(400, 'unsupported_version', `payload: version ${JSON.stringify(version)} is not supported (expected ${DEVICE_REQUEST_VERSION})`);
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
    throw new ApiError(401, 'stale_request', `the request timestamp is more than ${REQUEST_FRESHNESS_SECONDS} s from the server's clock`);
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
