import { ProtocolError } from '../errors';

/**
 * The file frames of a direct channel (docs/protocol/direct.md §9): a device asks the sender of a
 * file for one window of its sealed bytes, the sender answers with pieces in order and an end.
 * Layouts and value ranges are checked here; which request is open, and whether a piece is the
 * next one of its window, is DirectFileWindows' (file-windows.ts).
 */

export const DIRECT_FRAME_FILE_REQUEST = 0x03;
export const DIRECT_FRAME_FILE_PIECE = 0x04;
export const DIRECT_FRAME_FILE_END = 0x05;
/** The relay's attachment id (attachments.md §4): what a request names. */
export const DIRECT_FILE_ID_BYTES = 16;
/** The most one request asks for; a window is then asked again from where it ended. */
export const MAX_DIRECT_FILE_WINDOW_BYTES = 1_048_576;
/** The most bytes one piece carries. */
export const MAX_DIRECT_FILE_PIECE_BYTES = 65_536;
/** Requests one device may have open on a channel at once (direct.md §9). */
export const MAX_DIRECT_FILE_REQUESTS = 4;
const MAX_REQUEST = 0xffff_ffff;
/** type ‖ request ‖ offset ‖ the largest piece. */
export const MAX_DIRECT_FILE_FRAME_BYTES = 1 + 4 + 8 + MAX_DIRECT_FILE_PIECE_BYTES;
const REQUEST_BYTES = 1 + 4 + DIRECT_FILE_ID_BYTES + 8 + 4;
const END_BYTES = 1 + 4 + 1;

/** What an end says: `sent` the whole window (or up to the file's end), `not_held` here, `refused`. */
export type DirectFileStatus = 'sent' | 'not_held' | 'refused';
const STATUS_CODES: Readonly<Record<DirectFileStatus, number>> = { sent: 0, not_held: 1, refused: 2 };
const STATUSES: readonly DirectFileStatus[] = ['sent', 'not_held', 'refused'];
const TYPE_CODES = {
  file_request: DIRECT_FRAME_FILE_REQUEST,
  file_piece: DIRECT_FRAME_FILE_PIECE,
  file_end: DIRECT_FRAME_FILE_END,
} as const;

export type DirectFileFrame =
  | {
      readonly type: 'file_request';
      readonly request: number;
      readonly attachmentId: Uint8Array;
      readonly offset: number;
      readonly length: number;
    }
  | { readonly type: 'file_piece'; readonly request: number; readonly offset: number; readonly bytes: Uint8Array }
  | { readonly type: 'file_end'; readonly request: number; readonly status: DirectFileStatus };

function refuse(reason: string): never {
  throw new ProtocolError('malformed', `direct file frame: ${reason}`);
}

function checkRequest(request: number): void {
  if (!Number.isInteger(request) || request < 1 || request > MAX_REQUEST)
    refuse(`a request number is an integer from 1 to ${MAX_REQUEST}`);
}

function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) refuse('an offset is a safe integer from 0');
}

export function encodeDirectFileFrame(frame: DirectFileFrame): Uint8Array {
  checkRequest(frame.request);
  let out: Uint8Array;
  if (frame.type === 'file_request') {
    const { attachmentId, offset, length } = frame;
    if (!(attachmentId instanceof Uint8Array) || attachmentId.length !== DIRECT_FILE_ID_BYTES)
      refuse(`an attachment id is ${DIRECT_FILE_ID_BYTES} bytes`);
    checkOffset(offset);
    if (!Number.isInteger(length) || length < 1 || length > MAX_DIRECT_FILE_WINDOW_BYTES)
      refuse(`a window is 1 to ${MAX_DIRECT_FILE_WINDOW_BYTES} bytes`);
    out = new Uint8Array(REQUEST_BYTES);
    out.set(attachmentId, 5);
    const view = new DataView(out.buffer);
    view.setBigUint64(5 + DIRECT_FILE_ID_BYTES, BigInt(offset));
    view.setUint32(5 + DIRECT_FILE_ID_BYTES + 8, length);
  } else if (frame.type === 'file_piece') {
    const { offset, bytes } = frame;
    checkOffset(offset);
    if (!(bytes instanceof Uint8Array) || bytes.length < 1 || bytes.length > MAX_DIRECT_FILE_PIECE_BYTES)
      refuse(`a piece is 1 to ${MAX_DIRECT_FILE_PIECE_BYTES} bytes`);
    out = new Uint8Array(1 + 4 + 8 + bytes.length);
    new DataView(out.buffer).setBigUint64(5, BigInt(offset));
    out.set(bytes, 13);
  } else {
    if (!STATUSES.includes(frame.status)) refuse('an unknown status');
    out = new Uint8Array(END_BYTES);
    out[5] = STATUS_CODES[frame.status];
  }
  out[0] = TYPE_CODES[frame.type];
  new DataView(out.buffer).setUint32(1, frame.request);
  return out;
}

/** Whether a frame's type byte is one of §9's. */
export function isDirectFileFrameType(type: number | undefined): boolean {
  return type === DIRECT_FRAME_FILE_REQUEST || type === DIRECT_FRAME_FILE_PIECE || type === DIRECT_FRAME_FILE_END;
}

/** A file frame read from the channel (its type byte already one of §9's); a piece's bytes are a copy. */
export function decodeDirectFileFrame(bytes: Uint8Array): DirectFileFrame {
  if (bytes.length > MAX_DIRECT_FILE_FRAME_BYTES) refuse('too long');
  if (bytes.length < END_BYTES) refuse('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const request = view.getUint32(1);
  checkRequest(request);
  const offsetAt = (at: number): number => {
    const offset = view.getBigUint64(at);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) refuse('an offset past 2^53 - 1');
    return Number(offset);
  };
  switch (bytes[0]) {
    case DIRECT_FRAME_FILE_REQUEST: {
      if (bytes.length !== REQUEST_BYTES) refuse(`a request is ${REQUEST_BYTES} bytes`);
      const length = view.getUint32(5 + DIRECT_FILE_ID_BYTES + 8);
      if (length < 1 || length > MAX_DIRECT_FILE_WINDOW_BYTES)
        refuse(`a window is 1 to ${MAX_DIRECT_FILE_WINDOW_BYTES} bytes`);
      return {
        type: 'file_request',
        request,
        attachmentId: bytes.slice(5, 5 + DIRECT_FILE_ID_BYTES),
        offset: offsetAt(5 + DIRECT_FILE_ID_BYTES),
        length,
      };
    }
    case DIRECT_FRAME_FILE_PIECE:
      if (bytes.length <= 13) refuse('a piece without bytes');
      return { type: 'file_piece', request, offset: offsetAt(5), bytes: bytes.slice(13) };
    case DIRECT_FRAME_FILE_END: {
      if (bytes.length !== END_BYTES) refuse(`an end is ${END_BYTES} bytes`);
      const status = STATUSES[bytes[5] as number];
      if (!status) refuse('an unknown status');
      return { type: 'file_end', request, status };
    }
    default:
      return refuse('not a file frame');
  }
}
