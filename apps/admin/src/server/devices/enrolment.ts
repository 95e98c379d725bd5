// Enrolment (docs/protocol/admin-api.md §4.2): a new device redeems a one-time code with a
// request signed by its new identity key and gets its first attestation. Guessing is slowed by
// failure budgets (§8): every failed attempt counts against its source address, wrong secrets
// against their code (5, then locked); a request naming a code that can still be redeemed is
// never refused because its source is over budget, so one person's typos behind a shared NAT do
// not stop their colleagues.
import { encodeBase64Url, encodeHex, enrolPayloadSchema } from '@opendescent/protocol';
import type { EnrolmentCode, Member } from '../../generated/prisma/client';
import { isUniqueViolation } from '../http/db-errors';
import { recordAudit } from '../audit/audit-log';
import { appendToLog } from '../log/log-append';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import {
  countFailures,
  failureBudget,
  overFailureBudget,
  peekFailureBudget,
  type Attempt,
} from '../http/failure-budget';
import { RATE_LIMITS } from '../http/rate-limit';
import { activeSigner } from '../org/organisation';
import type { AdminServices } from '../services';
import { attestationResponse, newDeviceId, signDeviceAttestation } from './attestation-issuer';
import { parseEnrolmentCode, secretMatches } from './enrolment-codes';
import { checkFreshness, consumeNonce, parseEnvelope, parsePayload, verifyDeviceSignature } from './signed-request';

const codeInvalid = () => new ApiError(403, 'code_invalid', 'this enrolment code is not valid');

/** A code that the right secret would still redeem now. */
function redeemable(code: EnrolmentCode & { member: Member }, now: Date): boolean {
  return (
    !code.usedAt &&
    !code.cancelledAt &&
    code.attempts < RATE_LIMITS.enrolmentCodeAttempts &&
    code.expiresAt > now &&
    code.member.status === 'active'
  );
}

export async function enrolDevice(
  s: AdminServices,
  attempt: Attempt,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const budget = failureBudget('enrolment', attempt.source);
  return countFailures(s, budget, async () => {
    const now = s.now();
    const envelope = parseEnvelope(await attempt.readBody());
    if (envelope.attestation) throw new ApiError(400, 'malformed', 'an enrolment request carries no attestation');
    const request = parsePayload(envelope.payload, 'enrol', enrolPayloadSchema);
    checkFreshness(request.timestamp, now);
    if (request.agreementKey.every((byte) => byte === 0))
      throw new ApiError(400, 'malformed', 'agreementKey: the all-zero key is not a key');
    const parts = parseEnrolmentCode(request.code);
    const code = parts
      ? await s.prisma.enrolmentCode.findUnique({ where: { handle: parts.handle }, include: { member: true } })
      : null;
    // Past the source's budget only a code that can still be redeemed is worth a signature check;
    // the answer is 429 either way unless the request succeeds, so this tells the caller nothing.
    if (!code || !redeemable(code, now)) {
      const over = await peekFailureBudget(s, budget);
      if (!over.allowed) throw overFailureBudget(budget, over);
    }
    // Proof of possession of the new identity key, before the code's secret is even looked at.
    await verifyDeviceSignature(request.signingKey, envelope);

    if (!parts || !code) throw codeInvalid();
    if (!secretMatches(parts, code.secretHash)) {
      await s.prisma.enrolmentCode.update({ where: { id: code.id }, data: { attempts: { increment: 1 } } });
      if (code.attempts + 1 === RATE_LIMITS.enrolmentCodeAttempts) {
        await recordAudit(s.prisma, 'system', 'enrolment_code.locked', { codeId: code.id, handle: code.handle });
      }
      throw codeInvalid();
    }
    // From here the caller holds the code: it may learn why it no longer works.
    if (code.usedAt) throw new ApiError(410, 'code_used', 'this enrolment code was already used');
    if (code.cancelledAt)
      throw new ApiError(410, 'code_cancelled', 'this enrolment code was cancelled by an administrator');
    // Disabling a member cancels their codes; this is the second lock, should one be missed.
    if (code.member.status === 'disabled')
      throw new ApiError(410, 'code_cancelled', 'this enrolment code was cancelled: the member was disabled');
    if (code.attempts >= RATE_LIMITS.enrolmentCodeAttempts)
      throw new ApiError(410, 'code_locked', 'this enrolment code was locked after too many wrong attempts');
    if (code.expiresAt <= now) throw new ApiError(410, 'code_expired', 'this enrolment code has expired');
    if (await s.prisma.device.findUnique({ where: { signingKey: request.signingKey }, select: { id: true } })) {
      throw new ApiError(409, 'key_in_use', 'a device with this identity key is already enrolled');
    }

    const signer = await activeSigner(s);
    const deviceId = dbBytes(newDeviceId());
    const attestation = await signDeviceAttestation(
      s,
      signer,
      { deviceId, signingKey: request.signingKey, agreementKey: request.agreementKey },
      code.member,
    );
    try {
      await s.prisma.$transaction(async (tx) => {
        await consumeNonce(tx, request.nonce, request.timestamp);
        const claimed = await tx.enrolmentCode.updateMany({
          where: {
            id: code.id,
            usedAt: null,
            cancelledAt: null,
            expiresAt: { gt: now },
            attempts: { lt: RATE_LIMITS.enrolmentCodeAttempts },
            member: { is: { status: 'active' } },
          },
          data: { usedAt: now, deviceId },
        });
        if (claimed.count !== 1) throw new ApiError(410, 'code_used', 'this enrolment code was already used');
        await tx.device.create({
          data: {
            id: deviceId,
            memberId: code.memberId,
            signingKey: request.signingKey,
            agreementKey: request.agreementKey,
            prekeySlotId: request.prekeySlotId ?? null,
            enrolledAt: now,
          },
        });
        await tx.attestation.create({
          data: {
            deviceId,
            orgKeyId: dbBytes(signer.keyId),
            issuedAt: attestation.issuedAt,
            expiresAt: attestation.expiresAt,
            reason: 'enrolment',
            bytes: new Uint8Array(attestation.bytes),
          },
        });
        await appendToLog(tx, 'attestation', attestation.bytes, now);
        await recordAudit(tx, `device:${encodeHex(deviceId)}`, 'device.enrolled', {
          deviceId: encodeHex(deviceId),
          memberId: code.memberId,
          address: code.member.address,
          codeId: code.id,
          signingKey: encodeBase64Url(request.signingKey),
        });
      });
    } catch (error) {
      // Two requests with the same fresh identity key raced: the loser sees the unique key.
      if (isUniqueViolation(error)) {
        throw new ApiError(409, 'key_in_use', 'a device with this identity key is already enrolled');
      }
      throw error;
    }
    return { status: 201, body: await attestationResponse(s, deviceId, attestation) };
  });
}
