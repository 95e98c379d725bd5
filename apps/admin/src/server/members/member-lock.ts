// Row locks on a member, so that off-boarding and the writers it must not race with take turns
// (PostgreSQL row-level locks, https://www.postgresql.org/docs/current/explicit-locking.html):
// disabling or revoking takes FOR NO KEY UPDATE, creating a code FOR SHARE. Neither conflicts with
// the FOR KEY SHARE that inserting a device or a code takes on its member (the foreign key), so an
// enrolment in flight never deadlocks with them.
import type { Prisma } from '../../generated/prisma/client';

export interface LockedMember {
  readonly id: string;
  readonly address: string;
  readonly status: 'active' | 'disabled';
}

/** Held until the transaction ends; undefined when there is no such member. */
export async function lockMemberRow(
  tx: Prisma.TransactionClient,
  memberId: string,
  mode: 'update' | 'share' = 'update',
): Promise<LockedMember | undefined> {
  const rows =
    mode === 'update'
      ? await tx.$queryRaw<
          LockedMember[]
        >`SELECT "id"::text AS "id", "address", "status"::text AS "status" FROM "members" WHERE "id" = ${memberId}::uuid FOR NO KEY UPDATE`
      : await tx.$queryRaw<
          LockedMember[]
        >`SELECT "id"::text AS "id", "address", "status"::text AS "status" FROM "members" WHERE "id" = ${memberId}::uuid FOR SHARE`;
  return rows[0];
}
