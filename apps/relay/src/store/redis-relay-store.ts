import { Redis } from 'ioredis';
import { connectScriptedRedis } from './redis-connection';
import { REDIS_SCRIPTS, type RedisScriptName } from './redis-scripts';
import { asRedisTarget, closeRedis, type RedisTarget } from './redis-target';
import { ReplicaWait } from './replica-wait';
import {
  StoreUnavailableError,
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

/** Stored blob record (relay.md §9): version byte, received-at (u64 ms), blob. */
const RECORD_VERSION = 1;
const RECORD_HEADER_BYTES = 9;
/** Stored shared blob record (relay.md §9): version byte, expires at (u64 ms), blob. */
const SHARED_RECORD_VERSION = 1;

type Reply = Buffer | number | null | Reply[];

/**
 * The scripts whose effect a client is told of and must survive a failover (relay.md §9.1): with
 * RELAY_REDIS_MIN_REPLICAS they are confirmed on replicas before the reply. The others only read,
 * or refresh an expiry, or (documents) are fetched again from the admin app anyway.
 */
const WRITES: ReadonlySet<RedisScriptName> = new Set([
  'relayCreate',
  'relayPut',
  'relayAck',
  'relayDelete',
  'relayPublish',
  'relayClaimPrekey',
  'relayPutShared',
]);

/**
 * The scale-out store: several relay nodes share one Redis. Every operation is one Lua script
 * (redis-scripts.ts), so it is atomic across nodes and costs one round trip.
 */
export class RedisRelayStore implements RelayStore {
  private readonly replicas: ReplicaWait;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: StoreLimits,
    minReplicas: number,
  ) {
    this.replicas = new ReplicaWait(redis, minReplicas);
  }

  /** Connects and fails fast (StoreUnavailableError) when Redis cannot be reached. */
  static async connect(target: RedisTarget | string, prefix: string, limits: StoreLimits): Promise<RedisRelayStore> {
    const redis = await connectScriptedRedis(
      target,
      REDIS_SCRIPTS,
      (error) => `cannot reach Redis: ${error instanceof Error ? error.message : String(error)}`,
    );
    return new RedisRelayStore(redis, prefix, limits, asRedisTarget(target).minReplicas);
  }

  async createQueue(queue: NewQueue, now: number): Promise<'created' | 'taken' | 'store_full'> {
    const reply = await this.run(
      'relayCreate',
      hexId(queue.recipientId),
      hexId(queue.senderId),
      Buffer.from(queue.recipientKey),
      now,
      this.limits.queueIdleTtlMs,
    );
    return String(reply) === 'created' ? 'created' : 'taken';
  }

  async recipientKey(recipientId: Uint8Array, now: number): Promise<Uint8Array | undefined> {
    const reply = await this.run('relayRecipientKey', hexId(recipientId), now, this.limits.queueIdleTtlMs);
    return reply instanceof Buffer ? new Uint8Array(reply) : undefined;
  }

  async put(senderId: Uint8Array, message: NewMessage, now: number) {
    const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + message.blob.length);
    record[0] = RECORD_VERSION;
    record.writeBigUInt64BE(BigInt(message.receivedAt), 1);
    record.set(message.blob, RECORD_HEADER_BYTES);
    const ttl = Math.max(1, message.expiresAt - now);
    const reply = (await this.run(
      'relayPut',
      hexId(senderId),
      hexId(message.messageId),
      record,
      message.expiresAt,
      now,
      this.limits.queueIdleTtlMs,
      this.limits.queueMaxMessages,
      this.limits.queueMaxBytes,
      message.blob.length,
      ttl,
    )) as [number, Buffer];
    if (reply[0] === 1) return { ok: true, recipientId: Buffer.from(reply[1].toString(), 'hex') } as const;
    return { ok: false, error: reply[1].toString() === 'quota_exceeded' ? 'quota_exceeded' : 'auth' } as const;
  }

  async pending(recipientId: Uint8Array, limits: { max: number; maxBytes: number }, now: number) {
    const reply = (await this.run(
      'relayPending',
      hexId(recipientId),
      now,
      this.limits.queueIdleTtlMs,
      limits.max,
      limits.maxBytes,
      RECORD_HEADER_BYTES,
    )) as Reply[];
    if (reply[0] !== 1) return undefined;
    const messages: StoredMessage[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      const record = reply[i + 1] as Buffer;
      if (record[0] !== RECORD_VERSION) continue; // a record of a format this code does not know is never served half-read
      messages.push({
        messageId: Buffer.from((reply[i] as Buffer).toString(), 'hex'),
        receivedAt: Number(record.readBigUInt64BE(1)),
        blob: new Uint8Array(record.subarray(RECORD_HEADER_BYTES)),
      });
    }
    return { messages, more: reply[1] === 1 };
  }

  async ack(recipientId: Uint8Array, messageIds: readonly Uint8Array[], now: number): Promise<boolean> {
    return (
      (await this.run('relayAck', hexId(recipientId), now, this.limits.queueIdleTtlMs, ...messageIds.map(hexId))) === 1
    );
  }

  async deleteQueue(recipientId: Uint8Array, now: number): Promise<boolean> {
    return (await this.run('relayDelete', hexId(recipientId), now, this.limits.queueIdleTtlMs)) === 1;
  }

  async publishPrekeys(publication: PrekeyPublication, now: number) {
    const reply = (await this.run(
      'relayPublish',
      hexId(publication.slotId),
      Buffer.from(publication.slotKey),
      Buffer.from(publication.bundle),
      publication.mode,
      now,
      this.limits.prekeyTtlMs,
      this.limits.maxOneTimePrekeysPerSlot,
      ...publication.oneTimePrekeys.map((key) => Buffer.from(key)),
    )) as [number, Buffer | number];
    if (reply[0] === 1) return { ok: true, remaining: Number(reply[1]) } as const;
    return { ok: false, error: String(reply[1]) === 'auth' ? 'auth' : 'quota_exceeded' } as const;
  }

  async fetchPrekeys(slotId: Uint8Array, now: number) {
    const reply = (await this.run('relayFetchPrekeys', hexId(slotId), now)) as [Buffer, number] | null;
    return reply ? { bundle: new Uint8Array(reply[0]), remaining: reply[1] } : undefined;
  }

  async claimPrekey(slotId: Uint8Array, now: number) {
    const reply = (await this.run('relayClaimPrekey', hexId(slotId), now)) as Buffer[] | null;
    if (!reply) return undefined;
    return {
      bundle: new Uint8Array(reply[0] as Buffer),
      oneTimePrekey: reply[1] ? new Uint8Array(reply[1]) : undefined,
    };
  }

  /** relay.md §3.13: one script, so the id check, the budget and the SET … PX are one atomic step. */
  async putShared(shared: NewSharedBlob, now: number): Promise<'stored' | 'taken' | 'store_full'> {
    const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + shared.blob.length);
    record[0] = SHARED_RECORD_VERSION;
    record.writeBigUInt64BE(BigInt(shared.expiresAt), 1);
    record.set(shared.blob, RECORD_HEADER_BYTES);
    const reply = await this.run(
      'relayPutShared',
      hexId(shared.sharedId),
      record,
      now,
      Math.max(1, shared.expiresAt - now),
      shared.blob.length,
      this.limits.sharedMaxBytes,
      Math.ceil(shared.expiresAt / 1000) * 1000,
    );
    const outcome = String(reply);
    return outcome === 'stored' || outcome === 'taken' ? outcome : 'store_full';
  }

  /** Redis drops the record at its PX by itself; the expiry inside it answers to the relay's clock. */
  async fetchShared(sharedId: Uint8Array, now: number): Promise<Uint8Array | undefined> {
    let record: Buffer | null;
    try {
      record = await this.redis.getBuffer(`${this.prefix}sb:${hexId(sharedId)}`);
    } catch (error) {
      throw unavailable(error);
    }
    if (record === null || record.length <= RECORD_HEADER_BYTES || record[0] !== SHARED_RECORD_VERSION)
      return undefined;
    if (Number(record.readBigUInt64BE(1)) <= now) return undefined;
    return new Uint8Array(record.subarray(RECORD_HEADER_BYTES));
  }

  async offerDocument(kind: SignedDocumentKind, version: number, bytes: Uint8Array): Promise<boolean> {
    return (await this.run('relayOfferDocument', DOCUMENT_KEYS[kind], version, Buffer.from(bytes))) === 1;
  }

  async document(kind: SignedDocumentKind): Promise<Uint8Array | undefined> {
    try {
      const bytes = await this.redis.hgetBuffer(`${this.prefix}${DOCUMENT_KEYS[kind]}`, 'l');
      return bytes ? new Uint8Array(bytes) : undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** `SET t:<id> NX PXAT`: one atomic command, so two nodes redeeming one token cannot both win. */
  async spendToken(spendId: Uint8Array, expiresAt: number, now: number): Promise<boolean> {
    let reply: string | null;
    try {
      reply = await this.redis.set(
        `${this.prefix}t:${hexId(spendId)}`,
        '1',
        'PXAT',
        Math.max(expiresAt, now + 1),
        'NX',
      );
    } catch (error) {
      throw unavailable(error);
    }
    // A spend lost in a failover would let the token be spent twice.
    if (reply === 'OK') await this.replicas.confirm();
    return reply === 'OK';
  }

  /** Redis expires blob records, idle queues and slots itself (native PX/PEXPIRE): nothing to do. */
  async sweep(): Promise<void> {
    return undefined;
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private async run(script: RedisScriptName, ...args: (string | number | Buffer)[]): Promise<Reply> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number | Buffer)[]) => Promise<Reply>>)[
      `${script}Buffer`
    ];
    let reply: Reply;
    try {
      reply = await (command as (...a: (string | number | Buffer)[]) => Promise<Reply>).call(
        this.redis,
        this.prefix,
        ...args,
      );
    } catch (error) {
      throw unavailable(error);
    }
    if (WRITES.has(script)) await this.replicas.confirm();
    return reply;
  }
}

/** relay.md §9: where each signed document lives under the prefix. */
const DOCUMENT_KEYS: Record<SignedDocumentKind, string> = {
  revocation_list: 'rev',
  token_key_set: 'tks',
  org_key_statements: 'oks',
};

function unavailable(error: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`Redis: ${error instanceof Error ? error.message : String(error)}`);
}
