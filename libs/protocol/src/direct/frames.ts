import { ProtocolError } from '../errors';
import {
  MAX_DIRECT_FILE_FRAME_BYTES,
  decodeDirectFileFrame,
  encodeDirectFileFrame,
  isDirectFileFrameType,
  type DirectFileFrame,
} from './file-frames';

/**
 * The frames of a direct channel (docs/protocol/direct.md §5): a data frame carries one blob
 * exactly as a relay queue would deliver it, an ack says the receiver committed it. Sequence
 * numbers start at 1 per direction and go up by one per data frame; the stateful checks (the
 * next seq, an ack for a frame sent and not acked yet) are DirectSequence's. The file frames of
 * §9 are file-frames.ts'; decodeDirectFrame reads every type.
 */

export const DIRECT_FRAME_DATA = 0x01;
export const DIRECT_FRAME_ACK = 0x02;
/** The largest blob a data frame carries: a relay blob's limit (relay.md §10). */
export const MAX_DIRECT_BLOB_BYTES = 65_536;
const SEQ_BYTES = 4;
/** type ‖ seq ‖ the largest blob. */
export const MAX_DIRECT_DATA_FRAME_BYTES = 1 + SEQ_BYTES + MAX_DIRECT_BLOB_BYTES;
/** The largest frame of any type (a file piece, §9). */
export const MAX_DIRECT_FRAME_BYTES = Math.max(MAX_DIRECT_DATA_FRAME_BYTES, MAX_DIRECT_FILE_FRAME_BYTES);
const MAX_SEQ = 0xffff_ffff;

export type DirectFrame =
  | { readonly type: 'data'; readonly seq: number; readonly blob: Uint8Array }
  | { readonly type: 'ack'; readonly seq: number }
  | DirectFileFrame;

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_SEQ)
    throw new ProtocolError('malformed', `direct frame: seq must be an integer from 1 to ${MAX_SEQ}`);
}

function header(type: number, seq: number, extra: number): Uint8Array {
  const out = new Uint8Array(1 + SEQ_BYTES + extra);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, seq);
  return out;
}

export function encodeDirectFrame(frame: DirectFrame): Uint8Array {
  if (frame.type !== 'data' && frame.type !== 'ack') return encodeDirectFileFrame(frame);
  checkSeq(frame.seq);
  if (frame.type === 'ack') return header(DIRECT_FRAME_ACK, frame.seq, 0);
  const { blob } = frame;
  if (!(blob instanceof Uint8Array) || blob.length < 1 || blob.length > MAX_DIRECT_BLOB_BYTES)
    throw new ProtocolError('malformed', `direct frame: a blob is 1 to ${MAX_DIRECT_BLOB_BYTES} bytes`);
  const out = header(DIRECT_FRAME_DATA, frame.seq, blob.length);
  out.set(blob, 1 + SEQ_BYTES);
  return out;
}

/** A frame read from the channel; the blob or piece is a copy, never a view of `bytes`. */
export function decodeDirectFrame(bytes: unknown): DirectFrame {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('malformed', 'direct frame: not bytes');
  if (isDirectFileFrameType(bytes[0])) return decodeDirectFileFrame(bytes);
  if (bytes.length > MAX_DIRECT_DATA_FRAME_BYTES) throw new ProtocolError('malformed', 'direct frame: too long');
  if (bytes.length < 1 + SEQ_BYTES) throw new ProtocolError('malformed', 'direct frame: too short');
  const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  checkSeq(seq);
  if (bytes[0] === DIRECT_FRAME_ACK) {
    if (bytes.length !== 1 + SEQ_BYTES) throw new ProtocolError('malformed', 'direct frame: an ack has trailing bytes');
    return { type: 'ack', seq };
  }
  if (bytes[0] !== DIRECT_FRAME_DATA) throw new ProtocolError('malformed', 'direct frame: unknown type');
  if (bytes.length === 1 + SEQ_BYTES) throw new ProtocolError('malformed', 'direct frame: a data frame without a blob');
  return { type: 'data', seq, blob: bytes.slice(1 + SEQ_BYTES) };
}

/**
 * The sequence rules of one channel (direct.md §5), for both directions: data frames are numbered
 * 1, 2, 3… as they are sent; one received must be the next one; an ack must name a frame sent and
 * not acked yet. Every breach throws ProtocolError('malformed'): the channel is then closed.
 */
export class DirectSequence {
  #sent = 0;
  #received = 0;
  readonly #unacked = new Set<number>();

  /** The seq of the next data frame to send, counted as sent and awaiting its ack. */
  nextToSend(): number {
    if (this.#sent >= MAX_SEQ) throw new ProtocolError('malformed', 'direct frame: the channel ran out of seq');
    this.#sent += 1;
    this.#unacked.add(this.#sent);
    return this.#sent;
  }

  /** A data frame received: its seq must be the next one. */
  received(seq: number): void {
    if (seq !== this.#received + 1)
      throw new ProtocolError('malformed', `direct frame: expected data frame ${this.#received + 1}, got ${seq}`);
    this.#received = seq;
  }

  /** An ack received: it must name a frame sent and not acked yet. */
  acked(seq: number): void {
    if (!this.#unacked.delete(seq))
      throw new ProtocolError('malformed', `direct frame: an ack for frame ${seq}, which is not awaiting one`);
  }

  /** Data frames sent and not acked yet, oldest first: what goes to the relay if the channel closes. */
  get unacked(): readonly number[] {
    return [...this.#unacked].sort((a, b) => a - b);
  }
}
