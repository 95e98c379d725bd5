/**
 * Bench-only hooks of the messenger worker for `npm run bench:attachments`' Chromium phase
 * (tools/bench/attachments-chromium.bench.ts), installed with the others by ./bench-seed.ts (so
 * only in a bench build). A file of random bytes, made here 64 KiB at a time and never held
 * whole, is sealed with libs/crypto's attachment stream and uploaded with relay-client's
 * attachment transfer (the calls the messenger's attachment code makes), then downloaded and
 * opened, its digest and a sample of every chunk's plaintext checked. The bench admits each upload
 * on the relay itself and passes the capabilities in; the key stays in this worker.
 *
 * Mode 'none' moves as many random bytes without encryption: the transfer's own cost,
 * the baseline of the same run. Times are taken here (performance.now()), without the cost of
 * reaching the worker from outside.
 */
import {
  ATTACHMENT_CHUNK_BYTES,
  attachmentCiphertextLength,
  decryptAttachment,
  encryptAttachment,
  sha256,
  type AttachmentCipherBackend,
  type AttachmentFormatVersion,
} from '@opendescent/crypto';
import {
  UploadBuffers,
  downloadAttachment,
  fetchNonce,
  reportFetched,
  uploadAttachment,
} from '@opendescent/relay-client';
import { fromHex } from '../messenger/encoding';
import { PieceChannel } from './bench-piece-channel';

export type AttachmentBenchMode = AttachmentCipherBackend | 'none';

export interface AttachmentUploadRequest {
  readonly mode: AttachmentBenchMode;
  /** The file's size in bytes. */
  readonly size: number;
  readonly relayUrl: string;
  /** Hex, from attach_create (relay.md §3.15). */
  readonly uploadId: string;
  readonly attachmentId: string;
}

export interface AttachmentDirectionResult {
  readonly ms: number;
  /** Bytes that crossed the network: the ciphertext length (random bytes as many in mode 'none'). */
  readonly transferred: number;
  /** Download only: chunks whose plaintext sample matched what was uploaded. */
  readonly checkedChunks?: number;
}

export interface AttachmentBaselines {
  /** crypto.getRandomValues, 64 KiB at a time: the bench's file source alone. */
  readonly sourceMs: number;
  /** SubtleCrypto.encrypt AES-256-GCM on 64 KiB chunks: no digest, no padding, no transfer. */
  readonly rawWebCryptoSealMs: number;
  /** SHA-256 in JavaScript (@noble/hashes: format 1's digest) over the stream, 64 KiB at a time. */
  readonly digestMs: number;
  /** SHA-256 by SubtleCrypto.digest of each 64 KiB chunk (format 2's chunk hashes) alone. */
  readonly nativeDigestMs: number;
  /** libs/crypto's attachment stream without transfer (cipher and digest), per backend. */
  readonly cipher: Record<AttachmentCipherBackend, { sealMs: number; openMs: number }>;
}

export interface AttachmentBenchHooks {
  attachmentUpload(request: AttachmentUploadRequest): Promise<AttachmentDirectionResult>;
  /** Downloads what attachmentUpload sent under that attachment id, then reports it fetched (untimed). */
  attachmentDownload(attachmentId: string): Promise<AttachmentDirectionResult>;
  attachmentBaselines(size: number): Promise<AttachmentBaselines>;
}

/** Plaintext bytes kept per chunk, to check that what comes back is what went. */
const SAMPLE_BYTES = 16;
const MAX_SIZE = 1024 ** 3;

interface Uploaded {
  readonly request: AttachmentUploadRequest;
  readonly length: number;
  readonly samples: Uint8Array;
  readonly sealed?: {
    readonly key: Uint8Array;
    readonly digest: Uint8Array;
    readonly version: AttachmentFormatVersion;
  };
}

/** `size` random bytes, 64 KiB at a time (getRandomValues' own limit); the first bytes of each noted in `samples`. */
async function* randomFile(size: number, samples?: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  for (let at = 0; at < size; at += ATTACHMENT_CHUNK_BYTES) {
    const piece = crypto.getRandomValues(new Uint8Array(Math.min(ATTACHMENT_CHUNK_BYTES, size - at)));
    samples?.set(piece.subarray(0, SAMPLE_BYTES), (at / ATTACHMENT_CHUNK_BYTES) * SAMPLE_BYTES);
    yield piece;
  }
}

/**
 * uploadAttachment's `read`, served from a stream read once, in order. The messenger re-reads its
 * sealed copy instead, which lets a retry go back; a bench stream cannot, so a retry fails loudly.
 */
function sequentialReader(stream: AsyncIterable<Uint8Array>): (offset: number, n: number) => Promise<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]();
  let position = 0;
  let carry: Uint8Array = new Uint8Array(0);
  // As the messenger's reader does (attachment-files.ts sealedReader).
  const buffers = new UploadBuffers();
  return async (offset, n) => {
    if (offset !== position)
      throw new Error(`bench attachments: the upload asked for offset ${offset}, the stream is at ${position}`);
    const out = buffers.take(n);
    for (let filled = 0; filled < n;) {
      if (carry.length === 0) {
        const next = await iterator.next();
        if (next.done) throw new Error('bench attachments: the stream ended before the upload');
        carry = next.value;
      }
      const take = Math.min(carry.length, n - filled);
      out.set(carry.subarray(0, take), filled);
      filled += take;
      carry = carry.subarray(take);
    }
    position += n;
    return out;
  };
}

function checkRequest(request: AttachmentUploadRequest): void {
  if (!['none', 'webcrypto', 'noble'].includes(request.mode)) throw new Error('bench attachments: unknown mode');
  if (!Number.isSafeInteger(request.size) || request.size < 1 || request.size > MAX_SIZE)
    throw new Error(`bench attachments: size must be 1..${MAX_SIZE}`);
  if (!/^https?:\/\//.test(request.relayUrl)) throw new Error('bench attachments: relayUrl must be http(s)');
}

async function upload(request: AttachmentUploadRequest): Promise<{ ms: number; uploaded: Uploaded }> {
  checkRequest(request);
  const { mode, size } = request;
  const samples = new Uint8Array(Math.ceil(size / ATTACHMENT_CHUNK_BYTES) * SAMPLE_BYTES);
  const started = performance.now();
  const encrypted =
    mode === 'none' ? undefined : await encryptAttachment(randomFile(size, samples), size, { backend: mode });
  // The relay admits padded lengths only, so mode 'none' moves as many bytes as the ciphertext.
  const length = attachmentCiphertextLength(size);
  await uploadAttachment(
    {
      uploadId: fromHex(request.uploadId),
      length,
      read: sequentialReader(encrypted ? encrypted.chunks : randomFile(length)),
    },
    { relayUrl: request.relayUrl },
  );
  const ms = performance.now() - started;
  const sealed = encrypted ? { key: encrypted.key, digest: encrypted.digest(), version: encrypted.version } : undefined;
  return { ms, uploaded: { request, length, samples, ...(sealed ? { sealed } : {}) } };
}

/** Opens the download as it arrives; resolves with the chunks whose sample matched. */
async function openWhileDownloading(uploaded: Uploaded, backend: AttachmentCipherBackend): Promise<number> {
  const { request, length, samples, sealed } = uploaded;
  if (!sealed) throw new Error('bench attachments: nothing sealed to open');
  const channel = new PieceChannel();
  const transfer = downloadAttachment(
    { attachmentId: fromHex(request.attachmentId), length, write: (piece) => channel.push(piece) },
    { relayUrl: request.relayUrl },
  ).then(
    () => channel.end(),
    (error: unknown) => channel.end(error),
  );
  let offset = 0;
  let checked = 0;
  const params = { key: sealed.key, size: request.size, digest: sealed.digest, version: sealed.version };
  for await (const plaintext of decryptAttachment(channel, params, { backend })) {
    if (offset % ATTACHMENT_CHUNK_BYTES !== 0) throw new Error('bench attachments: a piece not on a chunk boundary');
    const at = (offset / ATTACHMENT_CHUNK_BYTES) * SAMPLE_BYTES;
    const n = Math.min(SAMPLE_BYTES, plaintext.length);
    for (let i = 0; i < n; i++)
      if (plaintext[i] !== samples[at + i]) throw new Error(`bench attachments: chunk at ${offset} differs`);
    checked += 1;
    offset += plaintext.length;
  }
  await transfer;
  if (offset !== request.size) throw new Error(`bench attachments: ${offset} of ${request.size} bytes came back`);
  return checked;
}

async function download(uploaded: Uploaded): Promise<AttachmentDirectionResult> {
  const { request, length } = uploaded;
  const started = performance.now();
  let checkedChunks: number | undefined;
  if (request.mode === 'none') {
    let received = 0;
    await downloadAttachment(
      { attachmentId: fromHex(request.attachmentId), length, write: (piece) => void (received += piece.length) },
      { relayUrl: request.relayUrl },
    );
    if (received !== length) throw new Error(`bench attachments: ${received} of ${length} bytes came back`);
  } else {
    checkedChunks = await openWhileDownloading(uploaded, request.mode);
  }
  const ms = performance.now() - started;
  // The relay deletes the file once every fetch is reported (attachments.md §4.4): the disk stays clear.
  await reportFetched(fromHex(request.attachmentId), fetchNonce(), { relayUrl: request.relayUrl });
  return { ms, transferred: length, ...(checkedChunks === undefined ? {} : { checkedChunks }) };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function baselines(size: number): Promise<AttachmentBaselines> {
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_SIZE)
    throw new Error(`bench attachments: size must be 1..${MAX_SIZE}`);
  const sourceMs = await timed(async () => {
    for await (const piece of randomFile(size)) void piece;
  });
  // One random chunk sealed again and again under fresh nonces: the cipher alone, as fast as it goes.
  const chunk = crypto.getRandomValues(new Uint8Array(ATTACHMENT_CHUNK_BYTES));
  const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'AES-GCM', false, [
    'encrypt',
  ]);
  const nonce = new Uint8Array(12);
  const rawWebCryptoSealMs = await timed(async () => {
    for (let i = 0; i * ATTACHMENT_CHUNK_BYTES < size; i++) {
      new DataView(nonce.buffer).setUint32(8, i);
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, chunk);
    }
  });
  const digestMs = await timed(async () => {
    for (let at = 0; at < size; at += ATTACHMENT_CHUNK_BYTES)
      sha256(chunk.subarray(0, Math.min(ATTACHMENT_CHUNK_BYTES, size - at)));
  });
  const nativeDigestMs = await timed(async () => {
    for (let at = 0; at < size; at += ATTACHMENT_CHUNK_BYTES)
      await crypto.subtle.digest('SHA-256', chunk.subarray(0, Math.min(ATTACHMENT_CHUNK_BYTES, size - at)));
  });
  const repeated = async function* () {
    for (let at = 0; at < size; at += ATTACHMENT_CHUNK_BYTES)
      yield chunk.subarray(0, Math.min(ATTACHMENT_CHUNK_BYTES, size - at));
  };
  const cipher = {} as Record<AttachmentCipherBackend, { sealMs: number; openMs: number }>;
  for (const backend of ['webcrypto', 'noble'] as const) {
    // The sealed chunks are kept (about `size` bytes, briefly) so that opening is timed alone.
    const kept: Uint8Array[] = [];
    const encrypted = await encryptAttachment(repeated(), size, { backend });
    const sealMs = await timed(async () => {
      for await (const sealedChunk of encrypted.chunks) kept.push(sealedChunk);
    });
    const params = { key: encrypted.key, size, digest: encrypted.digest(), version: encrypted.version };
    const sealedStream = async function* () {
      yield* kept;
    };
    const openMs = await timed(async () => {
      for await (const opened of decryptAttachment(sealedStream(), params, { backend })) void opened;
    });
    if (kept.reduce((sum, c) => sum + c.length, 0) !== attachmentCiphertextLength(size))
      throw new Error('bench attachments: the sealed length is wrong');
    cipher[backend] = { sealMs, openMs };
  }
  return { sourceMs, rawWebCryptoSealMs, digestMs, nativeDigestMs, cipher };
}

/** The hooks, with the uploads waiting for their download (by attachment id). */
export function createAttachmentBenchHooks(): AttachmentBenchHooks {
  const waiting = new Map<string, Uploaded>();
  return {
    async attachmentUpload(request) {
      const { ms, uploaded } = await upload(request);
      waiting.set(request.attachmentId, uploaded);
      return { ms, transferred: uploaded.length };
    },
    async attachmentDownload(attachmentId) {
      const uploaded = waiting.get(attachmentId);
      if (!uploaded) throw new Error('bench attachments: no upload with that attachment id');
      waiting.delete(attachmentId);
      return download(uploaded);
    },
    attachmentBaselines: baselines,
  };
}
