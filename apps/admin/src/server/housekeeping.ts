// Deletes what has expired: nonces past their window, unanswered passkey challenges, ended
// sessions, rate-limit windows long closed. Runs at start and then every few minutes; every
// step is idempotent, so several admin app instances may run it at once.
import { writeAuditCheckpoint } from './audit/audit-checkpoints';
import { MAX_WINDOW_SECONDS } from './http/rate-limit';
import type { AdminServices } from './services';

export const HOUSEKEEPING_INTERVAL_MS = 5 * 60 * 1000;

export async function purgeExpired(s: AdminServices): Promise<void> {
  const now = s.now();
  await s.prisma.deviceRequestNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  await s.prisma.webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
  await s.prisma.adminSession.deleteMany({ where: { expiresAt: { lt: now } } });
  // No rule's window is longer than a day (MAX_WINDOW_SECONDS).
  await s.prisma.rateLimitHit.deleteMany({ where: { at: { lt: new Date(now.getTime() - MAX_WINDOW_SECONDS * 1000) } } });
}

/**
 * Each round: purge, then sign a checkpoint of the audit chain when it has new events
 * (docs/protocol/audit-log.md §3), so that at most one interval of events is covered by the
 * chain alone.
 */
export async function runHousekeeping(s: AdminServices): Promise<void> {
  await purgeExpired(s);
  await writeAuditCheckpoint(s);
}
