/**
 * An in-memory MessengerApi for developing and testing the UI without the real messenger: no keys,
 * no network. Never shipped (it lives under test/). It behaves like the contract says: commands
 * reject with a MessengerErrorShape, a locked vault shows nothing, and every change is followed by
 * a `snapshot` (and, for a conversation, a `messages`) event.
 */
import type {
  ClientSnapshot,
  ConversationView,
  DeviceTrust,
  MemberView,
  MessageCursor,
  MessagePage,
  MessageView,
  MessengerApi,
  MessengerErrorCode,
  MessengerEvent,
  RelayStatus,
  SafetyNumberView,
  SystemEvent,
  ThisDeviceView,
} from '../../src/messenger/api';
import { MAX_MESSAGE_CHARACTERS } from '../../src/messenger/api';

export interface FakeMessengerOptions {
  /** Pretend time; defaults to Date.now. */
  readonly now?: () => number;
  /** Delay before a queued message becomes sent, then delivered (ms); 0 = at once. */
  readonly deliveryDelayMs?: number;
  /** Start already enrolled and unlocked with a few conversations (for screenshots). */
  readonly seeded?: boolean;
}

interface FakePerson {
  readonly address: string;
  readonly displayName: string;
  readonly deviceId: string;
  trust: DeviceTrust;
}

interface FakeConversation {
  id: string;
  kind: 'direct' | 'group';
  title: string;
  members: string[];
  messages: MessageView[];
  unread: number;
  disappearAfterSeconds: number | null;
  active: boolean;
  updatedAt: number;
}

const fail = (code: MessengerErrorCode, message: string) => Promise.reject({ code, message });

const PEOPLE: readonly Omit<FakePerson, 'trust'>[] = [
  { address: 'alex@example.org', displayName: 'Alex Martin', deviceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' },
  { address: 'sam@example.org', displayName: 'Sam Dubois', deviceId: 'b2c3d4e5f60718293a4b5c6d7e8f90a1' },
  { address: 'kim@example.org', displayName: 'Kim Laurent', deviceId: 'c3d4e5f60718293a4b5c6d7e8f90a1b2' },
  { address: 'noor@example.org', displayName: 'Noor Haddad', deviceId: 'd4e5f60718293a4b5c6d7e8f90a1b2c3' },
];

/** Addresses the fake directory knows but who have no device (`no_devices`). */
const WITHOUT_DEVICES = new Set(['new.hire@example.org']);

function fakeQrSvg(seed: string): string {
  let cells = '';
  let state = [...seed].reduce((hash, char) => (hash * 33 + char.charCodeAt(0)) >>> 0, 5381);
  for (let y = 0; y < 21; y++) {
    for (let x = 0; x < 21; x++) {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      const finder = (x < 7 && y < 7) || (x > 13 && y < 7) || (x < 7 && y > 13);
      const on = finder
        ? x % 6 === 0 || y % 6 === 0 || (x % 7 >= 2 && x % 7 <= 4 && y % 7 >= 2 && y % 7 <= 4)
        : (state & 8) !== 0;
      if (on) cells += `M${x} ${y}h1v1h-1z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 25 25"><rect x="-2" y="-2" width="25" height="25" fill="#fff"/><path d="${cells}" fill="#000"/></svg>`;
}

function fakeDigits(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  let state = [...`${first}|${second}`].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
  let digits = '';
  while (digits.length < 60) {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    digits += String(state % 100_000).padStart(5, '0');
  }
  return (digits.match(/.{5}/g) ?? []).join(' ');
}

export class FakeMessenger implements MessengerApi {
  private vault: 'none' | 'locked' | 'unlocked' = 'none';
  private passphrase = '';
  private device?: ThisDeviceView;
  private wiped?: { reason: string; at: number };
  private relayStatus: RelayStatus = 'connecting';
  private readonly people = new Map<string, FakePerson>(
    PEOPLE.map((person) => [person.address, { ...person, trust: 'unverified' }]),
  );
  private conversations: FakeConversation[] = [];
  private nextId = 1;
  private readonly now: () => number;
  private readonly deliveryDelayMs: number;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly emit: (event: MessengerEvent) => void,
    options: FakeMessengerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.deliveryDelayMs = options.deliveryDelayMs ?? 0;
    if (options.seeded) this.seed();
  }

  // ── test controls ─────────────────────────────────────────────────────────────────────────

  /** The administrator revoked this device: keys gone, only the notice remains. */
  revokeThisDevice(reason: string): void {
    this.vault = 'none';
    this.device = undefined;
    this.conversations = [];
    this.wiped = { reason, at: this.now() };
    this.changed();
  }

  setRelayStatus(status: RelayStatus): void {
    this.relayStatus = status;
    this.changed();
  }

  /** A message from `address` arrives in the conversation. */
  receive(conversationId: string, address: string, text: string): void {
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
    const person = this.people.get(address);
    if (!conversation || !person) throw new Error('unknown conversation or person');
    this.push(conversation, {
      sender: { address, displayName: person.displayName, deviceId: person.deviceId },
      mine: false,
      text,
    });
    conversation.unread++;
    this.changed(conversation.id);
  }

  /** `address`'s device key changed (a reinstall, or an attack). */
  changeKey(address: string): void {
    const person = this.people.get(address);
    if (!person) throw new Error('unknown person');
    person.trust = 'key_changed';
    for (const conversation of this.conversations.filter((candidate) => candidate.members.includes(address))) {
      this.push(conversation, {
        mine: false,
        system: { type: 'key_changed', member: address, deviceId: person.deviceId },
      });
      this.changed(conversation.id);
    }
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

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
    this.device = {
      address: 'me@example.org',
      displayName: 'Dominique Roy',
      deviceId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
      attestationExpiresAt: this.now() + 7 * 86_400_000,
      orgId: '00112233445566778899aabbccddeeff',
      reachable: true,
    };
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
    const existing = this.conversations.find(
      (conversation) => conversation.kind === 'direct' && conversation.members.includes(exact),
    );
    if (existing) return existing.id;
    const conversation = this.open('direct', person.displayName, [exact]);
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
    const conversation = this.open('group', title.trim(), members);
    this.push(conversation, { mine: false, system: { type: 'group_created', by: device.address } });
    this.changed(conversation.id);
    return conversation.id;
  }

  async addMember(conversationId: string, address: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.member(conversationId);
    const exact = address.trim().toLowerCase();
    if (!this.people.has(exact)) return fail('not_found', 'not found');
    if (!conversation.members.includes(exact)) conversation.members.push(exact);
    this.push(conversation, { mine: false, system: { type: 'member_added', by: device.address, member: exact } });
    this.changed(conversation.id);
  }

  async removeMember(conversationId: string, address: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.member(conversationId);
    conversation.members = conversation.members.filter((member) => member !== address);
    this.push(conversation, { mine: false, system: { type: 'member_removed', by: device.address, member: address } });
    this.changed(conversation.id);
  }

  async leave(conversationId: string): Promise<void> {
    const device = this.requireReady();
    const conversation = this.member(conversationId);
    conversation.active = false;
    this.push(conversation, { mine: false, system: { type: 'member_left', member: device.address } });
    this.changed(conversation.id);
  }

  async send(conversationId: string, text: string): Promise<string> {
    const device = this.requireReady();
    const conversation = this.member(conversationId);
    if (text.length > MAX_MESSAGE_CHARACTERS) return fail('message_too_long', 'too long');
    const message = this.push(conversation, {
      sender: { address: device.address, displayName: device.displayName, deviceId: device.deviceId },
      mine: true,
      text,
      status: this.relayStatus === 'online' ? 'sent' : 'queued',
    });
    this.changed(conversation.id);
    if (this.relayStatus === 'online') this.later(() => this.setStatus(conversation, message.id, 'delivered'));
    return message.id;
  }

  async messages(conversationId: string): Promise<readonly MessageView[]> {
    this.requireUnlocked();
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
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
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
    if (!conversation) return fail('not_found', 'no such conversation');
    if (conversation.unread === 0) return;
    conversation.unread = 0;
    this.changed();
  }

  async setDisappearing(conversationId: string, seconds: number | null): Promise<void> {
    const device = this.requireReady();
    const conversation = this.member(conversationId);
    conversation.disappearAfterSeconds = seconds;
    this.push(conversation, { mine: false, system: { type: 'disappearing_set', by: device.address, seconds } });
    this.changed(conversation.id);
  }

  async safetyNumbers(conversationId: string): Promise<readonly SafetyNumberView[]> {
    const device = this.requireReady();
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
    if (!conversation) return fail('not_found', 'no such conversation');
    return conversation.members.flatMap((address) => {
      const person = this.people.get(address);
      if (!person) return [];
      const digits = fakeDigits(device.deviceId, person.deviceId + person.trust.startsWith('key'));
      return [
        {
          address,
          displayName: person.displayName,
          deviceId: person.deviceId,
          digits,
          qrPayload: digits.replace(/\s/g, ''),
          qrSvg: fakeQrSvg(digits),
          trust: person.trust,
        },
      ];
    });
  }

  async markVerified(address: string, deviceId: string): Promise<void> {
    this.requireReady();
    const person = this.people.get(address);
    if (!person || person.deviceId !== deviceId) return fail('not_found', 'no such device');
    person.trust = 'verified';
    this.changed();
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
    this.conversations = [];
    this.changed();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private view(): ClientSnapshot {
    const relays = [{ url: 'http://127.0.0.1:3002', status: this.relayStatus }];
    if (this.wiped) return { vault: this.vault, wiped: this.wiped, relays: [], conversations: [], pendingOutgoing: 0 };
    if (this.vault !== 'unlocked') return { vault: this.vault, relays: [], conversations: [], pendingOutgoing: 0 };
    const pendingOutgoing = this.conversations.reduce(
      (count, conversation) => count + conversation.messages.filter((message) => message.status === 'queued').length,
      0,
    );
    return {
      vault: this.vault,
      ...(this.device ? { device: this.device } : {}),
      relays: this.device ? relays : [],
      conversations: this.conversations.map((conversation) => this.conversationView(conversation)),
      pendingOutgoing,
    };
  }

  private conversationView(conversation: FakeConversation): ConversationView {
    const last = [...conversation.messages].reverse().find((message) => message.text !== undefined);
    const self: MemberView | undefined = this.device
      ? {
          address: this.device.address,
          displayName: this.device.displayName,
          devices: [{ deviceId: this.device.deviceId, trust: 'verified' }],
          isSelf: true,
        }
      : undefined;
    const members: MemberView[] = conversation.members.flatMap((address) => {
      const person = this.people.get(address);
      return person
        ? [
            {
              address,
              displayName: person.displayName,
              devices: [{ deviceId: person.deviceId, trust: person.trust }],
              isSelf: false,
            },
          ]
        : [];
    });
    return {
      id: conversation.id,
      kind: conversation.kind,
      title: conversation.title,
      members: self ? [self, ...members] : members,
      ...(last?.text !== undefined ? { lastMessage: { preview: last.text.slice(0, 80), at: last.sentAt } } : {}),
      unread: conversation.unread,
      disappearAfterSeconds: conversation.disappearAfterSeconds,
      active: conversation.active,
      updatedAt: conversation.updatedAt,
    };
  }

  private changed(conversationId?: string): void {
    this.emit({ type: 'snapshot', snapshot: this.view() });
    if (conversationId) this.emit({ type: 'messages', conversationId });
  }

  private requireUnlocked(): void {
    if (this.vault !== 'unlocked') throw { code: 'locked', message: 'locked' };
  }

  private requireReady(): ThisDeviceView {
    this.requireUnlocked();
    if (!this.device) throw { code: 'not_enrolled', message: 'not enrolled' };
    return this.device;
  }

  private member(conversationId: string): FakeConversation {
    const conversation = this.conversations.find((candidate) => candidate.id === conversationId);
    if (!conversation) throw { code: 'not_found', message: 'no such conversation' };
    if (!conversation.active) throw { code: 'not_a_member', message: 'not a member' };
    return conversation;
  }

  private open(kind: 'direct' | 'group', title: string, members: string[]): FakeConversation {
    const conversation: FakeConversation = {
      id: `c${this.nextId++}`,
      kind,
      title,
      members,
      messages: [],
      unread: 0,
      disappearAfterSeconds: null,
      active: true,
      updatedAt: this.now(),
    };
    this.conversations.push(conversation);
    return conversation;
  }

  private push(
    conversation: FakeConversation,
    fields: {
      sender?: MessageView['sender'];
      mine: boolean;
      text?: string;
      system?: SystemEvent;
      status?: MessageView['status'];
      at?: number;
    },
  ): MessageView {
    const at = fields.at ?? this.now();
    const message: MessageView = {
      id: `m${this.nextId++}`,
      conversationId: conversation.id,
      ...(fields.sender ? { sender: fields.sender } : {}),
      mine: fields.mine,
      ...(fields.text !== undefined ? { text: fields.text } : {}),
      ...(fields.system ? { system: fields.system } : {}),
      sentAt: at,
      receivedAt: at,
      ...(fields.status ? { status: fields.status } : {}),
      ...(conversation.disappearAfterSeconds !== null && fields.text !== undefined
        ? { expiresAt: at + conversation.disappearAfterSeconds * 1000 }
        : {}),
    };
    conversation.messages.push(message);
    conversation.updatedAt = at;
    return message;
  }

  private setStatus(conversation: FakeConversation, messageId: string, status: MessageView['status']): void {
    conversation.messages = conversation.messages.map((message) =>
      message.id === messageId ? { ...message, status } : message,
    );
    this.changed(conversation.id);
  }

  private later(action: () => void): void {
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
    this.device = {
      address: 'me@example.org',
      displayName: 'Dominique Roy',
      deviceId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
      attestationExpiresAt: this.now() + 7 * 86_400_000,
      orgId: '00112233445566778899aabbccddeeff',
      reachable: true,
    };
    const me = { address: this.device.address, displayName: this.device.displayName, deviceId: this.device.deviceId };
    const person = (address: string) => {
      const found = this.people.get(address);
      if (!found) throw new Error(address);
      return { address, displayName: found.displayName, deviceId: found.deviceId };
    };
    const minute = 60_000;
    const start = this.now() - 26 * 60 * minute;

    const alex = this.open('direct', 'Alex Martin', ['alex@example.org']);
    this.push(alex, {
      sender: person('alex@example.org'),
      mine: false,
      text: 'Morning! Did the new badges arrive?',
      at: start,
    });
    this.push(alex, {
      sender: me,
      mine: true,
      text: 'They did, I left yours at the front desk.',
      status: 'delivered',
      at: start + 3 * minute,
    });
    this.push(alex, {
      sender: person('alex@example.org'),
      mine: false,
      text: 'Perfect, thanks 🙏',
      at: start + 4 * minute,
    });
    this.push(alex, {
      mine: false,
      system: { type: 'disappearing_set', by: 'alex@example.org', seconds: 604_800 },
      at: this.now() - 40 * minute,
    });
    alex.disappearAfterSeconds = 604_800;
    this.push(alex, {
      sender: person('alex@example.org'),
      mine: false,
      text: 'Can you send me the visitor list for Thursday?\nOnly the names, no phone numbers.',
      at: this.now() - 12 * minute,
    });
    this.push(alex, {
      sender: me,
      mine: true,
      text: 'Sure, give me ten minutes.',
      status: 'delivered',
      at: this.now() - 10 * minute,
    });
    this.push(alex, {
      sender: me,
      mine: true,
      text: 'Here it is: Morgan, Lee, Ana and Jo.',
      status: 'sent',
      at: this.now() - 2 * minute,
    });

    const team = this.open('group', 'Front office', ['sam@example.org', 'kim@example.org', 'noor@example.org']);
    this.push(team, { mine: false, system: { type: 'group_created', by: 'sam@example.org' }, at: start - 90 * minute });
    this.push(team, {
      mine: false,
      system: { type: 'member_added', by: 'sam@example.org', member: 'noor@example.org' },
      at: start - 80 * minute,
    });
    this.push(team, {
      sender: person('sam@example.org'),
      mine: false,
      text: 'Reminder: the fire drill is at 11:00.',
      at: this.now() - 30 * minute,
    });
    this.push(team, { sender: person('kim@example.org'), mine: false, text: 'Noted.', at: this.now() - 28 * minute });
    this.push(team, {
      sender: person('kim@example.org'),
      mine: false,
      text: 'Who takes the second floor?',
      at: this.now() - 27 * minute,
    });
    this.push(team, { sender: me, mine: true, text: 'I will.', status: 'delivered', at: this.now() - 20 * minute });
    this.push(team, {
      sender: person('noor@example.org'),
      mine: false,
      text: 'Thanks! I’ll do the ground floor then.',
      at: this.now() - 5 * minute,
    });
    team.unread = 2;

    const sam = this.open('direct', 'Sam Dubois', ['sam@example.org']);
    this.push(sam, {
      sender: person('sam@example.org'),
      mine: false,
      text: 'See you at the meeting.',
      at: start - 3 * 86_400_000,
    });
    const samPerson = this.people.get('sam@example.org');
    if (samPerson) samPerson.trust = 'key_changed';
    this.push(sam, {
      mine: false,
      system: { type: 'key_changed', member: 'sam@example.org', deviceId: person('sam@example.org').deviceId },
      at: this.now() - 60 * minute,
    });
  }
}
