import { constantTimeEqual } from '@opendescent/crypto';
import { openContactSlot } from '@opendescent/protocol';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import type { Outbox } from './outbox';
import type { Peers } from './peers';
import type { Prekeys } from './prekeys';
import type { QueueIndex } from './queues';
import type { RelayPool } from './relay-pool';
import { TABLES, type ContactRecord, type PeerRecord } from './records';

/**
 * Queues that vanished (a relay restarted without its store, messages.md §5.2): a peer's contact
 * slot is read again until it names its new intro queue, and a queue of ours the relay lost is
 * made again and announced to whoever writes to it.
 */
export class QueueRepair {
  /** Our queues a relay no longer knows, made again once the relay is online. */
  private readonly lost = new Set<string>();

  constructor(
    private readonly ctx: MessengerContext,
    private readonly relays: RelayPool,
    private readonly queues: QueueIndex,
    private readonly outbox: Outbox,
    private readonly contacts: Contacts,
    private readonly peers: Peers,
    private readonly prekeys: Prekeys,
  ) {}

  get pending(): boolean {
    return this.lost.size > 0;
  }

  /** Reads the contact slot of devices whose queues vanished: it names their new intro queue. Outside `exclusive`. */
  async refreshIntros(): Promise<void> {
    const relay = this.relays.primaryOnline;
    const waiting = this.outbox.awaitingIntro;
    if (waiting.size === 0 || !relay) return;
    for (const deviceId of [...waiting]) {
      const snapshot = this.ctx.tx();
      const peer = snapshot.get<PeerRecord>(TABLES.peers, deviceId);
      const contact = peer && snapshot.get<ContactRecord>(TABLES.contacts, peer.address);
      const device = contact?.devices[deviceId];
      if (!peer || peer.outbox || !device) {
        waiting.delete(deviceId);
        continue;
      }
      if (!device.slotId) {
        // Known only from its messages so far: the directory names its slot.
        if ((contact?.lookedUpAt ?? 0) < this.ctx.now() - 60_000) this.contacts.refreshLater(peer.address);
        continue;
      }
      let introSenderId: Uint8Array;
      try {
        introSenderId = (await openContactSlot((await relay.fetchPrekeys(device.slotId)).bundle, device.signingKey))
          .introSenderId;
      } catch {
        continue; // not republished yet: tried again in a few seconds
      }
      const done = await this.ctx.exclusive(async () => {
        const tx = this.ctx.tx();
        const current = tx.get<PeerRecord>(TABLES.peers, deviceId);
        if (!current || current.outbox) return true;
        if (
          current.intro &&
          constantTimeEqual(current.intro.senderId, introSenderId) &&
          (current.held ?? []).length === 0
        )
          return false;
        tx.put(TABLES.peers, deviceId, { ...current, intro: { relay: relay.url, senderId: introSenderId } });
        this.outbox.releaseHeld(tx, deviceId);
        await tx.commit();
        return true;
      });
      if (done) waiting.delete(deviceId);
    }
    await this.outbox.flush();
  }

  queueLost(recipientIdHex: string): void {
    this.lost.add(recipientIdHex);
    this.ctx.later(() => this.recoverLost());
  }

  /** Tried at once and every few seconds until each lost queue has been made again. Inside `exclusive`. */
  async recoverLost(): Promise<void> {
    for (const id of [...this.lost]) {
      const relay = this.relays.existing(this.queues.find(id)?.queue.relay ?? this.relays.primaryUrl);
      if (relay?.status !== 'online') continue;
      try {
        await this.recover(id);
        this.lost.delete(id);
      } catch {
        // Relay not reachable yet: the timer tries again.
      }
    }
  }

  /** One of our queues is gone from its relay: make a new one and tell whoever writes to it. */
  private async recover(recipientIdHex: string): Promise<void> {
    const entry = this.queues.find(recipientIdHex);
    if (!entry) return;
    if (!entry.peer) {
      // The intro queue: the slot went with it; both are made again.
      const tx = this.ctx.tx();
      const { intro: _gone, ...self } = this.ctx.requireSelf();
      tx.put(TABLES.self, 'device', { ...self, published: false });
      await tx.commit();
      this.queues.forget(entry.queue);
      await this.prekeys.publishIfNeeded(this.relays.online(this.relays.primaryUrl));
      return;
    }
    const tx = this.ctx.tx();
    const peer = tx.get<PeerRecord>(TABLES.peers, entry.peer);
    const device = peer && tx.get<ContactRecord>(TABLES.contacts, peer.address)?.devices[peer.deviceId];
    if (!peer || !device || peer.revoked) return;
    const { inbox: _gone, ...rest } = peer;
    tx.put(TABLES.peers, peer.deviceId, rest);
    await this.peers.ensure(tx, peer.address, device);
    await tx.commit();
    this.queues.forget(entry.queue);
    this.outbox.flushSoon();
  }
}
