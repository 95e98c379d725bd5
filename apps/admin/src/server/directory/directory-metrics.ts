// GET /metrics (docs/protocol/admin-api.md §10), in the Prometheus text exposition format
// (version 0.0.4): how the directory is holding up, for the operator's monitoring. Counts only:
// no address, no member or device id, nothing an intruder on the monitoring side could use.
import { ORGANISATION_KEY, HOUR_SECONDS } from './directory-limits';
import type { AdminServices } from '../services';

/** Every (scope, level) an alert can have, so that each series exists from the start (at 0). */
const ALERT_KINDS = [
  ['device', 'limit'],
  ['member', 'limit'],
  ['organisation', 'limit'],
  ['member', 'suspended'],
  ['device', 'revoked'],
] as const;

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function directoryMetrics(s: AdminServices): Promise<string> {
  const now = s.now();
  const open = await s.prisma.directoryAlert.groupBy({
    by: ['scope', 'level'],
    where: { acknowledgedAt: null },
    _count: { _all: true },
  });
  const refused = await s.prisma.directoryAlert.groupBy({ by: ['scope', 'level'], _sum: { hits: true } });
  const suspended = await s.prisma.member.count({ where: { directorySuspendedAt: { not: null } } });
  const lastHour = await s.prisma.rateLimitHit.count({
    where: { key: ORGANISATION_KEY, at: { gt: new Date(now.getTime() - HOUR_SECONDS * 1000) } },
  });

  const series = (rows: { scope: string; level: string; value: number }[]) => {
    const values = new Map<string, number>(ALERT_KINDS.map(([scope, level]) => [`${scope}\u0000${level}`, 0]));
    for (const row of rows) values.set(`${row.scope}\u0000${row.level}`, row.value);
    return [...values].map(([key, value]) => {
      const [scope, level] = key.split('\u0000') as [string, string];
      return { labels: `{scope="${label(scope)}",level="${label(level)}"}`, value };
    });
  };
  const lines = [
    '# HELP opendescent_directory_alerts_open Directory alerts not yet acknowledged by an administrator.',
    '# TYPE opendescent_directory_alerts_open gauge',
    ...series(open.map((r) => ({ scope: r.scope, level: r.level, value: r._count._all }))).map(
      (p) => `opendescent_directory_alerts_open${p.labels} ${p.value}`,
    ),
    '# HELP opendescent_directory_lookups_refused_total Directory look-ups refused by a limit, a suspension or a revocation, counted on alerts.',
    '# TYPE opendescent_directory_lookups_refused_total counter',
    ...series(refused.map((r) => ({ scope: r.scope, level: r.level, value: r._sum.hits ?? 0 }))).map(
      (p) => `opendescent_directory_lookups_refused_total${p.labels} ${p.value}`,
    ),
    '# HELP opendescent_directory_members_suspended Members whose directory access is suspended.',
    '# TYPE opendescent_directory_members_suspended gauge',
    `opendescent_directory_members_suspended ${suspended}`,
    '# HELP opendescent_directory_lookups_last_hour Directory look-ups counted against the limits in the last hour (answered, or refused as not one exact address).',
    '# TYPE opendescent_directory_lookups_last_hour gauge',
    `opendescent_directory_lookups_last_hour ${lastHour}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Label values escaped as the format requires (backslash, quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
