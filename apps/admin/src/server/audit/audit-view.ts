// The audit page's read model: one page of events with each actor resolved to what a person
// recognises (an administrator's name; a device's member and a short device id), looked up in
// one query per kind. The stored actor stays as it is: the log outlives the admins and devices
// it names, so a name that can no longer be found is shown as "not found" with its id.
import { decodeHex, encodeHex } from '@opendescent/protocol';
import { isUuid } from '../http/ids';
import type { AdminServices } from '../services';
import { listAuditEvents } from './audit-log';

export type ActorView =
  | { readonly kind: 'admin'; readonly id: string; readonly name: string | undefined }
  | {
      readonly kind: 'device';
      /** The first 8 hex digits: enough to tell a member's devices apart on the member page. */
      readonly shortId: string;
      readonly member: { readonly id: string; readonly displayName: string; readonly address: string } | undefined;
    }
  | { readonly kind: 'system' }
  | { readonly kind: 'command' }
  | { readonly kind: 'unknown' };

export interface AuditRow {
  readonly id: string;
  readonly at: Date;
  /** As stored (`admin:<uuid>`, `device:<hex>`, …): shown as a tooltip, and in the exports. */
  readonly actor: string;
  readonly actorView: ActorView;
  readonly action: string;
  readonly detail: unknown;
}

export interface AuditView {
  readonly events: AuditRow[];
  readonly nextBefore: string | undefined;
}

const DEVICE_ID_HEX = /^[0-9a-f]{32}$/;

/** `before`: an event id from the previous page; anything else starts from the newest. */
export async function auditView(
  s: AdminServices,
  options: { before?: unknown; limit?: number } = {},
): Promise<AuditView> {
  const before = isUuid(options.before) ? options.before : undefined;
  const page = await listAuditEvents(s.prisma, { before, limit: options.limit ?? 50 });
  const adminIds = new Set<string>();
  const deviceIds = new Set<string>();
  for (const event of page.events) {
    const [kind, id = ''] = splitActor(event.actor);
    if (kind === 'admin' && isUuid(id)) adminIds.add(id);
    if (kind === 'device' && DEVICE_ID_HEX.test(id)) deviceIds.add(id);
  }
  const [admins, devices] = await Promise.all([
    adminIds.size
      ? s.prisma.admin.findMany({ where: { id: { in: [...adminIds] } }, select: { id: true, displayName: true } })
      : [],
    deviceIds.size
      ? s.prisma.device.findMany({
          where: { id: { in: [...deviceIds].map((id) => decodeHex(id)) } },
          select: { id: true, member: { select: { id: true, displayName: true, address: true } } },
        })
      : [],
  ]);
  const adminNames = new Map(admins.map((a) => [a.id, a.displayName]));
  const deviceMembers = new Map(devices.map((d) => [encodeHex(d.id), d.member]));
  return {
    nextBefore: page.nextBefore,
    events: page.events.map((event) => ({
      id: event.id,
      at: event.at,
      actor: event.actor,
      actorView: actorView(event.actor, adminNames, deviceMembers),
      action: event.action,
      detail: event.detail,
    })),
  };
}

function splitActor(actor: string): [string, string | undefined] {
  const colon = actor.indexOf(':');
  return colon < 0 ? [actor, undefined] : [actor.slice(0, colon), actor.slice(colon + 1)];
}

function actorView(
  actor: string,
  adminNames: Map<string, string>,
  deviceMembers: Map<string, { id: string; displayName: string; address: string }>,
): ActorView {
  if (actor === 'system') return { kind: 'system' };
  if (actor === 'system:cli') return { kind: 'command' };
  const [kind, id = ''] = splitActor(actor);
  if (kind === 'admin' && isUuid(id)) return { kind: 'admin', id, name: adminNames.get(id) };
  if (kind === 'device' && DEVICE_ID_HEX.test(id))
    return { kind: 'device', shortId: id.slice(0, 8), member: deviceMembers.get(id) };
  return { kind: 'unknown' };
}
