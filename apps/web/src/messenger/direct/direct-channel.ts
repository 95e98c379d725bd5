import {
  DirectSequence,
  ProtocolError,
  decodeDirectFrame,
  encodeDirectFrame,
  type DirectFrame,
} from '@opendescent/protocol';
import { DirectFiles, FILE_STALL_MS, type FileFetch, type FileServing } from './direct-files';
import type { DirectCloseReason, DirectLink } from './direct-ports';

/** How long a data frame waits for its ack before its blob goes through the relay (direct.md §6). */
export const ACK_TIMEOUT_MS = 5_000;
/** Data frames unacked in each direction, in blob bytes (direct.md §7). */
export const MAX_UNACKED_BYTES = 8 * 1024 * 1024;
/** A channel with no frame either way for this long is closed (direct.md §7). */
export const IDLE_CLOSE_MS = 10 * 60_000;

export interface ChannelTiming {
  readonly ackTimeoutMs: number;
  readonly idleCloseMs: number;
  readonly fileStallMs: number;
}

export const CHANNEL_TIMING: ChannelTiming = {
  ackTimeoutMs: ACK_TIMEOUT_MS,
  idleCloseMs: IDLE_CLOSE_MS,
  fileStallMs: FILE_STALL_MS,
};

/**
 * What the receiving side does with a blob: true once it is committed (or known, or dropped as
 * bad input), so the ack may go; false when it could not be handled now (it is not acked, and the
 * sender sends it through the relay after ACK_TIMEOUT_MS).
 */
export type BlobReceiver = (blob: Uint8Array) => Promise<boolean>;

interface Waiting {
  readonly bytes: number;
  readonly settle: (acked: boolean) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * One open, checked channel with one peer device (direct.md §5-§7): data frames out, each waiting
 * for its ack; data frames in, handed to the inbox in order and acked once committed; file frames
 * (§9) to and from DirectFiles. Any breach of the frame rules closes it as `malformed`; the owner
 * (DirectChannels) then goes back to the relay.
 */
export class DirectChannel {
  private readonly sequence = new DirectSequence();
  private readonly waiting = new Map<number, Waiting>();
  private unackedOut = 0;
  private unackedIn = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private receiving: Promise<void> = Promise.resolve();
  private closedWith: DirectCloseReason | undefined;
  private readonly files: DirectFiles;

  constructor(
    readonly peer: string,
    readonly id: string,
    private readonly link: DirectLink,
    private readonly receive: BlobReceiver,
    private readonly closed: (reason: DirectCloseReason) => void,
    serving: FileServing,
    private readonly timing: ChannelTiming = CHANNEL_TIMING,
  ) {
    this.files = new DirectFiles(
      (frame) => this.sendFrame(frame),
      serving,
      () => this.close('malformed'),
      timing.fileStallMs,
    );
    link.onFrame((frame) => this.onFrame(frame));
    link.onClose(() => this.close('closed'));
    this.touch();
  }

  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  /**
   * Sends one blob as a data frame. Resolves true once the peer acked it, false when it cannot
   * go or was not acked in time: the caller then sends the same bytes through the relay.
   */
  send(blob: Uint8Array): Promise<boolean> {
    if (!this.isOpen || this.unackedOut + blob.length > MAX_UNACKED_BYTES) return Promise.resolve(false);
    let frame: Uint8Array;
    let seq: number;
    try {
      seq = this.sequence.nextToSend();
      frame = encodeDirectFrame({ type: 'data', seq, blob });
    } catch {
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => this.settle(seq, false), this.timing.ackTimeoutMs);
      this.waiting.set(seq, { bytes: blob.length, settle: resolve, timer });
      this.unackedOut += blob.length;
      try {
        this.sendFrame(frame);
      } catch {
        // Closed by sendFrame: the blob is settled false and goes through the relay.
      }
    });
  }

  /** Fetches a file's sealed bytes from the peer (direct.md §9): resolves with the first byte not written. */
  fetchFile(job: FileFetch): Promise<number> {
    return this.isOpen ? this.files.fetch(job) : Promise.resolve(job.from);
  }

  close(reason: DirectCloseReason): void {
    if (!this.isOpen) return;
    this.closedWith = reason;
    clearTimeout(this.idle);
    this.files.close();
    for (const seq of [...this.waiting.keys()]) this.settle(seq, false);
    try {
      this.link.close();
    } catch {
      // Already closed by the browser.
    }
    this.closed(reason);
  }

  private settle(seq: number, acked: boolean): void {
    const waiting = this.waiting.get(seq);
    if (!waiting) return;
    this.waiting.delete(seq);
    clearTimeout(waiting.timer);
    this.unackedOut -= waiting.bytes;
    waiting.settle(acked);
  }

  private onFrame(bytes: unknown): void {
    if (!this.isOpen) return;
    let frame: DirectFrame;
    try {
      frame = decodeDirectFrame(bytes);
      this.touch();
      if (frame.type === 'ack') this.sequence.acked(frame.seq);
      else if (frame.type === 'data') this.sequence.received(frame.seq);
      else this.files.onFrame(frame);
    } catch (error) {
      if (error instanceof ProtocolError) this.close('malformed');
      return;
    }
    if (frame.type === 'ack') {
      // An ack that came after its timeout is still valid: the blob went both ways, and is shown once.
      this.settle(frame.seq, true);
      return;
    }
    if (frame.type !== 'data') return;
    this.unackedIn += frame.blob.length;
    if (this.unackedIn > MAX_UNACKED_BYTES) {
      this.close('malformed');
      return;
    }
    const { seq, blob } = frame;
    // Handed over one at a time, in the order they came.
    this.receiving = this.receiving.then(async () => {
      const committed = await this.receive(blob).catch(() => false);
      this.unackedIn -= blob.length;
      if (!committed || !this.isOpen) return;
      try {
        this.sendFrame(encodeDirectFrame({ type: 'ack', seq }));
      } catch {
        // Closed already.
      }
    });
  }

  /** Sends a frame; a link that refuses closes the channel, and the caller hears it as a throw. */
  private sendFrame(frame: Uint8Array): void {
    if (!this.isOpen) throw new Error('the channel is closed');
    try {
      this.link.send(frame);
    } catch (error) {
      this.close('closed');
      throw error;
    }
    this.touch();
  }

  private touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close('closed'), this.timing.idleCloseMs);
  }
}
