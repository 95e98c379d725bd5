/**
 * An in-memory MessengerApi for developing and testing the UI without the real messenger: no keys,
 * no network. Never shipped (it lives under test/). It behaves like the contract says: commands
 * reject with a MessengerErrorShape, a locked vault shows nothing, and every change is followed by
 * a `snapshot` (and, for a conversation, a `messages`) event.
 *
 * This file holds the commands. Beside it: the state and the tests' controls
 * (fake-messenger-world.ts), reactions, edits, deletion, typing and preferences
 * (fake-messenger-message-actions.ts), the directory (fake-messenger-people.ts), the conversations
 * (fake-messenger-conversations.ts), the device link (fake-messenger-device-link.ts), the safety
 * numbers (fake-messenger-safety.ts) and the seeded conversations (fake-messenger-seed.ts).
 */
import type {
  ClientSnapshot,
  DeviceLinkCandidateView,
  DeviceLinkOfferView,
  MessageCursor,
  MessagePage,
  SearchResultView,
  MessageView,
  MessengerApi,
  MessengerErrorCode,
  SafetyNumberView,
  ThisDeviceView,
} from '../../src/messenger/api';
import { MAX_MESSAGE_CHARACTERS } from '../../src/messenger/api';
import { MAX_ATTACHMENT_FILE_BYTES } from '../../src/messenger/attachment-api';
import { FAKE_LINKED_DEVICE_ID, fakeLinkInputMatches, fakeLinkOffer } from './fake-messenger-device-link';
import { fakeThisDevice, hasPinnedUserKey, WITHOUT_DEVICES, type FakePerson } from './fake-messenger-people';
import { fakeSafetyQrMatches, safetyNumberView } from './fake-messenger-safety';
import { fakeSearch } from './fake-messenger-search';
import { FakeMessengerMessageActions } from './fake-messenger-message-actions';

export { FAKE_LINK_CODE, FAKE_LINK_QR, FAKE_LINKED_DEVICE_ID } from './fake-messenger-device-link';
export { FAKE_GHOST_DEVICE_ID, FAKE_NEW_KEY_DEVICE_ID } from './fake-messenger-people';
export { FAKE_SAFETY_QR_MATCH } from './fake-messenger-safety';
export type { FakeMessengerOptions } from './fake-messenger-world';

const fail = (code: MessengerErrorCode, message: string) => Promise.reject({ code, message });

export class FakeMessenger extends FakeMessengerMessageActions implements MessengerApi {
  // ── MessengerApi ──────────────────────────────────────────────────────────────────────────

  async snapshot(): Promise<ClientSnapshot> {
    return this.view();
  }

  async createVault(passphrase: string): Promise<void> {
    if (this.vault !== 'none') return fail('already_enrolled', 'a vault exists');
    if ([...passphrase].length < 8) return fail('weak_passphrase', 'too short');
    this.passphrase = passphrase;
    this.vault = 'unlocked';
    this.wiped = undefined;
    this.changed();
  }

  async unlock(passphrase: string): Promise<void> {
    if (this.vault === 'none') return fail('not_enrolled', 'no vault');
    if (passphrase !== this.passphrase) return fail('wrong_passphrase', 'wrong passphrase');
    this.vault = 'unlocked';
    this.relayStatus = 'online';
    this.changed();
  }

  async lock(): Promise<void> {
    if (this.vault === 'unlocked') this.vault = 'locked';
    this.changed();
  }

  async enrol(code: string): Promise<ThisDeviceView> {
    if (this.vault !== 'unlocked') return fail('locked', 'locked');
    if (this.device) return fail('already_enrolled', 'enrolled');
    if (code.replace(/-/g, '').length !== 24) return fail('enrolment_refused', 'bad code');
    this.device = fakeThisDevice(this.now(), this.enrolUnapproved ? 'unapproved' : 'approved');
    this.relayStatus = 'online';
    this.changed();
    return this.device;
  }

  async startDirect(address: string): Promise<string> {
    this.requireReady();
    const exact = address.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(exact)) return fail('invalid_address', 'invalid');
    if (WITHOUT_DEVICES.has(exact)) return fail('no_devices', 'no devices');
    const person = this.people.get(exact);
    if (!person) return fail('not_found', 'not found');
    const existing = this.conversations.with(exact).find((conversation) => conversation.kind === 'direct');
    if (existing) return existing.id;
    const conversation = this.conversations.open('direct', person.displayName, [exact]);
    this.changed(conversation.id);
    return conversation.id;
  }

  async createGroup(title: string, addresses: readonly string[]): Promise<string> {
    const device = this.requireReady();
    const members: string[] = [];
    for (const address of addresses.map((candidate) => candidate.trim().toLowerCase())) {
      if (!this.people.has(address)) return fail('not_found', `not found: ${address}`);
      members.push(address);
    }
    const conversation = this.conversations.open('group', title.trim(), members);
    this.conversations.push(conversation, { mine: false, system: { type: 'group_created', by: device.address } });
    this.changed(conversation.id);
    return conversation.id;
  }

  async addMember(conversationId: string, address: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    const exact = address.trim().toLowerCase();
    if (!this.people.has(exact)) return fail('not_found', 'not found');
    if (!conversation.members.includes(exact)) conversation.members.push(exact);
    this.conversations.push(conversation, {
      mine: false,
      system: { type: 'member_added', by: device.address, member: exact },
    });
    this.changed(conversation.id);
  }

  async removeMember(conversationId: string, address: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    conversation.members = conversation.members.filter((member) => member !== address);
    this.conversations.push(conversation, {
      mine: false,
      system: { type: 'member_removed', by: device.address, member: address },
    });
    this.changed(conversation.id);
  }

  async setRole(conversationId: string, address: string, role: 'admin' | 'member'): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    this.conversations.push(conversation, {
      mine: false,
      system: { type: 'role_changed', by: device.address, member: address, role },
    });
    this.changed(conversation.id);
  }

  async setTitle(conversationId: string, title: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    conversation.title = title.trim();
    this.conversations.push(conversation, {
      mine: false,
      system: { type: 'title_changed', by: device.address, title },
    });
    this.changed(conversation.id);
  }

  async setGroupSettings(
    conversationId: string,
    settings: { announcementOnly?: boolean; addBy?: 'admins' | 'everyone' },
  ): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    this.conversations.push(conversation, {
      mine: false,
      system: {
        type: 'group_settings_changed',
        by: device.address,
        announcementOnly: settings.announcementOnly ?? false,
        addBy: settings.addBy ?? 'admins',
      },
    });
    this.changed(conversation.id);
  }

  async leave(conversationId: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    conversation.active = false;
    this.conversations.push(conversation, { mine: false, system: { type: 'member_left', member: device.address } });
    this.changed(conversation.id);
  }

  async send(
    conversationId: string,
    text: string,
    options: { readonly replyTo?: string; readonly mentions?: readonly string[] } = {},
  ): Promise<string> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    if (text.length > MAX_MESSAGE_CHARACTERS) return fail('message_too_long', 'too long');
    if (device.approval !== 'approved') return fail('not_approved', 'not approved yet');
    // A verified person's new key waits for this user's acceptance: the worker sends nothing meanwhile.
    const held = conversation.members.some((address) => {
      const person = this.people.get(address);
      return person?.verified === true && person.userKeyChanged;
    });
    if (held) return fail('key_change_unaccepted', 'a verified contact’s user key changed');
    const replyTo = options.replyTo === undefined ? undefined : this.quote(conversation, options.replyTo);
    // Only members can be mentioned; others are dropped, as the worker does.
    const mentions = (options.mentions ?? []).filter((address) => conversation.members.includes(address));
    const message = this.conversations.push(conversation, {
      sender: { address: device.address, displayName: device.displayName, deviceId: device.deviceId },
      mine: true,
      text,
      ...(replyTo ? { replyTo } : {}),
      ...(mentions.length > 0 ? { mentions } : {}),
      status: this.relayStatus === 'online' ? 'sent' : 'queued',
    });
    this.changed(conversation.id);
    if (this.relayStatus === 'online') this.later(() => this.setStatus(conversation, message.id, 'delivered'));
    return message.id;
  }

  /** Files "sent" here, by message id: the fake seals nothing and uploads nowhere. */
  readonly files = new Map<string, Blob>();

  async sendFile(
    conversationId: string,
    file: Blob,
    name: string,
    caption?: string,
    options?: { readonly replyTo?: string; readonly mentions?: readonly string[] },
  ): Promise<string> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    if (file.size > MAX_ATTACHMENT_FILE_BYTES) return fail('file_too_large', 'too large');
    const replyTo = options?.replyTo === undefined ? undefined : this.quote(conversation, options.replyTo);
    const mentions = (options?.mentions ?? []).filter((address) => conversation.members.includes(address));
    const message = this.conversations.push(conversation, {
      sender: { address: device.address, displayName: device.displayName, deviceId: device.deviceId },
      mine: true,
      ...(caption ? { text: caption } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(mentions.length > 0 ? { mentions } : {}),
      status: 'sent',
      attachment: { name, type: file.type, size: file.size, state: 'sent' },
    });
    this.files.set(message.id, file);
    this.changed(conversation.id);
    return message.id;
  }

  async cancelAttachment(_conversationId: string, messageId: string): Promise<void> {
    if (!this.files.delete(messageId)) return fail('not_found', 'no such transfer');
  }

  async fetchAttachment(_conversationId: string, messageId: string): Promise<void> {
    if (!this.files.has(messageId)) return fail('attachment_expired', 'not on the relay');
  }

  async openAttachment(_conversationId: string, messageId: string): Promise<Blob> {
    return this.files.get(messageId) ?? fail('not_found', 'not stored here');
  }

  async searchMessages(query: string, conversationId?: string): Promise<readonly SearchResultView[]> {
    this.requireUnlocked();
    return fakeSearch(this.conversations.all(), query, conversationId);
  }

  async messages(conversationId: string): Promise<readonly MessageView[]> {
    this.requireUnlocked();
    const conversation = this.conversations.find(conversationId);
    if (!conversation) return fail('not_found', 'no such conversation');
    return conversation.messages.filter((message) => message.expiresAt === undefined || message.expiresAt > this.now());
  }

  async messagePage(
    conversationId: string,
    page: { readonly before?: MessageCursor; readonly limit: number },
  ): Promise<MessagePage> {
    const all = await this.messages(conversationId);
    const end = page.before ? all.findIndex((m) => m.id === page.before?.id) : all.length;
    const upTo = end < 0 ? all.length : end;
    return { messages: all.slice(Math.max(0, upTo - page.limit), upTo), hasMore: upTo > page.limit };
  }

  async markRead(conversationId: string): Promise<void> {
    this.requireUnlocked();
    const conversation = this.conversations.find(conversationId);
    if (!conversation) return fail('not_found', 'no such conversation');
    conversation.lastReadAt = this.now();
    if (conversation.unread === 0) return;
    conversation.unread = 0;
    this.changed();
  }

  async setDisappearing(conversationId: string, seconds: number | null): Promise<void> {
    const device = this.requireReady();
    const conversation = this.conversations.member(conversationId);
    conversation.disappearAfterSeconds = seconds;
    this.conversations.push(conversation, {
      mine: false,
      system: { type: 'disappearing_set', by: device.address, seconds },
    });
    this.changed(conversation.id);
  }

  async safetyNumbers(conversationId: string): Promise<readonly SafetyNumberView[]> {
    const device = this.requireReady();
    const conversation = this.conversations.find(conversationId);
    if (!conversation) return fail('not_found', 'no such conversation');
    return conversation.members.flatMap((address) => {
      const person = this.people.get(address);
      return person ? [safetyNumberView(device.address, person)] : [];
    });
  }

  async markVerified(address: string): Promise<void> {
    this.pinnedPerson(address).verified = true;
    this.changed();
  }

  async verifySafetyQr(address: string, scanned: string): Promise<boolean> {
    const person = this.pinnedPerson(address);
    if (!fakeSafetyQrMatches(scanned, this.safetyQrMatch)) return false;
    person.verified = true;
    this.changed();
    return true;
  }

  async shareHistory(_conversationId: string, _address: string, count: number): Promise<number> {
    this.requireReady();
    return count;
  }

  async enablePasskey(): Promise<void> {
    return fail('internal', 'not in the fake');
  }

  async unlockWithPasskey(): Promise<void> {
    return fail('internal', 'not in the fake');
  }

  async disablePasskey(): Promise<void> {
    return fail('internal', 'not in the fake');
  }

  async wipe(): Promise<void> {
    this.dispose();
    this.vault = 'none';
    this.passphrase = '';
    this.device = undefined;
    this.wiped = undefined;
    this.conversations.clear();
    this.changed();
  }

  async startDeviceLink(): Promise<DeviceLinkOfferView> {
    const device = this.requireReady();
    if (device.approval !== 'unapproved') return fail('already_approved', 'already approved');
    this.offer = fakeLinkOffer(this.now());
    return this.offer;
  }

  async cancelDeviceLink(): Promise<void> {
    this.offer = undefined;
  }

  async checkDeviceLink(codeOrQr: string): Promise<DeviceLinkCandidateView> {
    return this.linkCandidate(codeOrQr);
  }

  async approveDeviceLink(codeOrQr: string): Promise<void> {
    const candidate = this.linkCandidate(codeOrQr);
    const device = this.requireReady();
    this.device = {
      ...device,
      unapprovedOwnDevices: device.unapprovedOwnDevices.filter((deviceId) => deviceId !== candidate.deviceId),
    };
    this.changed();
  }

  /**
   * The new key becomes the pinned one: its devices are approved, those of the key it replaces no
   * longer are (as the worker judges them again, person-keys.ts).
   */
  async acceptUserKey(address: string): Promise<void> {
    this.requireReady();
    const person = this.people.get(address.trim().toLowerCase());
    if (!person?.userKeyChanged) return fail('not_found', 'this person’s user key has not changed');
    person.userKeyChanged = false;
    // The verification was of the previous key; the new one gives another number to compare.
    person.verified = false;
    person.keyGeneration++;
    for (const device of person.devices) {
      if (device.key === 'pinned') device.key = 'replaced';
      else if (device.key === 'changed') device.key = 'pinned';
    }
    this.lineFor(person.address, { type: 'user_key_accepted', member: person.address });
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  /** A person with a safety number here, or `not_found` (unknown, or no user key pinned yet). */
  private pinnedPerson(address: string): FakePerson {
    this.requireReady();
    const person = this.people.get(address.trim().toLowerCase());
    if (!person || !hasPinnedUserKey(person))
      throw { code: 'not_found', message: 'no safety number for this person yet' };
    return person;
  }

  private linkCandidate(codeOrQr: string): DeviceLinkCandidateView {
    const device = this.requireReady();
    if (device.approval !== 'approved') throw { code: 'not_approved', message: 'not approved yet' };
    if (!fakeLinkInputMatches(codeOrQr, this.linkCode))
      throw { code: 'link_no_match', message: 'no device of yours waits for this code' };
    return { deviceId: FAKE_LINKED_DEVICE_ID, attestedAt: this.now() - 2 * 60_000, displayName: device.displayName };
  }
}
