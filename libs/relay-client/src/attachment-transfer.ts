import { ATTACHMENT_SEALED_CHUNK_BYTES } from '@opendescent/crypto';
import { ATTACHMENT_HTTP, FETCH_NONCE_LENGTH, MAX_ATTACHMENT_PATCH_BYTES, attachmentHex } from '@opendescent/protocol';
import { RelayRequestError } from './errors';
import { DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, reconnectDelayMs } from './reconnect-backoff';

/**
 * The HTTP half of an attachment (docs/protocol/attachments.md §4.2-§4.4): a tus-style upload that
 * resumes from the offset the relay reports, a download that resumes with a range, and the
 * `fetched` report. The capabilities travel in headers only. Neither side ever holds the file: the
 * upload asks `read` for the bytes at an offset (the sender re-encrypts them from the file, which
 * gives the same bytes every time) and holds at most two requests' worth (one on the wire, the
 * next read ahead); the download hands each piece to `write` as it arrives.
 */

/** Bytes per PATCH: 64 sealed chunks (about 4 MiB), well under the relay's 16 MiB ceiling. */
export const UPLOAD_REQUEST_BYTES = 64 * ATTACHMENT_SEALED_CHUNK_BYTES;
/** Network failures in a row after which a transfer gives up (`offline`); progress resets the count. */
export const TRANSFER_MAX_RETRIES = 8;

export interface TransferOptions {
  /** The relay's base URL (http(s)://host:port). */
  readonly relayUrl: string;
  /** Cancels the transfer: it rejects `cancelled` and sends nothing more. */
  readonly signal?: AbortSignal;
  /** Bytes done and in all, after every request or piece. */
  readonly onProgress?: (done: number, total: number) => void;
  /** For tests: another fetch, and a shorter wait between retries. */
  readonly fetch?: typeof fetch;
  readonly retryDelayMs?: (attempt: number) => number;
}

export interface UploadStatus {
  readonly offset: number;
  readonly length: number;
  /** Unix seconds. */
  readonly expiresAt: number;
}

const endpoint = (relayUrl: string, path: string): string => `${relayUrl.replace(/\/+$/, '')}${path}`;

function cancelled(): RelayRequestError {
  return new RelayRequestError('cancelled', 'the transfer was cancelled');
}

/** An HTTP status the relay answers for a request that will never succeed, as a typed error. */
function refused(status: number, what: string): RelayRequestError {
  if (status === 404) return new RelayRequestError('not_found', `${what}: unknown, expired or incomplete`);
  if (status === 413) return new RelayRequestError('oversized', `${what}: past the declared length`);
  return new RelayRequestError('bad_reply', `${what}: the relay answered ${status}`);
}

function headerNumber(response: Response, name: string): number | undefined {
  const text = response.headers.get(name);
  if (text === null || !/^\d{1,16}$/.test(text)) return undefined;
  return Number(text);
}

class Transfer {
  readonly #fetch: typeof fetch;
  #failures = 0;

  constructor(readonly options: TransferOptions) {
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** One request; a network failure or a 5xx is retried after a back-off, up to TRANSFER_MAX_RETRIES in a row. */
  async request(path: string, init: RequestInit): Promise<Response> {
    for (;;) {
      this.#checkCancelled();
      let response: Response | undefined;
      try {
        response = await this.#fetch(endpoint(this.options.relayUrl, path), {
          ...init,
          signal: this.options.signal,
          cache: 'no-store',
        });
      } catch {
        // fetch rejects (a TypeError, from whichever realm) only when the network failed.
        this.#checkCancelled();
      }
      if (response !== undefined && response.status < 500) return response;
      await response?.body?.cancel().catch(() => undefined);
      await this.failed();
    }
  }

  /** Counts a failure and waits before the next try; gives up `offline` after too many in a row. */
  async failed(): Promise<void> {
    this.#failures += 1;
    if (this.#failures > TRANSFER_MAX_RETRIES)
      throw new RelayRequestError('offline', 'the relay could not be reached for the transfer');
    const delay =
      this.options.retryDelayMs?.(this.#failures) ??
      reconnectDelayMs(this.#failures - 1, DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, delay);
      this.options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(cancelled());
        },
        { once: true },
      );
    });
  }

  progressed(done: number, total: number): void {
    this.#failures = 0;
    this.options.onProgress?.(done, total);
  }

  #checkCancelled(): void {
    if (this.options.signal?.aborted) throw cancelled();
  }
}

/** HEAD: how much of the upload the relay holds. Rejects `not_found` when it is unknown or expired. */
export async function uploadStatus(uploadId: Uint8Array, options: TransferOptions): Promise<UploadStatus> {
  return statusOf(new Transfer(options), uploadId);
}

async function statusOf(transfer: Transfer, uploadId: Uint8Array): Promise<UploadStatus> {
  const response = await transfer.request(ATTACHMENT_HTTP.uploadPath, {
    method: 'HEAD',
    headers: { [ATTACHMENT_HTTP.uploadIdHeader]: attachmentHex(uploadId) },
  });
  if (response.status !== 200) throw refused(response.status, 'upload status');
  const offset = headerNumber(response, ATTACHMENT_HTTP.offsetHeader);
  const length = headerNumber(response, ATTACHMENT_HTTP.lengthHeader);
  const expiresAt = headerNumber(response, ATTACHMENT_HTTP.expiresHeader);
  if (offset === undefined || length === undefined || expiresAt === undefined || offset > length)
    throw new RelayRequestError('bad_reply', 'upload status: the relay answered without valid upload headers');
  return { offset, length, expiresAt };
}

/**
 * Uploads `length` bytes, from wherever the relay's copy ends: a first upload starts at 0, a
 * resumed one (after a drop, a reload or a restart of the device) at the offset HEAD reports.
 * `read(offset, n)` returns exactly the n bytes of the ciphertext at that offset. While one PATCH
 * is on the wire the next request's bytes are read (sealed, for a sender that encrypts as it
 * goes), so the two overlap; the calls to `read` still come one at a time, and a piece read ahead
 * for an offset the relay did not reach (a dropped PATCH) is dropped and read again. The bytes a
 * read returned are not used once `read` has been called twice more: a reader may fill two
 * buffers in turn (UploadBuffers).
 */
export async function uploadAttachment(
  upload: {
    readonly uploadId: Uint8Array;
    readonly length: number;
    readonly read: (offset: number, length: number) => Promise<Uint8Array>;
    readonly requestBytes?: number;
  },
  options: TransferOptions,
): Promise<void> {
  const transfer = new Transfer(options);
  const requestBytes = Math.min(upload.requestBytes ?? UPLOAD_REQUEST_BYTES, MAX_ATTACHMENT_PATCH_BYTES);
  const pieceAt = (at: number): ReadAhead => {
    const n = Math.min(requestBytes, upload.length - at);
    const bytes = upload.read(at, n).then((read) => {
      if (read.length !== n)
        throw new RelayRequestError('malformed', 'upload: the source gave the wrong number of bytes');
      return read;
    });
    // Awaited when used; one read ahead for an offset given up on must not reject unheard.
    bytes.catch(() => undefined);
    return { offset: at, n, bytes };
  };
  let { offset } = await statusOf(transfer, upload.uploadId);
  transfer.progressed(offset, upload.length);
  let ahead: ReadAhead | undefined;
  try {
    while (offset < upload.length) {
      let piece = ahead;
      ahead = undefined;
      if (piece?.offset !== offset) {
        if (piece !== undefined) await settled(piece);
        piece = pieceAt(offset);
      }
      const bytes = await piece.bytes;
      const sent = transfer.request(ATTACHMENT_HTTP.uploadPath, {
        method: 'PATCH',
        headers: {
          [ATTACHMENT_HTTP.uploadIdHeader]: attachmentHex(upload.uploadId),
          [ATTACHMENT_HTTP.offsetHeader]: String(offset),
          'content-type': ATTACHMENT_HTTP.contentType,
        },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      const next = offset + piece.n;
      if (next < upload.length) ahead = pieceAt(next);
      const response = await sent;
      if (response.status === 204) {
        offset = headerNumber(response, ATTACHMENT_HTTP.offsetHeader) ?? next;
        transfer.progressed(offset, upload.length);
      } else if (response.status === 409) {
        // Another offset than ours (a PATCH whose answer was lost), or one still running: ask again.
        await transfer.failed();
        offset = (await statusOf(transfer, upload.uploadId)).offset;
      } else {
        throw refused(response.status, 'upload');
      }
    }
  } finally {
    // No read outlives the upload: the caller may close its source once this returns or throws.
    if (ahead !== undefined) await settled(ahead);
  }
}

async function settled(piece: ReadAhead): Promise<void> {
  await piece.bytes.catch(() => undefined);
}

/** The bytes of one PATCH, read (or being read) ahead of their turn. */
interface ReadAhead {
  readonly offset: number;
  readonly n: number;
  readonly bytes: Promise<Uint8Array>;
}

/**
 * Downloads the stream from `from` (default 0) to its end, handing each piece to `write` in order;
 * after a drop it asks for the rest only (`Range: bytes=<received>-`). Rejects `not_found` when
 * the attachment is unknown, expired or not complete, and `malformed` when the relay sends more
 * or other than `length` bytes. `from` lets a device go on where a direct channel stopped
 * (direct.md §9).
 */
export async function downloadAttachment(
  download: {
    readonly attachmentId: Uint8Array;
    readonly length: number;
    readonly write: (bytes: Uint8Array) => Promise<void> | void;
    /** The first byte to fetch: the bytes before it are held already. */
    readonly from?: number;
  },
  options: TransferOptions,
): Promise<void> {
  const transfer = new Transfer(options);
  let received = download.from ?? 0;
  if (!Number.isSafeInteger(received) || received < 0 || received > download.length)
    throw new RangeError('downloadAttachment: from must be a whole number of bytes within the length');
  while (received < download.length) {
    const headers: Record<string, string> = {
      [ATTACHMENT_HTTP.attachmentIdHeader]: attachmentHex(download.attachmentId),
    };
    if (received > 0) headers['range'] = `bytes=${received}-`;
    const response = await transfer.request(ATTACHMENT_HTTP.filePath, { method: 'GET', headers });
    const expected = received > 0 ? 206 : 200;
    if (response.status !== expected) {
      await response.body?.cancel().catch(() => undefined);
      throw refused(response.status, 'download');
    }
    if (response.body === null) throw new RelayRequestError('malformed', 'download: no body');
    const reader = response.body.getReader();
    try {
      for (;;) {
        const piece = await readPiece(reader, options.signal);
        if (piece === 'dropped') {
          await transfer.failed();
          break;
        }
        if (piece === 'done') break;
        if (received + piece.length > download.length)
          throw new RelayRequestError('bad_reply', 'download: the relay sent more than the attachment holds');
        await download.write(piece);
        received += piece.length;
        transfer.progressed(received, download.length);
      }
    } finally {
      reader.releaseLock();
    }
  }
}

/** The next piece of a response body, or whether it ended or dropped (a network failure mid-body). */
async function readPiece(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<Uint8Array | 'done' | 'dropped'> {
  try {
    const { done, value } = await reader.read();
    return done ? 'done' : value;
  } catch {
    if (signal?.aborted) throw cancelled();
    return 'dropped';
  }
}

/** A fresh nonce for `fetched`: kept by the caller until the relay answered, so a retry counts once. */
export function fetchNonce(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(FETCH_NONCE_LENGTH));
}

/**
 * Tells the relay this device has the whole file (attachments.md §4.4). `not_found` (deleted
 * already: everyone fetched it, or it expired) is success for the caller too.
 */
export async function reportFetched(
  attachmentId: Uint8Array,
  nonce: Uint8Array,
  options: TransferOptions,
): Promise<void> {
  const transfer = new Transfer(options);
  const response = await transfer.request(ATTACHMENT_HTTP.fetchedPath, {
    method: 'POST',
    headers: {
      [ATTACHMENT_HTTP.attachmentIdHeader]: attachmentHex(attachmentId),
      [ATTACHMENT_HTTP.fetchNonceHeader]: attachmentHex(nonce),
    },
  });
  if (response.status !== 204 && response.status !== 404) throw refused(response.status, 'fetched');
}
