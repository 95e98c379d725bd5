import { importDeviceIdentity } from '@opendescent/crypto';
import type { AccessTokenWallet } from '../net/access-token-wallet';
import {
  MAX_PAGE,
  type ClientSnapshot,
  type MessageCursor,
  type MessagePage,
  type MessageView,
  type SafetyNumberView,
  type ThisDeviceView,
} from './api';
import { Contacts, normaliseAddress } from './contacts';
import { MessengerContext, type MessengerEvent } from './context';
import { othersIn, requireConversation } from './conversations';
import { Delivery } from './delivery';
import { toHex } from './encoding';
import { Enrolment } from './enrolment';
import { MessengerError } from './errors';
import { Groups } from './groups';
import { History } from './history';
import { Inbox } from './inbox';
import { QueueRepair } from './intros';
import { Outbox } from './outbox';
import { Peers } from './peers';
import type { MessengerEnvironment } from './ports';
import { Prekeys } from './prekeys';
import { QueueIndex } from './queues';
import { TABLES, type ConversationRecord, type PeerRecord } from './records';
import { createRelayAccess } from './relay-access';
import { RelayPool } from './relay-pool';
import { pruneSeen, sweepExpired } from './retention';
import { LOG_CHECK_MS, LogMonitor } from './log-monitor';
import { OrgKeys, ORG_KEYS_REFRESH_MS } from './org-keys';
import { Revocation } from './revocation';
import { safetyNumbers } from './safety-numbers';
import { Scheduler } from './scheduler';
import { Sending } from './sending';
import { Transaction, type Caches, type VaultLike } from './transaction';
import { deviceView, listMessages, pageMessages, snapshotOf } from './views';
import { buildIndexesOnce } from './message-index';

const PREKEY_CHECK_MS = 15 * 60_000;
const SEEN_PRUNE_MS = 3_600_000;

/**
 * The messenger: every key, session and plaintext of this device, driven by commands from the UI
 * and deliveries from relays (docs/decisions/0011-messenger-split.md). It runs in a Web Worker
 * (../worker) and keeps its state in the vault. This class only wires the parts together and
 * gives the UI its commands: each runs its network calls first, then its change inside the one
 * exclusive section, committed in one vault transaction (messages.md §6).
 */
export class Messenger {
  private readonly scheduler = new Scheduler();
  private readonly relays: RelayPool;
  private readonly queues: QueueIndex;
  private readonly outbox: Outbox;
  private readonly contacts: Contacts;
  private readonly peers: Peers;
  private readonly prekeys: Prekeys;
  private readonly repair: QueueRepair;
  private readonly delivery: Delivery;
  private readonly groups: Groups;
  private readonly history: History;
  private readonly sending: Sending;
  private readonly inbox: Inbox;
  private readonly revocation: Revocation;
  private readonly enrolment: Enrolment;
  private readonly orgKeys: OrgKeys;
  private readonly logMonitor: LogMonitor;
  private tokens: AccessTokenWallet | undefined;

  private constructor(
    private readonly ctx: MessengerContext,
    private readonly caches: Caches,
    private readonly onWiped: (reason: string) => Promise<void>,
  ) {
    this.relays = new RelayPool(ctx.env, {
      credentials: (url) => () => this.wallet().take(url),
      statusChanged: () => ctx.changed(),
      online: () => void this.onRelayOnline(),
      tokenRefused: (code) => {
        if (code === 'token_unknown_key') this.tokens?.keySetStale();
      },
      // Never rejects: a list that does not verify is shown (RevocationView.unverified), not skipped.
      revocation: (list) => void this.revocation.receive(list),
      deliver: (relay, delivery) => void this.inbox.receive(relay, delivery).catch(() => undefined),
      queueRefused: (recipientId) => this.repair.queueLost(toHex(recipientId)),
    });
    this.queues = new QueueIndex(this.relays, (id) => this.repair.queueLost(id));
    this.outbox = new Outbox(ctx, this.relays, () => this.revocation.sendingHeld());
    this.contacts = new Contacts(ctx);
    this.peers = new Peers(ctx, this.relays, this.queues, this.outbox);
    this.prekeys = new Prekeys(
      ctx,
      this.relays,
      this.queues,
      () => void this.introduceToOwnDevices().catch(() => undefined),
    );
    this.repair = new QueueRepair(ctx, this.relays, this.queues, this.outbox, this.contacts, this.peers, this.prekeys);
    this.delivery = new Delivery(ctx, this.contacts, this.peers, this.outbox);
    this.groups = new Groups(ctx, this.contacts, this.peers);
    this.history = new History(ctx, this.contacts, this.peers, this.delivery);
    this.sending = new Sending(ctx, this.contacts, this.peers, this.delivery);
    this.inbox = new Inbox(ctx, this.queues, this.contacts, this.peers, this.outbox, this.prekeys, this.groups, {
      history: this.history,
    });
    this.revocation = new Revocation(
      ctx,
      async (reason) => {
        this.stop();
        await this.onWiped(reason);
      },
      () => this.outbox.flushSoon(),
    );
    this.orgKeys = new OrgKeys(ctx);
    this.logMonitor = new LogMonitor(ctx, this.orgKeys);
    ctx.followOrgKeys = () => this.orgKeys.followLater(() => this.afterOrgKeysChanged());
    this.enrolment = new Enrolment(ctx, (document) => this.orgKeys.followIfUnknown(document));
  }

  static async open(
    vault: VaultLike,
    env: MessengerEnvironment,
    notify: (event: MessengerEvent) => void,
    onWiped: (reason: string) => Promise<void>,
  ): Promise<Messenger> {
    const caches = await Transaction.loadCaches(vault);
    const messenger = new Messenger(
      new MessengerContext(vault, env, () => new Transaction(vault, caches), notify),
      caches,
      onWiped,
    );
    await messenger.resume();
    return messenger;
  }

  // ---- life cycle ------------------------------------------------------------------------

  private async resume(): Promise<void> {
    const self = this.ctx.self;
    if (!self) return;
    await buildIndexesOnce(
      this.ctx.vault,
      this.ctx
        .tx()
        .all<ConversationRecord>(TABLES.conversations)
        .map((c) => c.id),
    );
    this.ctx.identity = await importDeviceIdentity(self.identity);
    // A stored list that no longer verifies (version 1, attestations.md §3.5) is dropped and fetched again.
    await this.revocation.load(self);
    this.relays.startAll();
    const tx = this.ctx.tx();
    if (self.intro) await this.queues.add(self.intro);
    for (const peer of tx.all<PeerRecord>(TABLES.peers))
      if (peer.inbox) await this.queues.add(peer.inbox, peer.deviceId);
    this.startTimers();
  }

  /**
   * Stops every timer and connection and forgets what this device holds in memory (lock, wipe,
   * revocation): the identity's private keys are zeroed, the queues' keys too, and the decrypted
   * records cached for transactions are dropped. The vault zeroes its own keys (storage.md §4).
   */
  stop(): void {
    this.ctx.stopped = true;
    this.scheduler.stop();
    this.relays.stop();
    this.queues.clear();
    this.ctx.identity?.signing.privateKey.wipe();
    this.ctx.identity?.agreement.privateKey.wipe();
    this.ctx.identity = undefined;
    this.ctx.revocation = undefined;
    for (const table of this.caches.values()) table.clear();
  }

  private startTimers(): void {
    const ctx = this.ctx;
    this.scheduler.every(1_000, () => ctx.exclusive(() => sweepExpired(ctx)));
    this.scheduler.every(3_000, () => this.repair.refreshIntros());
    this.scheduler.every(3_000, () =>
      this.repair.pending ? ctx.exclusive(() => this.repair.recoverLost()) : undefined,
    );
    this.scheduler.every(ctx.env.revocationPollMs, () => this.revocation.check());
    this.scheduler.every(60_000, () => this.renew());
    this.scheduler.every(ORG_KEYS_REFRESH_MS, () => this.orgKeys.refresh());
    this.scheduler.every(ctx.env.logCheckMs ?? LOG_CHECK_MS, () => this.logMonitor.check());
    void this.logMonitor.check().catch(() => undefined);
    this.scheduler.every(PREKEY_CHECK_MS, () => this.prekeys.maintain());
    this.scheduler.every(SEEN_PRUNE_MS, () => ctx.exclusive(() => pruneSeen(ctx)));
    void this.revocation.check().catch(() => undefined);
  }

  /** Created on first use (the device must be enrolled): every relay connection spends one of its tokens. */
  private wallet(): AccessTokenWallet {
    this.tokens ??= createRelayAccess({
      vault: this.ctx.vault,
      admin: this.ctx.env.admin,
      now: this.ctx.env.now,
      device: () =>
        this.ctx.self && this.ctx.identity ? { self: this.ctx.self, identity: this.ctx.identity } : undefined,
      trusted: () => this.ctx.trusted(this.ctx.requireSelf()),
      followIfUnknown: (document) => this.orgKeys.followIfUnknown(document),
      onStop: (code) => {
        if (code === 'device_revoked') void this.revocation.check().catch(() => undefined);
        else void this.renew().catch(() => undefined);
      },
    });
    return this.tokens;
  }

  /** A rotation was followed: what was refused for its signer is tried again. */
  private afterOrgKeysChanged(): void {
    this.inbox.retryParkedSoon();
    this.tokens?.keySetStale();
    void this.revocation.check().catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (await this.enrolment.renewIfDue()) this.tokens?.resume();
  }

  /** A relay came online: publish and top up on the first one, then send and repair. */
  private async onRelayOnline(): Promise<void> {
    if (this.ctx.stopped || !this.ctx.self) return;
    const primary = this.relays.primaryOnline;
    if (primary) {
      await this.renew().catch(() => undefined);
      await this.ctx.exclusive(() => this.prekeys.publishIfNeeded(primary)).catch(() => undefined);
      await this.prekeys.maintain().catch(() => undefined);
    }
    // Subscriptions need nothing here: the relay client re-sends every one it remembers.
    await this.outbox.flush().catch(() => undefined);
    await this.repair.refreshIntros().catch(() => undefined);
  }

  /** A new device says hello to the user's other devices, which then bring it in (messages.md §5.4). */
  private async introduceToOwnDevices(): Promise<void> {
    const address = this.ctx.requireSelf().address;
    await this.contacts.fetch(address);
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      await this.contacts.lookUp(tx, address, true);
      for (const { address: owner, device } of this.contacts.recipientDevices(tx, []))
        await this.peers.ensure(tx, owner, device).catch(() => undefined);
      await tx.commit();
    });
    await this.outbox.flush();
  }

  // ---- commands from the UI ----------------------------------------------------------------

  async enrol(code: string): Promise<ThisDeviceView> {
    const self = await this.enrolment.enrol(code);
    // A new vault has no conversation to index: the index is complete from the start.
    await buildIndexesOnce(this.ctx.vault, []);
    this.ctx.stopped = false;
    this.relays.startAll();
    this.startTimers();
    this.ctx.changed();
    return deviceView(self);
  }

  async startDirect(address: string): Promise<string> {
    const self = this.ctx.requireSelf();
    const normalised = normaliseAddress(address);
    if (normalised === self.address) throw new MessengerError('own_address', 'that is your own address');
    await this.contacts.fetch(normalised);
    await this.contacts.fetchStale([self.address]);
    return this.change((tx) => this.sending.startDirect(tx, normalised));
  }

  async send(conversationId: string, text: string): Promise<string> {
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.sending.send(tx, conversationId, text));
  }

  async createGroup(title: string, addresses: readonly string[]): Promise<string> {
    for (const address of new Set(addresses.map(normaliseAddress))) await this.contacts.fetch(address);
    await this.contacts.fetchStale([this.ctx.requireSelf().address]);
    return this.change((tx) => this.groups.create(tx, title, addresses));
  }

  async addMember(conversationId: string, address: string): Promise<void> {
    await this.contacts.fetch(address);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.add(tx, conversationId, address));
  }

  async removeMember(conversationId: string, address: string): Promise<void> {
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.remove(tx, conversationId, address));
  }

  async leave(conversationId: string): Promise<void> {
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.groups.leave(tx, conversationId));
  }

  async setDisappearing(conversationId: string, seconds: number | null): Promise<void> {
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.sending.setDisappearing(tx, conversationId, seconds));
  }

  async shareHistory(conversationId: string, address: string, count: number): Promise<number> {
    await this.contacts.fetchStale([normaliseAddress(address)]);
    await this.fetchMembers(conversationId);
    return this.change((tx) => this.history.share(tx, conversationId, address, count));
  }

  async markRead(conversationId: string): Promise<void> {
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const conversation = requireConversation(tx, conversationId);
      if (conversation.unread === 0) return;
      tx.put(TABLES.conversations, conversationId, { ...conversation, unread: 0 });
      await tx.commit();
      this.ctx.changed();
    });
  }

  async markVerified(address: string, deviceId: string): Promise<void> {
    await this.ctx.exclusive(() => this.sending.markVerified(address, deviceId));
  }

  safetyNumbers(conversationId: string): Promise<SafetyNumberView[]> {
    return safetyNumbers(this.ctx, conversationId);
  }

  async checkRevocation(): Promise<void> {
    await this.revocation.check();
  }

  messages(conversationId: string): Promise<MessageView[]> {
    return listMessages(this.ctx.vault, conversationId, this.ctx.now());
  }

  messagePage(
    conversationId: string,
    page: { readonly before?: MessageCursor; readonly limit: number },
  ): Promise<MessagePage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE)
      throw new MessengerError('not_found', `a page has 1 to ${MAX_PAGE} messages`);
    return pageMessages(this.ctx.vault, conversationId, this.ctx.now(), page.limit, page.before);
  }

  snapshot(): Omit<ClientSnapshot, 'vault'> {
    return snapshotOf(this.ctx.tx(), this.ctx.self, this.relays.views(), this.revocation.view());
  }

  /** The directory entries of a conversation's members, fetched before its change if stale. */
  private async fetchMembers(conversationId: string): Promise<void> {
    const self = this.ctx.self;
    const conversation = this.ctx.tx().get<ConversationRecord>(TABLES.conversations, conversationId);
    if (!self || !conversation) return;
    await this.contacts.fetchStale([...othersIn(conversation), self.address]);
  }

  /** One command's change: inside `exclusive`, committed whole, then the outbox is sent. */
  private change<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const result = await work(tx);
      await this.ctx.commit(tx);
      this.outbox.flushSoon();
      return result;
    });
  }
}
