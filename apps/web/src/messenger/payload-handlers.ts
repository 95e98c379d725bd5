import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { conversationFor, systemLine, touchConversation } from './conversations';
import { ownSentMessage, settledStatus } from './delivery-status';
import { fromB64, toHex } from './encoding';
import { heldFromDevice, receivedKey, sharedCopies } from './message-identity';
import { receiveDistribution } from './received-group-keys';
import { MessengerError } from './errors';
import type { GroupInbox } from './group-inbox';
import type { History } from './history';
import type { Outbox } from './outbox';
import type { AppPayload } from './payload';
import type { DirectSignal } from './direct/direct-signals';
import type { Peers } from './peers';
import { TABLES, type ContactDeviceRecord, type ContactRecord, type MessageRecord, type PeerRecord } from './records';
import { receivedAttachment } from './attachment-payload';
import type { Transaction } from './transaction';
import { MESSAGE_CHANGE_HANDLERS } from './message-change-handlers';
import { linkReply, releaseEarlyChanges } from './message-changes';

/** Who sent a payload: a verified attestation's user and device. */
export interface Sender {
  readonly address: string;
  readonly displayName: string;
  readonly deviceId: string;
}

/** What a handler needs: the change it writes into, the sending device, and the payload. */
export interface Received<T extends AppPayload['t']> {
  readonly tx: Transaction;
  readonly peer: PeerRecord;
  readonly device: ContactDeviceRecord;
  readonly sender: Sender;
  readonly payload: Extract<AppPayload, { t: T }>;
}

export interface HandlerDeps {
  readonly ctx: MessengerContext;
  readonly contacts: Contacts;
  readonly peers: Peers;
  readonly outbox: Outbox;
  readonly groupInbox: GroupInbox;
  readonly history: History;
  /** A contact's log head to compare with ours (log-monitor.ts compareGossiped), after this change. */
  readonly logGossip: (head: Uint8Array) => void;
  /** The new-device side of the device link: opens a transfer while an offer is shown. */
  readonly deviceLink: { receive(tx: Transaction, transfer: Uint8Array): Promise<void> };
  /** Parked blobs are tried again once a Sender Key arrived (after the change commits). */
  readonly retryParked: () => void;
  /** A received file: fetched after the change commits when it is small enough (attachment-transfers.ts). */
  readonly attachments: { received(tx: Transaction, message: MessageRecord): void };
  /** A direct channel's signalling (direct.md §3): handled after the change commits (direct-channels.ts). */
  readonly direct: { signal(peer: string, payload: DirectSignal): Promise<void>; want(peer: string): void };
}

/** A contact's `devices_changed` hint makes us look it up again at most this often. */
const DEVICES_CHANGED_MIN_INTERVAL_MS = 5 * 60_000;

type Handlers = { readonly [T in AppPayload['t']]: (deps: HandlerDeps, input: Received<T>) => Promise<void> | void };

/** One handler per payload type (messages.md §4). */
const HANDLERS: Handlers = {
  ...MESSAGE_CHANGE_HANDLERS,
  /** The queue the sender reads our messages from (messages.md §5.1). */
  hello: async ({ ctx, outbox, peers, contacts }, { tx, peer, device, sender, payload }) => {
    if (!ctx.env.relayUrls.includes(payload.replyQueue.relay))
      throw new MessengerError('internal', 'a queue on a relay this organisation does not use');
    const updated: PeerRecord = {
      ...peer,
      outbox: { relay: payload.replyQueue.relay, senderId: fromB64(payload.replyQueue.senderId) },
    };
    tx.put(TABLES.peers, peer.deviceId, updated);
    if (payload.certificate)
      await contacts.noteCertificate(tx, sender.address, sender.deviceId, fromB64(payload.certificate));
    outbox.awaitingIntro.delete(peer.deviceId);
    outbox.releaseHeld(tx, peer.deviceId);
    if (!updated.inbox) await peers.ensure(tx, sender.address, device);
  },
  text: async ({ ctx, peers, attachments }, { tx, device, sender, payload }) => {
    const self = ctx.requireSelf();
    const conversation = conversationFor(tx, ctx, payload.conversation, sender);
    // Its identity is (sending device, id), messages.md §5.2: the same id from another device is another message.
    if (!conversation || (await heldFromDevice(tx, conversation.id, sender.deviceId, payload.id))) return;
    // An announcement-only group takes posts from its administrators only (groups.md §4.3 mayPost).
    if (conversation.group?.announcementOnly && !conversation.group.admins.includes(sender.address)) return;
    const mine = sender.address === self.address;
    const expiresAt = payload.expireAfter ? payload.sentAt + payload.expireAfter * 1000 : undefined;
    if (expiresAt !== undefined && expiresAt <= ctx.now()) return;
    // A file on a relay this organisation does not use is refused with its text (attachment-payload.ts).
    const file = payload.attachment
      ? receivedAttachment(payload.attachment, ctx.env.relayUrls, ctx.nowSeconds())
      : undefined;
    for (const copy of await sharedCopies(tx, conversation.id, sender.address, payload.id))
      tx.deleteMessage(conversation.id, copy.id);
    // Mentions name members of the group only; a direct conversation has none.
    const mentions =
      conversation.kind === 'group' ? payload.mentions?.filter((a) => conversation.members.includes(a)) : undefined;
    const mentionsMe = !mine && mentions?.includes(self.address) === true;
    const received: MessageRecord = {
      v: 1,
      id: receivedKey(sender.deviceId, payload.id),
      wireId: payload.id,
      conversationId: conversation.id,
      sender,
      mine,
      ...(payload.body.length > 0 ? { text: payload.body } : {}),
      sentAt: payload.sentAt,
      receivedAt: ctx.now(),
      ...(mine ? { status: 'sent' as const } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(device.approved !== true ? { unapprovedDevice: true as const } : {}),
      ...(file ? { attachment: file.view, attachmentSecret: file.secret } : {}),
      ...(payload.replyTo ? { replyRef: payload.replyTo } : {}),
      ...(mentions && mentions.length > 0 ? { mentions } : {}),
      ...(mentionsMe ? { mentionsMe: true as const } : {}),
    };
    const message = await linkReply(tx, ctx, received);
    tx.putMessage(message);
    if (file && file.view.state === 'available') attachments.received(tx, message);
    touchConversation(tx, conversation, payload.body || (file?.view.name ?? ''), payload.sentAt, !mine, mentionsMe);
    // Reactions, edits or a deletion that arrived before it (messages.md §5.8).
    await releaseEarlyChanges(tx, ctx, conversation, message);
    tx.after(() => ctx.typingNow.clear(conversation.id, sender.address));
    if (!mine) await peers.send(tx, device, { t: 'receipt', ids: [payload.id] });
  },
  /**
   * Confirms only messages this device sent (`sent` holds nothing else; they keep their plain
   * ids), and only for a user it was sent to: a member cannot mark another's message delivered.
   */
  receipt: async ({ ctx }, { tx, sender, payload }) => {
    const self = ctx.requireSelf();
    const selfDevice = toHex(self.deviceId);
    for (const id of payload.ids) {
      const own = await ownSentMessage(tx, selfDevice, id);
      if (!own) continue;
      const { message, members } = own;
      if (!(message.recipients ?? members).includes(sender.address)) continue;
      const deliveredTo = { ...(message.deliveredTo ?? {}), [sender.address]: true };
      const status = settledStatus({ ...message, deliveredTo }, members, self.address, (a) =>
        tx.get<ContactRecord>(TABLES.contacts, a),
      );
      tx.putMessage({ ...message, deliveredTo, status: status === 'queued' || status === undefined ? 'sent' : status });
      tx.touchMessages(message.conversationId);
    }
  },
  group_change: ({ groupInbox }, { tx, payload }) =>
    groupInbox.receiveChange(tx, payload.groupId, fromB64(payload.change)),
  group_welcome: ({ groupInbox }, { tx, sender, payload }) => groupInbox.receiveWelcome(tx, sender, payload),
  history: ({ history }, { tx, device, sender, payload }) =>
    history.receive(tx, device, sender, payload.bundle, payload.signature),
  history_shared: ({ ctx }, { tx, sender, payload }) => {
    const conversation = conversationFor(tx, ctx, payload.conversation, sender);
    if (!conversation || payload.with === ctx.requireSelf().address) return;
    systemLine(
      tx,
      ctx,
      conversation,
      { type: 'history_shared', by: sender.address, count: payload.count, with: payload.with },
      payload.at,
    );
  },
  /**
   * Look the sender up again, at most once per interval per contact (the directory is rate
   * limited): a contact can make us spend at most one directory look-up per interval this way.
   * The look-up itself runs after this change, outside the exclusive section.
   */
  devices_changed: ({ ctx, contacts }, { tx, sender }) => {
    const contact = tx.get<ContactRecord>(TABLES.contacts, sender.address);
    if (!contact) return;
    if (contact.hintedAt !== undefined && ctx.now() - contact.hintedAt < DEVICES_CHANGED_MIN_INTERVAL_MS) return;
    tx.put(TABLES.contacts, contact.address, { ...contact, hintedAt: ctx.now() });
    tx.after(() => contacts.refreshLater(sender.address));
  },
  /** Compared outside this change: it needs a consistency proof from the admin app. */
  tree_head: ({ logGossip }, { tx, payload }) => {
    const head = fromB64(payload.head);
    tx.after(() => logGossip(head));
  },
  /** Only from one of our own devices, and only opened while this device shows an offer (device-link.ts). */
  link: async ({ ctx, deviceLink }, { tx, sender, payload }) => {
    if (sender.address !== ctx.requireSelf().address) return;
    await deviceLink.receive(tx, fromB64(payload.transfer));
  },
  rtc_offer: ({ direct }, { tx, sender, payload }) => signalLater(direct, tx, sender, payload),
  rtc_answer: ({ direct }, { tx, sender, payload }) => signalLater(direct, tx, sender, payload),
  rtc_close: ({ direct }, { tx, sender, payload }) => signalLater(direct, tx, sender, payload),
  sender_key: ({ ctx, retryParked }, { tx, peer, payload }) => {
    const current = tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord;
    const held = current.groupKeys.find((k) => k.groupId === payload.groupId);
    const groupKeys = [
      ...current.groupKeys.filter((k) => k.groupId !== payload.groupId),
      receiveDistribution(held, payload.groupId, fromB64(payload.distribution), fromB64(payload.fanoutKey), ctx.now()),
    ];
    tx.put(TABLES.peers, peer.deviceId, { ...current, groupKeys });
    tx.after(retryParked);
  },
  disappearing: ({ ctx }, { tx, sender, payload }) => {
    const conversation = conversationFor(tx, ctx, payload.conversation, sender);
    // A group's timer is one of its settings: set by an administrator's signed change only (groups.md §2).
    if (!conversation || conversation.kind === 'group') return;
    const updated = { ...conversation, disappearAfterSeconds: payload.seconds };
    tx.put(TABLES.conversations, conversation.id, updated);
    systemLine(
      tx,
      ctx,
      updated,
      { type: 'disappearing_set', by: sender.address, seconds: payload.seconds },
      payload.at,
    );
  },
};

/** Only ever pairwise (never by fan-out) and, like any payload but a few, only from an approved device. */
function signalLater(direct: HandlerDeps['direct'], tx: Transaction, sender: Sender, payload: DirectSignal): void {
  tx.after(() => void direct.signal(sender.deviceId, payload).catch(() => undefined));
}

/**
 * What a device its person's user key did not approve may still do (user-keys.md §2.5): say hello
 * (with its certificate), hint at new devices, carry a device-link transfer. A text is shown marked
 * as coming from an unapproved device; anything else that would change a conversation (membership,
 * keys, history, timers, receipts) is dropped, so a ghost device cannot rewrite what we see.
 */
const ALLOWED_UNAPPROVED: ReadonlySet<AppPayload['t']> = new Set(['hello', 'devices_changed', 'link', 'text']);

export async function handlePayload<T extends AppPayload['t']>(deps: HandlerDeps, input: Received<T>): Promise<void> {
  if (input.device.approved !== true && !ALLOWED_UNAPPROVED.has(input.payload.t)) return;
  const handler = HANDLERS[input.payload.t] as (deps: HandlerDeps, input: Received<T>) => Promise<void> | void;
  await handler(deps, input);
}
