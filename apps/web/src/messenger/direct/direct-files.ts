import {
  DirectFileWindows,
  MAX_DIRECT_FILE_PIECE_BYTES,
  MAX_DIRECT_FILE_WINDOW_BYTES,
  encodeDirectFrame,
  type DirectFileFrame,
  type DirectFileStatus,
} from '@opendescent/protocol';
import { toHex } from '../encoding';
import type { ServedFileLookup } from './served-files';

/** A window with no frame for this long is given up: the rest of the file comes over HTTP (direct.md §9). */
export const FILE_STALL_MS = 10_000;
/**
 * The sealed bytes a sender reads from its vault at once, then cuts into pieces: a whole window,
 * one store read (in Chromium a read of 256 KiB took about as long as one of 1 MiB).
 */
const READ_BYTES = MAX_DIRECT_FILE_WINDOW_BYTES;

/** One file to fetch over a channel: its sealed bytes from `from` to `length`, handed to `write` in order. */
export interface FileFetch {
  /** The relay's attachment id, as the message named it. */
  readonly attachmentId: Uint8Array;
  /** The sealed length (AttachmentSecret.length). */
  readonly length: number;
  readonly from: number;
  /** Takes the next bytes (VerifyingWriter.write): a rejection ends the fetch with it. */
  readonly write: (bytes: Uint8Array) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the serving side needs: the file an attachment id names for this peer, and the test hook. */
export interface FileServing {
  readonly lookup: (attachmentId: string) => Promise<ServedFileLookup>;
  /** Tests only: rewrites each piece before it is sent (a sender whose bytes do not check). */
  readonly tamperPiece?: ((bytes: Uint8Array) => Uint8Array) | undefined;
}

interface Receiving {
  readonly piece: (bytes: Uint8Array) => void;
  readonly settle: (full: boolean) => void;
}

/**
 * The file frames of one channel (docs/protocol/direct.md §9), both ways: fetching a file's sealed
 * bytes window by window, and serving the files this device sent. The frame rules are
 * DirectFileWindows'; a breach throws ProtocolError from onFrame, and DirectChannel closes the
 * channel as `malformed`. Nothing here decrypts: the receiver's writer checks every sealed chunk
 * and the digest, as for an HTTP download.
 */
export class DirectFiles {
  private readonly windows = new DirectFileWindows();
  private readonly receiving = new Map<number, Receiving>();
  private closed = false;

  constructor(
    /** Sends one frame; throws when the channel is gone. */
    private readonly send: (frame: Uint8Array) => void,
    private readonly serving: FileServing,
    /** Closes the channel as `malformed` (a request for a file not sent to this peer). */
    private readonly breach: () => void,
    private readonly stallMs: number = FILE_STALL_MS,
  ) {}

  /**
   * Fetches window after window until the file is complete, the channel closes, the sender has
   * no (more) of it, or no frame came for FILE_STALL_MS. Resolves with the first byte not written
   * (`length` when all came): the caller goes on from there over HTTP. Rejects with a write's error.
   */
  async fetch(job: FileFetch): Promise<number> {
    let at = job.from;
    while (at < job.length && !this.closed && this.windows.mayAsk && !job.signal?.aborted) {
      const window = await this.window(job, at);
      at = window.reached;
      if (!window.full) break;
    }
    return at;
  }

  /** A file frame from the peer (its layout already checked). Throws ProtocolError on a breach. */
  onFrame(frame: DirectFileFrame): void {
    if (frame.type === 'file_request') {
      this.windows.serve(frame.request);
      void this.serve(frame);
    } else if (frame.type === 'file_piece') {
      this.windows.piece(frame);
      // A window given up (stalled, cancelled) still follows the rules, but its bytes are dropped.
      this.receiving.get(frame.request)?.piece(frame.bytes);
    } else {
      const full = this.windows.end(frame);
      this.receiving.get(frame.request)?.settle(full);
    }
  }

  /** The channel closed: every fetch resolves with what it wrote, every serve stops. */
  close(): void {
    this.closed = true;
    for (const receiving of [...this.receiving.values()]) receiving.settle(false);
  }

  private window(job: FileFetch, start: number): Promise<{ readonly reached: number; readonly full: boolean }> {
    const request = this.windows.ask(start, MAX_DIRECT_FILE_WINDOW_BYTES, job.length);
    const end = Math.min(start + MAX_DIRECT_FILE_WINDOW_BYTES, job.length);
    let reached = start;
    let writes: Promise<void> = Promise.resolve();
    let failure: { readonly error: unknown } | undefined;
    return new Promise((resolve, reject) => {
      let stall: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const settle = (full: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        job.signal?.removeEventListener('abort', onAbort);
        this.receiving.delete(request);
        // Every piece taken is written (or refused) before the window counts as done.
        void writes.then(() => {
          if (failure) reject(failure.error);
          else resolve({ reached, full: full && reached === end });
        });
      };
      const onAbort = (): void => settle(false);
      const arm = (): void => {
        clearTimeout(stall);
        stall = setTimeout(() => settle(false), this.stallMs);
      };
      const piece = (bytes: Uint8Array): void => {
        arm();
        writes = writes.then(async () => {
          if (failure || job.signal?.aborted) return;
          try {
            await job.write(bytes);
            reached += bytes.length;
            job.onProgress?.(reached, job.length);
          } catch (error) {
            failure = { error };
          }
        });
      };
      job.signal?.addEventListener('abort', onAbort);
      this.receiving.set(request, { piece, settle });
      arm();
      const { attachmentId } = job;
      try {
        const length = MAX_DIRECT_FILE_WINDOW_BYTES;
        this.send(encodeDirectFrame({ type: 'file_request', request, attachmentId, offset: start, length }));
      } catch {
        settle(false);
      }
    });
  }

  private async serve(frame: Extract<DirectFileFrame, { type: 'file_request' }>): Promise<void> {
    const { request, offset } = frame;
    let status: DirectFileStatus = 'sent';
    try {
      const file = await this.serving.lookup(toHex(frame.attachmentId));
      if (file === 'not_theirs') return this.breach();
      if (file === 'not_held') status = 'not_held';
      else if (offset >= file.length) status = 'refused';
      else {
        const end = Math.min(offset + frame.length, file.length);
        for (let at = offset; at < end && !this.closed;) {
          const bytes = await file.read(at, Math.min(READ_BYTES, end - at));
          for (let cut = 0; cut < bytes.length && !this.closed; cut += MAX_DIRECT_FILE_PIECE_BYTES) {
            const piece = bytes.subarray(cut, cut + MAX_DIRECT_FILE_PIECE_BYTES);
            const sent = this.serving.tamperPiece?.(piece) ?? piece;
            this.send(encodeDirectFrame({ type: 'file_piece', request, offset: at + cut, bytes: sent }));
          }
          at += bytes.length;
        }
      }
    } catch {
      // The vault read failed (the message deleted meanwhile, the vault locked): the rest goes over HTTP.
      status = 'refused';
    }
    if (this.closed) return;
    this.windows.served(request);
    try {
      this.send(encodeDirectFrame({ type: 'file_end', request, status }));
    } catch {
      // The channel is gone: the asker goes on over HTTP.
    }
  }
}
