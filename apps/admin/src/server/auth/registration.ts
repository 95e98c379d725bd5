// Passkey registration: first admin, invited admin, passkey reset. Every way to register a passkey
// is a one-time link (docs/decisions/0006-admin-auth.md, "Recovery"): the setup link printed at
// first start, an invitation or a reset made by an admin signed in with a passkey, or a reset made
// on the server with `npm run admin:reset-link`. A link that cannot be redeemed is a failure
// counted per source (admin-api.md §8); a valid one always proceeds, bounded per link instead.
import { randomUUID } from 'node:crypto';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomBytes } from '@opendescent/crypto';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import { countFailures, failureBudget, type Attempt } from '../http/failure-budget';
import { rateLimited, takeRateLimit, type RateLimit } from '../http/rate-limit';
import { requireDisplayName } from '../members/member-fields';
import type { AdminServices } from '../services';
import { linkRefusal, refusedLink } from './link-redemption';
import { invitationHash } from './one-time-secrets';
import { RP_NAME, storeChallenge, takeChallenge, userHandle } from './passkeys';
import { createSession } from './sessions';

/**
 * Registration options asked for with one valid link: a person retries a few times at most; the
 * cap keeps a link's holder from filling the challenge table.
 */
export const REGISTRATION_CHALLENGES_PER_LINK: RateLimit = { limit: 10, windowSeconds: 15 * 60 };

const registrationStart = z.object({
  token: z.string().max(128),
  displayName: z.string().max(256).optional(),
});

export async function startRegistration(
  s: AdminServices,
  attempt: Attempt,
): Promise<{ challengeId: string; options: unknown; displayName: string }> {
  return countFailures(s, failureBudget('registration', attempt.source), async () => {
    const parsed = registrationStart.safeParse(await attempt.readBody());
    if (!parsed.success) throw new ApiError(400, 'malformed', 'expected {"token", "displayName"}');
    const now = s.now();
    // A hash look-up first: junk stops here, cheaply.
    const invitation = await s.prisma.adminInvitation.findUnique({
      where: { tokenHash: invitationHash(parsed.data.token) },
    });
    const refusal = await linkRefusal(s.prisma, invitation, now);
    if (refusal || !invitation) throw refusedLink(refusal ?? 'unknown', invitation, attempt.source);
    let adminId: string;
    let displayName: string;
    if (invitation.adminId) {
      const admin = await s.prisma.admin.findUniqueOrThrow({ where: { id: invitation.adminId } });
      adminId = admin.id;
      displayName = admin.displayName;
    } else {
      adminId = randomUUID();
      displayName = requireDisplayName(parsed.data.displayName);
    }
    const perLink = await takeRateLimit(
      s,
      [{ key: `register:invitation:${invitation.id}`, rule: REGISTRATION_CHALLENGES_PER_LINK }],
      now,
    );
    if (!perLink.allowed) throw rateLimited(perLink, 'passkey requests with this link');
    const existingCredentials = await s.prisma.adminCredential.findMany({
      where: { adminId },
      select: { id: true, transports: true },
    });
    const options = await generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: s.config.rpId,
      userName: displayName,
      userDisplayName: displayName,
      userID: userHandle(adminId),
      challenge: dbBytes(randomBytes(32)),
      attestationType: 'none',
      excludeCredentials: existingCredentials.map((c) => ({ id: c.id, transports: c.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    });
    const challengeId = await storeChallenge(s, options.challenge, 'register', {
      adminId,
      displayName,
      invitationId: invitation.id,
    });
    return { challengeId, options, displayName };
  });
}

const registrationFinish = z.object({
  challengeId: z.string(),
  response: z.looseObject({ id: z.string().max(1024), response: z.looseObject({}) }),
});

export interface Registered {
  readonly adminId: string;
  readonly cookie: string;
}

export async function finishRegistration(s: AdminServices, attempt: Attempt): Promise<Registered> {
  return countFailures(s, failureBudget('registration', attempt.source), async () => {
    const parsed = registrationFinish.safeParse(await attempt.readBody());
    if (!parsed.success) throw new ApiError(400, 'malformed', 'expected {"challengeId", "response"}');
    const challenge = await takeChallenge(s, parsed.data.challengeId, 'register');
    const adminId = challenge.adminId;
    const invitationId = challenge.invitationId;
    if (!adminId || !challenge.displayName || !invitationId)
      throw new ApiError(400, 'challenge_invalid', 'this passkey request is incomplete; start again');
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response: parsed.data.response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge.challenge,
        expectedOrigin: s.config.publicUrl,
        expectedRPID: s.config.rpId,
        requireUserVerification: true,
      });
    } catch (error) {
      throw new ApiError(
        400,
        'registration_failed',
        `the passkey was not accepted: ${error instanceof Error ? error.message : 'invalid response'}`,
      );
    }
    if (!verification.verified) throw new ApiError(400, 'registration_failed', 'the passkey was not accepted');
    const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
    const now = s.now();
    const displayName = challenge.displayName;
    return s.prisma.$transaction(async (tx) => {
      // Checked again here: the link may have been used, cancelled or lost its maker meanwhile.
      const invitation = await tx.adminInvitation.findUnique({ where: { id: invitationId } });
      const refusal = await linkRefusal(tx, invitation, now);
      if (refusal || !invitation) throw refusedLink(refusal ?? 'unknown', invitation, attempt.source);
      const claimed = await tx.adminInvitation.updateMany({
        where: { id: invitation.id, usedAt: null, cancelledAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (claimed.count !== 1) throw refusedLink('used', invitation, attempt.source);
      const replacing = invitation.adminId !== null;
      if (!replacing) {
        await tx.admin.create({ data: { id: adminId, displayName, createdAt: now } });
      } else {
        // A reset means the old passkeys are lost or in the wrong hands: they and
        // every open session of this admin stop working now.
        const removed = await tx.adminCredential.deleteMany({ where: { adminId } });
        await tx.adminSession.deleteMany({ where: { adminId } });
        await recordAudit(tx, `admin:${adminId}`, 'admin.passkeys_replaced', { removedPasskeys: removed.count });
      }
      await tx.adminCredential.create({
        data: {
          id: credential.id,
          adminId,
          publicKey: dbBytes(credential.publicKey),
          counter: BigInt(credential.counter),
          transports: credential.transports ?? [],
          deviceType: credentialDeviceType,
          backedUp: credentialBackedUp,
          createdAt: now,
        },
      });
      await recordAudit(tx, `admin:${adminId}`, replacing ? 'admin.passkey_registered' : 'admin.registered', {
        credentialId: credential.id,
        displayName,
        via: invitation.purpose,
      });
      const cookie = await createSession(tx, s, adminId);
      return { adminId, cookie };
    });
  });
}
