// Directory alerts (docs/protocol/admin-api.md §8): a limit hit opens one alert per (member,
// scope, level) and later hits only count on it (`hits`), so a flood of refused look-ups writes
// no rows, neither alerts nor audit events. Past a second threshold the member's directory
// access is suspended until an administrator resumes it. A revoked device that keeps asking is
// counted on an alert of level `revoked` and audited at most once per device per hour.
import { encodeHex } from '@opendescent/protocol';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type Actor } from '../audit/audit-log';
import { ApiError } from '../http/api-error';
import { dbBytes } from '../http/encoding';
import { peekRateLimit, recordRateLimitHit, takeRateLimit } from '../http/rate-limit';
import type { AdminServices } from '../services';
import { DAY_SECONDS, HOUR_SECONDS, memberRefusedKey, revokedAuditKey, type LimitScope } from './directory-limits';

/** `limit`: look-ups refused by a limit; `suspended`: the member's access suspended; `revoked`: a revoked device asking. */
export type AlertLevel = 'limit' | 'suspended' | 'revoked';

type Tx = Prisma.TransactionClient;

interface AlertSubject {
  /** Null for the organisation-wide limit. */
  readonly memberId: string | null;
  readonly deviceId?: Uint8Array;
  readonly scope: LimitScope;
  readonly level: AlertLevel;
}

/**
 * Counts one hit on the open alert of `subject`, or opens it (audited once). Serialised per
 * (member, scope, level) by a transaction-scoped advisory lock, so that two admin app instances
 * on one PostgreSQL never open two.
 */
async function countOnOpenAlert(tx: Tx, subject: AlertSubject, now: Date): Promise<void> {
  await lockAlert(tx, subject);
  const open = await tx.directoryAlert.findFirst({
    where: { memberId: subject.memberId, scope: subject.scope, level: subject.level, acknowledgedAt: null },
    orderBy: { openedAt: 'desc' },
    select: { id: true },
  });
  if (open) {
    await tx.directoryAlert.update({ where: { id: open.id }, data: { hits: { increment: 1 }, lastHitAt: now } });
    return;
  }
  await openAlert(tx, subject, now);
}

async function openAlert(tx: Tx, subject: AlertSubject, now: Date): Promise<void> {
  const alert = await tx.directoryAlert.create({
    data: {
      memberId: subject.memberId,
      deviceId: subject.deviceId ? dbBytes(subject.deviceId) : null,
      scope: subject.scope,
      level: subject.level,
      openedAt: now,
      lastHitAt: now,
      hits: 1,
    },
    select: { id: true },
  });
  await recordAudit(tx, 'system', 'directory.alert_opened', {
    alertId: alert.id,
    scope: subject.scope,
    level: subject.level,
    memberId: subject.memberId,
    deviceId: subject.deviceId ? encodeHex(subject.deviceId) : null,
  });
}

async function lockAlert(tx: Tx, subject: Pick<AlertSubject, 'memberId' | 'scope' | 'level'>): Promise<void> {
  const name = `directory-alert:${subject.memberId ?? 'organisation'}:${subject.scope}:${subject.level}`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 0))`;
}

/**
 * A look-up refused by a limit. Device and member limits also count towards the member's
 * suspension threshold; the organisation-wide one does not (it refuses innocent members too).
 * Returns whether this refusal suspended the member.
 */
export async function countLimitRefusal(
  s: AdminServices,
  refusal: { scope: LimitScope; memberId: string; deviceId: Uint8Array },
  now: Date,
): Promise<{ suspended: boolean }> {
  return s.prisma.$transaction(async (tx) => {
    if (refusal.scope === 'organisation') {
      await countOnOpenAlert(tx, { memberId: null, scope: 'organisation', level: 'limit' }, now);
      return { suspended: false };
    }
    await countOnOpenAlert(
      tx,
      {
        memberId: refusal.memberId,
        deviceId: refusal.scope === 'device' ? refusal.deviceId : undefined,
        scope: refusal.scope,
        level: 'limit',
      },
      now,
    );
    // One row per refusal, but bounded: once suspended, the member's look-ups stop before the limits.
    const key = memberRefusedKey(refusal.memberId);
    await recordRateLimitHit(tx, [key], now);
    const threshold = await peekRateLimit(
      tx,
      [{ key, rule: { limit: s.config.directory.suspendAfterRefused, windowSeconds: DAY_SECONDS } }],
      now,
    );
    if (threshold.allowed) return { suspended: false };
    const suspended = await tx.member.updateMany({
      where: { id: refusal.memberId, directorySuspendedAt: null },
      data: { directorySuspendedAt: now },
    });
    if (suspended.count === 0) return { suspended: false };
    await openAlert(tx, { memberId: refusal.memberId, scope: 'member', level: 'suspended' }, now);
    await recordAudit(tx, 'system', 'directory.suspended', {
      memberId: refusal.memberId,
      refusedWithin24h: threshold.counts[0] ?? 0,
    });
    return { suspended: true };
  });
}

/** A look-up by a suspended member: counted on the suspension's alert (acknowledged or not). */
export async function countSuspendedRefusal(s: AdminServices, memberId: string, now: Date): Promise<void> {
  await s.prisma.$transaction(async (tx) => {
    const subject = { memberId, scope: 'member', level: 'suspended' } as const;
    await lockAlert(tx, subject);
    const latest = await tx.directoryAlert.findFirst({
      where: { memberId, scope: 'member', level: 'suspended' },
      orderBy: { openedAt: 'desc' },
      select: { id: true },
    });
    if (latest)
      await tx.directoryAlert.update({ where: { id: latest.id }, data: { hits: { increment: 1 }, lastHitAt: now } });
    else await openAlert(tx, subject, now);
  });
}

/**
 * A look-up by a revoked device (or a disabled member's): a stolen device still in use is worth
 * an alert. Audited as `directory.lookup_refused` at most once per device per hour.
 */
export async function countRevokedRefusal(
  s: AdminServices,
  refusal: { deviceId: Uint8Array; memberId: string | undefined; requester: string },
  now: Date,
): Promise<void> {
  const deviceHex = encodeHex(refusal.deviceId);
  await s.prisma.$transaction(async (tx) => {
    if (refusal.memberId)
      await countOnOpenAlert(
        tx,
        { memberId: refusal.memberId, deviceId: refusal.deviceId, scope: 'device', level: 'revoked' },
        now,
      );
    const audit = await takeRateLimit(
      s,
      [{ key: revokedAuditKey(deviceHex), rule: { limit: 1, windowSeconds: HOUR_SECONDS } }],
      now,
      tx,
    );
    if (audit.allowed) {
      await recordAudit(tx, `device:${deviceHex}`, 'directory.lookup_refused', {
        deviceId: deviceHex,
        requester: refusal.requester,
        reason: 'device_revoked',
      });
    }
  });
}

/** An administrator has looked at an alert. */
export async function acknowledgeAlert(s: AdminServices, actor: Actor, alertId: string): Promise<void> {
  const now = s.now();
  await s.prisma.$transaction(async (tx) => {
    const alert = await tx.directoryAlert.findUnique({
      where: { id: alertId },
      select: { scope: true, level: true, memberId: true, acknowledgedAt: true },
    });
    if (!alert) throw new ApiError(404, 'not_found', 'no directory alert with this id');
    // Conditional, so that two administrators acknowledging at once record it once.
    const done = await tx.directoryAlert.updateMany({
      where: { id: alertId, acknowledgedAt: null },
      data: { acknowledgedAt: now, acknowledgedBy: actor },
    });
    if (done.count !== 1) throw new ApiError(409, 'already_acknowledged', 'this alert was already acknowledged');
    await recordAudit(tx, actor, 'directory.alert_acknowledged', {
      alertId,
      scope: alert.scope,
      level: alert.level,
      memberId: alert.memberId,
    });
  });
}

/**
 * Lifts a member's suspension: their refused count starts again from zero (or the next refusal
 * would suspend them at once) and their open alerts are acknowledged. Their limits stay.
 */
export async function resumeDirectoryAccess(
  s: AdminServices,
  actor: Actor,
  memberId: string,
): Promise<{ alertsAcknowledged: number }> {
  const now = s.now();
  return s.prisma.$transaction(async (tx) => {
    const member = await tx.member.findUnique({ where: { id: memberId }, select: { id: true } });
    if (!member) throw new ApiError(404, 'not_found', 'no member with this id');
    const resumed = await tx.member.updateMany({
      where: { id: memberId, directorySuspendedAt: { not: null } },
      data: { directorySuspendedAt: null },
    });
    if (resumed.count !== 1)
      throw new ApiError(409, 'not_suspended', 'this member’s directory access is not suspended');
    await tx.rateLimitHit.deleteMany({ where: { key: memberRefusedKey(memberId) } });
    const acknowledged = await tx.directoryAlert.updateMany({
      where: { memberId, acknowledgedAt: null },
      data: { acknowledgedAt: now, acknowledgedBy: actor },
    });
    await recordAudit(tx, actor, 'directory.resumed', { memberId, alertsAcknowledged: acknowledged.count });
    return { alertsAcknowledged: acknowledged.count };
  });
}
