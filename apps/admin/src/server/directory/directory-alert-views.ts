// What the console shows of the directory's alerts: the banner on every page and the panel on a
// member's page (docs/protocol/admin-api.md §8).
import { encodeHex } from '@opendescent/protocol';
import type { AdminServices } from '../services';

export interface AlertView {
  readonly id: string;
  readonly scope: string;
  readonly level: string;
  readonly hits: number;
  readonly openedAt: Date;
  readonly lastHitAt: Date;
  /** The device that hit a per-device limit or was revoked (hex), when there was one. */
  readonly deviceId: string | null;
  readonly member: { readonly id: string; readonly address: string; readonly displayName: string } | null;
}

/** Open (unacknowledged) alerts, newest first; of one member when `memberId` is given. */
export async function openDirectoryAlerts(
  s: AdminServices,
  options: { memberId?: string; take?: number } = {},
): Promise<{ alerts: AlertView[]; total: number }> {
  const where = { acknowledgedAt: null, ...(options.memberId ? { memberId: options.memberId } : {}) };
  const [rows, total] = await Promise.all([
    s.prisma.directoryAlert.findMany({
      where,
      orderBy: { lastHitAt: 'desc' },
      take: options.take ?? 50,
      include: { member: { select: { id: true, address: true, displayName: true } } },
    }),
    s.prisma.directoryAlert.count({ where }),
  ]);
  const alerts = rows.map((row) => ({
    id: row.id,
    scope: row.scope,
    level: row.level,
    hits: row.hits,
    openedAt: row.openedAt,
    lastHitAt: row.lastHitAt,
    deviceId: row.deviceId ? encodeHex(row.deviceId) : null,
    member: row.member,
  }));
  return { alerts, total };
}

/** When the member's directory access was suspended, or null. */
export async function directorySuspendedAt(s: AdminServices, memberId: string): Promise<Date | null> {
  const member = await s.prisma.member.findUnique({ where: { id: memberId }, select: { directorySuspendedAt: true } });
  return member?.directorySuspendedAt ?? null;
}
