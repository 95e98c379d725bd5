// POST /api/v1/tokens (docs/protocol/admin-api.md §11.2): an enrolled, unrevoked device with a
// valid attestation sends a batch of blinded Privacy Pass token requests (RFC 9578 §6.1) in a
// signed device request, and gets the blind signatures back (§6.2). The admin app never sees the
// tokens: it cannot tell which of them a relay later sees. Nothing per issuance is audited or
// logged (it would be a timeline of the device's relay access); /metrics counts tokens only.
import { constantTimeEqual } from '@opendescent/crypto';
import {
  MAX_TOKENS_REQUEST_BYTES,
  MAX_TOKENS_REQUEST_PAYLOAD_CHARS,
  decodeTokenRequest,
  encodeBase64Url,
  encodeHex,
  tokensPayloadSchema,
  type TokensAnswerJson,
} from '@opendescent/protocol';
import { ApiError, malformed } from '../http/api-error';
import { dbBytes, unixSeconds } from '../http/encoding';
import { RATE_LIMITS, rateLimited, takeWeightedRateLimit, type RateLimitCheck } from '../http/rate-limit';
import { ensureOrganisation } from '../org/organisation';
import type { AdminServices } from '../services';
import {
  checkFreshness,
  consumeNonce,
  parseEnvelope,
  parsePayload,
  verifyDeviceSignature,
} from '../devices/signed-request';
import { BlindedMessageOutOfRange, blindSign } from './blind-sign';
import { currentTokenKeySet } from './token-keys';

/** §3.1, §11.2: the body limit of this endpoint (the route reads at most this much). */
export const MAX_TOKEN_REQUEST_BODY_BYTES = MAX_TOKENS_REQUEST_BYTES;

interface TokenLimitCheck extends RateLimitCheck {
  readonly scope: 'device' | 'member';
}

/** §11.2's limits, counted per token: narrowest first, so the first refusal names its scope. */
export function tokenLimitChecks(deviceHex: string, memberId: string): TokenLimitCheck[] {
  const device = `tokens:device:${deviceHex}`;
  const member = `tokens:member:${memberId}`;
  return [
    { scope: 'device', key: device, rule: RATE_LIMITS.tokensPerDeviceHour },
    { scope: 'device', key: device, rule: RATE_LIMITS.tokensPerDeviceDay },
    { scope: 'member', key: member, rule: RATE_LIMITS.tokensPerMemberHour },
    { scope: 'member', key: member, rule: RATE_LIMITS.tokensPerMemberDay },
  ];
}

export async function issueAccessTokens(
  s: AdminServices,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const responses = await signTokenRequests(s, body);
    s.tokenCounters.issued(responses.responses.length);
    return { status: 200, body: responses };
  } catch (error) {
    if (error instanceof ApiError) s.tokenCounters.refused(error.code);
    throw error;
  }
}

/** The checks in the order §11.2 lists them; the first failure is the answer. */
async function signTokenRequests(s: AdminServices, body: unknown): Promise<TokensAnswerJson & { responses: string[] }> {
  const now = s.now();
  const envelope = parseEnvelope(body, MAX_TOKENS_REQUEST_PAYLOAD_CHARS);
  if (envelope.attestation) throw malformed('a token request carries no attestation');
  const request = parsePayload(envelope.payload, 'tokens', tokensPayloadSchema);
  const orgId = await ensureOrganisation(s);
  if (!constantTimeEqual(request.orgId, orgId))
    throw new ApiError(403, 'wrong_organisation', 'this request names another organisation');
  checkFreshness(request.timestamp, now);
  const device = await s.prisma.device.findUnique({
    where: { id: request.deviceId },
    select: { id: true, signingKey: true, status: true, memberId: true, member: { select: { status: true } } },
  });
  if (!device) throw new ApiError(404, 'unknown_device', 'no device with this id is enrolled here');
  await verifyDeviceSignature(new Uint8Array(device.signingKey), envelope);
  if (device.status !== 'active' || device.member.status !== 'active')
    throw new ApiError(403, 'device_revoked', 'this device was revoked; it gets no access tokens');
  const newest = await s.prisma.attestation.findFirst({
    where: { deviceId: dbBytes(request.deviceId) },
    orderBy: { expiresAt: 'desc' },
    select: { expiresAt: true },
  });
  if (!newest || newest.expiresAt <= now)
    throw new ApiError(403, 'attestation_expired', 'this device’s attestation has expired: renew it first');

  const limits = await takeWeightedRateLimit(
    s,
    tokenLimitChecks(encodeHex(device.id), device.memberId),
    now,
    request.requests.length,
  );
  if (!limits.allowed)
    throw rateLimited(limits, `access tokens for this ${(limits.refusedBy as TokenLimitCheck).scope}`);
  await consumeNonce(s.prisma, request.nonce, request.timestamp);

  const current = await currentTokenKeySet(s);
  const key = current?.set.keys.find((candidate) => constantTimeEqual(candidate.tokenKeyId, request.tokenKeyId));
  if (!key)
    throw new ApiError(409, 'unknown_token_key', 'this key is not in the current token key set: fetch the set again');
  const nowSeconds = unixSeconds(now);
  if (!(key.issueFrom <= nowSeconds && nowSeconds < key.issueUntil)) {
    throw new ApiError(
      409,
      'token_key_not_issuing',
      'this key does not issue now: fetch the token key set again and use its issuing key',
    );
  }
  const blinded = request.requests.map((bytes, index) => {
    const decoded = decodeTokenRequest(bytes, request.tokenKeyId);
    if (!decoded) throw malformed(`requests.${index}: not a blind RSA (0x0002) token request for this key`);
    return decoded.blindedMessage;
  });
  const row = await s.prisma.tokenIssuerKey.findUnique({ where: { tokenKeyId: dbBytes(request.tokenKeyId) } });
  if (!row?.sealedPrivateKey)
    throw new ApiError(409, 'token_key_not_issuing', 'this key no longer issues: fetch the token key set again');
  const pair = s.issuerKeys.open(orgId, row);
  const responses = blinded.map((message, index) => {
    try {
      return encodeBase64Url(blindSign(pair, message));
    } catch (error) {
      if (error instanceof BlindedMessageOutOfRange)
        throw malformed(`requests.${index}: the blinded message is not below the key’s modulus`);
      throw error;
    }
  });
  return { tokenKeyId: encodeBase64Url(request.tokenKeyId), responses };
}
