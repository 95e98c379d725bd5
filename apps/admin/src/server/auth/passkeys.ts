// Passkey ceremonies with @simplewebauthn/server (docs/decisions/0006-admin-auth.md, "Passkeys").
// Discoverable credentials with user verification required: a passkey is something the admin has
// plus something they know or are, and it is bound to this origin, so it cannot be phished.
// Challenges live in the database, single use, five minutes.
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomBytes } from '@opendescent/crypto';
import { z } from 'zod';
import type { WebAuthnChallenge } from '../../generated/prisma/client';
import { recordAudit } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { dbBytes, fromHex, toBase64Url } from '../http/encoding';
import { requireDisplayName } from '../members/member-fields';
import type { AdminServices } from '../services';
import { activeAdminCount, invitationHash } from './one-time-secrets';
import { createSession } from './sessions';
import { isUuid } from '../http/ids';

export const CHALLENGE_LIFETIME_SECONDS = 300;
export const RP_NAME = 'OpenDescent administration';

/** A WebAuthn user handle must not be personal data: the admin's random UUID, as 16 bytes. */
export function userHandle(adminId: string): Uint8Array<ArrayBuffer> {
  return fromHex(adminId.replace(/-/g, ''));
}

async function storeChallenge(
  s: AdminServices,
  challenge: string,
  purpose: 'register' | 'authenticate',
  extra: Partial<Pick<WebAuthnChallenge, 'adminId' | 'displayName' | 'invitationId'>> = {},
): Promise<string> {
  const now = s.now();
  const row = await s.prisma.webAuthnChallenge.create({
    data: { challenge, purpose, createdAt: now, expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000), ...extra },
  });
  return row.id;
}

/** Takes a challenge out of the store: it answers once, or not at all once expired. */
async function takeChallenge(s: AdminServices, id: unknown, purpose: 'register' | 'authenticate'): Promise<WebAuthnChallenge> {
  if (!isUuid(id)) throw new ApiError(400, 'malformed', 'challengeId: expected a UUID');
  const row = await s.prisma.webAuthnChallenge.findUnique({ where: { id } });
  const taken = row ? await s.prisma.webAuthnChallenge.deleteMany({ where: { id } }) : { count: 0 };
  if (!row || taken.count !== 1 || row.purpose !== purpose || row.expiresAt <= s.now()) {
    throw new ApiError(400, 'challenge_invalid', 'this passkey request expired or was already answered; start again');
  }
  return row;
}

// ── sign-in ────────────────────────────────────────────────────────────────────────────────

export async function startSignIn(s: AdminServices): Promise<{ challengeId: string; options: unknown }> {
  const options = await generateAuthenticationOptions({ rpID: s.config.rpId, userVerification: 'required', challenge: dbBytes(randomBytes(32)) });
  return { challengeId: await storeChallenge(s, options.challenge, 'authenticate'), options };
}

const signInBody = z.object({ challengeId: z.string(), response: z.looseObject({ id: z.string().max(1024), response: z.looseObject({}) }) });

export async function finishSignIn(s: AdminServices, body: unknown): Promise<{ adminId: string; cookie: string }> {
  const parsed = signInBody.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'malformed', 'expected {"challengeId", "response"}');
  const now = s.now();
  const challenge = await takeChallenge(s, parsed.data.challengeId, 'authenticate');
  const response = parsed.data.response as unknown as AuthenticationResponseJSON;
  const credential = await s.prisma.adminCredential.findUnique({ where: { id: response.id }, include: { admin: true } });
  const refuse = async (why: string) => {
    await recordAudit(s.prisma, 'system', 'admin.sign_in_failed', { reason: why, ...(credential ? { adminId: credential.adminId } : {}) });
    return new ApiError(401, 'sign_in_failed', 'this passkey is not accepted here');
  };
  if (!credential || credential.admin.disabledAt) throw await refuse(credential ? 'admin disabled' : 'unknown passkey');
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== toBase64Url(userHandle(credential.adminId))) throw await refuse('user handle mismatch');
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: s.config.publicUrl,
      expectedRPID: s.config.rpId,
      requireUserVerification: true,
      credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: Number(credential.counter), transports: credential.transports },
    });
  } catch {
    throw await refuse('verification failed');
  }
  if (!verification.verified) throw await refuse('verification failed');
  const cookie = await s.prisma.$transaction(async (tx) => {
    await tx.adminCredential.update({ where: { id: credential.id }, data: { counter: BigInt(verification.authenticationInfo.newCounter), lastUsedAt: now } });
    await recordAudit(tx, `admin:${credential.adminId}`, 'admin.signed_in', { credentialId: credential.id });
    return createSession(tx, s, credential.adminId);
  });
  return { adminId: credential.adminId, cookie };
}

// ── registration: first admin, invited admin, passkey reset ────────────────────────────────
// Every way to register a passkey is a one-time link (docs/decisions/0006-admin-auth.md,
// "Recovery"): the setup link printed at first start, an invitation or a reset made by an admin
// signed in with a passkey, or a reset made on the server with `npm run admin:reset-link`.

const registrationStart = z.object({
  token: z.string().max(128),
  displayName: z.string().max(256).optional(),
});

export async function startRegistration(s: AdminServices, body: unknown): Promise<{ challengeId: string; options: unknown; displayName: string }> {
  const parsed = registrationStart.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'malformed', 'expected {"token", "displayName"}');
  const now = s.now();
  let adminId: string;
  let displayName: string;
  const invitation = await s.prisma.adminInvitation.findUnique({ where: { tokenHash: invitationHash(parsed.data.token) } });
  if (!invitation || invitation.usedAt || invitation.cancelledAt || invitation.expiresAt <= now) {
    throw new ApiError(403, 'invitation_invalid', 'this link is not valid any more: ask an administrator for a new one');
  }
  if (invitation.purpose === 'setup' && (await activeAdminCount(s.prisma)) > 0) {
    throw new ApiError(403, 'invitation_invalid', 'this setup link is not valid any more: an administrator already exists');
  }
  if (invitation.adminId) {
    const admin = await s.prisma.admin.findUnique({ where: { id: invitation.adminId } });
    if (!admin || admin.disabledAt) throw new ApiError(403, 'invitation_invalid', 'this administrator was removed');
    adminId = admin.id;
    displayName = admin.displayName;
  } else {
    adminId = randomUUID();
    displayName = requireDisplayName(parsed.data.displayName);
  }
  const extra = { invitationId: invitation.id };
  let existingCredentials: { id: string; transports: string[] }[] = [];
  existingCredentials = await s.prisma.adminCredential.findMany({ where: { adminId }, select: { id: true, transports: true } });
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
  const challengeId = await storeChallenge(s, options.challenge, 'register', { adminId, displayName, ...extra });
  return { challengeId, options, displayName };
}

const registrationFinish = z.object({ challengeId: z.string(), response: z.looseObject({ id: z.string().max(1024), response: z.looseObject({}) }) });

export interface Registered {
  readonly adminId: string;
  readonly cookie: string;
}

export async function finishRegistration(s: AdminServices, body: unknown): Promise<Registered> {
  const parsed = registrationFinish.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'malformed', 'expected {"challengeId", "response"}');
  const challenge = await takeChallenge(s, parsed.data.challengeId, 'register');
  const adminId = challenge.adminId;
  if (!adminId || !challenge.displayName) throw new ApiError(400, 'challenge_invalid', 'this passkey request is incomplete; start again');
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
    throw new ApiError(400, 'registration_failed', `the passkey was not accepted: ${error instanceof Error ? error.message : 'invalid response'}`);
  }
  if (!verification.verified) throw new ApiError(400, 'registration_failed', 'the passkey was not accepted');
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const now = s.now();
  const displayName = challenge.displayName;
  return s.prisma.$transaction(async (tx) => {
    let replacing = false;
    let isNewAdmin = false;
    let invitationPurpose: string | undefined;
    if (challenge.invitationId) {
      const invitation = await tx.adminInvitation.findUnique({ where: { id: challenge.invitationId } });
      const claimed = await tx.adminInvitation.updateMany({
        where: { id: challenge.invitationId, usedAt: null, cancelledAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (!invitation || claimed.count !== 1) throw new ApiError(403, 'invitation_invalid', 'this link was used or cancelled meanwhile');
      if (invitation.purpose === 'setup' && (await activeAdminCount(tx)) > 0) {
        throw new ApiError(403, 'invitation_invalid', 'an administrator was set up meanwhile');
      }
      invitationPurpose = invitation.purpose;
      replacing = invitation.adminId !== null;
      isNewAdmin = invitation.adminId === null;
    } else {
      throw new ApiError(400, 'challenge_invalid', 'this passkey request is incomplete; start again');
    }
    if (isNewAdmin) {
      await tx.admin.create({ data: { id: adminId, displayName, createdAt: now } });
    }
    if (replacing) {
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
    await recordAudit(tx, `admin:${adminId}`, isNewAdmin ? 'admin.registered' : 'admin.passkey_registered', {
      credentialId: credential.id,
      displayName,
      via: invitationPurpose ?? 'invitation',
    });
    const cookie = await createSession(tx, s, adminId);
    return { adminId, cookie };
  });
}
