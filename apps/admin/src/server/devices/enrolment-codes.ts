// One-time enrolment codes (docs/protocol/admin-api.md §4). A code is a public handle (to find
// the row) and a secret (only its hash is stored), both in Crockford base32 so that people can
// read them aloud and type them without ambiguity:
//   HHHH-HHHH-SSSS-SSSS-SSSS-SSSS   8 handle + 16 secret characters = 40 + 80 bits.
// The secret's 80 bits make guessing hopeless; a handle also locks after a few wrong secrets, and
// failed redemptions spend their source's failure budget (admin-api.md §8.1).
import { concatBytes, constantTimeEqual, randomBytes, sha256, utf8Encode } from '@opendescent/crypto';
import { addressSkeleton } from '@opendescent/protocol';
import type { Member, Prisma } from '../../generated/prisma/client';
import { recordAudit, type Actor } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { isUniqueViolation } from '../http/db-errors';
import { RATE_LIMITS } from '../http/rate-limit';
import { refuseLookAlike } from '../members/address-skeletons';
import { requireAddress, requireDisplayName } from '../members/member-fields';
import { lockMemberRow } from '../members/member-lock';
import type { AdminServices } from '../services';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const HANDLE_LENGTH = 8;
export const SECRET_LENGTH = 16;
const HASH_LABEL = utf8Encode('OpenDescent enrolment code v1');

export interface EnrolmentCodeParts {
  readonly handle: string;
  readonly secret: string;
}

function randomSymbols(count: number): string {
  // 256 is a multiple of 32: masking a random byte to 5 bits is uniform.
  return Array.from(randomBytes(count), (byte) => CODE_ALPHABET[byte & 31]).join('');
}

export function formatEnrolmentCode({ handle, secret }: EnrolmentCodeParts): string {
  return `${handle}${secret}`.match(/.{4}/g)?.join('-') ?? '';
}

/** Case-insensitive, dashes and spaces ignored, and the Crockford look-alikes O→0, I/L→1. */
export function parseEnrolmentCode(input: unknown): EnrolmentCodeParts | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const text = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (text.length !== HANDLE_LENGTH + SECRET_LENGTH || ![...text].every((c) => CODE_ALPHABET.includes(c)))
    return undefined;
  return { handle: text.slice(0, HANDLE_LENGTH), secret: text.slice(HANDLE_LENGTH) };
}

export function enrolmentSecretHash({ handle, secret }: EnrolmentCodeParts): Uint8Array {
  return sha256(concatBytes(HASH_LABEL, new Uint8Array([0]), utf8Encode(handle), utf8Encode(secret)));
}

export function secretMatches(parts: EnrolmentCodeParts, storedHash: Uint8Array): boolean {
  return constantTimeEqual(enrolmentSecretHash(parts), new Uint8Array(storedHash));
}

/** What the QR code carries: the admin app to talk to and the code (admin-api.md §4.1). */
export function enrolmentUri(adminPublicUrl: string, code: string): string {
  return `opendescent:enrol?v=1&admin=${encodeURIComponent(adminPublicUrl)}&code=${code}`;
}

export interface CreatedEnrolmentCode {
  readonly id: string;
  /** Shown once; never stored. */
  readonly code: string;
  readonly uri: string;
  readonly expiresAt: Date;
  readonly member: Member;
}

/**
 * A code for a staff member, created (or renamed) in the same step. The address is folded to
 * lower case here (attestations.md §2.2).
 */
export async function createEnrolmentCode(
  s: AdminServices,
  actor: Actor,
  input: { address: unknown; displayName: unknown },
): Promise<CreatedEnrolmentCode> {
  const address = requireAddress(input.address);
  const displayName = requireDisplayName(input.displayName);
  const skeleton = addressSkeleton(address);
  const secret = randomSymbols(SECRET_LENGTH);
  const now = s.now();
  const expiresAt = new Date(now.getTime() + s.config.enrolmentCodeLifetimeSeconds * 1000);
  for (let attempt = 0; ; attempt++) {
    const handle = randomSymbols(HANDLE_LENGTH);
    try {
      const { id, member } = await s.prisma.$transaction(async (tx) => {
        const existing = await tx.member.findUnique({ where: { address } });
        // Locked and read again, so that a member being disabled meanwhile gets no new code.
        if (existing && (await lockMemberRow(tx, existing.id, 'share'))?.status === 'disabled') throw memberDisabled();
        let member: Member;
        if (!existing) {
          // A look-alike of another member is refused (identifiers.md §2.2); the unique index on
          // the skeleton makes a concurrent one fail, and the retry below then finds it here.
          await refuseLookAlike(tx, address, skeleton);
          member = await tx.member.create({
            data: { address, addressSkeleton: skeleton, displayName, createdAt: now },
          });
          await recordAudit(tx, actor, 'member.created', { memberId: member.id, address, displayName });
        } else if (existing.displayName !== displayName) {
          member = await tx.member.update({ where: { id: existing.id }, data: { displayName } });
          await recordAudit(tx, actor, 'member.renamed', {
            memberId: member.id,
            address,
            from: existing.displayName,
            to: displayName,
          });
        } else {
          member = existing;
        }
        const row = await tx.enrolmentCode.create({
          data: {
            handle,
            secretHash: new Uint8Array(enrolmentSecretHash({ handle, secret })),
            memberId: member.id,
            createdBy: actor,
            createdAt: now,
            expiresAt,
          },
        });
        await recordAudit(tx, actor, 'enrolment_code.created', {
          codeId: row.id,
          handle,
          memberId: member.id,
          address,
          expiresAt: expiresAt.toISOString(),
        });
        return { id: row.id, member };
      });
      const code = formatEnrolmentCode({ handle, secret });
      return { id, code, uri: enrolmentUri(s.config.publicUrl, code), expiresAt, member };
    } catch (error) {
      // A handle collision (40 bits among live codes): draw again, a few times at most.
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

export async function cancelEnrolmentCode(s: AdminServices, actor: Actor, codeId: string): Promise<void> {
  const now = s.now();
  await s.prisma.$transaction(async (tx) => {
    const cancelled = await tx.enrolmentCode.updateMany({
      where: { id: codeId, usedAt: null, cancelledAt: null },
      data: { cancelledAt: now },
    });
    if (cancelled.count !== 1) throw new ApiError(404, 'not_found', 'no unused enrolment code with this id');
    await recordAudit(tx, actor, 'enrolment_code.cancelled', { codeId });
  });
}

const memberDisabled = () =>
  new ApiError(409, 'member_disabled', 'this member is disabled: enable them on their page before making a code');

/**
 * Inside the caller's transaction (a member disabled, or all their devices revoked): every code
 * of the member still pending is cancelled, each audited with why. Returns how many.
 */
export async function cancelPendingCodesOf(
  tx: Prisma.TransactionClient,
  actor: Actor,
  memberId: string,
  now: Date,
  why: 'member_disabled' | 'devices_revoked',
): Promise<number> {
  const cancelled = await tx.enrolmentCode.updateManyAndReturn({
    where: { memberId, usedAt: null, cancelledAt: null, expiresAt: { gt: now } },
    data: { cancelledAt: now },
    select: { id: true, handle: true },
  });
  for (const code of cancelled)
    await recordAudit(tx, actor, 'enrolment_code.cancelled', { codeId: code.id, handle: code.handle, memberId, why });
  return cancelled.length;
}

export type EnrolmentCodeState = 'pending' | 'used' | 'expired' | 'cancelled' | 'locked';

export function enrolmentCodeState(
  code: { usedAt: Date | null; cancelledAt: Date | null; expiresAt: Date; attempts: number },
  now: Date,
): EnrolmentCodeState {
  if (code.usedAt) return 'used';
  if (code.cancelledAt) return 'cancelled';
  if (code.attempts >= RATE_LIMITS.enrolmentCodeAttempts) return 'locked';
  return code.expiresAt <= now ? 'expired' : 'pending';
}
