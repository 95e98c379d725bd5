import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ATTACHMENT_ID_LENGTH,
  MAX_ATTACHMENT_PATCH_BYTES,
  UPLOAD_ID_LENGTH,
  type RelayCommandOf,
} from '@opendescent/protocol';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { StoreUnavailableError } from '../store/relay-store';
import { attachmentSweepIntervalMs, attachmentTtlSeconds, maxAttachmentCiphertextLength } from './attachment-limits';
import { requestedRange } from './attachment-range';
import { AttachmentStoreError, type AttachmentRecord } from './attachment-store';

/** Draws before giving up: with 128-bit ids a second draw already means something is wrong. */
const MAX_DRAWS = 4;

/** What `attach_create` answers (relay.md §3.15). */
export interface CreatedAttachment {
  readonly uploadId: Uint8Array;
  readonly attachmentId: Uint8Array;
  /** Unix seconds, rounded down: the client never believes it lives longer than it does. */
  readonly expiresAt: number;
}

/** How a PATCH ended; the controller turns each into its status. */
export type AppendResult =
  | { readonly outcome: 'appended'; readonly received: number }
  | { readonly outcome: 'interrupted'; readonly received: number }
  /** Another PATCH holds the upload, or the offset is not the current one. */
  | { readonly outcome: 'conflict'; readonly received: number }
  | { readonly outcome: 'too_large' }
  | { readonly outcome: 'unknown' };

export type DownloadResult =
  | {
      readonly outcome: 'found';
      readonly length: number;
      readonly start: number;
      readonly end: number;
      /** Whether a Range was honoured (206). */
      readonly partial: boolean;
      readonly body: Readable;
    }
  | { readonly outcome: 'unsatisfiable'; readonly length: number }
  | { readonly outcome: 'unknown' };

/** Unknown, expired, or a wrong id: one answer (relay.md §3.15). */
const UNKNOWN: AppendResult = { outcome: 'unknown' };

/**
 * Attachments (relay.md §3.15, attachments.md §4): `attach_create` admits an upload over a socket
 * (the connection's token and rate pay for it) and draws two unrelated capabilities: an upload id
 * that writes and an attachment id that reads. The bytes then come and go over HTTP, where
 * holding the right id is the only credential; an unknown, expired or wrong id is one answer.
 * Neither id is ever logged or counted by value.
 */
@Injectable()
export class AttachmentService implements OnModuleInit, OnApplicationShutdown {
  #sweep: NodeJS.Timeout | undefined;

  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  onModuleInit(): void {
    this.#sweep = setInterval(() => void this.sweep(), attachmentSweepIntervalMs(this.runtime.config));
    this.#sweep.unref();
  }

  /** After the gateway has drained (relay.md §11); a volatile index takes its bytes with it. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.#sweep);
    await this.runtime.attachments.close().catch((error: unknown) => this.#failed(error));
  }

  /** §3.15: the whole declared length is reserved now, and released when the record goes. */
  async create(frame: RelayCommandOf<'attach_create'>): Promise<CreatedAttachment> {
    const { config, attachments } = this.runtime;
    if (frame.length > maxAttachmentCiphertextLength(config))
      throw new RelayRefusal('oversized', 'the attachment is larger than this relay accepts');
    const now = this.runtime.clock();
    const expiresAt = now + attachmentTtlSeconds(config, frame.ttl) * 1000;
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const uploadId = new Uint8Array(randomBytes(UPLOAD_ID_LENGTH));
      const attachmentId = new Uint8Array(randomBytes(ATTACHMENT_ID_LENGTH));
      const outcome = await this.#guard(() =>
        attachments.index.create(
          {
            attachmentId,
            uploadIdHash: uploadIdHash(uploadId),
            length: frame.length,
            fetches: frame.fetches,
            expiresAt,
          },
          now,
        ),
      );
      if (outcome === 'store_full') throw new RelayRefusal('store_full', 'the attachment store is full');
      if (outcome === 'collision') continue;
      try {
        await this.#guard(() => attachments.bytes.create(attachmentId));
      } catch (error) {
        await this.#guard(() => attachments.index.remove(attachmentId)).catch(() => undefined);
        throw error;
      }
      this.runtime.metrics.attachmentsCreated.inc();
      return { uploadId, attachmentId, expiresAt: Math.floor(expiresAt / 1000) };
    }
    throw new StoreUnavailableError('could not draw unused attachment ids');
  }

  /** HEAD: where to resume. */
  async upload(uploadId: Uint8Array): Promise<AttachmentRecord | undefined> {
    return this.#guard(() => this.runtime.attachments.index.byUpload(uploadIdHash(uploadId), this.runtime.clock()));
  }

  /**
   * PATCH: `body` is written at `offset` by the one writer the index admits. Nothing passes the
   * declared length or MAX_ATTACHMENT_PATCH_BYTES: `declared` (Content-Length) is checked before a
   * byte is read, and the bytes store counts as it writes. A body cut short keeps what arrived.
   */
  async append(
    uploadId: Uint8Array,
    offset: number,
    declared: number | undefined,
    body: AsyncIterable<Uint8Array>,
  ): Promise<AppendResult> {
    const { index } = this.runtime.attachments;
    const claim = await this.#guard(() => index.claimWrite(uploadIdHash(uploadId), offset, this.runtime.clock()));
    if (!claim.ok) return claim.reason === 'unknown' ? UNKNOWN : { outcome: 'conflict', received: claim.received };
    const { attachmentId } = claim.record;
    let result: AppendResult;
    try {
      result = await this.#appendClaimed(claim.record, offset, declared, body);
    } catch (error) {
      // A failed store keeps nothing of this PATCH (the next one truncates back to the offset).
      await this.#release(attachmentId, offset);
      throw error;
    }
    const kept = result.outcome === 'appended' || result.outcome === 'interrupted' ? result.received : offset;
    return (await this.#release(attachmentId, kept)) ? result : UNKNOWN;
  }

  async #appendClaimed(
    record: AttachmentRecord,
    offset: number,
    declared: number | undefined,
    body: AsyncIterable<Uint8Array>,
  ): Promise<AppendResult> {
    const { bytes } = this.runtime.attachments;
    const { attachmentId, length } = record;
    const limit = Math.min(MAX_ATTACHMENT_PATCH_BYTES, length - offset);
    if (declared !== undefined && declared > limit) return { outcome: 'too_large' };
    const appended = await this.#guard(() => bytes.append(attachmentId, offset, body, limit));
    if (appended.outcome === 'overflow') return { outcome: 'too_large' };
    if (appended.outcome === 'missing') return UNKNOWN;
    const received = offset + appended.written;
    if (received === length) await this.#guard(() => bytes.finish(attachmentId, length));
    this.runtime.metrics.attachmentBytesReceived.inc(appended.written);
    return { outcome: appended.outcome, received };
  }

  /** Ends the PATCH's claim; false when the record expired or went meanwhile, and then its bytes go too. */
  async #release(attachmentId: Uint8Array, received: number): Promise<boolean> {
    const { index, bytes } = this.runtime.attachments;
    const released = await this.#guard(() => index.releaseWrite(attachmentId, received, this.runtime.clock()));
    if (released !== undefined) return true;
    await bytes.delete(attachmentId).catch((error: unknown) => this.#failed(error));
    return false;
  }

  /** GET: a complete attachment, whole or from a range; an incomplete one is as unknown. */
  async download(attachmentId: Uint8Array, rangeHeader: string | undefined): Promise<DownloadResult> {
    const { index, bytes } = this.runtime.attachments;
    const record = await this.#guard(() => index.byAttachment(attachmentId, this.runtime.clock()));
    if (record === undefined || !record.complete) return this.#downloaded({ outcome: 'unknown' });
    const range = requestedRange(rangeHeader, record.length);
    if (range === 'unsatisfiable') return { outcome: 'unsatisfiable', length: record.length };
    const { start, end } = range ?? { start: 0, end: record.length };
    const body = await this.#guard(() => bytes.read(attachmentId, start, end));
    if (body === undefined) return this.#downloaded({ outcome: 'unknown' });
    return this.#downloaded({
      outcome: 'found',
      length: record.length,
      start,
      end,
      partial: range !== undefined,
      body,
    });
  }

  /** POST fetched: once per distinct nonce; the last one deletes the attachment. False: unknown. */
  async fetched(attachmentId: Uint8Array, nonce: Uint8Array): Promise<boolean> {
    const { index, bytes } = this.runtime.attachments;
    const outcome = await this.#guard(() => index.fetched(attachmentId, nonce, this.runtime.clock()));
    if (outcome === 'unknown') return false;
    if (outcome === 'last') {
      this.runtime.metrics.attachmentsDeleted.inc({ reason: 'fetched' });
      await bytes.delete(attachmentId).catch((error: unknown) => this.#failed(error));
    }
    return true;
  }

  /** Deletes expired uploads and their bytes; the index already answers nothing for them. */
  async sweep(): Promise<void> {
    try {
      const { index, bytes } = this.runtime.attachments;
      const expired = await index.sweep(this.runtime.clock());
      // Counted as each goes, so the count never lags behind what a reader of the store sees.
      for (const attachmentId of expired) {
        await bytes.delete(attachmentId).catch((error: unknown) => this.#failed(error));
        this.runtime.metrics.attachmentsDeleted.inc({ reason: 'expired' });
      }
      if (expired.length === 0) return;
      this.runtime.logger.debug({ event: 'attachments_expired', count: expired.length }, 'attachments expired');
    } catch (error) {
      this.#failed(error);
    }
  }

  #downloaded(result: DownloadResult): DownloadResult {
    this.runtime.metrics.attachmentDownloads.inc({ result: result.outcome === 'found' ? 'found' : 'not_found' });
    if (result.outcome === 'found') this.runtime.metrics.attachmentDownloadBytes.inc(result.end - result.start);
    return result;
  }

  /** A store failure becomes `unavailable` (socket) or 503 (HTTP), logged by its code only. */
  async #guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof AttachmentStoreError)) throw error;
      this.#failed(error);
      throw new StoreUnavailableError('the attachment store is unavailable');
    }
  }

  #failed(error: unknown): void {
    const code = error instanceof AttachmentStoreError ? error.code : error instanceof Error ? error.name : 'unknown';
    this.runtime.logger.error({ event: 'attachment_store_failed', code }, 'attachment store failed');
  }
}

/** §3.15: the index holds SHA-256(upload id), so a dump of it cannot be used to write. */
function uploadIdHash(uploadId: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(uploadId).digest());
}
