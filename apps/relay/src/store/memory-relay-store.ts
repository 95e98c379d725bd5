import {
  hexId,
  type NewMessage,
  type NewQueue,
  type NewSharedBlob,
  type PrekeyPublication,
  type RelayStore,
  type SignedDocumentKind,
  type StoreLimits,
  type StoredMessage,
} from './relay-store';

/** Fixed accounting per queue, slot or shared blob towards the memory budget (relay.md §8.4). */
const RECORD_OVERHEAD_BYTES = 256;
/** A spent-token record: the hex id as a Map key, its expiry, the Map's own overhead. */
const SPENT_TOKEN_BYTES = 160;

interface MemoryMessage extends StoredMessage {
  readonly expiresAt: number;
}

interface MemoryQueue {
  readonly recipientKey: Uint8Array;
  readonly senderHex: string;
  lastActive: number;
  bytes: number;
  /** Insertion order is put order. */
  readonly messages: Map<string, MemoryMessage>;
  /** The earliest expiry among the messages, so a put does not scan the queue each time. */
  nextExpiry: number;
}

interface MemorySharedBlob {
  readonly blob: Uint8Array;
  readonly expiresAt: number;
}

interface MemorySlot {
  readonly slotKey: Uint8Array;
  bundle: Uint8Array;
  oneTimePrekeys: Uint8Array[];
  expiresAt: number;
  bytes: number;
}

/**
 * The embedded default store. Every operation runs to completion without awaiting, so on Node's
 * single thread each one is atomic: two concurrent claims cannot share a one-time prekey.
 */
export class MemoryRelayStore implements RelayStore {
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #senders = new Map<string, string>();
  readonly #slots = new Map<string, MemorySlot>();
  readonly #documents = new Map<SignedDocumentKind, { version: number; bytes: Uint8Array }>();
  /** spend id (hex) → when it may be forgotten (Unix ms). */
  readonly #spentTokens = new Map<string, number>();
  /** Shared blobs (relay.md §3.13) by id (hex): nothing in them names a queue or a connection. */
  readonly #shared = new Map<string, MemorySharedBlob>();
  #usedBytes = 0;
  /** Blob bytes of the shared blobs held, against `sharedMaxBytes`. */
  #sharedBytes = 0;

  constructor(private readonly limits: StoreLimits) {}

  /** Bytes counted against the budget: for tests and metrics. */
  get usedBytes(): number {
    return this.#usedBytes;
  }

  async createQueue(queue: NewQueue, now: number): Promise<'created' | 'taken' | 'store_full'> {
    const rid = hexId(queue.recipientId);
    const sid = hexId(queue.senderId);
    this.liveQueue(rid, now);
    const owner = this.#senders.get(sid);
    if (owner !== undefined) this.liveQueue(owner, now);
    if (this.#queues.has(rid) || this.#senders.has(sid)) return 'taken';
    if (this.#usedBytes + RECORD_OVERHEAD_BYTES > this.limits.memoryMaxBytes) return 'store_full';
    this.#queues.set(rid, {
      recipientKey: queue.recipientKey.slice(),
      senderHex: sid,
      lastActive: now,
      bytes: 0,
      messages: new Map(),
      nextExpiry: Infinity,
    });
    this.#senders.set(sid, rid);
    this.#usedBytes += RECORD_OVERHEAD_BYTES;
    return 'created';
  }

  async recipientKey(recipientId: Uint8Array, now: number): Promise<Uint8Array | undefined> {
    return this.liveQueue(hexId(recipientId), now)?.recipientKey.slice();
  }

  async put(senderId: Uint8Array, message: NewMessage, now: number) {
    const rid = this.#senders.get(hexId(senderId));
    const queue = rid === undefined ? undefined : this.liveQueue(rid, now);
    if (rid === undefined || queue === undefined) return { ok: false, error: 'auth' } as const;
    const size = message.blob.length;
    if (queue.messages.size + 1 > this.limits.queueMaxMessages || queue.bytes + size > this.limits.queueMaxBytes) {
      return { ok: false, error: 'quota_exceeded' } as const;
    }
    if (this.#usedBytes + size > this.limits.memoryMaxBytes) return { ok: false, error: 'store_full' } as const;
    queue.messages.set(hexId(message.messageId), {
      messageId: message.messageId.slice(),
      receivedAt: message.receivedAt,
      expiresAt: message.expiresAt,
      blob: message.blob.slice(),
    });
    queue.bytes += size;
    queue.nextExpiry = Math.min(queue.nextExpiry, message.expiresAt);
    queue.lastActive = now;
    this.#usedBytes += size;
    return { ok: true, recipientId: Buffer.from(rid, 'hex') } as const;
  }

  async pending(recipientId: Uint8Array, limits: { max: number; maxBytes: number }, now: number) {
    const queue = this.liveQueue(hexId(recipientId), now);
    if (queue === undefined) return undefined;
    queue.lastActive = now;
    const messages: StoredMessage[] = [];
    let bytes = 0;
    let more = false;
    for (const message of queue.messages.values()) {
      if (messages.length >= limits.max || (messages.length > 0 && bytes + message.blob.length > limits.maxBytes)) {
        more = true;
        break;
      }
      messages.push({
        messageId: message.messageId.slice(),
        receivedAt: message.receivedAt,
        blob: message.blob.slice(),
      });
      bytes += message.blob.length;
    }
    return { messages, more };
  }

  async ack(recipientId: Uint8Array, messageIds: readonly Uint8Array[], now: number): Promise<boolean> {
    const queue = this.liveQueue(hexId(recipientId), now);
    if (queue === undefined) return false;
    queue.lastActive = now;
    for (const id of messageIds) {
      const key = hexId(id);
      const message = queue.messages.get(key);
      if (message === undefined) continue;
      queue.messages.delete(key);
      queue.bytes -= message.blob.length;
      this.#usedBytes -= message.blob.length;
    }
    return true;
  }

  async deleteQueue(recipientId: Uint8Array, now: number): Promise<boolean> {
    const rid = hexId(recipientId);
    if (this.liveQueue(rid, now) === undefined) return false;
    this.destroyQueue(rid);
    return true;
  }

  async publishPrekeys(publication: PrekeyPublication, now: number) {
    const id = hexId(publication.slotId);
    const slot = this.liveSlot(id, now);
    if (slot !== undefined && !Buffer.from(slot.slotKey).equals(Buffer.from(publication.slotKey)))
      return { ok: false, error: 'auth' } as const;
    const kept = publication.mode === 'append' && slot !== undefined ? slot.oneTimePrekeys : [];
    const oneTimePrekeys = [...kept, ...publication.oneTimePrekeys.map((key) => key.slice())];
    if (oneTimePrekeys.length > this.limits.maxOneTimePrekeysPerSlot)
      return { ok: false, error: 'quota_exceeded' } as const;
    const bytes =
      RECORD_OVERHEAD_BYTES + publication.bundle.length + oneTimePrekeys.reduce((sum, key) => sum + key.length, 0);
    if (this.#usedBytes - (slot?.bytes ?? 0) + bytes > this.limits.memoryMaxBytes)
      return { ok: false, error: 'store_full' } as const;
    this.#usedBytes += bytes - (slot?.bytes ?? 0);
    this.#slots.set(id, {
      slotKey: publication.slotKey.slice(),
      bundle: publication.bundle.slice(),
      oneTimePrekeys,
      expiresAt: now + this.limits.prekeyTtlMs,
      bytes,
    });
    return { ok: true, remaining: oneTimePrekeys.length } as const;
  }

  async fetchPrekeys(slotId: Uint8Array, now: number) {
    const slot = this.liveSlot(hexId(slotId), now);
    return slot && { bundle: slot.bundle.slice(), remaining: slot.oneTimePrekeys.length };
  }

  async claimPrekey(slotId: Uint8Array, now: number) {
    const slot = this.liveSlot(hexId(slotId), now);
    if (slot === undefined) return undefined;
    const oneTimePrekey = slot.oneTimePrekeys.shift();
    if (oneTimePrekey !== undefined) {
      slot.bytes -= oneTimePrekey.length;
      this.#usedBytes -= oneTimePrekey.length;
    }
    return { bundle: slot.bundle.slice(), oneTimePrekey };
  }

  async putShared(shared: NewSharedBlob, now: number): Promise<'stored' | 'taken' | 'store_full'> {
    const id = hexId(shared.sharedId);
    if (this.liveShared(id, now) !== undefined) return 'taken';
    const size = shared.blob.length;
    const fits = () =>
      this.#sharedBytes + size <= this.limits.sharedMaxBytes &&
      this.#usedBytes + size + RECORD_OVERHEAD_BYTES <= this.limits.memoryMaxBytes;
    if (!fits()) {
      // Expired blobs count until swept: reclaim them before refusing.
      this.sweepShared(now);
      if (!fits()) return 'store_full';
    }
    this.#shared.set(id, { blob: shared.blob.slice(), expiresAt: shared.expiresAt });
    this.#sharedBytes += size;
    this.#usedBytes += size + RECORD_OVERHEAD_BYTES;
    return 'stored';
  }

  async fetchShared(sharedId: Uint8Array, now: number): Promise<Uint8Array | undefined> {
    return this.liveShared(hexId(sharedId), now)?.blob.slice();
  }

  async offerDocument(kind: SignedDocumentKind, version: number, bytes: Uint8Array): Promise<boolean> {
    const held = this.#documents.get(kind);
    if (held !== undefined && held.version >= version) return false;
    this.#documents.set(kind, { version, bytes: bytes.slice() });
    return true;
  }

  async document(kind: SignedDocumentKind): Promise<Uint8Array | undefined> {
    return this.#documents.get(kind)?.bytes.slice();
  }

  async spendToken(spendId: Uint8Array, expiresAt: number, now: number): Promise<boolean> {
    const id = hexId(spendId);
    const held = this.#spentTokens.get(id);
    if (held !== undefined && held > now) return false;
    if (held === undefined) {
      // A spent token is remembered even when the store is full: refusing it would let a full
      // store accept it twice later. The budget still counts it.
      this.#usedBytes += SPENT_TOKEN_BYTES;
    }
    this.#spentTokens.set(id, expiresAt);
    return true;
  }

  async sweep(now: number): Promise<void> {
    for (const rid of [...this.#queues.keys()]) this.liveQueue(rid, now);
    for (const id of [...this.#slots.keys()]) this.liveSlot(id, now);
    this.sweepShared(now);
    for (const [id, expiresAt] of this.#spentTokens) {
      if (expiresAt > now) continue;
      this.#spentTokens.delete(id);
      this.#usedBytes -= SPENT_TOKEN_BYTES;
    }
  }

  async close(): Promise<void> {
    this.#queues.clear();
    this.#senders.clear();
    this.#slots.clear();
    this.#spentTokens.clear();
    this.#shared.clear();
    this.#usedBytes = 0;
    this.#sharedBytes = 0;
  }

  /** The queue if it is alive, with its expired blobs dropped; an idle queue is deleted. */
  private liveQueue(rid: string, now: number): MemoryQueue | undefined {
    const queue = this.#queues.get(rid);
    if (queue === undefined) return undefined;
    if (queue.lastActive + this.limits.queueIdleTtlMs <= now) {
      this.destroyQueue(rid);
      return undefined;
    }
    if (queue.nextExpiry <= now) {
      let next = Infinity;
      for (const [key, message] of queue.messages) {
        if (message.expiresAt <= now) {
          queue.messages.delete(key);
          queue.bytes -= message.blob.length;
          this.#usedBytes -= message.blob.length;
        } else {
          next = Math.min(next, message.expiresAt);
        }
      }
      queue.nextExpiry = next;
    }
    return queue;
  }

  private destroyQueue(rid: string): void {
    const queue = this.#queues.get(rid);
    if (queue === undefined) return;
    this.#queues.delete(rid);
    this.#senders.delete(queue.senderHex);
    this.#usedBytes -= queue.bytes + RECORD_OVERHEAD_BYTES;
  }

  private liveSlot(id: string, now: number): MemorySlot | undefined {
    const slot = this.#slots.get(id);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= now) {
      this.#slots.delete(id);
      this.#usedBytes -= slot.bytes;
      return undefined;
    }
    return slot;
  }

  /** The shared blob if it is alive; an expired one is dropped. */
  private liveShared(id: string, now: number): MemorySharedBlob | undefined {
    const shared = this.#shared.get(id);
    if (shared === undefined) return undefined;
    if (shared.expiresAt <= now) {
      this.dropShared(id, shared);
      return undefined;
    }
    return shared;
  }

  private sweepShared(now: number): void {
    for (const [id, shared] of this.#shared) if (shared.expiresAt <= now) this.dropShared(id, shared);
  }

  private dropShared(id: string, shared: MemorySharedBlob): void {
    this.#shared.delete(id);
    this.#sharedBytes -= shared.blob.length;
    this.#usedBytes -= shared.blob.length + RECORD_OVERHEAD_BYTES;
  }
}
