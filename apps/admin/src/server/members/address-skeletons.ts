// No two members with addresses a person could mistake for each other (identifiers.md §2.2):
// every member row carries its address's confusable skeleton, unique in the database, so that
// the check holds under concurrent creations too (the second insert fails on the index).
import { addressProblem, addressSkeleton } from '@opendescent/protocol';
import { ApiError } from '../http/api-error';
import { isUniqueViolation } from '../http/db-errors';
import type { AdminServices, Db } from '../services';

/** Before a new member is made: refuses an address whose skeleton an existing member has. */
export async function refuseLookAlike(db: Db, address: string, skeleton: string): Promise<void> {
  const existing = await db.member.findUnique({ where: { addressSkeleton: skeleton }, select: { address: true } });
  if (existing) {
    // Only administrators call this: naming the existing address tells them what to do.
    throw new ApiError(
      409,
      'address_confusable',
      `${address} looks like the existing member ${existing.address} (the same confusable skeleton); choose an address that reads differently`,
    );
  }
}

export interface SkeletonBackfill {
  readonly updated: number;
  /** Rows left as they were: outside the profile, or a look-alike of another member. */
  readonly leftAlone: number;
}

/**
 * At start-up: gives every member the skeleton of its address, for rows made before skeletons
 * existed (or under an older confusables table). A row whose address breaks the profile, or whose
 * skeleton another member already has, is left as it is, never deleted, and reported in one line
 * for an administrator to resolve. Lines name member ids and code points, never the raw address:
 * it may hold the very characters (line breaks, bidi controls) that would forge a log line.
 */
export async function backfillAddressSkeletons(
  s: AdminServices,
  warn: (line: string) => void,
): Promise<SkeletonBackfill> {
  const members = await s.prisma.member.findMany({
    select: { id: true, address: true, addressSkeleton: true },
    orderBy: { createdAt: 'asc' },
  });
  let updated = 0;
  let leftAlone = 0;
  for (const member of members) {
    const problem = addressProblem(member.address);
    if (problem) {
      leftAlone++;
      warn(
        `admin: member ${member.id} has an address outside the address profile (it ${problem}); it keeps no skeleton, no attestation can be signed for it, and an administrator should make the person a member under an address inside the profile`,
      );
      continue;
    }
    const skeleton = addressSkeleton(member.address);
    if (member.addressSkeleton === skeleton) continue;
    try {
      await s.prisma.member.update({ where: { id: member.id }, data: { addressSkeleton: skeleton } });
      updated++;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      leftAlone++;
      const other = await s.prisma.member.findUnique({ where: { addressSkeleton: skeleton }, select: { id: true } });
      warn(
        `admin: member ${member.id} has an address that looks like member ${other?.id ?? 'unknown'}'s (the same confusable skeleton); left as it is for an administrator to resolve`,
      );
    }
  }
  return { updated, leftAlone };
}
