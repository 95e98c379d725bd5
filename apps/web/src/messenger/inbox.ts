import {
  constantTimeEqual,
  deserializeSenderKeyReceiverState,
  groupDecrypt,
  randomBytes,
  serializeSenderKeyReceiverState,
  sha256,
} from '@opendescent/crypto';
import {
  decodeHandshakeInitiation,
  decodePairwiseContent,
  isFanoutPointer,
  openEnvelope,
  openFanoutEnvelope,
  ProtocolError,
} from '@opendescent/protocol';
import { RelayRequestError } from '@opendescent/relay-client';
import { AdminRequestError } from '../net/admin-client';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import { toHex } from './encoding';
import { MessengerError } from './errors';
import type { Groups } from './groups';
import type { Outbox } from './outbox';
import { decodeAppPayload, type AppPayload } from './payload';
import { handlePayload, type HandlerDeps, type Sender } from './payload-handlers';
import { blankPeer, sessionCipher, type Peers } from './peers';
import { prekeyStore, type Prekeys } from './prekeys';
import type { QueueIndex } from './queues';
import type { RelayPool } from './relay-pool';
import { fanoutCandidates, resolvePointer } from './shared-fanout';
import type { RelayDeliveryEvent, RelayPort } from './ports';
import {
  TABLES,
  type ContactDeviceRecord,
  type ContactRecord,
  type ConversationRecord,
  type ParkedRecord,
  type PeerRecord,
} from './records';
import type { Transaction } from './transaction';

const MAX_PARKED = 200;
const PARKED_LIFETIME_MS = 3_600_000;

/** Failures that say "try again later", not "this input is bad". */
export function isTransient(error: unknown): boolean {
  if (error instanceof MessengerError) return error.code === 'relay_unreachable' || error.code === 'admin_unreachable';
  if (error instanceof RelayRequestError) return true;
  return error instanceof AdminRequestError && (error.code === 'unreachable' || error.code === 'rate_limited');
}

/** What a group member sends to the whole group, by fan-out (messages.md §4); everything else travels pairwise. */
const FANOUT_PAYLOADS: ReadonlySet<AppPayload['t']> = new Set([
  'text',
  'disappearing',
  'history_shared',
  'reaction',
  'edit',
  'delete',
  'typing',
]);

/**
 * Deliveries from our queues (messages.md §5, §6): each blob is opened (fan-out keys first, then
 * the sealed envelope and the sessions of its sender), handled, and marked seen in one change;
 * the relay is acknowledged after that change, outside the exclusive section. A blob no key
 * opens yet is parked for a Sender Key still on its way.
 */
export class Inbox {
  private readonly deps: HandlerDeps;

  constructor(
    private readonly ctx: MessengerContext,
    private readonly queues: QueueIndex,
    private readonly relays: RelayPool,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
    private readonly outbox: Outbox,
    private readonly prekeys: Prekeys,
    private readonly groups: Groups,
    deps: Omit<HandlerDeps, 'ctx' | 'contacts' | 'peers' | 'outbox' | 'retryParked'>,
  ) {
    this.deps = {
      ...deps,
      ctx,
      contacts,
      peers,
      outbox,
      retryParked: () => ctx.later(() => this.retryParked()),
    };
  }

  async receive(relay: RelayPort, delivery: RelayDeliveryEvent): Promise<void> {
    const queue = this.queues.find(toHex(delivery.recipientId));
    if (!queue || !this.ctx.identity) return;
    let blob = delivery.blob;
    if (isFanoutPointer(blob)) {
      // Fetched before the exclusive section, so a slow relay holds up nothing else.
      const candidates = fanoutCandidates(this.ctx.tx(), queue.peer, this.ctx.now());
      const resolved = await resolvePointer(candidates, blob, (id) => relay.fetchShared(id));
      if (resolved.kind === 'retry') return;
      if (resolved.kind === 'envelope') blob = resolved.blob;
      if (resolved.kind === 'gone') {
        await relay.ack(delivery.recipientId, queue.key, [delivery.messageId]).catch(() => undefined);
        return;
      }
    }
    const outcome = await this.ctx.exclusive(() => this.accept(queue.peer, blob, relay.url));
    // A relay or the admin app unreachable halfway: not acknowledged, so the relay delivers it
    // again later; nothing is lost (at-least-once, DESIGN.md).
    if (outcome === 'retry') return;
    await relay.ack(delivery.recipientId, queue.key, [delivery.messageId]).catch(() => undefined);
    if (outcome === 'queued') this.outbox.flushSoon();
    // Heard from a device: a direct channel may be offered to it (direct.md §2).
    if (queue.peer) this.deps.direct.want(queue.peer);
  }

  /**
   * A blob that came over the direct channel with `peer` (direct.md §6), handled exactly as one
   * from its queue: true once it may be acked (committed, known already, or dropped as bad).
   */
  async receiveDirect(peer: string, blob: Uint8Array): Promise<boolean> {
    if (!this.ctx.identity) return false;
    // A channel carries envelopes, never a pointer: acknowledged and dropped.
    if (isFanoutPointer(blob)) return true;
    const outcome = await this.ctx.exclusive(() => this.accept(peer, blob));
    if (outcome === 'retry') return false;
    if (outcome === 'queued') this.outbox.flushSoon();
    return true;
  }

  /**
   * A blob is known by its SHA-256, whatever path it came by (a relay delivering it again, or the
   * same bytes over a direct channel and through the relay), and handled once (direct.md §6).
   */
  private async accept(
    queuePeer: string | undefined,
    blob: Uint8Array,
    relayUrl?: string,
  ): Promise<'retry' | 'queued' | 'done'> {
    if (this.ctx.stopped) return 'retry';
    const seenId = toHex(sha256(blob));
    const tx = this.ctx.tx();
    if (await tx.seen(seenId)) return 'done';
    try {
      await this.process(tx, queuePeer, blob);
    } catch (error) {
      tx.discard();
      if (isTransient(error)) return 'retry';
      // Opens with no key we hold: perhaps a group message overtaking its Sender Key on another
      // queue. Kept (sealed at rest) and retried when a Sender Key arrives, for an hour at most.
      if (error instanceof ProtocolError && error.code === 'undecryptable') this.park(tx, queuePeer, blob, relayUrl);
      // Its sender's attestation names an organisation key not followed yet (a rotation): kept the
      // same way and tried again once the keys are refreshed (org-keys.ts), never dropped.
      if (error instanceof ProtocolError && error.code === 'unknown_signer') {
        this.park(tx, queuePeer, blob);
        this.ctx.followOrgKeys();
      }
      // Otherwise from a revoked device, replayed or malformed: dropped whole, nothing of it
      // kept (a bad input changes nothing). The blob is still acknowledged.
    }
    tx.markSeen(seenId, this.ctx.now());
    const queued = tx.hasOutbox;
    await this.ctx.commit(tx);
    return queued ? 'queued' : 'done';
  }

  private park(tx: Transaction, queuePeer: string | undefined, blob: Uint8Array, relay?: string): void {
    if (tx.all<ParkedRecord>(TABLES.parked).length >= MAX_PARKED) return;
    const id = toHex(randomBytes(16));
    tx.put(TABLES.parked, id, {
      v: 1,
      id,
      ...(queuePeer ? { queuePeer } : {}),
      blob,
      at: this.ctx.now(),
      // A pointer is fetched from the relay that delivered it, once a key opens it.
      ...(relay && isFanoutPointer(blob) ? { relay } : {}),
    } satisfies ParkedRecord);
  }

  /** Outside `exclusive`: parked messages are tried again (an organisation key was followed). */
  retryParkedSoon(): void {
    this.ctx.later(() => this.retryParked());
  }

  /** Inside `exclusive`. */
  private async retryParked(): Promise<void> {
    const parked = this.ctx
      .tx()
      .all<ParkedRecord>(TABLES.parked)
      .sort((a, b) => a.at - b.at);
    if (parked.length === 0) return;
    for (const entry of parked) {
      const tx = this.ctx.tx();
      tx.delete(TABLES.parked, entry.id);
      try {
        await this.process(tx, entry.queuePeer, await this.parkedBlob(tx, entry));
      } catch (error) {
        tx.discard();
        const expired = this.ctx.now() - entry.at > PARKED_LIFETIME_MS;
        const waiting =
          error instanceof ProtocolError && (error.code === 'undecryptable' || error.code === 'unknown_signer');
        if (isTransient(error) || (!expired && waiting)) continue;
        tx.delete(TABLES.parked, entry.id);
      }
      await this.ctx.commit(tx);
    }
    this.outbox.flushSoon();
  }

  /**
   * A parked pointer is fetched now that a key may open it (inside `exclusive`: parked blobs are
   * rare); one the relay no longer holds is malformed from here on, and dropped.
   */
  private async parkedBlob(tx: Transaction, entry: ParkedRecord): Promise<Uint8Array> {
    if (!isFanoutPointer(entry.blob) || !entry.relay) return entry.blob;
    const relay = this.relays.get(entry.relay);
    const candidates = fanoutCandidates(tx, entry.queuePeer, this.ctx.now());
    const resolved = await resolvePointer(candidates, entry.blob, (id) => relay.fetchShared(id));
    if (resolved.kind === 'envelope') return resolved.blob;
    if (resolved.kind === 'unopened') throw new ProtocolError('undecryptable', 'no key of ours opens this pointer yet');
    if (resolved.kind === 'retry')
      throw new MessengerError('relay_unreachable', 'the shared blob could not be fetched');
    throw new ProtocolError('malformed', 'the shared blob is gone');
  }

  private async process(tx: Transaction, queuePeer: string | undefined, blob: Uint8Array): Promise<void> {
    // A pointer no key of ours opened (its Sender Key still on its way): parked by the caller.
    if (isFanoutPointer(blob)) throw new ProtocolError('undecryptable', 'a fan-out pointer no key of ours opens');
    if (await this.openFanout(tx, queuePeer, blob)) return;
    const identity = this.ctx.requireIdentity();
    const opened = await openEnvelope(identity.agreement.privateKey, blob);
    const attestation = await this.contacts.verifyPeerAttestation(opened.senderAttestation);
    const deviceId = toHex(attestation.deviceId);
    if (queuePeer && queuePeer !== deviceId)
      throw new MessengerError('internal', 'a device wrote to a queue made for another');
    const self = this.ctx.requireSelf();
    const newOwnDevice =
      attestation.userAddress === self.address &&
      !tx.get<ContactRecord>(TABLES.contacts, self.address)?.devices[deviceId];
    const contact = await this.contacts.rememberDevice(tx, attestation, opened.senderAttestation);
    const device = contact.devices[deviceId] as ContactDeviceRecord;
    const content = decodePairwiseContent(opened.content);
    if (!tx.get<PeerRecord>(TABLES.peers, deviceId))
      tx.put(TABLES.peers, deviceId, blankPeer(deviceId, attestation.userAddress));
    const cipher = sessionCipher(tx, deviceId);
    if (content.kind === 'initial') {
      const initiation = decodeHandshakeInitiation(content.initiation);
      if (
        !constantTimeEqual(initiation.initiator.signingKey, attestation.signingKey) ||
        !constantTimeEqual(initiation.initiator.agreementKey, attestation.agreementKey)
      ) {
        throw new MessengerError('internal', 'the handshake names other keys than the sender’s attestation');
      }
      const added = await cipher.accept({
        identity,
        prekeys: prekeyStore(tx),
        initiation,
        id: toHex(initiation.ephemeralKey),
        now: this.ctx.now(),
      });
      if (added) tx.after(() => void this.prekeys.maintain().catch(() => undefined));
    }
    const payload = decodeAppPayload(await cipher.decrypt(content.ratchetMessage));
    const sender: Sender = { address: attestation.userAddress, displayName: attestation.displayName, deviceId };
    await handlePayload(this.deps, {
      tx,
      peer: tx.get<PeerRecord>(TABLES.peers, deviceId) as PeerRecord,
      device,
      sender,
      payload,
    });
    // An own device not approved by the user key gets nothing (user-keys.md §2.5); the device link welcomes it.
    if (newOwnDevice && tx.get<ContactRecord>(TABLES.contacts, self.address)?.devices[deviceId]?.approved)
      await this.welcomeOwnDevice(tx, attestation.userAddress, deviceId);
  }

  /** A group message from a device we hold fan-out keys of (envelopes.md §6): one HMAC per key. */
  private async openFanout(tx: Transaction, queuePeer: string | undefined, blob: Uint8Array): Promise<boolean> {
    const candidates = fanoutCandidates(tx, queuePeer, this.ctx.now());
    if (candidates.length === 0) return false;
    let opened: { content: Uint8Array; keyIndex: number } | undefined;
    try {
      opened = openFanoutEnvelope(
        candidates.map((c) => c.fanoutKey),
        blob,
      );
    } catch {
      return false;
    }
    const { peer, key } = candidates[opened.keyIndex] as (typeof candidates)[number];
    await this.receiveGroupMessage(tx, peer, key.groupId, opened.content);
    return true;
  }

  private async receiveGroupMessage(
    tx: Transaction,
    peer: PeerRecord,
    groupId: string,
    message: Uint8Array,
  ): Promise<void> {
    const index = peer.groupKeys.findIndex((k) => k.groupId === groupId);
    const received = peer.groupKeys[index];
    if (!received) throw new MessengerError('internal', 'no sender key');
    const now = this.ctx.now();
    const result = await groupDecrypt(deserializeSenderKeyReceiverState(received.state, now), message, undefined, now);
    const groupKeys = [...peer.groupKeys];
    groupKeys[index] = { ...received, state: serializeSenderKeyReceiverState(result.state).exposeBytes().slice() };
    tx.put(TABLES.peers, peer.deviceId, { ...peer, groupKeys });
    const payload = decodeAppPayload(result.plaintext);
    if (!FANOUT_PAYLOADS.has(payload.t)) throw new MessengerError('internal', 'only messages travel by fan-out');
    if (!('conversation' in payload)) throw new MessengerError('internal', 'a group message names no conversation');
    if (payload.conversation.kind !== 'group' || payload.conversation.groupId !== groupId)
      throw new MessengerError('internal', 'a group message names another conversation');
    const contact = tx.get<ContactRecord>(TABLES.contacts, peer.address);
    const device = contact?.devices[peer.deviceId];
    if (!device) throw new MessengerError('internal', 'unknown device');
    const sender: Sender = {
      address: peer.address,
      displayName: contact?.displayName ?? peer.address,
      deviceId: peer.deviceId,
    };
    await handlePayload(this.deps, {
      tx,
      peer: tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord,
      device,
      sender,
      payload,
    });
  }

  /**
   * One of our devices we had not seen (messages.md §5.4): it gets the membership of our groups
   * (never their history), and our contacts are told to look us up again so that they include it.
   */
  async welcomeOwnDevice(tx: Transaction, address: string, deviceId: string): Promise<void> {
    const device = tx.get<ContactRecord>(TABLES.contacts, address)?.devices[deviceId];
    if (!device?.approved || !tx.get<PeerRecord>(TABLES.peers, deviceId)) return;
    await this.groups.syncTo(tx, device);
    const active = tx.all<ConversationRecord>(TABLES.conversations).filter((c) => c.active);
    const contacts = new Set(active.flatMap((c) => (c.kind === 'direct' ? [c.peer as string] : c.members)));
    contacts.delete(address);
    for (const { device: target } of this.contacts.recipientDevices(tx, [...contacts])) {
      const other = tx.get<PeerRecord>(TABLES.peers, target.deviceId);
      if (other && other.address !== address && other.sessions.length > 0)
        await this.peers.send(tx, target, { t: 'devices_changed' });
    }
  }
}
