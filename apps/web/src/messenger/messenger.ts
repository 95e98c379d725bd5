import {
  addOneTimePrekeys,
  DEFAULT_PREKEY_POLICY,
  expirePrekeys,
  rotateSignedPrekeys,
  constantTimeEqual,
  createPrekeyState,
  createSenderKey,
  deserializePrekeyState,
  deserializeSenderKeyReceiverState,
  deserializeSenderKeyState,
  deserializeSession,
  ed25519KeyPairFromSeed,
  exportDeviceIdentity,
  formatSafetyNumber,
  generateDeviceIdentity,
  groupDecrypt,
  groupEncrypt,
  importDeviceIdentity,
  initiateHandshake,
  ourInitiationWins,
  processSenderKeyDistribution,
  publishedPrekeys,
  randomBytes,
  ratchetDecrypt,
  ratchetEncrypt,
  respondToHandshake,
  rotateSenderKey,
  safetyNumber,
  senderKeyDistribution,
  serializePrekeyState,
  serializeSenderKeyReceiverState,
  serializeSenderKeyState,
  serializeSession,
  startInitiatorSession,
  startResponderSession,
  type DeviceIdentity,
  type Ed25519KeyPair,
  type PrekeyState,
  type SessionState,
} from '@opendescent/crypto';
import {
  ALLOWED_CLOCK_SKEW_SECONDS,
  decodeAttestation,
  decodeClaimedBundle,
  decodeHandshakeInitiation,
  decodePairwiseContent,
  encodeContactSlot,
  encodeHandshakeInitiation,
  encodePairwiseContent,
  encodeSlotUpload,
  isRevoked,
  openContactSlot,
  openEnvelope,
  ProtocolError,
  openFanoutEnvelope,
  sealEnvelope,
  sealFanoutEnvelope,
  signHistoryBundle,
  verifyHistoryBundle,
  MAX_HISTORY_BUNDLE_CHARACTERS,
  supersedes,
  verifyAttestation,
  verifyRevocationList,
  type DeviceAttestation,
  type RevocationList,
  type TrustedOrgKey,
} from '@opendescent/protocol';
import {
  MAX_SHARED_HISTORY,
  type ClientSnapshot,
  type ConversationView,
  type MemberView,
  type MessageView,
  type RelayView,
  type SafetyNumberView,
  type SystemEvent,
  type ThisDeviceView,
} from './api';
import { AdminRequestError } from '../net/admin-client';
import { RelayRequestError } from '../net/relay-client';
import { MessengerError } from './errors';
import { fromB64, fromHex, toB64, toHex } from './encoding';
import { decodeAppPayload, encodeAppPayload, historyBundleSchema, type AppPayload, type ConversationRef, type HistoryBundle } from './payload';
import type { MessengerEnvironment, RelayDeliveryEvent, RelayPort } from './ports';
import {
  TABLES,
  type ContactDeviceRecord,
  type ContactRecord,
  type ConversationRecord,
  type GroupKeyRecord,
  type MessageRecord,
  type OutboxEntry,
  type ExpiringRecord,
  type OutboxRecord,
  type ParkedRecord,
  type PeerRecord,
  type QueueAddress,
  type QueueRecord,
  type SelfRecord,
  type SessionRecord,
} from './records';
import { Transaction, type VaultLike } from './transaction';

/** One-time prekeys published at enrolment and topped up to (messages.md §2). */
const ONE_TIME_PREKEYS = 20;
/** Below this many one-time prekeys on the relay, 20 more are published. */
const ONE_TIME_PREKEYS_LOW = 10;
const PREKEY_CHECK_MS = 15 * 60_000;
const MAX_SESSIONS_PER_PEER = 3;
/** A contact's devices are looked up again when older than this (the directory is rate limited). */
const CONTACT_REFRESH_MS = 60 * 60_000;
const DEVICES_CHANGED_MIN_INTERVAL_MS = 5 * 60_000;
const SEEN_RETENTION_MS = 15 * 86_400_000;
const SEEN_PRUNE_MS = 3_600_000;
const MAX_PARKED = 200;
const MAX_HELD_PER_PEER = 500;
const PARKED_LIFETIME_MS = 3_600_000;

interface Sender {
  readonly address: string;
  readonly displayName: string;
  readonly deviceId: string;
}

/**
 * The messenger: every key, session and plaintext of this device, driven by commands from the UI
 * and deliveries from relays. It runs in a Web Worker (../worker) and keeps its state in the
 * vault. Every state change runs in `exclusive`, computes all its writes, then commits them in
 * one vault transaction: a failure leaves the stored state as it was (messages.md §6).
 */
export class Messenger {
  private readonly relays = new Map<string, RelayPort>();
  private readonly queueKeys = new Map<string, { queue: QueueRecord; key: Ed25519KeyPair; peer?: string }>();
  private identity: DeviceIdentity | undefined;
  private revocation: RevocationList | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopped = false;
  private outboxSequence = 0;
  private inboxTurn = -1;
  /** Devices whose queue vanished, whose contact slot is read again until it names a new one. */
  private readonly introRefresh = new Set<string>();
  /** Our queues a relay no longer knows, made again once the relay is online (recoverQueue). */
  private readonly lostQueues = new Set<string>();

  private constructor(
    private readonly vault: VaultLike,
    private readonly env: MessengerEnvironment,
    private readonly tx: () => Transaction,
    private readonly notify: (event: { type: 'snapshot' } | { type: 'messages'; conversationId: string }) => void,
    private readonly onWiped: (reason: string) => Promise<void>,
  ) {}

  static async open(
    vault: VaultLike,
    env: MessengerEnvironment,
    notify: (event: { type: 'snapshot' } | { type: 'messages'; conversationId: string }) => void,
    onWiped: (reason: string) => Promise<void>,
  ): Promise<Messenger> {
    const caches = await Transaction.loadCaches(vault);
    const messenger = new Messenger(vault, env, () => new Transaction(vault, caches), notify, onWiped);
    await messenger.resume();
    return messenger;
  }

  // ---- life cycle ------------------------------------------------------------------------

  private get self(): SelfRecord | undefined {
    return this.tx().get<SelfRecord>(TABLES.self, 'device');
  }

  private requireSelf(): SelfRecord {
    const self = this.self;
    if (!self || !this.identity) throw new MessengerError('not_enrolled', 'this device is not enrolled yet');
    return self;
  }

  private async resume(): Promise<void> {
    const self = this.self;
    if (!self) return;
    this.identity = await importDeviceIdentity(self.identity);
    if (self.revocationList) this.revocation = await verifyRevocationList(self.revocationList, this.trusted(self));
    this.startRelays();
    await this.indexQueues();
    this.startTimers();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const relay of this.relays.values()) relay.stop();
    this.relays.clear();
  }

  /** Runs state changes one at a time, in arrival order. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private startTimers(): void {
    this.timers.push(setInterval(() => void this.exclusive(() => this.sweepExpired()).catch(() => undefined), 1_000));
    this.timers.push(setInterval(() => void (this.introRefresh.size > 0 ? this.exclusive(() => this.refreshIntros()).catch(() => undefined) : undefined), 3_000));
    this.timers.push(setInterval(() => void (this.lostQueues.size > 0 ? this.exclusive(() => this.recoverLostQueues()).catch(() => undefined) : undefined), 3_000));
    this.timers.push(setInterval(() => void this.checkRevocation().catch(() => undefined), this.env.revocationPollMs));
    this.timers.push(setInterval(() => void this.exclusive(() => this.renewIfDue()).catch(() => undefined), 60_000));
    this.timers.push(setInterval(() => void this.exclusive(() => this.maintainPrekeys()).catch(() => undefined), PREKEY_CHECK_MS));
    this.timers.push(setInterval(() => void this.pruneSeen().catch(() => undefined), SEEN_PRUNE_MS));
    void this.checkRevocation().catch(() => undefined);
  }

  // ---- enrolment -------------------------------------------------------------------------

  async enrol(code: string): Promise<ThisDeviceView> {
    return this.exclusive(async () => {
      if (this.self) throw new MessengerError('already_enrolled', 'this device is already enrolled');
      const identity = await generateDeviceIdentity();
      const slotId = randomBytes(16);
      const answer = await this.env.admin.enrol({ code, identity, prekeySlotId: slotId });
      // Every key the organisation document lists is pinned now (admin-api.md §9.1).
      const orgKeys = answer.org.keys.map((k) => k.publicKey);
      const trusted = orgKeys.map((publicKey) => ({ orgId: answer.org.orgId, publicKey }));
      const attestation = await verifyAttestation(answer.attestation, { trusted, now: this.nowSeconds() });
      if (!constantTimeEqual(attestation.signingKey, identity.signing.publicKey) || !constantTimeEqual(attestation.agreementKey, identity.agreement.publicKey)) {
        throw new MessengerError('enrolment_refused', 'the attestation names other keys than this device’s');
      }
      const prekeys = await createPrekeyState(identity, { now: this.env.now(), count: ONE_TIME_PREKEYS, kemCount: ONE_TIME_PREKEYS });
      const self: SelfRecord = {
        v: 1,
        identity: exportDeviceIdentity(identity).exposeBytes().slice(),
        address: attestation.userAddress,
        displayName: attestation.displayName,
        deviceId: attestation.deviceId,
        orgId: answer.org.orgId,
        orgKeys,
        attestation: answer.attestation,
        expiresAt: answer.expiresAt,
        renewAfter: answer.renewAfter,
        slotId,
        slotKeySeed: randomBytes(32),
        prekeys: serializePrekeyState(prekeys).exposeBytes().slice(),
        published: false,
        revocationVersion: 0,
        clock: 0,
      };
      const tx = this.tx();
      tx.put(TABLES.self, 'device', self);
      await tx.commit();
      this.identity = identity;
      this.startRelays();
      this.startTimers();
      this.changed();
      return this.deviceView(self);
    });
  }

  private async renewIfDue(): Promise<void> {
    const self = this.self;
    if (!self || !this.identity || this.nowSeconds() < self.renewAfter) return;
    const answer = await this.env.admin.renew({ orgId: self.orgId, deviceId: self.deviceId, identity: this.identity, prekeySlotId: self.slotId });
    await verifyAttestation(answer.attestation, { trusted: this.trusted(self), now: this.nowSeconds() });
    const tx = this.tx();
    tx.put(TABLES.self, 'device', { ...self, attestation: answer.attestation, expiresAt: answer.expiresAt, renewAfter: answer.renewAfter });
    await tx.commit();
    this.changed();
  }

  // ---- relays ----------------------------------------------------------------------------

  private get primaryRelay(): string {
    const url = this.env.relayUrls[0];
    if (!url) throw new MessengerError('relay_unreachable', 'no relay is configured');
    return url;
  }

  private startRelays(): void {
    for (const url of this.env.relayUrls) this.relay(url);
  }

  private relay(url: string): RelayPort {
    let relay = this.relays.get(url);
    if (relay) return relay;
    if (!this.env.relayUrls.includes(url)) throw new MessengerError('relay_unreachable', 'a contact named a relay this organisation does not use');
    relay = this.env.relayFactory(url, async () => {
      const self = this.requireSelf();
      return { attestation: self.attestation, signingKey: (this.identity as DeviceIdentity).signing.privateKey };
    });
    const port = relay;
    port.onStatus((status) => {
      this.changed();
      if (status === 'online') void this.exclusive(() => this.onRelayOnline(port)).catch(() => undefined);
    });
    port.onNotice((name) => {
      if (name === 'device_revoked') void this.checkRevocation().catch(() => undefined);
    });
    port.onDeliver((delivery) => void this.exclusive(() => this.receive(port, delivery)).catch(() => undefined));
    port.onSubscriptionError((recipientId, error) => {
      if (error.code === 'auth') this.queueLost(toHex(recipientId));
    });
    this.relays.set(url, port);
    port.start();
    return port;
  }

  private async onRelayOnline(relay: RelayPort): Promise<void> {
    if (this.stopped) return;
    if (relay.url === this.primaryRelay) {
      await this.renewIfDue().catch(() => undefined);
      await this.publishIfNeeded(relay).catch(() => undefined);
      await this.maintainPrekeys().catch(() => undefined);
    }
    // Subscriptions need nothing here: the relay client re-sends every one it remembers.
    await this.flushOutbox();
    await this.refreshIntros();
  }

  /** The intro queue and the contact slot (messages.md §2), made once the relay is reachable. */
  private async publishIfNeeded(relay: RelayPort): Promise<void> {
    let self = this.requireSelf();
    if (self.published) return;
    let intro = self.intro;
    if (!intro) {
      const keySeed = randomBytes(32);
      const ids = await relay.createQueue(await ed25519KeyPairFromSeed(keySeed));
      intro = { relay: relay.url, ...ids, keySeed };
    }
    const prekeys = await deserializePrekeyState(self.prekeys);
    const upload = encodeSlotUpload(publishedPrekeys(prekeys, this.env.now()));
    const slot = await encodeContactSlot({ bundle: upload.bundle, introSenderId: intro.senderId }, (this.identity as DeviceIdentity).signing.privateKey);
    await relay.publishPrekeys(self.slotId, await ed25519KeyPairFromSeed(self.slotKeySeed), 'replace', slot, upload.oneTimeItems);
    self = { ...this.requireSelf(), intro, published: true };
    const tx = this.tx();
    tx.put(TABLES.self, 'device', self);
    await tx.commit();
    await this.indexQueue(intro);
    // Best effort: the other devices also find this one when they next look the user up.
    await this.introduceToOwnDevices().catch(() => undefined);
  }

  /** A new device says hello to the user's other devices, which then bring it in (messages.md §5.4). */
  private async introduceToOwnDevices(): Promise<void> {
    const self = this.requireSelf();
    const tx = this.tx();
    await this.lookUp(tx, self.address, true);
    for (const { address, device } of this.recipientDevices(tx, [])) {
      await this.ensurePeer(tx, address, device).catch(() => undefined);
    }
    await tx.commit();
    await this.flushOutbox();
  }

  /**
   * Keeps the slot usable (messages.md §2): the signed prekeys rotate at half their lifetime
   * (crypto.md §9, 7 days) and one-time prekeys are added when the relay holds few. Only new
   * one-time prekeys are appended, never one the relay may already have handed out. The private
   * halves are stored before anything is published.
   */
  private async maintainPrekeys(): Promise<void> {
    const self = this.self;
    const relay = this.relays.get(this.primaryRelay);
    if (!self?.published || !self.intro || !this.identity || relay?.status !== 'online') return;
    const now = this.env.now();
    let state = await deserializePrekeyState(self.prekeys);
    const current = state.signedPrekeys[0];
    const rotate = !current || now >= current.createdAt + DEFAULT_PREKEY_POLICY.signedPrekeyLifetimeMs / 2;
    const { remaining } = await relay.fetchPrekeys(self.slotId);
    const topUp = remaining < ONE_TIME_PREKEYS_LOW;
    if (!rotate && !topUp) return;
    const firstNewId = state.nextId;
    if (rotate) state = await rotateSignedPrekeys(state, this.identity, { now });
    if (topUp) state = await addOneTimePrekeys(state, this.identity, { now, count: ONE_TIME_PREKEYS, kemCount: ONE_TIME_PREKEYS });
    state = expirePrekeys(state, now);
    const published = publishedPrekeys(state, now);
    const upload = encodeSlotUpload({
      ...published,
      oneTimePrekeys: published.oneTimePrekeys.filter((prekey) => prekey.id >= firstNewId),
      oneTimeKemPrekeys: published.oneTimeKemPrekeys.filter((prekey) => prekey.id >= firstNewId),
    });
    const slot = await encodeContactSlot({ bundle: upload.bundle, introSenderId: self.intro.senderId }, this.identity.signing.privateKey);
    const tx = this.tx();
    tx.put(TABLES.self, 'device', { ...this.requireSelf(), prekeys: serializePrekeyState(state).exposeBytes().slice() });
    await tx.commit();
    await relay.publishPrekeys(self.slotId, await ed25519KeyPairFromSeed(self.slotKeySeed), 'append', slot, upload.oneTimeItems);
  }

  private async indexQueue(queue: QueueRecord, peer?: string): Promise<void> {
    const key = await ed25519KeyPairFromSeed(queue.keySeed);
    this.queueKeys.set(toHex(queue.recipientId), { queue, key, ...(peer ? { peer } : {}) });
    // Remembered by the relay client even when it is offline, and sent again on every reconnection.
    await this.relays.get(queue.relay)?.subscribe(queue.recipientId, key).catch((error: unknown) => {
      if (error instanceof RelayRequestError && error.code === 'auth') this.queueLost(toHex(queue.recipientId));
    });
  }

  private async indexQueues(): Promise<void> {
    const tx = this.tx();
    const self = this.self;
    if (self?.intro) await this.indexQueue(self.intro);
    for (const peer of tx.all<PeerRecord>(TABLES.peers)) if (peer.inbox) await this.indexQueue(peer.inbox, peer.deviceId);
  }

  // ---- outbox ----------------------------------------------------------------------------

  private async flushOutbox(): Promise<void> {
    const items = this.tx()
      .all<OutboxRecord>(TABLES.outbox)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const blocked = new Set<string>();
    for (const item of items) {
      if (blocked.has(item.relay)) continue;
      const relay = this.relays.get(item.relay) ?? this.relay(item.relay);
      if (relay.status !== 'online') {
        blocked.add(item.relay);
        continue;
      }
      let statuses: string[];
      try {
        statuses = await relay.putMany(item.entries.map(({ senderId, blob }) => ({ senderId, blob })));
      } catch {
        blocked.add(item.relay);
        continue;
      }
      const tx = this.tx();
      tx.delete(TABLES.outbox, item.id);
      let held = 0;
      item.entries.forEach((entry, index) => {
        if (statuses[index] === 'auth' && entry.device && this.hold(tx, entry.device, entry)) held += 1;
      });
      if (item.messageRef) {
        const message = await tx.message(item.messageRef.conversationId, item.messageRef.messageId);
        if (message && (message.status === 'queued' || message.status === undefined)) {
          const stored = statuses.some((s) => s === 'ok');
          tx.putMessage({ ...message, status: stored ? 'sent' : held > 0 ? 'queued' : 'failed' });
          tx.touchMessages(message.conversationId);
        }
      }
      await tx.commit();
      this.emitTx(tx);
    }
    this.changed();
  }

  /**
   * The relay no longer knows this device's queue (a relay restarted without its store): the blob
   * is kept for the device's next queue, which its next `hello` or its republished contact slot
   * names (messages.md §5.2). Nothing already encrypted is thrown away.
   */
  private hold(tx: Transaction, deviceId: string, entry: OutboxEntry): boolean {
    const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
    if (!peer || peer.revoked) return false;
    const current = this.destination(peer);
    if (current && !constantTimeEqual(current.senderId, entry.senderId)) {
      // Refused at a queue the peer has since replaced: straight on to the new one.
      this.queueOutbox(tx, current.relay, [{ ...entry, senderId: current.senderId }]);
      return true;
    }
    const held = [...(peer.held ?? []), { blob: entry.blob, recipient: entry.recipient }].slice(-MAX_HELD_PER_PEER);
    const { outbox: _gone, ...rest } = peer;
    // Its intro queue too was refused: it is read again from the peer's slot.
    tx.put(TABLES.peers, deviceId, current === peer.intro ? { ...rest, intro: undefined, held } : { ...rest, held });
    this.introRefresh.add(deviceId);
    return true;
  }

  /** Sends a peer's held blobs to where it can now be reached. */
  private releaseHeld(tx: Transaction, deviceId: string): void {
    const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
    const target = peer && this.destination(peer);
    if (!peer || !target || !peer.held || peer.held.length === 0) return;
    this.queueOutbox(tx, target.relay, peer.held.map((h) => ({ senderId: target.senderId, blob: h.blob, recipient: h.recipient, device: deviceId })));
    tx.put(TABLES.peers, deviceId, { ...peer, held: [] });
  }

  /** Reads the contact slot of devices whose queues vanished: it names their new intro queue. */
  private async refreshIntros(): Promise<void> {
    const relay = this.relays.get(this.primaryRelay);
    if (this.introRefresh.size === 0 || relay?.status !== 'online') return;
    for (const deviceId of [...this.introRefresh]) {
      const tx = this.tx();
      const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
      const device = peer && tx.get<ContactRecord>(TABLES.contacts, peer.address)?.devices[deviceId];
      if (!peer || peer.outbox || !device) {
        this.introRefresh.delete(deviceId);
        continue;
      }
      if (!device.slotId) {
        // Known only from its messages so far: the directory names its slot.
        const contact = tx.get<ContactRecord>(TABLES.contacts, peer.address);
        await this.lookUp(tx, peer.address, (contact?.lookedUpAt ?? 0) < this.env.now() - 60_000).catch(() => undefined);
        await tx.commit();
        continue;
      }
      let slot;
      try {
        slot = await openContactSlot((await relay.fetchPrekeys(device.slotId)).bundle, device.signingKey);
      } catch {
        continue; // not republished yet: tried again in a few seconds
      }
      if (peer.intro && constantTimeEqual(peer.intro.senderId, slot.introSenderId) && (peer.held ?? []).length === 0) continue;
      tx.put(TABLES.peers, deviceId, { ...peer, intro: { relay: relay.url, senderId: slot.introSenderId } });
      this.releaseHeld(tx, deviceId);
      await tx.commit();
      this.introRefresh.delete(deviceId);
    }
    await this.flushOutbox();
  }

  private queueLost(recipientIdHex: string): void {
    this.lostQueues.add(recipientIdHex);
    void this.exclusive(() => this.recoverLostQueues()).catch(() => undefined);
  }

  /** Tried at once and every few seconds until each lost queue has been made again. */
  private async recoverLostQueues(): Promise<void> {
    for (const id of [...this.lostQueues]) {
      const relay = this.relays.get(this.queueKeys.get(id)?.queue.relay ?? this.primaryRelay);
      if (relay?.status !== 'online') continue;
      try {
        await this.recoverQueue(id);
        this.lostQueues.delete(id);
      } catch {
        // Relay not reachable yet: the timer tries again.
      }
    }
  }

  /** One of our queues is gone from its relay: make a new one and tell whoever writes to it. */
  private async recoverQueue(recipientIdHex: string): Promise<void> {
    const entry = this.queueKeys.get(recipientIdHex);
    if (!entry) return;
    if (!entry.peer) {
      // The intro queue: the slot went with it; both are made again.
      const tx = this.tx();
      const { intro: _gone, ...self } = this.requireSelf();
      tx.put(TABLES.self, 'device', { ...self, published: false });
      await tx.commit();
      this.forgetQueue(entry.queue);
      await this.publishIfNeeded(this.relayOnline(this.primaryRelay));
      return;
    }
    const tx = this.tx();
    const peer = tx.get<PeerRecord>(TABLES.peers, entry.peer);
    const device = peer && tx.get<ContactRecord>(TABLES.contacts, peer.address)?.devices[peer.deviceId];
    if (!peer || !device || peer.revoked) return;
    const { inbox: _gone, ...rest } = peer;
    tx.put(TABLES.peers, peer.deviceId, rest);
    await this.ensurePeer(tx, peer.address, device);
    await tx.commit();
    this.forgetQueue(entry.queue);
    await this.flushOutbox();
  }

  private forgetQueue(queue: QueueRecord): void {
    this.queueKeys.delete(toHex(queue.recipientId));
    this.relays.get(queue.relay)?.unsubscribeLocal?.(queue.recipientId);
  }

  private queueOutbox(tx: Transaction, relay: string, entries: OutboxEntry[], messageRef?: OutboxRecord['messageRef']): void {
    if (entries.length === 0) return;
    // Time, then a per-run sequence: entries of one change leave in the order they were made, so a
    // Sender Key always precedes the first message it opens (same queue, FIFO: relay.md §5).
    this.outboxSequence += 1;
    const id = `${this.env.now().toString().padStart(15, '0')}-${this.outboxSequence.toString().padStart(9, '0')}`;
    tx.put(TABLES.outbox, id, { v: 1, id, relay, entries, createdAt: this.env.now(), ...(messageRef ? { messageRef } : {}) } satisfies OutboxRecord);
  }

  // ---- contacts and sessions -------------------------------------------------------------

  private trusted(self: SelfRecord): TrustedOrgKey[] {
    return self.orgKeys.map((publicKey) => ({ orgId: self.orgId, publicKey }));
  }

  private nowSeconds(): number {
    return Math.floor(this.env.now() / 1000);
  }

  private async verifyPeerAttestation(bytes: Uint8Array): Promise<DeviceAttestation> {
    const self = this.requireSelf();
    const attestation = await verifyAttestation(bytes, { trusted: this.trusted(self), now: this.nowSeconds() });
    if (this.revocation && isRevoked(this.revocation, attestation.deviceId)) throw new MessengerError('revoked', 'that device was revoked');
    return attestation;
  }

  /** The directory's answer for one address, verified, merged into the contact (messages.md §5). */
  private async lookUp(tx: Transaction, address: string, force = false): Promise<ContactRecord> {
    const self = this.requireSelf();
    const normalised = address.trim().normalize('NFC').toLowerCase();
    const cached = tx.get<ContactRecord>(TABLES.contacts, normalised);
    if (cached && !force && this.env.now() - cached.lookedUpAt < CONTACT_REFRESH_MS) return cached;
    const answer = await this.env.admin.lookup({
      orgId: self.orgId,
      deviceId: self.deviceId,
      attestation: self.attestation,
      identity: this.identity as DeviceIdentity,
      address: normalised,
    });
    const devices: Record<string, ContactDeviceRecord> = { ...(cached?.devices ?? {}) };
    let displayName = cached?.displayName ?? normalised;
    for (const entry of answer.devices) {
      let attestation: DeviceAttestation;
      try {
        attestation = await this.verifyPeerAttestation(entry.attestation);
      } catch {
        continue;
      }
      if (attestation.userAddress !== normalised || !constantTimeEqual(attestation.deviceId, entry.deviceId)) continue;
      const hex = toHex(attestation.deviceId);
      if (hex === toHex(self.deviceId)) continue;
      displayName = attestation.displayName;
      const known = devices[hex];
      const keysChanged = known && (!constantTimeEqual(known.signingKey, attestation.signingKey) || !constantTimeEqual(known.agreementKey, attestation.agreementKey));
      devices[hex] = {
        deviceId: hex,
        attestation: entry.attestation,
        signingKey: attestation.signingKey,
        agreementKey: attestation.agreementKey,
        ...(entry.prekeySlotId ? { slotId: entry.prekeySlotId } : {}),
        trust: keysChanged ? 'key_changed' : (known?.trust ?? 'unverified'),
        addedAt: known?.addedAt ?? this.env.now(),
      };
      if (cached && !known) this.systemLineForUser(tx, normalised, { type: 'device_added', member: normalised, deviceId: hex });
      if (keysChanged) this.systemLineForUser(tx, normalised, { type: 'key_changed', member: normalised, deviceId: hex });
    }
    const contact: ContactRecord = { v: 1, address: normalised, displayName, lookedUpAt: this.env.now(), devices };
    tx.put(TABLES.contacts, normalised, contact);
    return contact;
  }

  /** The devices a message for these users goes to: theirs and our other devices, never revoked ones. */
  private recipientDevices(tx: Transaction, addresses: readonly string[]): { address: string; device: ContactDeviceRecord }[] {
    const self = this.requireSelf();
    const out: { address: string; device: ContactDeviceRecord }[] = [];
    for (const address of new Set([...addresses, self.address])) {
      const contact = tx.get<ContactRecord>(TABLES.contacts, address);
      for (const device of Object.values(contact?.devices ?? {})) {
        if (device.trust === 'revoked' || device.deviceId === toHex(self.deviceId)) continue;
        if (this.revocation && isRevoked(this.revocation, fromHex(device.deviceId))) continue;
        // An attestation that lapsed (never renewed: a device lost and silent) no longer vouches
        // for the keys; the device is written to again once a fresh one is seen (look-up or message).
        if (decodeAttestation(device.attestation).attestation.expiresAt + ALLOWED_CLOCK_SKEW_SECONDS < this.nowSeconds()) continue;
        out.push({ address, device });
      }
    }
    return out;
  }

  /** A session with one device, started from its claimed prekeys if none exists (messages.md §5.1). */
  private async ensurePeer(tx: Transaction, address: string, device: ContactDeviceRecord): Promise<PeerRecord> {
    const existing = tx.get<PeerRecord>(TABLES.peers, device.deviceId);
    if (existing && existing.sessions.length > 0 && existing.inbox) return existing;
    const identity = this.identity as DeviceIdentity;
    let peer: PeerRecord = existing ?? { v: 1, deviceId: device.deviceId, address, sessions: [], helloAcknowledged: false, groupKeys: [], revoked: false };
    if (peer.sessions.length === 0) {
      if (!device.slotId) throw new MessengerError('no_devices', 'this device has not published its keys yet');
      const relay = this.relayOnline(this.primaryRelay);
      const claimed = await relay.claimPrekeys(device.slotId).catch((error: unknown) => {
        if (error instanceof RelayRequestError && error.code === 'not_found') throw new MessengerError('no_devices', 'that device has not finished setting up; try again in a moment');
        throw error;
      });
      const slot = await openContactSlot(claimed.bundle, device.signingKey);
      const bundle = decodeClaimedBundle(slot.bundle, claimed.oneTime);
      const handshake = await initiateHandshake({
        identity,
        responder: { signingKey: device.signingKey, agreementKey: device.agreementKey },
        bundle,
        now: this.env.now(),
      });
      const state = await startInitiatorSession({
        sharedSecret: handshake.sharedSecret,
        associatedData: handshake.associatedData,
        remoteRatchetKey: handshake.remoteRatchetKey,
      });
      handshake.sharedSecret.wipe();
      const session: SessionRecord = {
        id: toHex(handshake.initiation.ephemeralKey),
        state: serializeSession(state).exposeBytes().slice(),
        confirmed: false,
        initiation: encodeHandshakeInitiation(handshake.initiation),
      };
      peer = { ...peer, sessions: [session, ...peer.sessions].slice(0, MAX_SESSIONS_PER_PEER), intro: { relay: relay.url, senderId: slot.introSenderId } };
    }
    if (!peer.inbox) {
      const relay = this.inboxRelay();
      const keySeed = randomBytes(32);
      const ids = await relay.createQueue(await ed25519KeyPairFromSeed(keySeed));
      const inbox: QueueRecord = { relay: relay.url, ...ids, keySeed };
      peer = { ...peer, inbox };
      tx.after(() => this.indexQueue(inbox, device.deviceId));
      tx.put(TABLES.peers, peer.deviceId, peer);
      await this.sendPairwise(tx, peer, device, { t: 'hello', replyQueue: { relay: inbox.relay, senderId: toB64(inbox.senderId) } });
      return tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord;
    }
    tx.put(TABLES.peers, peer.deviceId, peer);
    return peer;
  }

  /**
   * Where the next queue for a peer is made: the configured relays that are online, in turn, so a
   * device's queues spread over its organisation's relays and one relay down stops only some of
   * its conversations (messages.md §5.1). The contact slot and intro queue stay on the first.
   */
  private inboxRelay(): RelayPort {
    const online = this.env.relayUrls.map((url) => this.relays.get(url)).filter((relay): relay is RelayPort => relay?.status === 'online');
    if (online.length === 0) throw new MessengerError('relay_unreachable', 'no relay is reachable right now; try again in a moment');
    this.inboxTurn = (this.inboxTurn + 1) % online.length;
    return online[this.inboxTurn] as RelayPort;
  }

  private relayOnline(url: string): RelayPort {
    const relay = this.relay(url);
    if (relay.status !== 'online') throw new MessengerError('relay_unreachable', 'the relay is not reachable right now; try again in a moment');
    return relay;
  }

  private destination(peer: PeerRecord): QueueAddress | undefined {
    return peer.outbox ?? peer.intro;
  }

  /** Encrypts one payload for one device and returns the sealed envelope (state saved in tx). */
  private async encryptPairwise(tx: Transaction, peer: PeerRecord, device: ContactDeviceRecord, payload: AppPayload): Promise<Uint8Array> {
    const self = this.requireSelf();
    const [current, ...rest] = peer.sessions;
    if (!current) throw new MessengerError('internal', 'no session with this device');
    const state = await deserializeSession(current.state);
    const { state: next, message } = ratchetEncrypt(state, encodeAppPayload(payload));
    const content = current.confirmed || !current.initiation
      ? encodePairwiseContent({ kind: 'ratchet', ratchetMessage: message })
      : encodePairwiseContent({ kind: 'initial', initiation: current.initiation, ratchetMessage: message });
    tx.put(TABLES.peers, peer.deviceId, { ...peer, sessions: [{ ...current, state: serializeSession(next).exposeBytes().slice() }, ...rest] });
    return sealEnvelope({ attestation: self.attestation, agreementKey: (this.identity as DeviceIdentity).agreement.privateKey }, device.agreementKey, content);
  }

  private async sendPairwise(tx: Transaction, peer: PeerRecord, device: ContactDeviceRecord, payload: AppPayload, messageRef?: OutboxRecord['messageRef']): Promise<void> {
    const blob = await this.encryptPairwise(tx, peer, device, payload);
    const entry = this.route(tx, peer.deviceId, peer.address, blob);
    if (entry) this.queueOutbox(tx, entry.relay, [entry.entry], messageRef);
  }

  /**
   * Where an encrypted blob for one device goes: its queue for us, else its intro queue; with
   * neither known (both vanished with a relay restart), the blob is held for it and its contact
   * slot read again (messages.md §5.2). An encrypted message is never dropped.
   */
  private route(tx: Transaction, deviceId: string, recipient: string, blob: Uint8Array): { relay: string; entry: OutboxEntry } | undefined {
    const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
    const target = peer && this.destination(peer);
    if (target) return { relay: target.relay, entry: { senderId: target.senderId, blob, recipient, device: deviceId } };
    if (peer && !peer.revoked) {
      tx.put(TABLES.peers, deviceId, { ...peer, held: [...(peer.held ?? []), { blob, recipient }].slice(-MAX_HELD_PER_PEER) });
      this.introRefresh.add(deviceId);
    }
    return undefined;
  }

  // ---- commands from the UI ----------------------------------------------------------------

  async startDirect(address: string): Promise<string> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const contact = await this.lookUp(tx, address, true);
      if (contact.address === self.address) throw new MessengerError('invalid_address', 'that is your own address');
      if (Object.keys(contact.devices).length === 0) {
        await tx.commit();
        throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
      }
      const existing = tx.all<ConversationRecord>(TABLES.conversations).find((c) => c.kind === 'direct' && c.peer === contact.address);
      const id = existing?.id ?? toHex(randomBytes(16));
      if (!existing) {
        tx.put(TABLES.conversations, id, { v: 1, id, kind: 'direct', peer: contact.address, members: [self.address, contact.address], groupVersion: 0, active: true, disappearAfterSeconds: null, unread: 0, updatedAt: this.env.now() } satisfies ConversationRecord);
      }
      await this.lookUp(tx, self.address);
      // Every device of the contact and our other devices; one that cannot be reached yet (not
      // published, relay down) is tried again at the next message.
      const failures: unknown[] = [];
      let reached = 0;
      for (const { address: owner, device } of this.recipientDevices(tx, [contact.address])) {
        try {
          await this.ensurePeer(tx, owner, device);
          if (owner === contact.address) reached += 1;
        } catch (error) {
          failures.push(error);
        }
      }
      if (reached === 0 && failures.length > 0) throw failures[0];
      await this.commitAndSend(tx);
      return id;
    });
  }

  async send(conversationId: string, text: string): Promise<string> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const conversation = this.conversation(tx, conversationId);
      if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this conversation');
      const body = text.trim();
      if (body.length === 0 || body.length > 4_000) throw new MessengerError('message_too_long', 'a message has 1 to 4,000 characters');
      const id = toHex(randomBytes(16));
      const sentAt = Math.max(this.env.now(), self.clock + 1);
      tx.put(TABLES.self, 'device', { ...self, clock: sentAt });
      const expireAfter = conversation.disappearAfterSeconds;
      const ref = conversationRef(conversation);
      const message: MessageRecord = {
        v: 1,
        id,
        conversationId,
        sender: { address: self.address, displayName: self.displayName, deviceId: toHex(self.deviceId) },
        mine: true,
        text: body,
        sentAt,
        receivedAt: sentAt,
        status: 'queued',
        deliveredTo: {},
        ...(expireAfter ? { expiresAt: sentAt + expireAfter * 1000 } : {}),
      };
      tx.putMessage(message);
      tx.put(TABLES.sent, id, { conversationId });
      this.touchConversation(tx, conversation, body, sentAt, false);
      const payload: AppPayload = { t: 'text', id, conversation: ref, body, sentAt, ...(expireAfter ? { expireAfter } : {}) };
      // Nobody else holds a device we may write to (all revoked or lapsed): say so, never queue silently.
      if ((await this.deliver(tx, conversation, payload, { conversationId, messageId: id })) === 0) tx.putMessage({ ...message, status: 'failed' });
      await tx.commit();
      this.emitTx(tx);
      void this.exclusive(() => this.flushOutbox());
      return id;
    });
  }

  /** Sends a payload to everyone in a conversation: pairwise for a direct one, fan-out for a group. */
  /** Returns how many devices of other users it is for (0: nobody can receive it). */
  private async deliver(tx: Transaction, conversation: ConversationRecord, payload: AppPayload, messageRef?: OutboxRecord['messageRef']): Promise<number> {
    const others = conversation.kind === 'direct' ? [conversation.peer as string] : conversation.members;
    for (const address of others) await this.lookUp(tx, address).catch(() => undefined);
    const targets = this.recipientDevices(tx, others);
    const forOthers = targets.filter((target) => target.address !== this.requireSelf().address).length;
    if (conversation.kind === 'direct') {
      const byRelay = new Map<string, OutboxEntry[]>();
      for (const { address, device } of targets) {
        let peer: PeerRecord;
        try {
          peer = await this.ensurePeer(tx, address, device);
        } catch {
          continue;
        }
        const blob = await this.encryptPairwise(tx, peer, device, payload);
        const routed = this.route(tx, device.deviceId, address, blob);
        if (routed) byRelay.set(routed.relay, [...(byRelay.get(routed.relay) ?? []), routed.entry]);
      }
      for (const [relay, entries] of byRelay) this.queueOutbox(tx, relay, entries, messageRef);
      return forOthers;
    }
    await this.groupSend(tx, conversation, targets, payload, messageRef);
    return forOthers;
  }

  /** Sender Keys + fan-out envelopes (envelopes.md §6, design brief flow 5). */
  private async groupSend(
    tx: Transaction,
    conversation: ConversationRecord,
    targets: { address: string; device: ContactDeviceRecord }[],
    payload: AppPayload,
    messageRef?: OutboxRecord['messageRef'],
  ): Promise<void> {
    let key = tx.get<GroupKeyRecord>(TABLES.groupKeys, conversation.id);
    if (!key || key.rotate) {
      const state = key ? await rotateSenderKey(await deserializeSenderKeyState(key.senderKey)) : await createSenderKey(fromHex(conversation.id));
      key = { v: 1, groupId: conversation.id, senderKey: serializeSenderKeyState(state).exposeBytes().slice(), fanoutKey: randomBytes(32), distributedTo: [], rotate: false };
    }
    const senderState = await deserializeSenderKeyState(key.senderKey);
    const distributedTo = new Set(key.distributedTo);
    const ready: { address: string; device: string }[] = [];
    for (const { address, device } of targets) {
      let peer: PeerRecord;
      try {
        peer = await this.ensurePeer(tx, address, device);
      } catch {
        continue;
      }
      if (!distributedTo.has(device.deviceId)) {
        await this.sendPairwise(tx, peer, device, {
          t: 'sender_key',
          groupId: conversation.id,
          distribution: toB64(senderKeyDistribution(senderState).exposeBytes()),
          fanoutKey: toB64(key.fanoutKey),
        });
        distributedTo.add(device.deviceId);
      }
      ready.push({ address, device: device.deviceId });
    }
    const { state: next, message } = await groupEncrypt(senderState, encodeAppPayload(payload));
    tx.put(TABLES.groupKeys, conversation.id, { ...key, senderKey: serializeSenderKeyState(next).exposeBytes().slice(), distributedTo: [...distributedTo] } satisfies GroupKeyRecord);
    const byRelay = new Map<string, OutboxEntry[]>();
    for (const { address, device } of ready) {
      // One symmetric seal per member device: a different random blob in every queue.
      const routed = this.route(tx, device, address, sealFanoutEnvelope(key.fanoutKey, message));
      if (routed) byRelay.set(routed.relay, [...(byRelay.get(routed.relay) ?? []), routed.entry]);
    }
    for (const [relay, entries] of byRelay) this.queueOutbox(tx, relay, entries, messageRef);
  }

  async createGroup(title: string, addresses: readonly string[]): Promise<string> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const name = title.trim();
      if (name.length === 0 || name.length > 120) throw new MessengerError('invalid_address', 'a group needs a title of 1 to 120 characters');
      const tx = this.tx();
      const members = [self.address];
      for (const address of addresses) {
        const contact = await this.lookUp(tx, address, true);
        if (Object.keys(contact.devices).length === 0) throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
        if (!members.includes(contact.address)) members.push(contact.address);
      }
      await this.lookUp(tx, self.address);
      const id = toHex(randomBytes(16));
      const conversation: ConversationRecord = { v: 1, id, kind: 'group', title: name, members, groupVersion: 1, active: true, disappearAfterSeconds: null, unread: 0, updatedAt: this.env.now() };
      tx.put(TABLES.conversations, id, conversation);
      this.systemLine(tx, conversation, { type: 'group_created', by: self.address });
      await this.sendGroupUpdate(tx, conversation, 'create');
      await this.commitAndSend(tx);
      return id;
    });
  }

  /** Membership changes travel pairwise to every member device, old and new (messages.md §5.3). */
  private async sendGroupUpdate(tx: Transaction, conversation: ConversationRecord, action: 'create' | 'add' | 'remove' | 'leave', subject?: string, alsoTo: readonly string[] = []): Promise<void> {
    const payload: AppPayload = {
      t: 'group',
      groupId: conversation.id,
      version: conversation.groupVersion,
      title: conversation.title ?? '',
      members: [...conversation.members],
      action,
      ...(subject ? { subject } : {}),
      disappearAfter: conversation.disappearAfterSeconds,
      at: this.env.now(),
    };
    for (const { address, device } of this.recipientDevices(tx, [...conversation.members, ...alsoTo])) {
      try {
        const peer = await this.ensurePeer(tx, address, device);
        await this.sendPairwise(tx, tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord, device, payload);
      } catch {
        // That device cannot be reached now; it learns the membership from the next update.
      }
    }
  }

  async addMember(conversationId: string, address: string): Promise<void> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const conversation = this.groupConversation(tx, conversationId);
      const contact = await this.lookUp(tx, address, true);
      if (Object.keys(contact.devices).length === 0) throw new MessengerError('no_devices', `${contact.address} has no enrolled device`);
      if (conversation.members.includes(contact.address)) return;
      const updated = { ...conversation, members: [...conversation.members, contact.address], groupVersion: conversation.groupVersion + 1 };
      tx.put(TABLES.conversations, conversationId, updated);
      this.systemLine(tx, updated, { type: 'member_added', by: self.address, member: contact.address });
      await this.sendGroupUpdate(tx, updated, 'add', contact.address);
      await this.commitAndSend(tx);
    });
  }

  async removeMember(conversationId: string, address: string): Promise<void> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const conversation = this.groupConversation(tx, conversationId);
      const member = address.trim().toLowerCase();
      if (!conversation.members.includes(member)) throw new MessengerError('not_found', `${member} is not in this group`);
      if (member === self.address) throw new MessengerError('invalid_address', 'use “leave” to leave a group');
      const updated = { ...conversation, members: conversation.members.filter((m) => m !== member), groupVersion: conversation.groupVersion + 1 };
      tx.put(TABLES.conversations, conversationId, updated);
      this.systemLine(tx, updated, { type: 'member_removed', by: self.address, member });
      this.forgetMemberKeys(tx, updated, member);
      await this.sendGroupUpdate(tx, updated, 'remove', member, [member]);
      await this.commitAndSend(tx);
    });
  }

  async leave(conversationId: string): Promise<void> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const conversation = this.groupConversation(tx, conversationId);
      const updated = { ...conversation, members: conversation.members.filter((m) => m !== self.address), groupVersion: conversation.groupVersion + 1 };
      await this.sendGroupUpdate(tx, updated, 'leave', self.address);
      tx.put(TABLES.conversations, conversationId, { ...updated, active: false });
      tx.delete(TABLES.groupKeys, conversationId);
      this.systemLine(tx, updated, { type: 'member_left', member: self.address });
      await this.commitAndSend(tx);
    });
  }

  /** A member is gone: our Sender Key rotates before the next send and theirs is dropped. */
  private forgetMemberKeys(tx: Transaction, conversation: ConversationRecord, member: string): void {
    const key = tx.get<GroupKeyRecord>(TABLES.groupKeys, conversation.id);
    if (key) tx.put(TABLES.groupKeys, conversation.id, { ...key, rotate: true, distributedTo: [] });
    for (const peer of tx.all<PeerRecord>(TABLES.peers)) {
      if (peer.address !== member) continue;
      tx.put(TABLES.peers, peer.deviceId, { ...peer, groupKeys: peer.groupKeys.filter((k) => k.groupId !== conversation.id) });
    }
  }

  async setDisappearing(conversationId: string, seconds: number | null): Promise<void> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const conversation = this.conversation(tx, conversationId);
      const updated = { ...conversation, disappearAfterSeconds: seconds };
      tx.put(TABLES.conversations, conversationId, updated);
      this.systemLine(tx, updated, { type: 'disappearing_set', by: self.address, seconds });
      const ref = conversationRef(conversation);
      await this.deliver(tx, updated, { t: 'disappearing', conversation: ref, seconds, at: this.env.now() });
      await this.commitAndSend(tx);
    });
  }

  async markRead(conversationId: string): Promise<void> {
    return this.exclusive(async () => {
      const tx = this.tx();
      const conversation = this.conversation(tx, conversationId);
      if (conversation.unread === 0) return;
      tx.put(TABLES.conversations, conversationId, { ...conversation, unread: 0 });
      await tx.commit();
      this.changed();
    });
  }

  async shareHistory(conversationId: string, address: string, count: number): Promise<number> {
    return this.exclusive(async () => {
      const self = this.requireSelf();
      const tx = this.tx();
      const conversation = this.conversation(tx, conversationId);
      if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this conversation');
      // A member (or, for a direct conversation, the contact), or this user for its other devices.
      const member = address.trim().toLowerCase();
      const members = conversation.kind === 'group' ? conversation.members : [self.address, conversation.peer as string];
      if (!members.includes(member)) throw new MessengerError('not_found', `${member} is not in this conversation`);
      const wanted = Math.max(1, Math.min(MAX_SHARED_HISTORY, Math.floor(count)));
      const contacts = new Map(tx.all<ContactRecord>(TABLES.contacts).map((c) => [c.address, c]));
      let messages = (await this.messages(conversationId))
        .filter((m) => m.text !== undefined && m.sender && m.sharedBy === undefined)
        .slice(-wanted)
        .map((m) => ({
          id: m.id,
          from: m.sender?.address as string,
          name: (m.mine ? self.displayName : (contacts.get(m.sender?.address as string)?.displayName ?? m.sender?.displayName ?? '')).slice(0, 120),
          sentAt: m.sentAt,
          body: m.text as string,
        }));
      if (messages.length === 0) throw new MessengerError('not_found', 'there is nothing to share yet');
      const ref = conversationRef(conversation);
      // Bounded by count and by size: the oldest go first until the bundle fits one payload.
      let bundle = '';
      for (;;) {
        bundle = JSON.stringify({ v: 1, conversation: ref, sharedWith: member, sharedAt: this.env.now(), messages } satisfies HistoryBundle);
        if (bundle.length <= MAX_HISTORY_BUNDLE_CHARACTERS) break;
        messages = messages.slice(1);
        if (messages.length === 0) throw new MessengerError('message_too_long', 'the messages are too long to share');
      }
      const signature = toB64(await signHistoryBundle(bundle, (this.identity as DeviceIdentity).signing.privateKey));
      await this.lookUp(tx, member);
      for (const { address: owner, device } of this.recipientDevices(tx, [member])) {
        if (owner !== member) continue;
        try {
          const peer = await this.ensurePeer(tx, owner, device);
          await this.sendPairwise(tx, tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord, device, { t: 'history', bundle, signature });
        } catch {
          // A device that cannot be reached now does not get the bundle; the others do.
        }
      }
      const at = this.env.now();
      this.systemLine(tx, conversation, { type: 'history_shared', by: self.address, count: messages.length, with: member });
      await this.deliver(tx, conversation, { t: 'history_shared', conversation: ref, with: member, count: messages.length, at });
      await this.commitAndSend(tx);
      return messages.length;
    });
  }

  /** A bundle for us: checked, then its messages added under the sharer's name (messages.md §5.7). */
  private async receiveHistory(tx: Transaction, device: ContactDeviceRecord, sender: Sender, bundleText: string, signature: string): Promise<void> {
    const self = this.requireSelf();
    await verifyHistoryBundle(bundleText, fromB64(signature), device.signingKey);
    const bundle = historyBundleSchema.parse(JSON.parse(bundleText));
    if (bundle.sharedWith !== self.address) return;
    const conversation = this.conversationFor(tx, bundle.conversation, sender);
    if (!conversation || !conversation.members.includes(self.address)) return;
    let added = 0;
    for (const entry of bundle.messages) {
      if (await tx.message(conversation.id, entry.id)) continue;
      tx.putMessage({
        v: 1,
        id: entry.id,
        conversationId: conversation.id,
        sender: { address: entry.from, displayName: entry.name, deviceId: '' },
        mine: entry.from === self.address,
        text: entry.body,
        sentAt: Math.min(entry.sentAt, bundle.sharedAt),
        receivedAt: this.env.now(),
        sharedBy: sender.address,
      });
      added += 1;
    }
    if (added > 0) this.systemLine(tx, conversation, { type: 'history_shared', by: sender.address, count: added, with: self.address }, bundle.sharedAt);
  }

  async markVerified(address: string, deviceId: string): Promise<void> {
    return this.exclusive(async () => {
      const tx = this.tx();
      const contact = tx.get<ContactRecord>(TABLES.contacts, address);
      const device = contact?.devices[deviceId];
      if (!contact || !device) throw new MessengerError('not_found', 'no such device');
      if (device.trust === 'revoked') throw new MessengerError('revoked', 'that device was revoked');
      tx.put(TABLES.contacts, address, { ...contact, devices: { ...contact.devices, [deviceId]: { ...device, trust: 'verified' } } });
      await tx.commit();
      this.changed();
    });
  }

  async safetyNumbers(conversationId: string): Promise<SafetyNumberView[]> {
    const self = this.requireSelf();
    const tx = this.tx();
    const conversation = this.conversation(tx, conversationId);
    const identity = this.identity as DeviceIdentity;
    const ours = { identity: { signingKey: identity.signing.publicKey, agreementKey: identity.agreement.publicKey }, stableId: `${self.address}/${toHex(self.deviceId)}` };
    const out: SafetyNumberView[] = [];
    const { toString: qrToString } = await import('qrcode');
    for (const address of conversation.members.length > 0 ? conversation.members : [conversation.peer as string]) {
      const contact = tx.get<ContactRecord>(TABLES.contacts, address);
      for (const device of Object.values(contact?.devices ?? {})) {
        const theirs = { identity: { signingKey: device.signingKey, agreementKey: device.agreementKey }, stableId: `${address}/${device.deviceId}` };
        const digits = formatSafetyNumber(safetyNumber(ours, theirs));
        const qrPayload = `opendescent:verify?v=1&n=${digits.replace(/\s+/g, '')}`;
        out.push({
          address,
          displayName: contact?.displayName ?? address,
          deviceId: device.deviceId,
          digits,
          qrPayload,
          qrSvg: await qrToString(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
          trust: device.trust,
        });
      }
    }
    return out;
  }

  // ---- receiving -------------------------------------------------------------------------

  private async receive(relay: RelayPort, delivery: RelayDeliveryEvent): Promise<void> {
    const queue = this.queueKeys.get(toHex(delivery.recipientId));
    if (!queue || !this.identity) return;
    const seenId = toHex(delivery.messageId);
    const tx = this.tx();
    let flush = false;
    if (!(await tx.seen(seenId))) {
      try {
        await this.processBlob(tx, queue.peer, delivery.blob);
      } catch (error) {
        tx.discard();
        // A relay or the admin app unreachable halfway: not acknowledged, so the relay delivers
        // it again later; nothing is lost (at-least-once, DESIGN.md).
        if (isTransient(error)) return;
        // Opens with no key we hold: perhaps a group message overtaking its Sender Key on another
        // queue. Kept (sealed at rest) and retried when a Sender Key arrives, for an hour at most.
        if (error instanceof ProtocolError && error.code === 'undecryptable') this.park(tx, queue.peer, delivery.blob);
        // Otherwise from a revoked device, replayed or malformed: dropped whole, nothing of it
        // kept (a bad input changes nothing). The blob is still acknowledged.
      }
      tx.markSeen(seenId, this.env.now());
      flush = tx.hasOutbox;
      await tx.commit();
      this.emitTx(tx);
    }
    await relay.ack(delivery.recipientId, queue.key, [delivery.messageId]).catch(() => undefined);
    if (flush) void this.exclusive(() => this.flushOutbox());
  }

  private park(tx: Transaction, queuePeer: string | undefined, blob: Uint8Array): void {
    const parked = tx.all<ParkedRecord>(TABLES.parked);
    if (parked.length >= MAX_PARKED) return;
    const id = toHex(randomBytes(16));
    tx.put(TABLES.parked, id, { v: 1, id, ...(queuePeer ? { queuePeer } : {}), blob, at: this.env.now() } satisfies ParkedRecord);
  }

  private async retryParked(): Promise<void> {
    const parked = this.tx().all<ParkedRecord>(TABLES.parked).sort((a, b) => a.at - b.at);
    if (parked.length === 0) return;
    for (const entry of parked) {
      const tx = this.tx();
      tx.delete(TABLES.parked, entry.id);
      try {
        await this.processBlob(tx, entry.queuePeer, entry.blob);
      } catch (error) {
        tx.discard();
        const expired = this.env.now() - entry.at > PARKED_LIFETIME_MS;
        if (isTransient(error) || (!expired && error instanceof ProtocolError && error.code === 'undecryptable')) continue;
        tx.delete(TABLES.parked, entry.id);
      }
      await tx.commit();
      this.emitTx(tx);
    }
    await this.flushOutbox();
  }

  private async processBlob(tx: Transaction, queuePeer: string | undefined, blob: Uint8Array): Promise<void> {
    // A group message from a device we hold fan-out keys of (envelopes.md §6): one HMAC per key.
    const candidates = (queuePeer ? [tx.get<PeerRecord>(TABLES.peers, queuePeer)] : tx.all<PeerRecord>(TABLES.peers)).flatMap((peer) =>
      (peer?.groupKeys ?? []).map((key) => ({ peer: peer as PeerRecord, key })),
    );
    if (candidates.length > 0) {
      let opened: { content: Uint8Array; keyIndex: number } | undefined;
      try {
        opened = openFanoutEnvelope(candidates.map((c) => c.key.fanoutKey), blob);
      } catch {
        opened = undefined;
      }
      if (opened) {
        const { peer, key } = candidates[opened.keyIndex] as (typeof candidates)[number];
        await this.receiveGroupMessage(tx, peer, key.groupId, opened.content);
        return;
      }
    }
    const opened = await openEnvelope((this.identity as DeviceIdentity).agreement.privateKey, blob);
    const attestation = await this.verifyPeerAttestation(opened.senderAttestation);
    const deviceId = toHex(attestation.deviceId);
    if (queuePeer && queuePeer !== deviceId) throw new MessengerError('internal', 'a device wrote to a queue made for another');
    const self = this.requireSelf();
    const newOwnDevice = attestation.userAddress === self.address && !tx.get<ContactRecord>(TABLES.contacts, self.address)?.devices[deviceId];
    const contact = this.rememberDevice(tx, attestation, opened.senderAttestation);
    const device = contact.devices[deviceId] as ContactDeviceRecord;
    const content = decodePairwiseContent(opened.content);
    let peer: PeerRecord = tx.get<PeerRecord>(TABLES.peers, deviceId) ?? { v: 1, deviceId, address: attestation.userAddress, sessions: [], helloAcknowledged: false, groupKeys: [], revoked: false };
    let plaintext: Uint8Array | undefined;
    if (content.kind === 'initial') {
      const initiation = decodeHandshakeInitiation(content.initiation);
      if (!constantTimeEqual(initiation.initiator.signingKey, attestation.signingKey) || !constantTimeEqual(initiation.initiator.agreementKey, attestation.agreementKey)) {
        throw new MessengerError('internal', 'the handshake names other keys than the sender’s attestation');
      }
      const sessionId = toHex(initiation.ephemeralKey);
      if (!peer.sessions.some((s) => s.id === sessionId)) {
        const self = this.requireSelf();
        const prekeys: PrekeyState = await deserializePrekeyState(self.prekeys);
        const response = await respondToHandshake({ identity: this.identity as DeviceIdentity, prekeys, initiation, now: this.env.now() });
        const state = startResponderSession({ sharedSecret: response.sharedSecret, associatedData: response.associatedData, ratchetKeyPair: response.ratchetKeyPair });
        response.sharedSecret.wipe();
        tx.put(TABLES.self, 'device', { ...this.requireSelf(), prekeys: serializePrekeyState(response.prekeys).exposeBytes().slice() });
        tx.after(() => void this.exclusive(() => this.maintainPrekeys()).catch(() => undefined));
        const incoming: SessionRecord = { id: sessionId, state: serializeSession(state).exposeBytes().slice(), confirmed: false };
        // Simultaneous initiation: both sessions are kept; the one both sides agree on sends.
        const ours = peer.sessions[0];
        const oursWins = ours && !ours.confirmed && ours.initiation !== undefined && ourInitiationWins(this.publicIdentity(), initiation.initiator);
        const sessions = oursWins ? [ours, incoming, ...peer.sessions.slice(1)] : [incoming, ...peer.sessions];
        peer = { ...peer, sessions: sessions.slice(0, MAX_SESSIONS_PER_PEER) };
      }
    }
    for (let i = 0; i < peer.sessions.length && plaintext === undefined; i++) {
      const session = peer.sessions[i] as SessionRecord;
      let state: SessionState;
      try {
        state = await deserializeSession(session.state);
        const result = await ratchetDecrypt(state, content.ratchetMessage);
        plaintext = result.plaintext;
        const updated: SessionRecord = { ...session, state: serializeSession(result.state).exposeBytes().slice(), confirmed: true };
        const sessions = [...peer.sessions];
        sessions[i] = updated;
        // A session the peer has answered on replaces a first one that never received anything:
        // both sides then send on sessions the other holds (messages.md §3).
        if (i > 0 && !(peer.sessions[0] as SessionRecord).confirmed) {
          sessions.splice(i, 1);
          sessions.unshift(updated);
        }
        peer = { ...peer, sessions };
      } catch {
        // Not this session (or a replay): try the next; no state was changed.
      }
    }
    if (plaintext === undefined) throw new MessengerError('internal', 'no session opens this message');
    tx.put(TABLES.peers, deviceId, peer);
    const payload = decodeAppPayload(plaintext);
    await this.handlePayload(tx, peer, device, { address: attestation.userAddress, displayName: attestation.displayName, deviceId }, payload);
    if (newOwnDevice) await this.welcomeOwnDevice(tx, attestation.userAddress, deviceId);
  }

  /**
   * One of our devices we had not seen (messages.md §5.4): it gets the membership of our groups
   * (never their history), and our contacts are told to look us up again so that they include it.
   */
  private async welcomeOwnDevice(tx: Transaction, address: string, deviceId: string): Promise<void> {
    const device = tx.get<ContactRecord>(TABLES.contacts, address)?.devices[deviceId];
    const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
    if (!device || !peer) return;
    for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
      if (conversation.kind !== 'group' || !conversation.active) continue;
      await this.sendPairwise(tx, tx.get<PeerRecord>(TABLES.peers, deviceId) as PeerRecord, device, {
        t: 'group',
        groupId: conversation.id,
        version: conversation.groupVersion,
        title: conversation.title ?? '',
        members: [...conversation.members],
        action: 'sync',
        disappearAfter: conversation.disappearAfterSeconds,
      });
    }
    const contacts = new Set(tx.all<ConversationRecord>(TABLES.conversations).filter((c) => c.active).flatMap((c) => (c.kind === 'direct' ? [c.peer as string] : c.members)));
    contacts.delete(address);
    for (const { device: target } of this.recipientDevices(tx, [...contacts])) {
      const other = tx.get<PeerRecord>(TABLES.peers, target.deviceId);
      if (other && other.address !== address && other.sessions.length > 0) await this.sendPairwise(tx, other, target, { t: 'devices_changed' });
    }
  }

  private publicIdentity(): { signingKey: Uint8Array; agreementKey: Uint8Array } {
    const identity = this.identity as DeviceIdentity;
    return { signingKey: identity.signing.publicKey, agreementKey: identity.agreement.publicKey };
  }

  /** A device that wrote to us: its attestation is verified, so it joins the contact's devices. */
  private rememberDevice(tx: Transaction, attestation: DeviceAttestation, bytes: Uint8Array): ContactRecord {
    const address = attestation.userAddress;
    const deviceId = toHex(attestation.deviceId);
    const contact = tx.get<ContactRecord>(TABLES.contacts, address) ?? { v: 1, address, displayName: attestation.displayName, lookedUpAt: 0, devices: {} };
    const known = contact.devices[deviceId];
    if (known && constantTimeEqual(known.signingKey, attestation.signingKey) && constantTimeEqual(known.agreementKey, attestation.agreementKey)) {
      if (known.attestation.length === bytes.length && constantTimeEqual(known.attestation, bytes)) return contact;
    }
    const keysChanged = known !== undefined && (!constantTimeEqual(known.signingKey, attestation.signingKey) || !constantTimeEqual(known.agreementKey, attestation.agreementKey));
    const updated: ContactRecord = {
      ...contact,
      displayName: attestation.displayName,
      devices: {
        ...contact.devices,
        [deviceId]: {
          deviceId,
          attestation: bytes,
          signingKey: attestation.signingKey,
          agreementKey: attestation.agreementKey,
          ...(known?.slotId ? { slotId: known.slotId } : {}),
          trust: keysChanged ? 'key_changed' : (known?.trust ?? 'unverified'),
          addedAt: known?.addedAt ?? this.env.now(),
        },
      },
    };
    if (!known && contact.lookedUpAt > 0) this.systemLineForUser(tx, address, { type: 'device_added', member: address, deviceId });
    if (keysChanged) this.systemLineForUser(tx, address, { type: 'key_changed', member: address, deviceId });
    tx.put(TABLES.contacts, address, updated);
    return updated;
  }

  private async receiveGroupMessage(tx: Transaction, peer: PeerRecord, groupId: string, message: Uint8Array): Promise<void> {
    const index = peer.groupKeys.findIndex((k) => k.groupId === groupId);
    const received = peer.groupKeys[index];
    if (!received) throw new MessengerError('internal', 'no sender key');
    const result = await groupDecrypt(deserializeSenderKeyReceiverState(received.state), message);
    const groupKeys = [...peer.groupKeys];
    groupKeys[index] = { ...received, state: serializeSenderKeyReceiverState(result.state).exposeBytes().slice() };
    tx.put(TABLES.peers, peer.deviceId, { ...peer, groupKeys });
    const payload = decodeAppPayload(result.plaintext);
    if (payload.t !== 'text' && payload.t !== 'disappearing' && payload.t !== 'history_shared') throw new MessengerError('internal', 'only messages travel by fan-out');
    if (payload.conversation.kind !== 'group' || payload.conversation.groupId !== groupId) throw new MessengerError('internal', 'a group message names another conversation');
    const contact = tx.get<ContactRecord>(TABLES.contacts, peer.address);
    const device = contact?.devices[peer.deviceId];
    if (!device) throw new MessengerError('internal', 'unknown device');
    await this.handlePayload(tx, tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord, device, { address: peer.address, displayName: contact?.displayName ?? peer.address, deviceId: peer.deviceId }, payload);
  }

  private async handlePayload(tx: Transaction, peer: PeerRecord, device: ContactDeviceRecord, sender: Sender, payload: AppPayload): Promise<void> {
    const self = this.requireSelf();
    switch (payload.t) {
      case 'hello': {
        if (!this.env.relayUrls.includes(payload.replyQueue.relay)) throw new MessengerError('internal', 'a queue on a relay this organisation does not use');
        const updated: PeerRecord = { ...peer, outbox: { relay: payload.replyQueue.relay, senderId: fromB64(payload.replyQueue.senderId) } };
        tx.put(TABLES.peers, peer.deviceId, updated);
        this.introRefresh.delete(peer.deviceId);
        this.releaseHeld(tx, peer.deviceId);
        if (!updated.inbox) await this.ensurePeer(tx, sender.address, device);
        return;
      }
      case 'text': {
        const conversation = this.conversationFor(tx, payload.conversation, sender);
        if (!conversation) return;
        if (await tx.message(conversation.id, payload.id)) return;
        const mine = sender.address === self.address;
        const expiresAt = payload.expireAfter ? payload.sentAt + payload.expireAfter * 1000 : undefined;
        if (expiresAt !== undefined && expiresAt <= this.env.now()) return;
        tx.putMessage({
          v: 1,
          id: payload.id,
          conversationId: conversation.id,
          sender,
          mine,
          text: payload.body,
          sentAt: payload.sentAt,
          receivedAt: this.env.now(),
          ...(mine ? { status: 'sent' as const } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
        });
        this.touchConversation(tx, conversation, payload.body, payload.sentAt, !mine);
        if (!mine) await this.sendPairwise(tx, tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord, device, { t: 'receipt', ids: [payload.id] });
        return;
      }
      case 'receipt': {
        for (const id of payload.ids) {
          const sent = await tx.getStored<{ conversationId: string }>(TABLES.sent, id);
          if (!sent) continue;
          const message = await tx.message(sent.conversationId, id);
          if (!message || !message.mine) continue;
          const deliveredTo = { ...(message.deliveredTo ?? {}), [sender.address]: true };
          const conversation = tx.get<ConversationRecord>(TABLES.conversations, sent.conversationId);
          const others = (conversation?.kind === 'direct' ? [conversation.peer as string] : (conversation?.members ?? [])).filter((a) => a !== self.address);
          const all = others.every((a) => deliveredTo[a]);
          tx.putMessage({ ...message, deliveredTo, status: all ? 'delivered' : message.status === 'queued' ? 'sent' : message.status });
          tx.touchMessages(sent.conversationId);
        }
        return;
      }
      case 'group':
        await this.applyGroupUpdate(tx, sender, payload);
        return;
      case 'history':
        await this.receiveHistory(tx, device, sender, payload.bundle, payload.signature);
        return;
      case 'history_shared': {
        const conversation = this.conversationFor(tx, payload.conversation, sender);
        if (!conversation || payload.with === self.address) return;
        this.systemLine(tx, conversation, { type: 'history_shared', by: sender.address, count: payload.count, with: payload.with }, payload.at);
        return;
      }
      case 'devices_changed': {
        // Look the sender up again, at most once a minute per contact (the directory is rate limited).
        // A contact can make us spend at most one directory look-up per interval this way.
        const contact = tx.get<ContactRecord>(TABLES.contacts, sender.address);
        if (contact?.hintedAt !== undefined && this.env.now() - contact.hintedAt < DEVICES_CHANGED_MIN_INTERVAL_MS) return;
        const refreshed = await this.lookUp(tx, sender.address, true).catch(() => undefined);
        if (refreshed) tx.put(TABLES.contacts, refreshed.address, { ...refreshed, hintedAt: this.env.now() });
        return;
      }
      case 'sender_key': {
        const state = processSenderKeyDistribution(fromB64(payload.distribution));
        const current = tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord;
        const groupKeys = [
          ...current.groupKeys.filter((k) => k.groupId !== payload.groupId),
          { groupId: payload.groupId, fanoutKey: fromB64(payload.fanoutKey), state: serializeSenderKeyReceiverState(state).exposeBytes().slice() },
        ];
        tx.put(TABLES.peers, peer.deviceId, { ...current, groupKeys });
        tx.after(() => void this.exclusive(() => this.retryParked()).catch(() => undefined));
        return;
      }
      case 'disappearing': {
        const conversation = this.conversationFor(tx, payload.conversation, sender);
        if (!conversation) return;
        const updated = { ...conversation, disappearAfterSeconds: payload.seconds };
        tx.put(TABLES.conversations, conversation.id, updated);
        this.systemLine(tx, updated, { type: 'disappearing_set', by: sender.address, seconds: payload.seconds }, payload.at);
        return;
      }
    }
  }

  /** Membership as the members' clients hold it: a higher version from a current member wins (messages.md §5.3). */
  private async applyGroupUpdate(tx: Transaction, sender: Sender, update: Extract<AppPayload, { t: 'group' }>): Promise<void> {
    const self = this.requireSelf();
    const current = tx.get<ConversationRecord>(TABLES.conversations, update.groupId);
    if (current && current.kind !== 'group') return;
    if (current && update.version <= current.groupVersion) return;
    const senderIsMember = current ? current.members.includes(sender.address) : update.members.includes(sender.address) || update.action === 'leave';
    if (!senderIsMember && sender.address !== self.address) return;
    const inGroup = update.members.includes(self.address);
    if (!current && !inGroup) return;
    const conversation: ConversationRecord = {
      v: 1,
      id: update.groupId,
      kind: 'group',
      title: update.title,
      members: update.members,
      groupVersion: update.version,
      active: inGroup,
      disappearAfterSeconds: update.disappearAfter ?? current?.disappearAfterSeconds ?? null,
      unread: current?.unread ?? 0,
      updatedAt: this.env.now(),
      ...(current?.lastPreview ? { lastPreview: current.lastPreview, lastAt: current.lastAt as number } : {}),
    };
    tx.put(TABLES.conversations, conversation.id, conversation);
    const event: SystemEvent | undefined =
      update.action === 'create' && !current
        ? { type: 'group_created', by: sender.address }
        : update.action === 'add' && update.subject
          ? { type: 'member_added', by: sender.address, member: update.subject }
          : update.action === 'remove' && update.subject
            ? { type: 'member_removed', by: sender.address, member: update.subject }
            : update.action === 'leave'
              ? { type: 'member_left', member: update.subject ?? sender.address }
              : undefined;
    if (event) this.systemLine(tx, conversation, event, update.at);
    const gone = (current?.members ?? []).filter((m) => !update.members.includes(m));
    for (const member of gone) this.forgetMemberKeys(tx, conversation, member);
    if (!inGroup) tx.delete(TABLES.groupKeys, conversation.id);
    for (const member of update.members) if (member !== self.address) await this.lookUp(tx, member).catch(() => undefined);
  }

  private conversationFor(tx: Transaction, ref: ConversationRef, sender: Sender): ConversationRecord | undefined {
    const self = this.requireSelf();
    if (ref.kind === 'group') {
      const conversation = tx.get<ConversationRecord>(TABLES.conversations, ref.groupId);
      if (!conversation || !conversation.active || !conversation.members.includes(sender.address)) return undefined;
      return conversation;
    }
    // From a contact, the conversation is with the sender; from one of our devices, with `with`.
    const peerAddress = sender.address === self.address ? ref.with : sender.address;
    if (peerAddress === self.address) return undefined;
    const existing = tx.all<ConversationRecord>(TABLES.conversations).find((c) => c.kind === 'direct' && c.peer === peerAddress);
    if (existing) return existing;
    const id = toHex(randomBytes(16));
    const created: ConversationRecord = { v: 1, id, kind: 'direct', peer: peerAddress, members: [self.address, peerAddress], groupVersion: 0, active: true, disappearAfterSeconds: null, unread: 0, updatedAt: this.env.now() };
    tx.put(TABLES.conversations, id, created);
    return created;
  }

  // ---- revocation ------------------------------------------------------------------------

  /** Fetches the signed list from the admin app; applies it if it supersedes ours (attestations.md §3.4). */
  async checkRevocation(): Promise<void> {
    if (!this.self) return;
    const bytes = await this.env.admin.revocationList();
    await this.exclusive(async () => {
      const self = this.self;
      if (!self) return;
      const list = await verifyRevocationList(bytes, this.trusted(self));
      if (this.revocation && !supersedes(this.revocation, list)) return;
      if (isRevoked(list, self.deviceId)) {
        const entry = list.revoked.find((d) => constantTimeEqual(d.deviceId, self.deviceId));
        this.stop();
        await this.onWiped(entry?.reason ?? 'unspecified');
        return;
      }
      const tx = this.tx();
      tx.put(TABLES.self, 'device', { ...self, revocationList: bytes, revocationVersion: list.listVersion });
      for (const contact of tx.all<ContactRecord>(TABLES.contacts)) {
        let devices = contact.devices;
        for (const device of Object.values(contact.devices)) {
          if (device.trust === 'revoked' || !isRevoked(list, fromHex(device.deviceId))) continue;
          devices = { ...devices, [device.deviceId]: { ...device, trust: 'revoked' } };
          this.systemLineForUser(tx, contact.address, { type: 'device_revoked', member: contact.address, deviceId: device.deviceId });
          const peer = tx.get<PeerRecord>(TABLES.peers, device.deviceId);
          if (peer) tx.put(TABLES.peers, peer.deviceId, { ...peer, revoked: true, sessions: [], groupKeys: [] });
          for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
            if (conversation.kind === 'group' && conversation.members.includes(contact.address)) {
              const key = tx.get<GroupKeyRecord>(TABLES.groupKeys, conversation.id);
              if (key) tx.put(TABLES.groupKeys, conversation.id, { ...key, rotate: true, distributedTo: [] });
            }
          }
        }
        if (devices !== contact.devices) tx.put(TABLES.contacts, contact.address, { ...contact, devices });
      }
      await tx.commit();
      this.revocation = list;
      this.emitTx(tx);
    });
  }

  // ---- retention -------------------------------------------------------------------------

  /** Expired messages are deleted from the store, not hidden (issue: retention). */
  private async sweepExpired(): Promise<void> {
    const now = this.env.now();
    const tx = this.tx();
    const due = tx.all<ExpiringRecord>(TABLES.expiring).filter((entry) => entry.expiresAt <= now);
    if (due.length === 0) return;
    for (const entry of due) {
      tx.deleteMessage(entry.conversationId, entry.id);
      tx.touchMessages(entry.conversationId);
    }
    await tx.commit();
    this.emitTx(tx);
  }

  // ---- views -----------------------------------------------------------------------------

  private conversation(tx: Transaction, id: string): ConversationRecord {
    const conversation = tx.get<ConversationRecord>(TABLES.conversations, id);
    if (!conversation) throw new MessengerError('not_found', 'no such conversation');
    return conversation;
  }

  private groupConversation(tx: Transaction, id: string): ConversationRecord {
    const conversation = this.conversation(tx, id);
    if (conversation.kind !== 'group') throw new MessengerError('not_found', 'not a group');
    if (!conversation.active) throw new MessengerError('not_a_member', 'you are no longer in this group');
    return conversation;
  }

  private touchConversation(tx: Transaction, conversation: ConversationRecord, preview: string, at: number, unread: boolean): void {
    const current = tx.get<ConversationRecord>(TABLES.conversations, conversation.id) ?? conversation;
    tx.put(TABLES.conversations, conversation.id, {
      ...current,
      lastPreview: preview.slice(0, 140),
      lastAt: at,
      updatedAt: Math.max(current.updatedAt, at),
      unread: current.unread + (unread ? 1 : 0),
    });
    tx.touchMessages(conversation.id);
  }

  /** `at`: when the sender made the change, never later than now (a clock ahead is clamped). */
  private systemLine(tx: Transaction, conversation: ConversationRecord, event: SystemEvent, at?: number): void {
    const now = this.env.now();
    const sentAt = at === undefined ? now : Math.min(at, now);
    tx.putMessage({ v: 1, id: toHex(randomBytes(16)), conversationId: conversation.id, mine: false, system: event, sentAt, receivedAt: now });
    const current = tx.get<ConversationRecord>(TABLES.conversations, conversation.id) ?? conversation;
    tx.put(TABLES.conversations, conversation.id, { ...current, updatedAt: now });
    tx.touchMessages(conversation.id);
  }

  private systemLineForUser(tx: Transaction, address: string, event: SystemEvent): void {
    for (const conversation of tx.all<ConversationRecord>(TABLES.conversations)) {
      if (conversation.peer === address || conversation.members.includes(address)) this.systemLine(tx, conversation, event);
    }
  }

  async messages(conversationId: string): Promise<MessageView[]> {
    const messages = await this.vault.list<MessageRecord>(TABLES.messages, conversationId);
    const now = this.env.now();
    return messages
      .filter((m) => m.expiresAt === undefined || m.expiresAt > now)
      .sort((a, b) => a.sentAt - b.sentAt || a.receivedAt - b.receivedAt || a.id.localeCompare(b.id))
      .map(({ v: _v, deliveredTo: _d, ...view }) => view);
  }

  private deviceView(self: SelfRecord): ThisDeviceView {
    return { address: self.address, displayName: self.displayName, deviceId: toHex(self.deviceId), attestationExpiresAt: self.expiresAt, orgId: toHex(self.orgId), reachable: self.published };
  }

  snapshot(): Omit<ClientSnapshot, 'vault'> {
    const tx = this.tx();
    const self = this.self;
    const relays: RelayView[] = this.env.relayUrls.map((url) => {
      const relay = this.relays.get(url);
      return { url, status: relay?.status ?? 'offline' };
    });
    if (!self) return { relays, conversations: [], pendingOutgoing: 0 };
    const contacts = new Map(tx.all<ContactRecord>(TABLES.contacts).map((c) => [c.address, c]));
    const member = (address: string): MemberView => {
      const contact = contacts.get(address);
      return {
        address,
        displayName: address === self.address ? self.displayName : (contact?.displayName ?? address),
        devices: Object.values(contact?.devices ?? {}).map((d) => ({ deviceId: d.deviceId, trust: d.trust })),
        isSelf: address === self.address,
      };
    };
    const conversations: ConversationView[] = tx
      .all<ConversationRecord>(TABLES.conversations)
      .map((c) => ({
        id: c.id,
        kind: c.kind,
        title: c.kind === 'direct' ? (contacts.get(c.peer as string)?.displayName ?? (c.peer as string)) : (c.title ?? ''),
        members: c.members.map(member),
        ...(c.lastPreview !== undefined ? { lastMessage: { preview: c.lastPreview, at: c.lastAt as number } } : {}),
        unread: c.unread,
        disappearAfterSeconds: c.disappearAfterSeconds,
        active: c.active,
        updatedAt: c.updatedAt,
      }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
    const pendingOutgoing = tx.all<OutboxRecord>(TABLES.outbox).reduce((n, item) => n + (item.messageRef ? 1 : 0), 0);
    return { device: this.deviceView(self), relays, conversations, pendingOutgoing };
  }

  /** Commits a change that queued messages, tells the UI, and sends the outbox after it. */
  private async commitAndSend(tx: Transaction): Promise<void> {
    await tx.commit();
    this.emitTx(tx);
    void this.exclusive(() => this.flushOutbox());
  }

  private emitTx(tx: Transaction): void {
    for (const conversationId of tx.touchedConversations) this.notify({ type: 'messages', conversationId });
    this.changed();
  }

  private changed(): void {
    this.notify({ type: 'snapshot' });
  }

  /** Prunes the relay message ids kept for de-duplication (at-least-once delivery), hourly. */
  private async pruneSeen(): Promise<void> {
    await this.exclusive(async () => {
      const tx = this.tx();
      await tx.pruneSeen(this.env.now() - SEEN_RETENTION_MS);
      await tx.commit();
    });
  }
}

/** How a payload names a conversation (messages.md §4). */
function conversationRef(conversation: ConversationRecord): ConversationRef {
  return conversation.kind === 'group' ? { kind: 'group', groupId: conversation.id } : { kind: 'direct', with: conversation.peer as string };
}

/** Failures that say "try again later", not "this input is bad". */
function isTransient(error: unknown): boolean {
  if (error instanceof MessengerError) return error.code === 'relay_unreachable' || error.code === 'admin_unreachable';
  if (error instanceof RelayRequestError) return true;
  return error instanceof AdminRequestError && (error.code === 'unreachable' || error.code === 'rate_limited');
}
