/**
 * The attachment index in Redis (relay.md §3.15, §9), used whenever RELAY_STORE=redis: every relay
 * node sharing that Redis sees one record per upload, and the records survive a node's restart
 * (`durable`), so no node deletes bytes it does not know at start nor what it knew when it stops.
 * Each method is one Lua script (redis-attachment-scripts.ts), atomic across nodes.
 *
 * Time is the caller's clock (`now`), as in the memory index: native expiries are set relative
 * to it (PX = expires at − now), so an injected clock and Redis's own agree on what is live.
 */
import { Redis } from 'ioredis';
import { ATTACHMENT_ID_LENGTH, attachmentIdFromHex } from '@opendescent/protocol';
import { connectScriptedRedis } from '../store/redis-connection';
import { asRedisTarget, closeRedis, type RedisTarget } from '../store/redis-target';
import { ReplicaWait } from '../store/replica-wait';
import {
  AttachmentStoreError,
  idKey,
  type AttachmentIndex,
  type AttachmentRecord,
  type CreateOutcome,
  type FetchedOutcome,
  type NewAttachment,
  type WriteClaim,
} from './attachment-store';
import { ATTACHMENT_RECORD_RESERVE_BYTES } from './memory-attachment-index';
import { REDIS_ATTACHMENT_SCRIPTS, type RedisAttachmentScriptName } from './redis-attachment-scripts';

/**
 * How long a writer's claim holds without a release: a node that dies mid-PATCH blocks the upload
 * (409) for this long, no more. Twice Node's default `requestTimeout` (300 s, the most a PATCH
 * body may take to arrive), so a live, slow PATCH is never overtaken by a second writer.
 */
export const ATTACHMENT_WRITE_CLAIM_MS = 10 * 60 * 1000;

/**
 * How long the sweep list (`atx`) outlives its last id: a sweep that runs this late (every node
 * stopped meanwhile) still finds the bytes to delete. Later than that, the bytes are orphans: an
 * object store's lifecycle rule is the backstop (attachments.md §4.5).
 */
export const ATTACHMENT_SWEEP_GRACE_MS = 7 * 24 * 3600 * 1000;

/** Ids one sweep script removes at most, so one call never blocks Redis for long. */
const SWEEP_BATCH = 500;

type Reply = string | number | null | Reply[];

/** The scripts confirmed on replicas before their reply (relay.md §9.1), as the relay store's writes. */
const WRITES: ReadonlySet<RedisAttachmentScriptName> = new Set([
  'attachCreate',
  'attachClaimWrite',
  'attachReleaseWrite',
  'attachFetched',
  'attachRemove',
]);

export class RedisAttachmentIndex implements AttachmentIndex {
  readonly durable = true;

  readonly #replicas: ReplicaWait;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxReservedBytes: number,
    minReplicas: number,
  ) {
    this.#replicas = new ReplicaWait(redis, minReplicas);
  }

  /**
   * Connects and fails fast (StoreUnavailableError) when Redis cannot be reached, as the relay
   * store does (redis-relay-store.ts). `prefix`: RELAY_REDIS_PREFIX; `maxReservedBytes`:
   * RELAY_ATTACHMENT_STORE_MAX_BYTES, shared by every node.
   */
  static async connect(
    target: RedisTarget | string,
    prefix: string,
    maxReservedBytes: number,
  ): Promise<RedisAttachmentIndex> {
    // No message: a connection error names the host, and the relay store already reported it.
    const redis = await connectScriptedRedis(
      target,
      REDIS_ATTACHMENT_SCRIPTS,
      () => 'cannot reach Redis for the attachment index',
    );
    return new RedisAttachmentIndex(redis, prefix, maxReservedBytes, asRedisTarget(target).minReplicas);
  }

  async create(attachment: NewAttachment, now: number): Promise<CreateOutcome> {
    const reply = await this.#run(
      'attachCreate',
      idKey(attachment.attachmentId),
      idKey(attachment.uploadIdHash),
      attachment.length,
      attachment.fetches,
      attachment.expiresAt,
      now,
      this.maxReservedBytes,
      ATTACHMENT_RECORD_RESERVE_BYTES,
      // Rounded up, so a reservation is released at or after its record's end, never before.
      Math.ceil(attachment.expiresAt / 1000) * 1000,
      ATTACHMENT_SWEEP_GRACE_MS,
    );
    return reply === 'created' || reply === 'collision' ? reply : 'store_full';
  }

  async byUpload(uploadIdHash: Uint8Array, now: number): Promise<AttachmentRecord | undefined> {
    return recordOf(await this.#run('attachByUpload', idKey(uploadIdHash), now));
  }

  async byAttachment(attachmentId: Uint8Array, now: number): Promise<AttachmentRecord | undefined> {
    return recordOf(await this.#run('attachByAttachment', idKey(attachmentId), now));
  }

  async claimWrite(uploadIdHash: Uint8Array, offset: number, now: number): Promise<WriteClaim> {
    const reply = await this.#run('attachClaimWrite', idKey(uploadIdHash), offset, now, ATTACHMENT_WRITE_CLAIM_MS);
    if (!Array.isArray(reply)) return { ok: false, reason: 'unknown' };
    const [outcome, ...rest] = reply;
    if (outcome === 'busy' || outcome === 'offset') return { ok: false, reason: outcome, received: Number(rest[0]) };
    const record = recordOf(rest);
    return record ? { ok: true, record } : { ok: false, reason: 'unknown' };
  }

  async releaseWrite(attachmentId: Uint8Array, received: number, now: number): Promise<AttachmentRecord | undefined> {
    // -1 fails the script's range check after the claim is cleared, as the memory index does.
    const offset = Number.isSafeInteger(received) ? received : -1;
    const reply = await this.#run('attachReleaseWrite', idKey(attachmentId), offset, now);
    if (reply === 'range') throw new RangeError('an upload offset only moves forward, up to the length');
    return recordOf(reply);
  }

  async fetched(attachmentId: Uint8Array, nonce: Uint8Array, now: number): Promise<FetchedOutcome> {
    const reply = await this.#run('attachFetched', idKey(attachmentId), idKey(nonce), now);
    return reply === 'counted' || reply === 'repeated' || reply === 'last' ? reply : 'unknown';
  }

  /** Batches of SWEEP_BATCH: each script is short, and two nodes sweeping share the work. */
  async sweep(now: number): Promise<Uint8Array[]> {
    const expired: Uint8Array[] = [];
    for (;;) {
      const reply = await this.#run('attachSweep', now, SWEEP_BATCH);
      const ids = Array.isArray(reply) ? reply : [];
      expired.push(...ids.flatMap(idList));
      if (ids.length < SWEEP_BATCH) return expired;
    }
  }

  async remove(attachmentId: Uint8Array): Promise<boolean> {
    return (await this.#run('attachRemove', idKey(attachmentId))) === 1;
  }

  async knows(attachmentId: Uint8Array): Promise<boolean> {
    return (await this.#run('attachKnows', idKey(attachmentId))) === 1;
  }

  /** The sweep list, read in pages (never KEYS): every id whose bytes may still exist. */
  async attachmentIds(): Promise<Uint8Array[]> {
    const ids: Uint8Array[] = [];
    try {
      for (let start = 0; ; start += SWEEP_BATCH) {
        const page = await this.redis.zrange(`${this.prefix}atx`, String(start), String(start + SWEEP_BATCH - 1));
        ids.push(...page.flatMap(idList));
        if (page.length < SWEEP_BATCH) return ids;
      }
    } catch (error) {
      throw unavailable(error);
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  async #run(script: RedisAttachmentScriptName, ...args: (string | number)[]): Promise<Reply> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<Reply>>)[script];
    let reply: Reply;
    try {
      reply = await (command as (...a: (string | number)[]) => Promise<Reply>).call(this.redis, this.prefix, ...args);
    } catch (error) {
      throw unavailable(error);
    }
    if (WRITES.has(script)) await this.#replicas.confirm();
    return reply;
  }
}

/** A script's record reply (`id, length, received, complete, fetches remaining, expires at`). */
function recordOf(reply: Reply | undefined): AttachmentRecord | undefined {
  if (!Array.isArray(reply) || reply.length !== 6) return undefined;
  const [id, length, received, complete, fetchesRemaining, expiresAt] = reply;
  const attachmentId = idOf(id);
  if (attachmentId === undefined) return undefined;
  return {
    attachmentId,
    length: Number(length),
    received: Number(received),
    complete: String(complete) === '1',
    fetchesRemaining: Number(fetchesRemaining),
    expiresAt: Number(expiresAt),
  };
}

function idOf(reply: Reply | undefined): Uint8Array | undefined {
  return typeof reply === 'string' ? attachmentIdFromHex(reply, ATTACHMENT_ID_LENGTH) : undefined;
}

/** An id reply as a list of zero or one id, for flatMap. */
function idList(reply: Reply): Uint8Array[] {
  const id = idOf(reply);
  return id ? [id] : [];
}

/** A code only: an ioredis message may name the host. The service turns it into 503 / `unavailable`. */
function unavailable(error: unknown): AttachmentStoreError {
  const code = (error as { code?: unknown } | undefined)?.code;
  return new AttachmentStoreError(typeof code === 'string' && /^\w{1,32}$/.test(code) ? `redis_${code}` : 'redis');
}
