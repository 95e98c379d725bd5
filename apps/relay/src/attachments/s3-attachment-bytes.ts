/**
 * Attachment bytes in an S3-compatible object store (attachments.md §4.5; AWS S3, MinIO, Ceph,
 * Garage): one object per PATCH, laid out as s3-attachment-parts.ts says. A PATCH body is spooled
 * to a temporary file and stored only when it ended normally, so an interrupted PATCH keeps
 * nothing (tus lets a server keep less than it received: the client asks HEAD and resends).
 *
 * Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
 * profile, an instance role) and are never read, held or logged here. Checksums are sent only
 * where the API requires them: several S3-compatible servers refuse the SDK's newer defaults, and
 * the ciphertext authenticates itself anyway (AES-GCM per chunk, attachments.md §2.2).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AttachmentSpool } from './attachment-spool';
import { AttachmentStoreError, type AppendOutcome, type AttachmentBytes } from './attachment-store';
import {
  attachmentIdOf,
  attachmentPrefix,
  partKey,
  partOf,
  partsPast,
  slicesOf,
  type PartSlice,
  type StoredPart,
} from './s3-attachment-parts';

/** RELAY_ATTACHMENT_STORE=s3 (relay-config.ts). */
export interface S3AttachmentSettings {
  /** RELAY_S3_ENDPOINT; undefined: AWS itself. */
  readonly endpoint?: string | undefined;
  readonly region: string;
  readonly bucket: string;
  /** RELAY_S3_PREFIX: every object this store writes, lists or deletes is under it. */
  readonly prefix: string;
  /** MinIO, Ceph, Garage: the bucket in the path rather than in the host name. */
  readonly forcePathStyle: boolean;
}

/** Deletions in flight at once for one attachment. */
const DELETE_CONCURRENCY = 8;

type Body = AsyncIterable<Uint8Array>;

export class S3AttachmentBytes implements AttachmentBytes {
  private constructor(
    private readonly s3: S3Client,
    private readonly settings: S3AttachmentSettings,
    private readonly spool: AttachmentSpool,
  ) {}

  /** Fails fast (AttachmentStoreError) when the bucket cannot be reached, so the relay never listens. */
  static async open(settings: S3AttachmentSettings): Promise<S3AttachmentBytes> {
    const s3 = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A store that stops answering fails the request (503) rather than hold a PATCH's claim.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
    try {
      await s3.send(new HeadBucketCommand({ Bucket: settings.bucket }));
      return new S3AttachmentBytes(s3, settings, await AttachmentSpool.open());
    } catch (error) {
      s3.destroy();
      throw storeError(error);
    }
  }

  /** The empty object at offset 0; an id whose parts exist already fails (`EEXIST`). */
  async create(attachmentId: Uint8Array): Promise<void> {
    if ((await this.#parts(attachmentId)).length > 0) throw new AttachmentStoreError('EEXIST');
    await this.#put(partKey(this.settings.prefix, attachmentId, 0), Buffer.alloc(0), 0);
  }

  async append(attachmentId: Uint8Array, offset: number, source: Body, limit: number): Promise<AppendOutcome> {
    const parts = await this.#parts(attachmentId);
    if (parts.length === 0) return { outcome: 'missing' };
    await this.#dropPast(parts, offset);
    let body;
    try {
      body = await this.spool.take(source, limit);
    } catch (error) {
      throw storeError(error);
    }
    if (body.outcome === 'overflow') return { outcome: 'overflow' };
    if (body.outcome === 'interrupted') return { outcome: 'interrupted', written: 0 };
    try {
      if (body.written > 0)
        await this.#put(partKey(this.settings.prefix, attachmentId, offset), createReadStream(body.path), body.written);
    } finally {
      await body.discard();
    }
    return { outcome: 'appended', written: body.written };
  }

  async finish(_attachmentId: Uint8Array, _length: number): Promise<void> {
    // Each part is whole once stored: there is no upload to complete.
  }

  async size(attachmentId: Uint8Array): Promise<number | undefined> {
    const parts = await this.#parts(attachmentId);
    return parts.length === 0 ? undefined : parts.reduce((sum, part) => sum + part.size, 0);
  }

  /**
   * The first part is opened before this resolves (a deletion from then on does not make it
   * unknown); the others are opened as the stream reaches them, so a deletion racing a long
   * download can still cut it (the client resumes with a Range, or sees 404).
   */
  async read(attachmentId: Uint8Array, start: number, end: number): Promise<Readable | undefined> {
    const parts = await this.#parts(attachmentId);
    if (parts.length === 0) return undefined;
    if (end <= start) return Readable.from([]);
    const [first, ...rest] = slicesOf(parts, start, end) as [PartSlice, ...PartSlice[]];
    const opened = await this.#get(first);
    if (opened === undefined) return undefined;
    const stream = Readable.from(this.#stream(opened, rest), { objectMode: false });
    // A stream destroyed before its first read (a HEAD, a client gone) frees the first response too.
    stream.once('close', () => (opened as Partial<Readable>).destroy?.());
    return stream;
  }

  async delete(attachmentId: Uint8Array): Promise<void> {
    const keys = (await this.#parts(attachmentId)).map((part) => part.key);
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY)
      await Promise.all(keys.slice(i, i + DELETE_CONCURRENCY).map((key) => this.#delete(key)));
  }

  /** The ids under the prefix, by delimiter: a bucket shared with anything else is left alone. */
  async attachmentIds(): Promise<Uint8Array[]> {
    const ids: Uint8Array[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call(() =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: this.settings.prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        ),
      );
      for (const common of page.CommonPrefixes ?? []) ids.push(...attachmentIdOf(this.settings.prefix, common.Prefix));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return ids;
  }

  async close(): Promise<void> {
    this.s3.destroy();
    await this.spool.close();
  }

  async *#stream(first: Body, rest: readonly PartSlice[]): AsyncGenerator<Uint8Array> {
    try {
      yield* first;
      for (const slice of rest) {
        const body = await this.#get(slice);
        if (body === undefined) throw new AttachmentStoreError('part_missing');
        yield* body;
      }
    } catch (error) {
      throw storeError(error);
    }
  }

  /** Every part of one attachment, in offset order; none when it does not exist. */
  async #parts(attachmentId: Uint8Array): Promise<StoredPart[]> {
    const prefix = attachmentPrefix(this.settings.prefix, attachmentId);
    const parts: StoredPart[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call(() =>
        this.s3.send(
          new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) parts.push(...partOf(prefix, object.Key, object.Size));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return parts.sort((a, b) => a.offset - b.offset);
  }

  /** Nothing stored past `offset` survives (partsPast); in practice there is nothing to do. */
  async #dropPast(parts: readonly StoredPart[], offset: number): Promise<void> {
    const { remove, empty, cut } = partsPast(parts, offset);
    for (const part of remove) await this.#delete(part.key);
    for (const part of empty) await this.#put(part.key, Buffer.alloc(0), 0);
    for (const part of cut) {
      const kept = await this.#get({ key: part.key, from: 0, to: offset - part.offset });
      const body = kept && (await this.spool.take(kept, offset - part.offset));
      if (body?.outcome !== 'complete') throw new AttachmentStoreError('part_unreadable');
      try {
        await this.#put(part.key, createReadStream(body.path), body.written);
      } finally {
        await body.discard();
      }
    }
  }

  async #put(key: string, body: Buffer | Readable, length: number): Promise<void> {
    await this.#call(() =>
      this.s3.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body, ContentLength: length })),
    );
  }

  /** One slice's bytes as a stream, or undefined when the object is gone. */
  async #get(slice: PartSlice): Promise<Body | undefined> {
    try {
      const answer = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: slice.key,
          Range: `bytes=${slice.from}-${slice.to - 1}`,
        }),
      );
      return answer.Body as Body | undefined;
    } catch (error) {
      if ((error as Error | undefined)?.name === 'NoSuchKey') return undefined;
      throw storeError(error);
    }
  }

  /** S3 deletion is idempotent: a key already gone answers 204 too. */
  async #delete(key: string): Promise<void> {
    await this.#call(() => this.s3.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key })));
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw storeError(error);
    }
  }
}

/**
 * The S3 error's name (`s3_NoSuchBucket`, `s3_AccessDenied`) or the system's code (`ECONNREFUSED`,
 * `ENOSPC` of the spool), and nothing else: an SDK message can carry the bucket, the endpoint and
 * the key, and the key names the attachment id.
 */
function storeError(error: unknown): AttachmentStoreError {
  if (error instanceof AttachmentStoreError) return error;
  const { code, name, $metadata } = (error ?? {}) as { code?: unknown; name?: unknown; $metadata?: unknown };
  const label =
    typeof code === 'string' ? code : $metadata !== undefined && typeof name === 'string' ? `s3_${name}` : 'unknown';
  return new AttachmentStoreError(/^\w{1,64}$/.test(label) ? label : 'unknown');
}
