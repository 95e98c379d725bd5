import { ProtocolError } from '../errors';
import { MAX_DIRECT_FILE_REQUESTS, type DirectFileFrame } from './file-frames';

type Piece = Extract<DirectFileFrame, { type: 'file_piece' }>;
type End = Extract<DirectFileFrame, { type: 'file_end' }>;

interface Window {
  /** The next byte a piece must start at. */
  next: number;
  /** One past the last byte the window may carry: its end, or the file's. */
  readonly end: number;
}

function breach(reason: string): never {
  throw new ProtocolError('malformed', `direct file frame: ${reason}`);
}

/**
 * The window rules of one channel (docs/protocol/direct.md §9), for both sides, as DirectSequence
 * is for data frames. Asking: at most MAX_DIRECT_FILE_REQUESTS windows open, each filled by
 * pieces in order and inside it, closed by one end (an end `sent` only once it is full).
 * Serving: the peer may not have more open, nor reuse an open request number. Every breach
 * throws ProtocolError('malformed'): the channel is then closed.
 */
export class DirectFileWindows {
  readonly #asked = new Map<number, Window>();
  readonly #served = new Set<number>();
  #lastAsked = 0;

  /** Whether another request may go now. */
  get mayAsk(): boolean {
    return this.#asked.size < MAX_DIRECT_FILE_REQUESTS;
  }

  /**
   * Opens a window of ours: bytes from `offset`, `length` of them or up to `fileLength`. Returns
   * the request number to send. Throws RangeError when MAX_DIRECT_FILE_REQUESTS are open already
   * or the window starts at or past the file's end (a caller's mistake, not the peer's).
   */
  ask(offset: number, length: number, fileLength: number): number {
    if (!this.mayAsk) throw new RangeError('direct files: every request slot is taken');
    if (offset >= fileLength) throw new RangeError('direct files: a window starts at or past the end');
    do this.#lastAsked = this.#lastAsked >= 0xffff_ffff ? 1 : this.#lastAsked + 1;
    while (this.#asked.has(this.#lastAsked));
    this.#asked.set(this.#lastAsked, { next: offset, end: Math.min(offset + length, fileLength) });
    return this.#lastAsked;
  }

  /** A piece for one of our windows: it must be the next bytes of an open one, inside it. */
  piece(frame: Piece): void {
    const window = this.#asked.get(frame.request);
    if (!window) breach(`a piece for request ${frame.request}, which is not open`);
    if (frame.offset !== window.next) breach(`a piece at ${frame.offset}, expected ${window.next}`);
    if (frame.offset + frame.bytes.length > window.end) breach('a piece past the end of its window');
    window.next += frame.bytes.length;
  }

  /** The end of one of our windows: `sent` only once every byte of it came. Returns whether it was full. */
  end(frame: End): boolean {
    const window = this.#asked.get(frame.request);
    if (!window) breach(`an end for request ${frame.request}, which is not open`);
    if (frame.status === 'sent' && window.next !== window.end) breach('an end `sent` before its window was full');
    this.#asked.delete(frame.request);
    return window.next === window.end;
  }

  /** A request from the peer: at most MAX_DIRECT_FILE_REQUESTS open, never a number already open. */
  serve(request: number): void {
    if (this.#served.has(request)) breach(`request ${request} is open already`);
    if (this.#served.size >= MAX_DIRECT_FILE_REQUESTS)
      breach(`more than ${MAX_DIRECT_FILE_REQUESTS} requests open at once`);
    this.#served.add(request);
  }

  /** The peer's request was answered with its end. */
  served(request: number): void {
    this.#served.delete(request);
  }
}
