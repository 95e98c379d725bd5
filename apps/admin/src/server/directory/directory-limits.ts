// The directory's limits (docs/protocol/admin-api.md §8): per device per hour, per member (all
// their devices together) per hour and per 24 hours, and organisation-wide per hour and per 24
// hours. One look-up counts against all of them at once or against none (takeRateLimit), in
// sliding windows, so no boundary lets a caller spend two budgets in a row.
import type { AdminServerConfig } from '../../../server-config.mjs';
import type { RateLimitCheck } from '../http/rate-limit';

export const HOUR_SECONDS = 3600;
export const DAY_SECONDS = 24 * HOUR_SECONDS;

/** Which limit refused a look-up: the scope of the alert it raises. */
export type LimitScope = 'device' | 'member' | 'organisation';

export interface DirectoryCheck extends RateLimitCheck {
  readonly scope: LimitScope;
}

/** Organisation-wide keys are shared by every member: one key per rule's counted events. */
export const ORGANISATION_KEY = 'directory:organisation';

export const deviceKey = (deviceHex: string) => `directory:device:${deviceHex}`;
export const memberKey = (memberId: string) => `directory:member:${memberId}`;
/** Refused look-ups of a member (device or member limit) within 24 h: the suspension threshold. */
export const memberRefusedKey = (memberId: string) => `directory:refused:${memberId}`;
/** At most one audited refusal per revoked device per hour (the rest count on its alert). */
export const revokedAuditKey = (deviceHex: string) => `directory:revoked-audit:${deviceHex}`;

/**
 * The checks for one look-up, narrowest first: the first that refuses names the alert's scope.
 * The member's key carries both its hourly and its daily rule (one row per look-up).
 */
export function directoryChecks(
  config: Pick<AdminServerConfig, 'directoryLookupsPerHour' | 'directory'>,
  deviceHex: string,
  memberId: string,
): DirectoryCheck[] {
  const limits = config.directory;
  return [
    {
      scope: 'device',
      key: deviceKey(deviceHex),
      rule: { limit: config.directoryLookupsPerHour, windowSeconds: HOUR_SECONDS },
    },
    { scope: 'member', key: memberKey(memberId), rule: { limit: limits.memberPerHour, windowSeconds: HOUR_SECONDS } },
    { scope: 'member', key: memberKey(memberId), rule: { limit: limits.memberPerDay, windowSeconds: DAY_SECONDS } },
    { scope: 'organisation', key: ORGANISATION_KEY, rule: { limit: limits.orgPerHour, windowSeconds: HOUR_SECONDS } },
    { scope: 'organisation', key: ORGANISATION_KEY, rule: { limit: limits.orgPerDay, windowSeconds: DAY_SECONDS } },
  ];
}
