// Read models for the admin pages: plain data, queried here so the pages only render.
import { decodeRevocationList, decodeTokenKeySet, encodeHex } from '@opendescent/protocol';
import { enrolmentCodeState, type EnrolmentCodeState } from './devices/enrolment-codes';
import { listOrgKeys, ensureOrganisation, stillPinned, type OrgKeyView } from './org/organisation';
import type { RelayPushStatus } from './relay-push';
import type { AdminServices } from './services';
import { isUuid } from './http/ids';
import { pendingLinkWhere, type InvitationPurpose } from './auth/one-time-secrets';

export interface MemberRow {
  readonly id: string;
  readonly address: string;
  readonly displayName: string;
  readonly active: number;
  readonly revoked: number;
  /** Disabled: off-boarded, no device and no new code until enabled again. */
  readonly status: 'active' | 'disabled';
  readonly disabledAt: Date | null;
}

export async function memberRows(s: AdminServices): Promise<MemberRow[]> {
  const members = await s.prisma.member.findMany({
    orderBy: { address: 'asc' },
    include: { devices: { select: { status: true } } },
  });
  return members.map((m) => ({
    id: m.id,
    address: m.address,
    displayName: m.displayName,
    active: m.devices.filter((d) => d.status === 'active').length,
    revoked: m.devices.filter((d) => d.status === 'revoked').length,
    status: m.status,
    disabledAt: m.disabledAt,
  }));
}

export interface CodeRow {
  readonly id: string;
  readonly handle: string;
  readonly address: string;
  readonly displayName: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly state: EnrolmentCodeState;
}

/** Recent codes (the last 14 days), newest first. */
export async function codeRows(s: AdminServices, memberId?: string): Promise<CodeRow[]> {
  const since = new Date(s.now().getTime() - 14 * 24 * 3600 * 1000);
  const codes = await s.prisma.enrolmentCode.findMany({
    where: { createdAt: { gt: since }, ...(memberId ? { memberId } : {}) },
    orderBy: { createdAt: 'desc' },
    take: 100,
    include: { member: { select: { address: true, displayName: true } } },
  });
  return codes.map((c) => ({
    id: c.id,
    handle: c.handle.match(/.{4}/g)?.join('-') ?? c.handle,
    address: c.member.address,
    displayName: c.member.displayName,
    createdAt: c.createdAt,
    expiresAt: c.expiresAt,
    state: enrolmentCodeState(c, s.now()),
  }));
}

export interface DeviceRow {
  readonly id: string;
  readonly status: 'active' | 'revoked';
  readonly enrolledAt: Date;
  readonly attestedUntil: Date | null;
  readonly revokedAt: Date | null;
  readonly reason: string | null;
}

export async function memberDetail(
  s: AdminServices,
  id: string,
): Promise<{ member: MemberRow; devices: DeviceRow[] } | undefined> {
  if (!isUuid(id)) return undefined;
  const member = await s.prisma.member.findUnique({
    where: { id },
    include: {
      devices: {
        orderBy: { enrolledAt: 'asc' },
        include: { attestations: { orderBy: { expiresAt: 'desc' }, take: 1, select: { expiresAt: true } } },
      },
    },
  });
  if (!member) return undefined;
  const devices = member.devices.map((d) => ({
    id: encodeHex(d.id),
    status: d.status,
    enrolledAt: d.enrolledAt,
    attestedUntil: d.attestations[0]?.expiresAt ?? null,
    revokedAt: d.revokedAt,
    reason: d.revocationReason,
  }));
  return {
    member: {
      id: member.id,
      address: member.address,
      displayName: member.displayName,
      active: devices.filter((d) => d.status === 'active').length,
      revoked: devices.filter((d) => d.status === 'revoked').length,
      status: member.status,
      disabledAt: member.disabledAt,
    },
    devices,
  };
}

export interface OrgOverview {
  readonly orgId: string;
  readonly keys: (OrgKeyView & { readonly pinned: boolean })[];
  readonly list: { version: number; issuedAt: Date; count: number };
  readonly relays: RelayPushStatus[];
  readonly revocationListUrl: string;
  /** The newest token key set (admin-api.md §11.1), if one was made yet. */
  readonly tokenKeySet: { version: number; issuedAt: Date; count: number } | null;
  readonly tokenKeyRelays: RelayPushStatus[];
  readonly tokenKeysUrl: string;
}

export async function orgOverview(s: AdminServices): Promise<OrgOverview> {
  const orgId = await ensureOrganisation(s);
  const keys = await listOrgKeys(s);
  const pinned = new Set(stillPinned(keys, s.now()).map((k) => k.id));
  const latest = await s.prisma.revocationList.findFirstOrThrow({ orderBy: { version: 'desc' } });
  const tokenSet = await s.prisma.signedTokenKeySet.findFirst({ orderBy: { version: 'desc' } });
  return {
    orgId: encodeHex(orgId),
    keys: keys.map((k) => ({ ...k, pinned: pinned.has(k.id) })),
    list: {
      version: latest.version,
      issuedAt: latest.issuedAt,
      count: decodeRevocationList(new Uint8Array(latest.bytes)).list.revoked.length,
    },
    relays: s.pusher.status(),
    revocationListUrl: `${s.config.publicUrl}/api/v1/revocation-list`,
    tokenKeySet: tokenSet
      ? {
          version: tokenSet.version,
          issuedAt: tokenSet.issuedAt,
          count: decodeTokenKeySet(new Uint8Array(tokenSet.bytes)).set.keys.length,
        }
      : null,
    tokenKeyRelays: s.tokenKeyPusher.status(),
    tokenKeysUrl: `${s.config.publicUrl}/api/v1/token-keys`,
  };
}

export async function currentListVersion(s: AdminServices): Promise<number> {
  const latest = await s.prisma.revocationList.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
  return latest?.version ?? 0;
}

export interface AdminRow {
  readonly id: string;
  readonly displayName: string;
  readonly passkeys: number;
  readonly lastSignIn: Date | null;
  readonly disabled: boolean;
}

export async function adminRows(s: AdminServices): Promise<AdminRow[]> {
  const admins = await s.prisma.admin.findMany({
    orderBy: { createdAt: 'asc' },
    include: { credentials: { select: { lastUsedAt: true } } },
  });
  return admins.map((a) => ({
    id: a.id,
    displayName: a.displayName,
    passkeys: a.credentials.length,
    lastSignIn: a.credentials.reduce<Date | null>(
      (latest, c) => (c.lastUsedAt && (!latest || c.lastUsedAt > latest) ? c.lastUsedAt : latest),
      null,
    ),
    disabled: a.disabledAt !== null,
  }));
}

export interface PendingLinkRow {
  readonly id: string;
  readonly purpose: InvitationPurpose;
  /** A reset's administrator, by name; null for an invitation or the setup link (someone new). */
  readonly forName: string | null;
  /** Who made it: an administrator's name, or the server itself (`system`, `system:cli`). */
  readonly madeBy:
    { readonly kind: 'admin'; readonly name: string } | { readonly kind: 'server' } | { readonly kind: 'command' };
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Links that still work, newest first: names, never ids, and never a token (only its hash is kept). */
export async function pendingLinkRows(s: AdminServices): Promise<PendingLinkRow[]> {
  const links = await s.prisma.adminInvitation.findMany({
    where: pendingLinkWhere(s.now()),
    orderBy: { createdAt: 'desc' },
    take: 100,
  });
  const adminIds = new Set<string>();
  for (const link of links) {
    if (link.adminId) adminIds.add(link.adminId);
    const maker = /^admin:(.+)$/.exec(link.createdBy)?.[1];
    if (maker && isUuid(maker)) adminIds.add(maker);
  }
  const admins = await s.prisma.admin.findMany({
    where: { id: { in: [...adminIds] } },
    select: { id: true, displayName: true },
  });
  const name = (id: string) => admins.find((a) => a.id === id)?.displayName ?? '?';
  return links.map((link) => {
    const maker = /^admin:(.+)$/.exec(link.createdBy)?.[1];
    return {
      id: link.id,
      purpose: link.purpose as InvitationPurpose,
      forName: link.adminId ? name(link.adminId) : null,
      madeBy: maker
        ? { kind: 'admin', name: name(maker) }
        : link.createdBy === 'system:cli'
          ? { kind: 'command' }
          : { kind: 'server' },
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
    };
  });
}
