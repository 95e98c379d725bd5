import { isCryptoError } from '@opendescent/crypto';
import {
  RelayRequestError,
  downloadAttachment,
  fetchNonce,
  reportFetched,
  uploadAttachment,
} from '@opendescent/relay-client';
import { AUTO_DOWNLOAD_BYTES, type AttachmentState } from './attachment-api';
import { isAttachmentFileError, openFile, sealedReader, VerifyingWriter } from './attachment-files';
import { newAttachmentLocalId } from '../store/attachment-chunks';
import { decryptParams } from './attachment-payload';
import { sweepUnfinishedSealing } from './attachment-sealing';
import type { Contacts } from './contacts';
import type { MessengerContext } from './context';
import type { FileFetch } from './direct/direct-files';
import { rememberServedFile } from './direct/served-files';
import { othersIn, requireConversation } from './conversations';
import { fromHex, toHex } from './encoding';
import { MessengerError } from './errors';
import type { RelayPool } from './relay-pool';
import { TABLES, type AttachmentJobRecord, type AttachmentSecret, type MessageRecord } from './records';
import type { Sending } from './sending';
import type { Transaction } from './transaction';

/** Jobs that failed for want of a relay are tried again this often. */
export const ATTACHMENT_RETRY_MS = 10_000;
/** Progress events at most this often per transfer (the page redraws a bar, nothing more). */
const PROGRESS_INTERVAL_MS = 250;

/** Direct channels, as the transfers see them (direct/direct-channels.ts). */
export interface DirectFileSource {
  /** Fetches from the sending device over its open channel: resolves with the first byte not written. */
  fetchFile(peer: string, job: FileFetch): Promise<number>;
}

/** Relay answers after which a transfer waits and tries again; anything else ends it. */
const RETRYABLE = new Set(['offline', 'timeout', 'unavailable', 'rate_limited', 'shutting_down', 'relay_unreachable']);

/**
 * Uploads and downloads of attachments (docs/protocol/attachments.md §4, §5), in the worker. An
 * upload admits the file on a relay over a sending connection, then sends its sealed chunks from
 * this device's store over HTTP, resuming where the relay's copy ends; only then is the message
 * delivered. A download fetches the sealed chunks, checks every one and the digest before keeping
 * them, and tells the relay it has the file. It asks the sending device first when there is an open
 * direct channel with it, and the relay for whatever that did not bring (direct.md §9). Each job is
 * a record (`attachment-jobs`) until it ends, so a reload or a dropped network resumes it; none
 * holds more than one request's bytes.
 */
export class AttachmentTransfers {
  readonly #running = new Map<string, AbortController>();
  #swept = false;

  constructor(
    private readonly ctx: MessengerContext,
    private readonly relays: RelayPool,
    private readonly contacts: Contacts,
    private readonly sending: Sending,
    private readonly flushOutbox: () => void,
    private readonly direct: DirectFileSource,
  ) {}

  /** Inside a change: our new file's message waits for its upload. */
  queueUpload(tx: Transaction, message: MessageRecord): void {
    this.#putJob(tx, 'upload', message);
    tx.after(() => this.#start('upload', message.conversationId, message.id));
  }

  /** Inside a change: a received file is fetched after the commit if it is small enough. */
  received(tx: Transaction, message: MessageRecord): void {
    if ((message.attachment?.size ?? Infinity) > (this.ctx.env.autoDownloadBytes ?? AUTO_DOWNLOAD_BYTES)) return;
    this.#putJob(tx, 'download', message);
    tx.after(() => this.#start('download', message.conversationId, message.id));
  }

  /** A click: fetch a received file now. */
  async fetchNow(conversationId: string, messageId: string): Promise<void> {
    const message = await this.#message(conversationId, messageId);
    const state = message.attachment?.state;
    if (state === 'stored' || state === 'downloading') return;
    if (state !== 'available' || message.mine)
      throw new MessengerError('attachment_expired', 'that file cannot be fetched');
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      this.#putJob(tx, 'download', message);
      await tx.commit();
    });
    this.#start('download', conversationId, messageId);
  }

  /** Stops an upload (its message goes: nothing was sent) or a download (back to `available`). */
  async cancel(conversationId: string, messageId: string): Promise<void> {
    const message = await this.#message(conversationId, messageId);
    const state = message.attachment?.state;
    if (state !== 'uploading' && state !== 'downloading')
      throw new MessengerError('not_found', 'no transfer of that file is under way');
    this.#running.get(messageId)?.abort();
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const current = await tx.message(conversationId, messageId);
      tx.delete(TABLES.attachmentJobs, messageId);
      if (current && state === 'uploading') {
        tx.deleteMessage(conversationId, messageId);
        tx.delete(TABLES.sent, messageId);
      } else if (current) {
        tx.putMessage(withState(current, 'available'));
      }
      tx.touchMessages(conversationId);
      await this.ctx.commit(tx);
      if (state === 'uploading' && current?.attachmentSecret?.localId)
        await this.ctx.vault.attachmentChunks.delete(current.attachmentSecret.localId);
    });
  }

  /** The file, opened from this device's sealed copy. */
  async open(conversationId: string, messageId: string): Promise<Blob> {
    const message = await this.#message(conversationId, messageId);
    const secret = message.attachmentSecret;
    if (!message.attachment || !secret?.localId)
      throw new MessengerError('not_found', 'that file is not on this device');
    try {
      return await openFile(
        this.ctx.vault.attachmentChunks,
        secret.localId,
        decryptParams(secret, message.attachment.size),
        message.attachment.type,
      );
    } catch (error) {
      if (isCryptoError(error)) throw new MessengerError('attachment_invalid', 'the stored file does not check');
      throw error;
    }
  }

  /** Every job not running: at start, and after a relay came back. */
  async resume(): Promise<void> {
    if (this.ctx.stopped) return;
    // Once per run, first: files an earlier run sealed for a message it never composed (attachment-sealing.ts).
    if (!this.#swept) {
      this.#swept = true;
      await sweepUnfinishedSealing(this.ctx.vault, this.ctx.run);
    }
    const jobs = await this.ctx.vault.list<AttachmentJobRecord>(TABLES.attachmentJobs, '');
    for (const job of jobs) this.#start(job.kind, job.conversationId, job.messageId);
  }

  stop(): void {
    for (const controller of this.#running.values()) controller.abort();
    this.#running.clear();
  }

  // ---- jobs ------------------------------------------------------------------------------

  #putJob(tx: Transaction, kind: AttachmentJobRecord['kind'], message: MessageRecord): void {
    tx.put(TABLES.attachmentJobs, message.id, {
      v: 1,
      kind,
      conversationId: message.conversationId,
      messageId: message.id,
    } satisfies AttachmentJobRecord);
  }

  #start(kind: AttachmentJobRecord['kind'], conversationId: string, messageId: string): void {
    if (this.#running.has(messageId) || this.ctx.stopped) return;
    const controller = new AbortController();
    this.#running.set(messageId, controller);
    const work =
      kind === 'upload'
        ? this.#upload(conversationId, messageId, controller.signal)
        : this.#download(conversationId, messageId, controller.signal);
    void work
      .catch(() => undefined)
      .finally(() => {
        if (this.#running.get(messageId) === controller) this.#running.delete(messageId);
      });
  }

  async #upload(conversationId: string, messageId: string, signal: AbortSignal): Promise<void> {
    let message = await this.#message(conversationId, messageId).catch(() => undefined);
    if (!message?.attachmentSecret?.localId || message.attachment?.state !== 'uploading')
      return this.#endJob(messageId);
    try {
      if (!message.attachmentSecret.uploadId) message = await this.#admit(message);
      const secret = message.attachmentSecret as AttachmentSecret;
      const localId = secret.localId as string;
      await uploadAttachment(
        {
          uploadId: fromHex(secret.uploadId as string),
          length: secret.length,
          read: sealedReader(this.ctx.vault.attachmentChunks, localId),
        },
        { relayUrl: secret.relay as string, signal, onProgress: this.#progress(conversationId, messageId) },
      );
    } catch (error) {
      if (signal.aborted) return;
      const code = codeOf(error);
      // The relay forgot the upload (its TTL, a restart of a relay without a durable index): admit it again.
      if (code === 'not_found') {
        await this.#update(conversationId, messageId, (m) => withSecret(m, { uploadId: undefined }));
        return;
      }
      if (RETRYABLE.has(code)) return;
      return this.#fail(
        conversationId,
        messageId,
        code === 'oversized' ? 'file_too_large' : code === 'store_full' ? 'storage_full' : 'internal',
      );
    }
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const current = await tx.message(conversationId, messageId);
      tx.delete(TABLES.attachmentJobs, messageId);
      if (current?.attachment && current.attachmentSecret) {
        const sent = withState(withSecret(current, { uploadId: undefined }), 'sent');
        tx.putMessage(sent);
        await this.sending.deliverComposed(tx, sent);
        rememberServedFile(tx, sent);
      }
      await this.ctx.commit(tx);
    });
    this.flushOutbox();
  }

  /** Admits the upload on an online relay (relay.md §3.15): one fetch per device the message goes to. */
  async #admit(message: MessageRecord): Promise<MessageRecord> {
    const secret = message.attachmentSecret as AttachmentSecret;
    const tx = this.ctx.tx();
    const conversation = requireConversation(tx, message.conversationId);
    const fetches = Math.max(1, this.contacts.recipientDevices(tx, othersIn(conversation)).length);
    const relay = this.relays.nextInboxRelay();
    const admitted = await relay.createAttachment({ length: secret.length, fetches });
    return this.#update(message.conversationId, message.id, (m) =>
      withSecret(m, {
        relay: relay.url,
        uploadId: toHex(admitted.uploadId),
        attachmentId: toHex(admitted.attachmentId),
        relayExpiresAt: admitted.expiresAt,
      }),
    );
  }

  async #download(conversationId: string, messageId: string, signal: AbortSignal): Promise<void> {
    const message = await this.#message(conversationId, messageId).catch(() => undefined);
    const secret = message?.attachmentSecret;
    if (!message?.attachment || !secret?.relay || !secret.attachmentId || message.attachment.state === 'stored')
      return this.#endJob(messageId);
    if (secret.relayExpiresAt !== undefined && secret.relayExpiresAt <= this.ctx.nowSeconds())
      return this.#fail(conversationId, messageId, 'attachment_expired');
    await this.#update(conversationId, messageId, (m) => withState(m, 'downloading'));
    let localId = newAttachmentLocalId();
    const attachmentId = fromHex(secret.attachmentId);
    const params = decryptParams(secret, message.attachment.size);
    const onProgress = this.#progress(conversationId, messageId);
    let writer: VerifyingWriter | undefined;
    try {
      writer = await VerifyingWriter.create(this.ctx.vault.attachmentChunks, localId, params, { signal });
      let from = 0;
      const sender = message.sender?.deviceId;
      if (sender) {
        const into = writer;
        const job = { attachmentId, length: secret.length, from, signal, onProgress };
        try {
          from = await this.direct.fetchFile(sender, { ...job, write: (bytes) => into.write(bytes) });
        } catch (error) {
          if (!isCryptoError(error)) throw error;
          // The sender's device sent bytes that do not check (the writer deleted them): all of it from the relay.
          localId = newAttachmentLocalId();
          writer = await VerifyingWriter.create(this.ctx.vault.attachmentChunks, localId, params, { signal });
          from = 0;
        }
      }
      const into = writer;
      if (from < secret.length)
        await downloadAttachment(
          { attachmentId, length: secret.length, from, write: (bytes) => into.write(bytes) },
          { relayUrl: secret.relay, signal, onProgress },
        );
      await writer.finish();
    } catch (error) {
      await writer?.abort();
      if (signal.aborted) return;
      const code = codeOf(error);
      if (code === 'storage_full') return this.#fail(conversationId, messageId, 'storage_full');
      if (code === 'not_found') return this.#fail(conversationId, messageId, 'attachment_expired');
      if (isCryptoError(error)) return this.#fail(conversationId, messageId, 'attachment_invalid');
      if (RETRYABLE.has(code)) {
        await this.#update(conversationId, messageId, (m) => withState(m, 'available'));
        return;
      }
      return this.#fail(conversationId, messageId, 'internal');
    }
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const current = await tx.message(conversationId, messageId);
      tx.delete(TABLES.attachmentJobs, messageId);
      if (current) tx.putMessage(withState(withSecret(current, { localId }), 'stored'));
      await this.ctx.commit(tx);
      if (!current) await this.ctx.vault.attachmentChunks.delete(localId);
    });
    // Best effort: a relay that misses it keeps the file until its TTL.
    await reportFetched(attachmentId, fetchNonce(), { relayUrl: secret.relay }).catch(() => undefined);
  }

  // ---- records ---------------------------------------------------------------------------

  async #message(conversationId: string, messageId: string): Promise<MessageRecord> {
    const message = await this.ctx.tx().message(conversationId, messageId);
    if (!message?.attachment) throw new MessengerError('not_found', 'no such file');
    return message;
  }

  /** Rewrites a message in its own change, when it is still there; resolves with what was written. */
  async #update(
    conversationId: string,
    messageId: string,
    change: (message: MessageRecord) => MessageRecord,
  ): Promise<MessageRecord> {
    return this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const current = await tx.message(conversationId, messageId);
      if (!current) throw new MessengerError('not_found', 'the message is gone');
      const updated = change(current);
      tx.putMessage(updated);
      await this.ctx.commit(tx);
      return updated;
    });
  }

  async #fail(conversationId: string, messageId: string, problem: string): Promise<void> {
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      const current = await tx.message(conversationId, messageId);
      tx.delete(TABLES.attachmentJobs, messageId);
      if (current) {
        const failed = withState(current, problem === 'attachment_expired' ? 'expired' : 'failed', problem);
        tx.putMessage(
          current.mine && current.attachment?.state === 'uploading' ? { ...failed, status: 'failed' } : failed,
        );
      }
      await this.ctx.commit(tx);
    });
  }

  async #endJob(messageId: string): Promise<void> {
    await this.ctx.exclusive(async () => {
      const tx = this.ctx.tx();
      tx.delete(TABLES.attachmentJobs, messageId);
      await tx.commit();
    });
  }

  #progress(conversationId: string, messageId: string): (done: number, total: number) => void {
    let last = 0;
    return (done, total) => {
      const now = Date.now();
      if (done < total && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      this.ctx.progress({ conversationId, messageId, done, total });
    };
  }
}

function withState(message: MessageRecord, state: AttachmentState, problem?: string): MessageRecord {
  if (!message.attachment) return message;
  const { problem: _previous, ...attachment } = message.attachment;
  return { ...message, attachment: { ...attachment, state, ...(problem ? { problem } : {}) } };
}

function withSecret(message: MessageRecord, change: Partial<AttachmentSecret>): MessageRecord {
  const secret = { ...(message.attachmentSecret as AttachmentSecret), ...change };
  for (const key of Object.keys(secret) as (keyof AttachmentSecret)[])
    if (secret[key] === undefined) delete secret[key];
  return { ...message, attachmentSecret: secret };
}

function codeOf(error: unknown): string {
  if (error instanceof RelayRequestError || error instanceof MessengerError || isAttachmentFileError(error))
    return error.code;
  return 'internal';
}
