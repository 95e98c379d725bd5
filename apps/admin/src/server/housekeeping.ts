// Deletes what has expired: nonces past their window, unanswered passkey challenges, ended
// sessions, rate-limit windows long closed; keeps the token issuer keys on schedule and the
// revocation list fresh. Runs at
// start and then every few minutes; every step is idempotent, so several admin app instances
// may run it at once.
import { writeAuditCheckpoint } from './audit/audit-checkpoints';
import { MAX_WINDOW_SECONDS } from './http/rate-limit';
import { refreshRevocationList } from './revocation/list-refresh';
import type { AdminServices } from './services';
import { maintainTokenKeys } from './tokens/token-keys';

export const HOUSEKEEPING_INTERVAL_MS = 5 * 60 * 1000;

export async function purgeExpired(s: AdminServices): Promise<void> {
  const now = s.now();
  await s.prisma.deviceRequestNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  await s.prisma.webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
  await s.prisma.adminSession.deleteMany({ where: { expiresAt: { lt: now } } });
  // No rule's window is longer than a day (MAX_WINDOW_SECONDS).
  await s.prisma.rateLimitHit.deleteMany({
    where: { at: { lt: new Date(now.getTime() - MAX_WINDOW_SECONDS * 1000) } },
  });
}

/**
 * Each round: purge; run the token issuer key schedule (docs/protocol/admin-api.md §11.1: the
 * next key made two days ahead, private halves erased, a new set signed and pushed when its keys
 * change); sign and push the next revocation list once the current one is at half-life
 * (admin-api.md §6.4; startup.ts checks more often when the validity is short); then sign a checkpoint of the audit chain when it has new events (audit-log.md §3), so
 * that at most one interval of events is covered by the chain alone.
 */
export async function runHousekeeping(s: AdminServices): Promise<void> {
  // One step failing does not skip the others; the first failure is reported.
  const failures: unknown[] = [];
  for (const step of [purgeExpired, maintainTokenKeys, refreshRevocationList, writeAuditCheckpoint]) {
    await step(s).then(
      () => undefined,
      (error: unknown) => failures.push(error),
    );
  }
  if (failures.length > 0) throw failures[0];
}
