/**
 * Opens the attachment store (relay.md §3.15, attachments.md §4.5): the memory index, or the Redis
 * one whenever RELAY_STORE=redis; the bytes on the filesystem, or in an S3-compatible bucket when
 * RELAY_ATTACHMENT_STORE=s3. Opened by bootstrap.ts before Nest starts, as the relay store is, so a
 * relay that cannot reach its index or write its bytes never listens.
 */
import type { RelayConfig } from '../config/relay-config';
import { redisTargetOf, type RedisTarget } from '../store/redis-target';
import type { AttachmentBytes, AttachmentIndex, AttachmentStore } from './attachment-store';
import { FilesystemAttachmentBytes } from './filesystem-attachment-bytes';
import { MemoryAttachmentIndex } from './memory-attachment-index';
import { RedisAttachmentIndex } from './redis-attachment-index';
import { S3AttachmentBytes, type S3AttachmentSettings } from './s3-attachment-bytes';

export interface AttachmentStoreSettings {
  /** RELAY_ATTACHMENT_DIR; unset, a fresh private directory under the system's temporary one. */
  readonly directory?: string | undefined;
  /** RELAY_ATTACHMENT_STORE_MAX_BYTES. */
  readonly maxReservedBytes: number;
  /** RELAY_STORE=redis: the index every node shares (REDIS_URL or the sentinels, RELAY_REDIS_PREFIX). */
  readonly redis?: { readonly target: RedisTarget; readonly prefix: string } | undefined;
  /** RELAY_ATTACHMENT_STORE=s3: the bucket instead of the directory. */
  readonly s3?: S3AttachmentSettings | undefined;
}

/** The settings of the relay's configuration. */
export function attachmentStoreSettings(config: RelayConfig): AttachmentStoreSettings {
  const target = redisTargetOf(config);
  const redis = target ? { target, prefix: config.RELAY_REDIS_PREFIX } : undefined;
  const s3 =
    config.RELAY_ATTACHMENT_STORE === 's3' && config.RELAY_S3_BUCKET !== undefined
      ? {
          endpoint: config.RELAY_S3_ENDPOINT,
          region: config.RELAY_S3_REGION,
          bucket: config.RELAY_S3_BUCKET,
          prefix: config.RELAY_S3_PREFIX,
          forcePathStyle: config.RELAY_S3_FORCE_PATH_STYLE ?? config.RELAY_S3_ENDPOINT !== undefined,
        }
      : undefined;
  return {
    directory: config.RELAY_ATTACHMENT_DIR,
    maxReservedBytes: config.RELAY_ATTACHMENT_STORE_MAX_BYTES,
    redis,
    s3,
  };
}

export async function openAttachmentStore(settings: AttachmentStoreSettings): Promise<AttachmentStore> {
  const index: AttachmentIndex = settings.redis
    ? await RedisAttachmentIndex.connect(settings.redis.target, settings.redis.prefix, settings.maxReservedBytes)
    : new MemoryAttachmentIndex(settings.maxReservedBytes);
  let bytes: AttachmentBytes;
  try {
    bytes = settings.s3
      ? await S3AttachmentBytes.open(settings.s3)
      : await FilesystemAttachmentBytes.open(settings.directory);
  } catch (error) {
    await index.close();
    throw error;
  }
  return composeAttachmentStore(index, bytes);
}

/**
 * Joins an index and a bytes store. A volatile (memory) index first deletes the bytes it does not
 * know: everything a previous run left, which nobody holds a way to reach any more; closing it
 * deletes the bytes it knew, for the same reason. That is only safe when this node alone writes
 * there (its own directory, or its own RELAY_S3_PREFIX). A durable (Redis) index does neither:
 * several nodes share its directory or bucket, and its records outlive any one of them; the
 * sweep deletes what expires.
 */
export async function composeAttachmentStore(index: AttachmentIndex, bytes: AttachmentBytes): Promise<AttachmentStore> {
  if (!index.durable) {
    for (const attachmentId of await bytes.attachmentIds()) {
      if (!(await index.knows(attachmentId))) await bytes.delete(attachmentId);
    }
  }
  return {
    index,
    bytes,
    async close(): Promise<void> {
      if (!index.durable) {
        for (const attachmentId of await index.attachmentIds()) await bytes.delete(attachmentId).catch(() => undefined);
      }
      await index.close();
      await bytes.close();
    },
  };
}
