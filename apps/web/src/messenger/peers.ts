import { ed25519KeyPairFromSeed, randomBytes, SessionCipher } from '@opendescent/crypto';
import {
  decodeClaimedBundle,
  encodeHandshakeInitiation,
  encodePairwiseContent,
  openContactSlot,
  sealEnvelope,
} from '@opendescent/protocol';
import { RelayRequestError } from '@opendescent/relay-client';
import type { MessengerContext } from './context';
import { toB64, toHex } from './encoding';
import { MessengerError } from './errors';
import { headToGossip } from './log-gossip';
import type { Outbox } from './outbox';
import { encodeAppPayload, type AppPayload } from './payload';
import type { QueueIndex } from './queues';
import type { RelayPool } from './relay-pool';
import { TABLES, type ContactDeviceRecord, type OutboxRecord, type PeerRecord, type QueueRecord } from './records';
import type { Transaction } from './transaction';

export function blankPeer(deviceId: string, address: string): PeerRecord {
  return { v: 1, deviceId, address, sessions: [], helloAcknowledged: false, groupKeys: [], revoked: false };
}

/** The SessionCipher of one peer device, over that peer's record in this transaction. */
export function sessionCipher(tx: Transaction, deviceId: string): SessionCipher {
  return new SessionCipher({
    load: () => tx.get<PeerRecord>(TABLES.peers, deviceId)?.sessions ?? [],
    save: (sessions) => {
      const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
      if (!peer) throw new MessengerError('internal', 'sessions for a device with no record');
      tx.put(TABLES.peers, deviceId, { ...peer, sessions });
    },
  });
}

/**
 * Pairwise channels with other devices (messages.md §3, §5.1): a session from the device's
 * claimed prekeys, a queue we read its messages from, and pairwise encryption of one payload.
 */
export class Peers {
  constructor(
    private readonly ctx: MessengerContext,
    private readonly relays: RelayPool,
    private readonly queues: QueueIndex,
    private readonly outbox: Outbox,
  ) {}

  /** A session with one device, started from its claimed prekeys if none exists, and our queue for it. */
  async ensure(tx: Transaction, address: string, device: ContactDeviceRecord): Promise<PeerRecord> {
    const existing = tx.get<PeerRecord>(TABLES.peers, device.deviceId);
    if (existing && existing.sessions.length > 0 && existing.inbox) return existing;
    let peer = existing ?? blankPeer(device.deviceId, address);
    if (peer.sessions.length === 0) peer = await this.initiate(peer, device);
    tx.put(TABLES.peers, peer.deviceId, peer);
    if (peer.inbox) return peer;
    const relay = this.relays.nextInboxRelay();
    const keySeed = randomBytes(32);
    const ids = await relay.createQueue(await ed25519KeyPairFromSeed(keySeed));
    const inbox: QueueRecord = { relay: relay.url, ...ids, keySeed };
    tx.after(() => this.queues.add(inbox, device.deviceId));
    tx.put(TABLES.peers, peer.deviceId, { ...peer, inbox });
    const certificate = this.ctx.requireSelf().certificate;
    await this.send(tx, device, {
      t: 'hello',
      replyQueue: { relay: inbox.relay, senderId: toB64(inbox.senderId) },
      ...(certificate ? { certificate: toB64(certificate) } : {}),
    });
    return tx.get<PeerRecord>(TABLES.peers, peer.deviceId) as PeerRecord;
  }

  /** A first session from the device's claimed prekeys; nothing is written until it exists. */
  private async initiate(peer: PeerRecord, device: ContactDeviceRecord): Promise<PeerRecord> {
    if (!device.slotId) throw new MessengerError('no_devices', 'this device has not published its keys yet');
    const relay = this.relays.online(this.relays.primaryUrl);
    const claimed = await relay.claimPrekeys(device.slotId).catch((error: unknown) => {
      if (error instanceof RelayRequestError && error.code === 'not_found')
        throw new MessengerError('no_devices', 'that device has not finished setting up; try again in a moment');
      throw error;
    });
    const slot = await openContactSlot(claimed.bundle, device.signingKey);
    const bundle = decodeClaimedBundle(slot.bundle, claimed.oneTime);
    let sessions = peer.sessions;
    await new SessionCipher({ load: () => sessions, save: (next) => (sessions = next) }).initiate(
      {
        identity: this.ctx.requireIdentity(),
        responder: { signingKey: device.signingKey, agreementKey: device.agreementKey },
        bundle,
        now: this.ctx.now(),
      },
      (initiation) => ({ id: toHex(initiation.ephemeralKey), encoded: encodeHandshakeInitiation(initiation) }),
    );
    return { ...peer, sessions, intro: { relay: relay.url, senderId: slot.introSenderId } };
  }

  /** Encrypts one payload for one device and returns the sealed envelope (session state saved in tx). */
  async encrypt(tx: Transaction, device: ContactDeviceRecord, payload: AppPayload): Promise<Uint8Array> {
    const self = this.ctx.requireSelf();
    const { message, initiation } = await sessionCipher(tx, device.deviceId).encrypt(
      encodeAppPayload(this.ctx.env.tamper?.payload?.(payload) ?? payload),
    );
    const content = initiation
      ? encodePairwiseContent({ kind: 'initial', initiation, ratchetMessage: message })
      : encodePairwiseContent({ kind: 'ratchet', ratchetMessage: message });
    return sealEnvelope(
      { attestation: self.attestation, agreementKey: this.ctx.requireIdentity().agreement.privateKey },
      device.agreementKey,
      content,
    );
  }

  /** Encrypts for one device and queues the blob where it can be reached. */
  async send(
    tx: Transaction,
    device: ContactDeviceRecord,
    payload: AppPayload,
    messageRef?: OutboxRecord['messageRef'],
  ): Promise<void> {
    const peer = tx.get<PeerRecord>(TABLES.peers, device.deviceId);
    if (!peer) throw new MessengerError('internal', 'no session with this device');
    const blob = await this.encrypt(tx, device, payload);
    const routed = this.outbox.route(tx, peer.deviceId, peer.address, blob);
    if (routed) this.outbox.queue(tx, routed.relay, [routed.entry], messageRef);
    // Encrypting saved the session into the peer's record: read it back before adding to it.
    const latest = tx.get<PeerRecord>(TABLES.peers, device.deviceId) ?? peer;
    const head = headToGossip(this.ctx, latest, device, payload);
    if (head) {
      tx.put(TABLES.peers, device.deviceId, { ...latest, headSent: { treeSize: head.treeSize, at: this.ctx.now() } });
      await this.send(tx, device, { t: 'tree_head', head: toB64(head.bytes) });
    }
  }

  /** Ensures a session with the device, then sends; false when it cannot be reached now. */
  async sendEnsured(
    tx: Transaction,
    address: string,
    device: ContactDeviceRecord,
    payload: AppPayload,
  ): Promise<boolean> {
    try {
      await this.ensure(tx, address, device);
      await this.send(tx, device, payload);
      return true;
    } catch {
      return false;
    }
  }
}
