import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  MESSAGE_ID_LENGTH,
  QUEUE_ID_LENGTH,
  verifyCommandSignature,
  type PutManyEntry,
  type PutManyStatus,
  type RelayCommandOf,
  type RelayDelivery,
} from '@opendescent/protocol';
import { effectiveTtlSeconds } from '../runtime/blob-ttl';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { StoreUnavailableError, type StoredMessage } from '../store/relay-store';

/** Room-free description of a blob to push live: the gateway decides how it travels. */
export type Delivery = RelayDelivery;

/** Room for the headers of a fetch reply under the frame ceiling (relay.md §3.7). */
const FETCH_REPLY_HEADROOM = 1024;

/**
 * Queues as in SMP (relay.md §5): two unrelated random ids per queue, recipient operations signed
 * with the per-queue key, blobs with TTLs and quotas. Returns data; the gateway does transport.
 */
@Injectable()
export class QueueService {
  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  /** §3.3: the creator proves it holds the recipient key; the relay draws both ids. */
  async create(
    frame: RelayCommandOf<'create'>,
    challenge: Uint8Array,
  ): Promise<{ recipientId: Uint8Array; senderId: Uint8Array }> {
    if (!(await verifyCommandSignature(frame.recipientKey, challenge, frame.signed, frame.signature))) {
      throw new RelayRefusal('auth', 'the signature does not verify under the recipient key');
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      const recipientId = randomId(QUEUE_ID_LENGTH);
      const senderId = randomId(QUEUE_ID_LENGTH);
      const outcome = await this.runtime.store.createQueue(
        { recipientId, senderId, recipientKey: frame.recipientKey },
        this.runtime.clock(),
      );
      if (outcome === 'created') return { recipientId, senderId };
      if (outcome === 'store_full') throw new RelayRefusal('store_full', 'the relay store is full');
    }
    throw new StoreUnavailableError('could not draw unused queue ids');
  }

  /** §3.4: stored before it is answered; returns what to push live. */
  async put(entry: PutManyEntry, ttlSeconds: number): Promise<Delivery> {
    const now = this.runtime.clock();
    const message = {
      messageId: randomId(MESSAGE_ID_LENGTH),
      receivedAt: now,
      expiresAt: now + effectiveTtlSeconds(this.runtime.config, ttlSeconds) * 1000,
      blob: entry.blob,
    };
    const outcome = await this.runtime.store.put(entry.senderId, message, now);
    if (!outcome.ok) throw new RelayRefusal(outcome.error, PUT_REFUSALS[outcome.error]);
    this.runtime.metrics.storedBlobs.inc();
    return {
      recipientId: outcome.recipientId,
      messageId: message.messageId,
      receivedAt: Math.floor(now / 1000),
      blob: entry.blob,
    };
  }

  /** §3.5: decoded whole before anything is stored, then one status per entry. */
  async putMany(frame: RelayCommandOf<'put_many'>): Promise<{ statuses: PutManyStatus[]; deliveries: Delivery[] }> {
    const statuses: PutManyStatus[] = [];
    const deliveries: Delivery[] = [];
    for (const entry of frame.entries) {
      try {
        deliveries.push(await this.put(entry, frame.ttl));
        statuses.push('ok');
      } catch (error) {
        if (error instanceof RelayRefusal) statuses.push(error.error);
        else if (error instanceof StoreUnavailableError) statuses.push('unavailable');
        else throw error;
      }
    }
    return { statuses, deliveries };
  }

  /** §5.1: no queue and a bad signature are the same answer. */
  async authorise(
    frame: { recipientId: Uint8Array; signed: Uint8Array; signature: Uint8Array },
    challenge: Uint8Array,
  ): Promise<void> {
    const key = await this.runtime.store.recipientKey(frame.recipientId, this.runtime.clock());
    if (key === undefined || !(await verifyCommandSignature(key, challenge, frame.signed, frame.signature))) {
      throw new RelayRefusal('auth', AUTH_DETAIL);
    }
  }

  /** Everything pending, for a new subscription (§3.6). */
  async allPending(recipientId: Uint8Array): Promise<Delivery[]> {
    const { config } = this.runtime;
    const pending = await this.runtime.store.pending(
      recipientId,
      { max: config.RELAY_QUEUE_MAX_MESSAGES, maxBytes: config.RELAY_QUEUE_MAX_BYTES },
      this.runtime.clock(),
    );
    if (pending === undefined) throw new RelayRefusal('auth', AUTH_DETAIL);
    return pending.messages.map((message) => toDelivery(recipientId, message));
  }

  /** §3.7 */
  async fetch(
    frame: RelayCommandOf<'fetch'>,
  ): Promise<{ more: boolean; messages: { messageId: Uint8Array; receivedAt: number; blob: Uint8Array }[] }> {
    const maxBytes = Math.max(1, this.runtime.config.RELAY_MAX_FRAME_BYTES - FETCH_REPLY_HEADROOM);
    const pending = await this.runtime.store.pending(
      frame.recipientId,
      { max: frame.max, maxBytes },
      this.runtime.clock(),
    );
    if (pending === undefined) throw new RelayRefusal('auth', AUTH_DETAIL);
    return {
      more: pending.more,
      messages: pending.messages.map(({ messageId, receivedAt, blob }) => ({
        messageId,
        receivedAt: Math.floor(receivedAt / 1000),
        blob,
      })),
    };
  }

  /** §3.8: idempotent. */
  async ack(frame: RelayCommandOf<'ack'>): Promise<void> {
    if (!(await this.runtime.store.ack(frame.recipientId, frame.messageIds, this.runtime.clock())))
      throw new RelayRefusal('auth', AUTH_DETAIL);
  }

  /** §3.9 */
  async delete(frame: RelayCommandOf<'delete'>): Promise<void> {
    if (!(await this.runtime.store.deleteQueue(frame.recipientId, this.runtime.clock())))
      throw new RelayRefusal('auth', AUTH_DETAIL);
  }
}

const AUTH_DETAIL = 'no such queue, or the signature does not verify under its key';

const PUT_REFUSALS = {
  auth: 'no queue has this sender id',
  quota_exceeded: 'the queue is full (message or byte quota)',
  store_full: 'the relay store is full',
} as const;

/** Ids come from a pooled CSPRNG draw: one system call per 256 ids instead of one per blob. */
const ID_POOL_BYTES = 4096;
let idPool = new Uint8Array(0);
let idPoolOffset = 0;

function randomId(length: number): Uint8Array {
  if (idPoolOffset + length > idPool.length) {
    idPool = new Uint8Array(randomBytes(ID_POOL_BYTES));
    idPoolOffset = 0;
  }
  const id = idPool.slice(idPoolOffset, idPoolOffset + length);
  // Each id is used once: wipe it from the pool so a later dump of the pool shows nothing.
  idPool.fill(0, idPoolOffset, idPoolOffset + length);
  idPoolOffset += length;
  return id;
}

function toDelivery(recipientId: Uint8Array, message: StoredMessage): Delivery {
  return {
    recipientId,
    messageId: message.messageId,
    receivedAt: Math.floor(message.receivedAt / 1000),
    blob: message.blob,
  };
}
