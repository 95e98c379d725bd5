import { constantTimeEqual } from '@opendescent/crypto';
import { isRetryable } from '@opendescent/relay-client';
import { sealFanoutPointer } from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { OutboxRetry } from './outbox-retry';
import type { RelayPort } from './ports';
import { clearanceOf, type LogClearance } from './log-clearance';
import type { RelayPool } from './relay-pool';
import { TABLES, type OutboxEntry, type OutboxRecord, type PeerRecord, type QueueAddress } from './records';
import type { Transaction } from './transaction';

/** Blobs kept per peer device while it cannot be reached (its queues vanished with a relay restart). */
export const MAX_HELD_PER_PEER = 500;

/**
 * What becomes of one blob at a flush: sent, or not. `revoked`: its device was revoked since it
 * was encrypted; `not_logged`: its device was proven absent from the log (dropped, like revoked);
 * `waiting`: its device's log check has not passed yet (kept for a later flush).
 */
type Fate = 'send' | 'revoked' | 'not_logged' | 'waiting';

/**
 * An answer that means "not now", so the blob stays and is sent again: not given to the relay
 * (`kept`), a refusal the relay or the client calls retryable (relay-client's `isRetryable`), an
 * answer that may or may not have been carried out (`bad_reply`; the receiver drops a blob it
 * already has, messages.md §5.2), or no answer for it (`missing`).
 */
const sendAgain = (status: string): boolean =>
  status === 'kept' || status === 'missing' || status === 'bad_reply' || isRetryable(status);

/**
 * The open direct channels (direct/direct-channels.ts): an entry for a device with one goes over
 * it and is done once acked; without an ack in time it goes through the relay (direct.md §6).
 */
export interface DirectRoute {
  isOpen(device: string): boolean;
  send(device: string, blob: Uint8Array): Promise<boolean>;
  /** About to send to this device: a channel may be offered (direct.md §2). */
  want(device: string): void;
}

/** Where a blob for one device goes and what the outbox holds for it. */
export interface Routed {
  readonly relay: string;
  readonly entry: OutboxEntry;
}

/**
 * Encrypted blobs waiting for their relay (messages.md §6): written in the same transaction as
 * the change that made them, sent in order per relay, and deleted only once a relay answered.
 * Sending happens outside the exclusive section (a slow relay holds up nothing else); only the
 * bookkeeping of each answer runs inside it.
 */
export class Outbox {
  /** Peer devices whose contact slot is read again until it names a new intro queue. */
  readonly awaitingIntro = new Set<string>();
  /** The last flush kept blobs for devices waiting for their log check (the messenger retries the check). */
  holdingForLog = false;
  /** When to send again what a relay could not take for now (the messenger's timer asks). */
  readonly retry = new OutboxRetry();
  private sequence = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: MessengerContext,
    private readonly relays: RelayPool,
    /**
     * Past the revocation list's grace this device vouches for no other device (attestations.md
     * §3.5, revocation.ts): nothing leaves until a fresh list arrives.
     */
    private readonly sendingHeld: () => boolean = () => false,
    /**
     * A blob waits for a device's first log check (transparency-log.md §6.1, log-clearance.ts):
     * the check is asked for now (log-monitor.ts), outside `exclusive`; it flushes again once it passes.
     */
    private readonly logPending: () => void = () => undefined,
    private readonly direct?: DirectRoute,
  ) {}

  /** Where a peer is written to: its queue for us, else its intro queue. */
  destination(peer: PeerRecord): QueueAddress | undefined {
    return peer.outbox ?? peer.intro;
  }

  queue(
    tx: Transaction,
    relay: string,
    entries: OutboxEntry[],
    messageRef?: OutboxRecord['messageRef'],
    shared?: OutboxRecord['shared'],
  ): void {
    if (entries.length === 0) return;
    // Time, then a per-run sequence: entries of one change leave in the order they were made, so a
    // Sender Key always precedes the first message it opens (same queue, FIFO: relay.md §5).
    this.sequence += 1;
    const now = this.ctx.now();
    const id = `${now.toString().padStart(15, '0')}-${this.sequence.toString().padStart(9, '0')}`;
    tx.put(TABLES.outbox, id, {
      v: 1,
      id,
      relay,
      entries,
      createdAt: now,
      ...(messageRef ? { messageRef } : {}),
      ...(shared ? { shared } : {}),
    } satisfies OutboxRecord);
  }

  /** Queues blobs grouped by relay, one outbox record per relay (with `shared`: one shared blob per relay). */
  queueRouted(
    tx: Transaction,
    routed: readonly (Routed | undefined)[],
    messageRef?: OutboxRecord['messageRef'],
    shared?: OutboxRecord['shared'],
  ): void {
    const byRelay = new Map<string, OutboxEntry[]>();
    for (const item of routed) if (item) byRelay.set(item.relay, [...(byRelay.get(item.relay) ?? []), item.entry]);
    for (const [relay, entries] of byRelay) this.queue(tx, relay, entries, messageRef, shared);
  }

  /**
   * Where an encrypted blob for one device goes: its queue for us, else its intro queue; with
   * neither known (both vanished with a relay restart), the blob is held for it and its contact
   * slot read again (messages.md §5.2). An encrypted message is never dropped.
   */
  route(
    tx: Transaction,
    deviceId: string,
    recipient: string,
    blob: Uint8Array,
    { pointer = false }: { readonly pointer?: boolean } = {},
  ): Routed | undefined {
    const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
    const target = peer && this.destination(peer);
    // A pointer is sealed at the flush, once the shared blob has its id; `blob` is held only if the queue is gone.
    if (target && pointer)
      return {
        relay: target.relay,
        entry: { senderId: target.senderId, blob: new Uint8Array(0), recipient, device: deviceId, pointer: true },
      };
    if (target) return { relay: target.relay, entry: { senderId: target.senderId, blob, recipient, device: deviceId } };
    if (peer && !peer.revoked) {
      tx.put(TABLES.peers, deviceId, {
        ...peer,
        held: [...(peer.held ?? []), { blob, recipient }].slice(-MAX_HELD_PER_PEER),
      });
      this.awaitingIntro.add(deviceId);
    }
    return undefined;
  }

  /** Sends a peer's held blobs to where it can now be reached. */
  releaseHeld(tx: Transaction, deviceId: string): void {
    const peer = tx.get<PeerRecord>(TABLES.peers, deviceId);
    const target = peer && this.destination(peer);
    if (!peer || !target || !peer.held || peer.held.length === 0) return;
    this.queue(
      tx,
      target.relay,
      peer.held.map((h) => ({ senderId: target.senderId, blob: h.blob, recipient: h.recipient, device: deviceId })),
    );
    tx.put(TABLES.peers, deviceId, { ...peer, held: [] });
  }

  /** Starts a flush without waiting for it: the form to use inside the exclusive section. */
  flushSoon(): void {
    if (!this.ctx.stopped) void this.flush();
  }

  /** Sends what waits, one flush at a time. Never await this inside `exclusive` (it enters it). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushOnce());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushOnce(): Promise<void> {
    if (this.ctx.stopped) return;
    // The one place sending waits for a fresh revocation list (§3.5): records stay in the outbox,
    // their messages `queued` (never failed, never lost); the flush after the fresh list sends them.
    if (this.sendingHeld()) return;
    const items = this.ctx
      .tx()
      .all<OutboxRecord>(TABLES.outbox)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const blocked = new Set<string>();
    // Each device's log clearance as first seen in this flush: once one of its blobs waits, every
    // later one waits too, so a check passing mid-flush never lets a later blob overtake it.
    const clearances = new Map<string, LogClearance>();
    let waitedForLog = false;
    let refused = false;
    for (const item of items) {
      if (this.ctx.stopped) continue;
      const fates = item.entries.map((entry) => this.fateOf(entry, clearances));
      if (fates.includes('waiting') && !waitedForLog) {
        waitedForLog = true;
        this.logPending();
      }
      // Over open direct channels first, whatever the relay's state: a relay down stops nothing
      // that can go direct (direct.md §6).
      const direct = await this.sendDirect(item, fates);
      const relay = this.relays.get(item.relay);
      // The relay's answer for the rest, or `kept` when it is offline or fails (they wait for it).
      let relayed: readonly string[] | 'kept' = 'kept';
      if (!blocked.has(item.relay) && relay.status === 'online') {
        if (fates.every((fate) => fate === 'waiting')) continue;
        const sendable = item.entries.filter((_entry, index) => fates[index] === 'send' && !direct.has(index));
        try {
          relayed = sendable.length > 0 ? await relay.putMany(await this.blobsOf(relay, item, sendable)) : [];
        } catch {
          relayed = 'kept';
        }
      }
      if (relayed === 'kept') {
        refused = true;
        blocked.add(item.relay);
        if (direct.size === 0) continue;
      }
      const statuses = this.statusesOf(fates, direct, relayed);
      // Refused for now: nothing queued after it for this relay overtakes it (same queue, FIFO).
      if (statuses.some(sendAgain)) {
        refused = true;
        blocked.add(item.relay);
      }
      await this.ctx.exclusive(() => this.settle(item, statuses));
    }
    if (refused) this.retry.refused();
    else this.retry.cleared();
    this.holdingForLog = waitedForLog;
    this.ctx.changed();
  }

  /**
   * Each entry's outcome: `direct` (acked over a channel), the relay's answer in order for those it
   * was given, `kept` for those it could not be given (offline), else the entry's fate.
   */
  private statusesOf(fates: readonly Fate[], direct: ReadonlySet<number>, relay: readonly string[] | 'kept'): string[] {
    let next = 0;
    return fates.map((fate, index) => {
      if (direct.has(index)) return 'direct';
      if (fate !== 'send') return fate;
      return relay === 'kept' ? 'kept' : (relay[next++] ?? 'missing');
    });
  }

  /**
   * Entries for devices with an open channel go over it, all at once; the indexes acked come
   * back. A pointer's device gets the shared envelope itself, never a pointer (direct.md §5).
   */
  private async sendDirect(item: OutboxRecord, fates: readonly Fate[]): Promise<Set<number>> {
    const done = new Set<number>();
    const direct = this.direct;
    if (!direct) return done;
    await Promise.all(
      item.entries.map(async (entry, index) => {
        if (fates[index] !== 'send' || entry.device === undefined) return;
        if (!direct.isOpen(entry.device)) return direct.want(entry.device);
        const blob = entry.pointer ? item.shared?.envelope : entry.blob;
        if (blob && (await direct.send(entry.device, blob))) done.add(index);
      }),
    );
    return done;
  }

  /**
   * The blobs to put: a group message stored once (`put_shared`) is then one pointer per member
   * device, each sealed afresh under the fan-out key, so no two queues hold the same bytes
   * (envelopes.md §7). A failed `put_shared` throws: the record stays for the next flush.
   */
  private async blobsOf(
    relay: RelayPort,
    item: OutboxRecord,
    entries: readonly OutboxEntry[],
  ): Promise<{ senderId: Uint8Array; blob: Uint8Array }[]> {
    const shared = item.shared;
    if (!shared || !entries.some((entry) => entry.pointer))
      return entries.map(({ senderId, blob }) => ({ senderId, blob }));
    const sharedId = await relay.putShared(shared.envelope);
    return entries.map(({ senderId, blob, pointer }) => ({
      senderId,
      blob: pointer ? sealFanoutPointer(shared.fanoutKey, sharedId) : blob,
    }));
  }

  /**
   * A device revoked since this was encrypted (learnt from the list that ended a hold, say) gets
   * nothing: what waited is not handed to it now (attestations.md §3.5). Nor does a device before
   * its attestation (and certificate) was found in the log (transparency-log.md §6.1).
   */
  private fateOf(entry: OutboxEntry, clearances: Map<string, LogClearance>): Fate {
    if (entry.device === undefined) return 'send';
    if (this.revokedSinceQueued(entry)) return 'revoked';
    const clearance = clearances.get(entry.device) ?? clearanceOf(this.ctx.tx(), entry.recipient, entry.device);
    clearances.set(entry.device, clearance);
    return clearance === 'logged' ? 'send' : clearance === 'absent' ? 'not_logged' : 'waiting';
  }

  /**
   * A relay answered for one outbox record: it goes, but for blobs still waiting for their
   * device's log check and blobs refused for now (`sendAgain`), kept in it; blobs refused at a
   * queue the relay no longer knows are held; the message's status follows.
   */
  private async settle(item: OutboxRecord, statuses: readonly string[]): Promise<void> {
    const tx = this.ctx.tx();
    if (!tx.get<OutboxRecord>(TABLES.outbox, item.id)) return;
    const waiting = item.entries.filter(
      (_entry, index) => statuses[index] === 'waiting' || sendAgain(statuses[index] as string),
    );
    // Kept under its id: it leaves in its place, before what was queued after it.
    if (waiting.length > 0) tx.put(TABLES.outbox, item.id, { ...item, entries: waiting } satisfies OutboxRecord);
    else tx.delete(TABLES.outbox, item.id);
    let held = 0;
    item.entries.forEach((entry, index) => {
      if (statuses[index] === 'auth' && entry.device && this.hold(tx, entry.device, entry)) held += 1;
    });
    if (item.messageRef) {
      const message = await tx.message(item.messageRef.conversationId, item.messageRef.messageId);
      if (message && (message.status === 'queued' || message.status === undefined)) {
        const stored = statuses.some((s) => s === 'ok' || s === 'direct');
        const pending = held > 0 || waiting.length > 0;
        tx.putMessage({ ...message, status: stored ? 'sent' : pending ? 'queued' : 'failed' });
        tx.touchMessages(message.conversationId);
      }
    }
    await this.ctx.commit(tx);
  }

  private revokedSinceQueued(entry: OutboxEntry): boolean {
    return entry.device !== undefined && this.ctx.tx().get<PeerRecord>(TABLES.peers, entry.device)?.revoked === true;
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
      this.queue(tx, current.relay, [{ ...entry, senderId: current.senderId }]);
      return true;
    }
    const held = [...(peer.held ?? []), { blob: entry.blob, recipient: entry.recipient }].slice(-MAX_HELD_PER_PEER);
    const { outbox: _gone, ...rest } = peer;
    // Its intro queue too was refused: it is read again from the peer's slot.
    tx.put(TABLES.peers, deviceId, current === peer.intro ? { ...rest, intro: undefined, held } : { ...rest, held });
    this.awaitingIntro.add(deviceId);
    return true;
  }
}
