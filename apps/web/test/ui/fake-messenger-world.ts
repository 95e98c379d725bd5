/**
 * The world the fake messenger plays in, and the tests' hands on it: this device's vault and
 * enrolment, the directory, the conversations, the relay; the controls a test uses to make
 * something happen (a message arrives, a key changes, the device is revoked); and how all of it is
 * shown to the UI (the snapshot) and announced (events). The MessengerApi commands are
 * fake-messenger.ts.
 */
import type {
  ClientSnapshot,
  DeviceLinkOfferView,
  MessageView,
  MessengerEvent,
  PreferencesView,
  RelayStatus,
  ReplyView,
  ThisDeviceView,
} from '../../src/messenger/api';
import { FakeConversations, type FakeConversation } from './fake-messenger-conversations';
import { FAKE_LINK_CODE } from './fake-messenger-device-link';
import {
  FAKE_GHOST_DEVICE_ID,
  FAKE_NEW_KEY_DEVICE_ID,
  fakeDirectory,
  fakeThisDevice,
  selfMemberView,
  sendingDevice,
  type FakePerson,
} from './fake-messenger-people';
import { FAKE_SAFETY_QR_MATCH } from './fake-messenger-safety';
import { seedConversations } from './fake-messenger-seed';

export interface FakeMessengerOptions {
  /** Pretend time; defaults to Date.now. */
  readonly now?: () => number;
  /** Delay before a queued message becomes sent, then delivered (ms); 0 = at once. */
  readonly deliveryDelayMs?: number;
  /** Start already enrolled and unlocked with a few conversations (for screenshots). */
  readonly seeded?: boolean;
  /** Enrol as a later device of its person, waiting for another one to approve it (user-keys.md §3.3). */
  readonly enrolUnapproved?: boolean;
  /** The typed code that names a device waiting for approval here (checkDeviceLink); FAKE_LINK_CODE by default. */
  readonly linkCode?: string;
  /** The scanned text that is "their screen" for verifySafetyQr; FAKE_SAFETY_QR_MATCH by default. */
  readonly safetyQrMatch?: string;
}

export abstract class FakeMessengerWorld {
  protected vault: 'none' | 'locked' | 'unlocked' = 'none';
  protected passphrase = '';
  protected device?: ThisDeviceView;
  protected wiped?: { reason: string; at: number };
  protected relayStatus: RelayStatus = 'connecting';
  protected readonly people = fakeDirectory();
  protected readonly conversations: FakeConversations;
  protected readonly now: () => number;
  protected readonly deliveryDelayMs: number;
  protected readonly enrolUnapproved: boolean;
  protected readonly linkCode: string;
  protected readonly safetyQrMatch: string;
  protected offer?: DeviceLinkOfferView;
  protected preferences: PreferencesView = { readReceipts: true, typingIndicators: true, directChannels: 'direct' };
  protected readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    protected readonly emit: (event: MessengerEvent) => void,
    options: FakeMessengerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.conversations = new FakeConversations(this.now);
    this.deliveryDelayMs = options.deliveryDelayMs ?? 0;
    this.enrolUnapproved = options.enrolUnapproved ?? false;
    this.linkCode = options.linkCode ?? FAKE_LINK_CODE;
    this.safetyQrMatch = options.safetyQrMatch ?? FAKE_SAFETY_QR_MATCH;
    if (options.seeded) this.seed();
  }

  // ── test controls ─────────────────────────────────────────────────────────────────────────

  /** The administrator revoked this device: keys gone, only the notice remains. */
  revokeThisDevice(reason: string): void {
    this.vault = 'none';
    this.device = undefined;
    this.conversations.clear();
    this.wiped = { reason, at: this.now() };
    this.changed();
  }

  setRelayStatus(status: RelayStatus): void {
    this.relayStatus = status;
    this.changed();
  }

  /**
   * A message from `address` arrives in the conversation; with `unapprovedDevice`, from a device
   * of theirs that their user key did not approve (their first such device, else a made-up one);
   * `replyTo`: the id of the message it answers (or the quote as the worker would show it);
   * `mentions`: the addresses it names. Returns its id.
   */
  receive(
    conversationId: string,
    address: string,
    text: string,
    options: {
      unapprovedDevice?: boolean;
      replyTo?: string | ReplyView;
      mentions?: readonly string[];
    } = {},
  ): string {
    const conversation = this.conversations.find(conversationId);
    const person = this.people.get(address);
    if (!conversation || !person) throw new Error('unknown conversation or person');
    const deviceId = options.unapprovedDevice
      ? (person.devices.find((device) => device.key !== 'pinned')?.deviceId ?? FAKE_GHOST_DEVICE_ID)
      : sendingDevice(person).deviceId;
    const replyTo = typeof options.replyTo === 'string' ? this.quote(conversation, options.replyTo) : options.replyTo;
    const message = this.conversations.push(conversation, {
      sender: { address, displayName: person.displayName, deviceId },
      mine: false,
      text,
      ...(options.unapprovedDevice ? { unapprovedDevice: true as const } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(options.mentions ? { mentions: options.mentions } : {}),
      ...(this.device && options.mentions?.includes(this.device.address) ? { mentionsMe: true as const } : {}),
    });
    conversation.unread++;
    this.changed(conversation.id);
    return message.id;
  }

  /** `address`'s device key changed (a reinstall, or an attack). */
  changeKey(address: string): void {
    const device = this.person(address).devices[0];
    if (!device) throw new Error('no device');
    device.trust = 'key_changed';
    this.lineFor(address, { type: 'key_changed', member: address, deviceId: device.deviceId });
  }

  /**
   * `address`'s user key changed (they started again from scratch, or an attack): a device under
   * the new key appears, unapproved, until this user accepts the key (user-keys.md §2.5).
   */
  changeUserKey(address: string, deviceId: string = FAKE_NEW_KEY_DEVICE_ID): void {
    const person = this.person(address);
    person.userKeyChanged = true;
    person.devices.push({ deviceId, trust: 'unverified', key: 'changed' });
    this.lineFor(address, { type: 'user_key_changed', member: address });
  }

  /** No device of `address` is certified by a user key this device holds: they have no safety number here yet. */
  withoutUserKey(address: string): void {
    const person = this.person(address);
    for (const device of person.devices) device.key = 'none';
    person.verified = false;
    this.changed();
  }

  /** The admin app added a device to `address` that their user key did not approve (a ghost device). */
  addUnapprovedDevice(address: string, deviceId: string = FAKE_GHOST_DEVICE_ID): void {
    this.person(address).devices.push({ deviceId, trust: 'unverified', key: 'none' });
    this.lineFor(address, { type: 'device_unapproved', member: address, deviceId });
  }

  /** Another device of this person approved this one: the user key arrived, the offer is spent. */
  approveThisDevice(): void {
    if (!this.device) throw new Error('not enrolled');
    this.device = { ...this.device, approval: 'approved' };
    this.offer = undefined;
    this.changed();
  }

  /** The directory lists a device on this address that the person's user key did not certify. */
  addUnapprovedOwnDevice(deviceId: string): void {
    if (!this.device) throw new Error('not enrolled');
    this.device = { ...this.device, unapprovedOwnDevices: [...this.device.unapprovedOwnDevices, deviceId] };
    this.changed();
  }

  /** The offer this device shows now, if any (what the link screen was given and not yet cancelled). */
  currentOffer(): DeviceLinkOfferView | undefined {
    return this.offer;
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  protected view(): ClientSnapshot {
    const relays = [{ url: 'http://127.0.0.1:3002', status: this.relayStatus }];
    if (this.wiped) return { vault: this.vault, wiped: this.wiped, relays: [], conversations: [], pendingOutgoing: 0 };
    if (this.vault !== 'unlocked') return { vault: this.vault, relays: [], conversations: [], pendingOutgoing: 0 };
    const self = this.device ? selfMemberView(this.device) : undefined;
    return {
      vault: this.vault,
      ...(this.device ? { device: this.device } : {}),
      relays: this.device ? relays : [],
      conversations: this.conversations
        .all()
        .map((conversation) => this.conversations.view(conversation, self, this.people)),
      pendingOutgoing: this.conversations.queued(),
      ...(this.device ? { preferences: this.preferences } : {}),
    };
  }

  /** The quote of message `messageId` as it is now (edited: its new text; deleted: nothing). */
  protected quote(conversation: FakeConversation, messageId: string): ReplyView {
    const quoted = conversation.messages.find((message) => message.id === messageId);
    if (!quoted?.sender) throw { code: 'not_found', message: 'no such message' };
    const base = { messageId, address: quoted.sender.address };
    if (quoted.deletedAt !== undefined) return { ...base, deleted: true };
    return {
      ...base,
      ...(quoted.text !== undefined ? { text: quoted.text.slice(0, 200) } : {}),
      ...(quoted.attachment ? { attachmentName: quoted.attachment.name } : {}),
    };
  }

  protected changed(conversationId?: string): void {
    this.emit({ type: 'snapshot', snapshot: this.view() });
    if (conversationId) this.emit({ type: 'messages', conversationId });
  }

  /** A system line in every conversation `address` is in, each one announced (the snapshot at least, if none). */
  protected lineFor(address: string, system: NonNullable<MessageView['system']>): void {
    const conversations = this.conversations.with(address);
    for (const conversation of conversations) {
      this.conversations.push(conversation, { mine: false, system });
      this.changed(conversation.id);
    }
    if (conversations.length === 0) this.changed();
  }

  private person(address: string): FakePerson {
    const person = this.people.get(address);
    if (!person) throw new Error('unknown person');
    return person;
  }

  protected requireUnlocked(): void {
    if (this.vault !== 'unlocked') throw { code: 'locked', message: 'locked' };
  }

  protected requireReady(): ThisDeviceView {
    this.requireUnlocked();
    if (!this.device) throw { code: 'not_enrolled', message: 'not enrolled' };
    return this.device;
  }

  protected setStatus(conversation: FakeConversation, messageId: string, status: MessageView['status']): void {
    this.conversations.setStatus(conversation, messageId, status);
    this.changed(conversation.id);
  }

  protected later(action: () => void): void {
    if (this.deliveryDelayMs === 0) return action();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, this.deliveryDelayMs);
    this.timers.add(timer);
  }

  private seed(): void {
    this.passphrase = 'correct horse battery';
    this.vault = 'unlocked';
    this.relayStatus = 'online';
    this.device = fakeThisDevice(this.now(), 'approved');
    seedConversations(this.conversations, this.people, this.device, this.now());
  }
}
