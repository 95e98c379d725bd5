// Passkey ceremonies with @simplewebauthn/server (docs/decisions/0006-admin-auth.md, "Passkeys"):
// what sign-in.ts and registration.ts share. Discoverable credentials with user verification
// required: a passkey is something the admin has plus something they know or are, and it is bound
// to this origin, so it cannot be phished. Registration challenges live in the database, single
// use, five minutes; sign-in challenges are stateless (sign-in-challenge.ts).
import { decodeHex } from '@opendescent/protocol';
import type { WebAuthnChallenge } from '../../generated/prisma/client';
import { ApiError } from '../http/api-error';
import { isUuid } from '../http/ids';
import type { AdminServices } from '../services';

export const CHALLENGE_LIFETIME_SECONDS = 300;
export const RP_NAME = 'OpenDescent administration';

/** A WebAuthn user handle must not be personal data: the admin's random UUID, as 16 bytes. */
export function userHandle(adminId: string): Uint8Array<ArrayBuffer> {
  return decodeHex(adminId.replace(/-/g, ''));
}

export async function storeChallenge(
  s: AdminServices,
  challenge: string,
  purpose: 'register',
  extra: Partial<Pick<WebAuthnChallenge, 'adminId' | 'displayName' | 'invitationId'>> = {},
): Promise<string> {
  const now = s.now();
  const row = await s.prisma.webAuthnChallenge.create({
    data: {
      challenge,
      purpose,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_SECONDS * 1000),
      ...extra,
    },
  });
  return row.id;
}

/** Takes a challenge out of the store: it answers once, or not at all once expired. */
export async function takeChallenge(s: AdminServices, id: unknown, purpose: 'register'): Promise<WebAuthnChallenge> {
  if (!isUuid(id)) throw new ApiError(400, 'malformed', 'challengeId: expected a UUID');
  const row = await s.prisma.webAuthnChallenge.findUnique({ where: { id } });
  const taken = row ? await s.prisma.webAuthnChallenge.deleteMany({ where: { id } }) : { count: 0 };
  if (!row || taken.count !== 1 || row.purpose !== purpose || row.expiresAt <= s.now()) {
    throw new ApiError(400, 'challenge_invalid', 'this passkey request expired or was already answered; start again');
  }
  return row;
}
