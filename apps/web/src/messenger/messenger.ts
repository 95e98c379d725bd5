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
import { AttachmentTransfers } from './attachment-transfers';
import { Contacts } from './contacts';
import { MessengerContext, type MessengerEvent } from './context';
import { ConversationCommands } from './conversation-commands';
import { Delivery } from './delivery';
import { DeviceLink } from './device-link';
import type { DirectChannels } from './direct/direct-channels';
import { createDirectChannels } from './direct/direct-wiring';
import { toHex } from './encoding';
import { Enrolment } from './enrolment';
import { MessengerError } from './errors';
import { GroupDelivery } from './group-delivery';
import { GroupInbox } from './group-inbox';
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
import { LogMonitor } from './log-monitor';
import { OrgKeys } from './org-keys';
import { Revocation } from './revocation';
import { safetyNumbers } from './safety-numbers';
import { Scheduler } from './scheduler';
import { startRoutines } from './messenger-routines';
import { SearchService } from './search/search-service';
import { Sending } from './sending';
import { Transaction, type Caches, type VaultLike } from './transaction';
import { UserKey } from './user-key';
import { deviceView, listMessages, pageMessages, snapshotOf } from './views';
import { buildIndexesOnce } from './message-index';

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
  private readonly groupDelivery: GroupDelivery;
  private readonly history: History;
  private readonly sending: Sending;
  private readonly inbox: Inbox;
  private readonly revocation: Revocation;
  private readonly enrolment: Enrolment;
  private readonly orgKeys: OrgKeys;
  private readonly logMonitor: LogMonitor;
  private readonly userKey: UserKey;
  /** The device link's offer and check (service.ts calls them here; approving also flushes). */
  readonly deviceLink: DeviceLink;
  private readonly direct: DirectChannels;
  /** Uploads and downloads of files (service.ts calls it for the page's file commands). */
  readonly attachments: AttachmentTransfers;
  /** On-device search (service.ts calls it for the page's searches). */
  readonly searchIndex: SearchService;
  /** The UI's commands on conversations (service.ts calls them here). */
  readonly commands: ConversationCommands;
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
    this.direct = createDirectChannels(ctx, {
      peers: () => this.peers,
      outbox: () => this.outbox,
      receive: (peer, blob) => this.inbox.receiveDirect(peer, blob),
      relay: () => this.relays.primaryOnline,
    });
    this.outbox = new Outbox(
      ctx,
      this.relays,
      () => this.revocation.sendingHeld(),
      () => void this.logMonitor.check().catch(() => undefined),
      this.direct,
    );
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
    this.groupDelivery = new GroupDelivery(ctx, this.contacts, this.peers, () => this.outbox.flushSoon());
    this.groups = new Groups(ctx, this.contacts, this.groupDelivery);
    this.history = new History(ctx, this.contacts, this.peers, this.delivery);
    this.sending = new Sending(ctx, this.contacts, this.peers, this.delivery);
    this.userKey = new UserKey(ctx, this.contacts);
    this.deviceLink = new DeviceLink(
      ctx,
      this.contacts,
      this.peers,
      (tx, address, deviceId) => this.inbox.welcomeOwnDevice(tx, address, deviceId),
      () => void this.afterLinked().catch(() => undefined),
    );
    this.attachments = new AttachmentTransfers(
      ctx,
      this.relays,
      this.contacts,
      this.sending,
      () => this.outbox.flushSoon(),
      this.direct,
    );
    this.commands = new ConversationCommands(
      ctx,
      this.contacts,
      this.sending,
      this.groups,
      this.history,
      this.outbox,
      this.attachments,
    );
    this.inbox = new Inbox(
      ctx,
      this.queues,
      this.relays,
      this.contacts,
      this.peers,
      this.outbox,
      this.prekeys,
      this.groups,
      {
        history: this.history,
        groupInbox: new GroupInbox(ctx, this.contacts, this.groups),
        deviceLink: this.deviceLink,
        logGossip: (head) => void this.logMonitor.compareGossiped(head).catch(() => undefined),
        attachments: this.attachments,
        direct: this.direct,
      },
    );
    this.revocation = new Revocation(
      ctx,
      async (reason) => {
        this.stop();
        await this.onWiped(reason);
      },
      () => this.outbox.flushSoon(),
    );
    this.orgKeys = new OrgKeys(ctx);
    this.logMonitor = new LogMonitor(ctx, this.orgKeys, () => this.outbox.flushSoon());
    ctx.followOrgKeys = () => this.orgKeys.followLater(() => this.afterOrgKeysChanged());
    this.enrolment = new Enrolment(ctx, (document) => this.orgKeys.followIfUnknown(document));
    this.searchIndex = new SearchService(ctx);
    ctx.messagesChanged = (changes) => this.searchIndex.noteChanges(changes);
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
    void this.attachments.resume().catch(() => undefined);
    this.searchIndex.openLater();
  }

  /**
   * Stops every timer and connection and forgets what this device holds in memory (lock, wipe,
   * revocation): the identity's private keys are zeroed, the queues' keys too, and the decrypted
   * records cached for transactions are dropped. The vault zeroes its own keys (storage.md §4).
   */
  stop(): void {
    this.ctx.stop();
    this.deviceLink.cancel();
    this.direct.stop();
    this.scheduler.stop();
    this.attachments.stop();
    this.searchIndex.stop();
    this.relays.stop();
    this.queues.clear();
    this.ctx.identity?.signing.privateKey.wipe();
    this.ctx.identity?.agreement.privateKey.wipe();
    this.ctx.identity = undefined;
    this.ctx.revocation = undefined;
    for (const table of this.caches.values()) table.clear();
  }

  private startTimers(): void {
    startRoutines(this.ctx, this.scheduler, {
      groupDelivery: this.groupDelivery,
      outbox: this.outbox,
      attachments: this.attachments,
      repair: this.repair,
      direct: this.direct,
      revocation: this.revocation,
      userKey: this.userKey,
      orgKeys: this.orgKeys,
      logMonitor: this.logMonitor,
      prekeys: this.prekeys,
      renew: () => this.renew(),
    });
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
    await this.attachments.resume().catch(() => undefined);
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

  /** The user key arrived through the device link: greet the person's devices, now approved ones. */
  private async afterLinked(): Promise<void> {
    this.ctx.changed();
    await this.introduceToOwnDevices();
  }

  // ---- commands from the UI ----------------------------------------------------------------

  async enrol(code: string): Promise<ThisDeviceView> {
    const self = await this.enrolment.enrol(code);
    // A new vault has no conversation to index: the index is complete from the start.
    await buildIndexesOnce(this.ctx.vault, []);
    this.ctx.stopped = false;
    // First device or not (user-keys.md §2.4) is settled before the page shows the device; an
    // admin app out of reach leaves it `checking`, and the timer settles it later.
    await this.userKey.settle().catch(() => undefined);
    this.relays.startAll();
    this.startTimers();
    this.searchIndex.openLater();
    this.ctx.changed();
    return deviceView(this.ctx.self ?? self, this.ctx.tx());
  }

  async approveDeviceLink(codeOrQr: string): Promise<void> {
    await this.deviceLink.approve(codeOrQr);
    this.outbox.flushSoon();
  }

  safetyNumbers(conversationId: string): Promise<SafetyNumberView[]> {
    return safetyNumbers(this.ctx, conversationId);
  }

  async checkRevocation(): Promise<void> {
    await this.revocation.check();
  }

  messages(conversationId: string): Promise<MessageView[]> {
    return listMessages(this.ctx.vault, conversationId, this.ctx.now(), this.ctx.viewer());
  }

  messagePage(
    conversationId: string,
    page: { readonly before?: MessageCursor; readonly limit: number },
  ): Promise<MessagePage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE)
      throw new MessengerError('not_found', `a page has 1 to ${MAX_PAGE} messages`);
    return pageMessages(this.ctx.vault, conversationId, this.ctx.now(), this.ctx.viewer(), page.limit, page.before);
  }

  snapshot(): Omit<ClientSnapshot, 'vault'> {
    const open = this.direct.openPeers();
    return snapshotOf(this.ctx.tx(), this.ctx.self, this.relays.views(), this.revocation.view(), open);
  }
}
