import type {
  ClientSnapshot,
  ConversationView,
  MemberView,
  MessageCursor,
  MessagePage,
  MessageView,
  NotifyLevel,
  ReactionView,
  RelayView,
  RevocationView,
  ThisDeviceView,
} from './api';
import { MENTIONS_ONLY_GROUP_SIZE } from './api';
import { compareKeys, pageKeys, sortKeyOf } from './message-index';
import { isVerified } from './person-keys';
import { toHex } from './encoding';
import {
  TABLES,
  type ContactRecord,
  type ConversationRecord,
  type GroupSummary,
  type MessageRecord,
  type OutboxRecord,
  type SelfRecord,
} from './records';
import type { Transaction, VaultLike } from './transaction';

/** Whom message views are made for: this user, and whether read receipts are on (they are reciprocal). */
export interface Viewer {
  readonly self: string;
  readonly readReceipts: boolean;
}

/** A message as the page sees it: without bookkeeping fields, reactions grouped by emoji. */
export function toView(
  {
    v: _v,
    deliveredTo: _d,
    recipients: _r,
    wireId: _w,
    attachmentSecret: _a,
    replyRef: _rr,
    quotedBy: _q,
    reactionsBy,
    readAt,
    ...view
  }: MessageRecord,
  viewer: Viewer,
): MessageView {
  const reactions = reactionsOf(reactionsBy, viewer.self);
  const readBy = viewer.readReceipts && readAt ? Object.keys(readAt) : [];
  return {
    ...view,
    ...(view.status === 'read' && !viewer.readReceipts ? { status: 'delivered' as const } : {}),
    ...(reactions.length > 0 ? { reactions } : {}),
    ...(readBy.length > 0 ? { readBy } : {}),
  };
}

function reactionsOf(reactionsBy: MessageRecord['reactionsBy'], self: string): ReactionView[] {
  const byEmoji = new Map<string, { at: number; addresses: string[] }>();
  for (const [address, reaction] of Object.entries(reactionsBy ?? {})) {
    if (reaction.emoji === null) continue;
    const entry = byEmoji.get(reaction.emoji) ?? { at: reaction.at, addresses: [] };
    entry.addresses.push(address);
    entry.at = Math.min(entry.at, reaction.at);
    byEmoji.set(reaction.emoji, entry);
  }
  // In the order each emoji was first chosen, as the chips appeared.
  return [...byEmoji.entries()]
    .sort((a, b) => a[1].at - b[1].at)
    .map(([emoji, { addresses }]) => ({ emoji, addresses, mine: addresses.includes(self) }));
}

function unexpired(now: number): (message: MessageRecord) => boolean {
  return (m) => m.expiresAt === undefined || m.expiresAt > now;
}

/** A conversation's messages as the page shows them: unexpired, in order (history sharing reads them all). */
export async function listMessages(
  vault: VaultLike,
  conversationId: string,
  now: number,
  viewer: Viewer,
): Promise<MessageView[]> {
  return (await listMessageRecords(vault, conversationId, now)).map((m) => toView(m, viewer));
}

/** The same as records, with what only the messenger keeps (a bundle shares the ids as sent). */
export async function listMessageRecords(
  vault: VaultLike,
  conversationId: string,
  now: number,
): Promise<MessageRecord[]> {
  const messages = await vault.list<MessageRecord>(TABLES.messages, conversationId);
  return messages.filter(unexpired(now)).sort((a, b) => compareKeys(sortKeyOf(a), sortKeyOf(b)));
}

/** One page of a conversation through its index: at most `limit` messages before `before`, oldest first. */
export async function pageMessages(
  vault: VaultLike,
  conversationId: string,
  now: number,
  viewer: Viewer,
  limit: number,
  before?: MessageCursor,
): Promise<MessagePage> {
  const { messages, hasMore } = await pageMessageRecords(vault, conversationId, now, limit, before);
  return { messages: messages.map((m) => toView(m, viewer)), hasMore };
}

/** The same as records. */
export async function pageMessageRecords(
  vault: VaultLike,
  conversationId: string,
  now: number,
  limit: number,
  before?: MessageCursor,
): Promise<{ messages: MessageRecord[]; hasMore: boolean }> {
  const { keys, more } = await pageKeys(
    vault,
    conversationId,
    limit,
    before && [before.sentAt, before.receivedAt, before.id],
  );
  const records = await Promise.all(
    keys.map((key) => vault.get<MessageRecord>(TABLES.messages, conversationId, key[2])),
  );
  const messages = records.filter((m): m is MessageRecord => m !== undefined).filter(unexpired(now));
  return { messages, hasMore: more };
}

/** Where this device stands among its person's devices (api.ts ThisDeviceView.approval). */
function approvalOf(self: SelfRecord): ThisDeviceView['approval'] {
  if (self.userKey) return 'approved';
  return self.awaitingLink ? 'unapproved' : 'checking';
}

/** Devices on our own address that our user key did not approve (and not revoked): an alert on an approved device. */
function unapprovedOwnDevices(self: SelfRecord, own: ContactRecord | undefined): string[] {
  if (!self.userKey || !own) return [];
  return Object.values(own.devices)
    .filter((d) => d.approved === false && d.trust !== 'revoked' && !d.notLogged)
    .map((d) => d.deviceId)
    .sort();
}

export function deviceView(self: SelfRecord, tx: Transaction): ThisDeviceView {
  return {
    address: self.address,
    displayName: self.displayName,
    deviceId: toHex(self.deviceId),
    attestationExpiresAt: self.expiresAt,
    orgId: toHex(self.orgId),
    reachable: self.published,
    approval: approvalOf(self),
    unapprovedOwnDevices: unapprovedOwnDevices(self, tx.get<ContactRecord>(TABLES.contacts, self.address)),
    ...(self.orgKeyAlert ? { orgKeysAlert: { code: self.orgKeyAlert.code, at: self.orgKeyAlert.at } } : {}),
    ...(self.logAlert ? { logAlert: { code: self.logAlert.code, at: self.logAlert.at } } : {}),
  };
}

/** What the page shows besides messages: this device, the relays, the revocation list, the conversations. */
export function snapshotOf(
  tx: Transaction,
  self: SelfRecord | undefined,
  relays: RelayView[],
  revocation?: RevocationView,
  openChannels: ReadonlySet<string> = new Set(),
): Omit<ClientSnapshot, 'vault'> {
  if (!self) return { relays, conversations: [], pendingOutgoing: 0 };
  const contacts = new Map(tx.all<ContactRecord>(TABLES.contacts).map((c) => [c.address, c]));
  const member = (address: string): MemberView => {
    const contact = contacts.get(address);
    return {
      address,
      displayName: address === self.address ? self.displayName : (contact?.displayName ?? address),
      devices: Object.values(contact?.devices ?? {}).map((d) => ({
        deviceId: d.deviceId,
        trust: d.trust,
        approved: d.approved === true,
      })),
      isSelf: address === self.address,
      ...(contact?.changedUserKey ? { userKeyChanged: true } : {}),
      ...(contact && isVerified(contact) ? { verified: true } : {}),
    };
  };
  const conversations: ConversationView[] = tx
    .all<ConversationRecord>(TABLES.conversations)
    .map((c) => ({
      id: c.id,
      kind: c.kind,
      title:
        c.kind === 'direct' ? (contacts.get(c.peer as string)?.displayName ?? (c.peer as string)) : (c.title ?? ''),
      members: c.members.map((address) => ({
        ...member(address),
        ...(c.group ? { role: c.group.admins.includes(address) ? ('admin' as const) : ('member' as const) } : {}),
      })),
      ...(c.group ? { group: groupView(c.group, self.address) } : {}),
      ...(c.lastPreview !== undefined ? { lastMessage: { preview: c.lastPreview, at: c.lastAt as number } } : {}),
      unread: c.unread,
      lastReadAt: c.lastReadAt ?? 0,
      unreadMentions: c.unreadMentions ?? 0,
      notify: c.notify ?? defaultNotify(c),
      disappearAfterSeconds: c.disappearAfterSeconds,
      active: c.active,
      updatedAt: c.updatedAt,
      path: pathOf(c, self.address, contacts, openChannels),
    }))
    .sort((a, b) => b.updatedAt - a.updatedAt);
  const pendingOutgoing = tx.all<OutboxRecord>(TABLES.outbox).reduce((n, item) => n + (item.messageRef ? 1 : 0), 0);
  return {
    device: deviceView(self, tx),
    relays,
    conversations,
    pendingOutgoing,
    ...(revocation ? { revocation } : {}),
    preferences: {
      readReceipts: self.readReceipts !== false,
      typingIndicators: self.typingIndicators !== false,
      directChannels: self.directChannels ?? 'direct',
    },
  };
}

/** Which of the other members' current devices have an open direct channel: all, some, or none. */
function pathOf(
  conversation: ConversationRecord,
  selfAddress: string,
  contacts: ReadonlyMap<string, ContactRecord>,
  openChannels: ReadonlySet<string>,
): ConversationView['path'] {
  if (openChannels.size === 0 || !conversation.active) return 'relay';
  const devices = conversation.members
    .filter((address) => address !== selfAddress)
    .flatMap((address) => Object.values(contacts.get(address)?.devices ?? {}))
    .filter((device) => device.approved === true && device.trust !== 'revoked');
  const open = devices.filter((device) => openChannels.has(device.deviceId)).length;
  return open === 0 ? 'relay' : open === devices.length ? 'direct' : 'mixed';
}

/** NotifyLevel's default (api.ts): a large group notifies only for mentions. */
export function defaultNotify(conversation: ConversationRecord): NotifyLevel {
  return conversation.kind === 'group' && conversation.members.length > MENTIONS_ONLY_GROUP_SIZE ? 'mentions' : 'all';
}

/** What this user may do in a group (groups.md §4.2), as the head of its chain says. */
function groupView(group: GroupSummary, self: string): NonNullable<ConversationView['group']> {
  const isAdmin = group.admins.includes(self);
  return {
    announcementOnly: group.announcementOnly,
    addBy: group.addBy,
    isAdmin,
    mayPost: isAdmin || !group.announcementOnly,
    mayAdd: isAdmin || group.addBy === 'everyone',
  };
}
