// Passkey sign-in (docs/decisions/0006-admin-auth.md, "Passkeys"; admin-api.md §8, §10).
// Options cost nothing and store nothing (sign-in-challenge.ts). Verification counts failures
// only, per source and per passkey, after the request was checked: a valid passkey signs in
// whatever anyone else sent before it.
import {
  verifyAuthenticationResponse,
  generateAuthenticationOptions,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { decodeBase64Url, encodeBase64Url } from '@opendescent/protocol';
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { isUniqueViolation } from '../http/db-errors';
import { FailedAttempt, countFailures, type Attempt, credentialCheck, failureBudget } from '../http/failure-budget';
import type { AdminServices } from '../services';
import { userHandle } from './passkeys';
import { issueSignInChallenge, openSignInChallenge } from './sign-in-challenge';
import { createSession } from './sessions';

/** The row that marks a sign-in challenge as answered (webauthn_challenges.purpose). */
export const USED_SIGN_IN_CHALLENGE = 'authenticate-used';

export async function startSignIn(s: AdminServices): Promise<{ challengeId: string; options: unknown }> {
  const issued = issueSignInChallenge(s.config.masterKey, s.now());
  const challenge = decodeBase64Url(issued.challenge);
  const options = await generateAuthenticationOptions({ rpID: s.config.rpId, userVerification: 'required', challenge });
  return { challengeId: issued.token, options };
}

const signInBody = z.object({
  challengeId: z.string().max(256),
  response: z.looseObject({ id: z.string().max(1024), response: z.looseObject({}) }),
});

const challengeInvalid = () =>
  new ApiError(400, 'challenge_invalid', 'this passkey request expired or was already answered; start again');

export async function finishSignIn(s: AdminServices, attempt: Attempt): Promise<{ adminId: string; cookie: string }> {
  return countFailures(s, failureBudget('sign-in', attempt.source), async () => {
    const parsed = signInBody.safeParse(await attempt.readBody());
    if (!parsed.success) throw new ApiError(400, 'malformed', 'expected {"challengeId", "response"}');
    const now = s.now();
    const challenge = openSignInChallenge(s.config.masterKey, parsed.data.challengeId, now);
    if (!challenge) throw challengeInvalid();
    // Answered already: said plainly here; the insert below is what makes it race-free.
    if (
      await s.prisma.webAuthnChallenge.findUnique({ where: { challenge: challenge.challenge }, select: { id: true } })
    )
      throw challengeInvalid();
    const response = parsed.data.response as unknown as AuthenticationResponseJSON;
    const credential = await s.prisma.adminCredential.findUnique({
      where: { id: response.id },
      include: { admin: true },
    });
    const refuse = (why: string) =>
      new FailedAttempt(
        new ApiError(401, 'sign_in_failed', 'this passkey is not accepted here'),
        {
          actor: 'system',
          action: 'admin.sign_in_failed',
          detail: { reason: why, source: attempt.source, ...(credential ? { adminId: credential.adminId } : {}) },
        },
        credential ? [credentialCheck(credential.id)] : [],
      );
    if (!credential || credential.admin.disabledAt) throw refuse(credential ? 'admin disabled' : 'unknown passkey');
    const handle = response.response.userHandle;
    if (handle !== undefined && handle !== encodeBase64Url(userHandle(credential.adminId)))
      throw refuse('user handle mismatch');
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: s.config.publicUrl,
        expectedRPID: s.config.rpId,
        requireUserVerification: true,
        credential: {
          id: credential.id,
          publicKey: new Uint8Array(credential.publicKey),
          counter: Number(credential.counter),
          transports: credential.transports,
        },
      });
    } catch {
      throw refuse('verification failed');
    }
    if (!verification.verified) throw refuse('verification failed');
    try {
      return await s.prisma.$transaction(async (tx) => {
        // Single use: the second answer to one challenge collides with the first one's row.
        await tx.webAuthnChallenge.create({
          data: {
            challenge: challenge.challenge,
            purpose: USED_SIGN_IN_CHALLENGE,
            createdAt: now,
            expiresAt: challenge.expiresAt,
          },
        });
        await tx.adminCredential.update({
          where: { id: credential.id },
          data: { counter: BigInt(verification.authenticationInfo.newCounter), lastUsedAt: now },
        });
        await recordAudit(tx, `admin:${credential.adminId}`, 'admin.signed_in', { credentialId: credential.id });
        return { adminId: credential.adminId, cookie: await createSession(tx, s, credential.adminId) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw challengeInvalid();
      throw error;
    }
  });
}
