// Signs the next revocation list (docs/protocol/attestations.md §3) inside the caller's
// transaction: version = the highest stored + 1 (the database refuses anything else, see the
// revocation_lists trigger), entries = every revoked device that could still be accepted, next
// update = issue time + ADMIN_REVOCATION_LIST_VALIDITY_SECONDS (§3.5; list-refresh.ts signs the
// next one at half-life).
import {
  ALLOWED_CLOCK_SKEW_SECONDS,
  REVOCATION_REASONS,
  encodeHex,
  signRevocationList,
  type RevokedDevice,
} from '@opendescent/protocol';
import type { Ed25519PrivateKey } from '@opendescent/crypto';
import type { Prisma } from '../../generated/prisma/client';
import { appendToLog } from '../log/log-append';
import { unixSeconds } from '../http/encoding';

/** Older lists kept for reference; the current one is the highest version. */
const LISTS_KEPT = 10;

/** ADMIN_REVOCATION_LIST_VALIDITY_SECONDS's default (apps/admin/server-config.mjs): one day. */
export const DEFAULT_REVOCATION_LIST_VALIDITY_SECONDS = 86_400;

export interface IssuedList {
  readonly version: number;
  readonly bytes: Uint8Array;
}

export async function currentListVersion(tx: Prisma.TransactionClient): Promise<number> {
  const latest = await tx.revocationList.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
  return latest?.version ?? 0;
}

/**
 * A revoked device stays on the list while any attestation ever issued to it could still be
 * accepted (its expiry plus the allowed clock skew); after that every verifier refuses it anyway,
 * so the list stays bounded by recent revocations, not by the organisation's whole history.
 */
async function entriesStillNeeded(tx: Prisma.TransactionClient, now: Date): Promise<RevokedDevice[]> {
  const acceptableAfter = new Date(now.getTime() - ALLOWED_CLOCK_SKEW_SECONDS * 1000);
  const revocations = await tx.revocation.findMany({ orderBy: { deviceId: 'asc' } });
  if (revocations.length === 0) return [];
  const live = await tx.attestation.groupBy({
    by: ['deviceId'],
    where: { deviceId: { in: revocations.map((r) => r.deviceId) }, expiresAt: { gt: acceptableAfter } },
  });
  const needed = new Set(live.map((row) => encodeHex(row.deviceId)));
  return revocations
    .filter((r) => needed.has(encodeHex(r.deviceId)))
    .map((r) => ({
      deviceId: new Uint8Array(r.deviceId),
      revokedAt: unixSeconds(r.revokedAt),
      reason: REVOCATION_REASONS[REVOCATION_REASONS.indexOf(r.reason)] ?? 'unspecified',
    }));
}

export async function issueRevocationList(
  tx: Prisma.TransactionClient,
  orgId: Uint8Array,
  signer: { readonly keyId: Uint8Array; readonly privateKey: Ed25519PrivateKey },
  now: Date,
  /** The list's validity: pass `s.config.revocationListValiditySeconds`. */
  validitySeconds: number = DEFAULT_REVOCATION_LIST_VALIDITY_SECONDS,
): Promise<IssuedList> {
  const version = (await currentListVersion(tx)) + 1;
  const revoked = await entriesStillNeeded(tx, now);
  const issuedAt = unixSeconds(now);
  const bytes = await signRevocationList(
    { orgId, listVersion: version, issuedAt, nextUpdate: issuedAt + validitySeconds, revoked },
    signer.privateKey,
  );
  await tx.revocationList.create({
    data: { version, issuedAt: now, orgKeyId: new Uint8Array(signer.keyId), bytes: new Uint8Array(bytes) },
  });
  await appendToLog(tx, 'revocation_list', bytes, now);
  await tx.revocationList.deleteMany({ where: { version: { lte: version - LISTS_KEPT } } });
  return { version, bytes };
}
