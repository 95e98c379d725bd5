// Deletes what has expired: nonces past their window, unanswered passkey challenges, ended
// sessions, rate-limit windows long closed. Runs at start and then every few minutes; every
// step is idempotent, so several admin app instances may run it at once.
import type { AdminServices } from './services';

export const HOUSEKEEPING_INTERVAL_MS = 5 * 60 * 1000;

export async function purgeExpired(s: AdminServices): Promise<void> {
  const now = s.now();
  const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000);
  await s.prisma.deviceRequestNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  await s.prisma.webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
  await s.prisma.adminSession.deleteMany({ where: { expiresAt: { lt: now } } });
  // The longest window is an hour; a day leaves any window long closed.
  await s.prisma.rateLimitCounter.deleteMany({ where: { windowStart: { lt: dayAgo } } });
}
