/**
 * The file frames of a direct channel (docs/protocol/direct.md §9): the golden vector, round trips,
 * every malformed frame refused with ProtocolError only, and the window rules of both sides by
 * name (a piece out of order, past its window, for a request not open; an early end; a fifth
 * request; a request number reused while open).
 */
import fc from 'fast-check';
import { concatBytes } from '@opendescent/crypto';
import {
  DIRECT_FILE_ID_BYTES,
  DirectFileWindows,
  MAX_DIRECT_FILE_PIECE_BYTES,
  MAX_DIRECT_FILE_REQUESTS,
  MAX_DIRECT_FILE_WINDOW_BYTES,
  MAX_DIRECT_FRAME_BYTES,
  ProtocolError,
  decodeDirectFrame,
  encodeDirectFrame,
  type DirectFileFrame,
} from '../../src';
import { expectGolden, hex, labelled, protocolCode } from '../support';

const attachmentId = labelled('OpenDescent golden vector direct attachment id', DIRECT_FILE_ID_BYTES);
const pieceBytes = concatBytes(labelled('OpenDescent golden vector direct piece', 32), Uint8Array.of(1, 2, 3));

describe('direct channel file frames', () => {
  it('encode and decode the golden vector: a request, a piece and each end status', () => {
    const frames: Record<string, DirectFileFrame> = {
      request: { type: 'file_request', request: 7, attachmentId, offset: 2 ** 33 + 5, length: 1_048_576 },
      piece: { type: 'file_piece', request: 7, offset: 2 ** 33 + 5, bytes: pieceBytes },
      endSent: { type: 'file_end', request: 7, status: 'sent' },
      endNotHeld: { type: 'file_end', request: 8, status: 'not_held' },
      endRefused: { type: 'file_end', request: 9, status: 'refused' },
    };
    const vector: Record<string, unknown> = {
      description:
        'direct.md §9: a file request (request 7, a 16-byte attachment id from a public label, offset 2^33 + 5, a 1 MiB window), a piece of it (35 bytes), and an end of each status',
      attachmentId: hex(attachmentId),
    };
    for (const [name, frame] of Object.entries(frames)) {
      const bytes = encodeDirectFrame(frame);
      vector[name] = hex(bytes);
      expect(decodeDirectFrame(bytes)).toEqual(frame);
    }
    expectGolden('direct-files-v1', vector);
  });

  it('round-trips any request, piece and end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: MAX_DIRECT_FILE_WINDOW_BYTES }),
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.constantFrom('sent' as const, 'not_held' as const, 'refused' as const),
        (request, offset, length, bytes, status) => {
          const frames: DirectFileFrame[] = [
            { type: 'file_request', request, attachmentId, offset, length },
            { type: 'file_piece', request, offset, bytes },
            { type: 'file_end', request, status },
          ];
          for (const frame of frames) expect(decodeDirectFrame(encodeDirectFrame(frame))).toEqual(frame);
        },
      ),
    );
    const largest = encodeDirectFrame({
      type: 'file_piece',
      request: 1,
      offset: 0,
      bytes: new Uint8Array(MAX_DIRECT_FILE_PIECE_BYTES).fill(3),
    });
    expect(largest.length).toBe(MAX_DIRECT_FRAME_BYTES);
  });

  it('a decoded piece is a copy: changing the frame afterwards changes nothing', () => {
    const frame = encodeDirectFrame({ type: 'file_piece', request: 1, offset: 0, bytes: Uint8Array.of(4, 5) });
    const decoded = decodeDirectFrame(frame);
    frame[13] = 99;
    expect(decoded).toEqual({ type: 'file_piece', request: 1, offset: 0, bytes: Uint8Array.of(4, 5) });
  });

  it('malformed: short, long, request 0, an offset past 2^53 - 1, an empty or oversized window, a piece without bytes, an unknown status', () => {
    const request = (edit: (bytes: Uint8Array, view: DataView) => void, length = 33): Uint8Array => {
      const bytes = encodeDirectFrame({ type: 'file_request', request: 1, attachmentId, offset: 0, length: 10 });
      const out = new Uint8Array(length);
      out.set(bytes.subarray(0, Math.min(bytes.length, length)));
      edit(out, new DataView(out.buffer));
      return out;
    };
    const cases: Uint8Array[] = [
      Uint8Array.of(3, 0, 0, 0, 1),
      request(() => undefined, 32),
      request(() => undefined, 34),
      request((_, view) => view.setUint32(1, 0)),
      request((_, view) => view.setBigUint64(21, 2n ** 53n)),
      request((_, view) => view.setUint32(29, 0)),
      request((_, view) => view.setUint32(29, MAX_DIRECT_FILE_WINDOW_BYTES + 1)),
      Uint8Array.of(4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0),
      new Uint8Array(MAX_DIRECT_FRAME_BYTES + 1).fill(4),
      Uint8Array.of(5, 0, 0, 0, 1, 3),
      Uint8Array.of(5, 0, 0, 0, 1, 0, 0),
    ];
    for (const bytes of cases) expect(protocolCode(() => decodeDirectFrame(bytes))).toBe('malformed');
    const refusedToEncode: DirectFileFrame[] = [
      { type: 'file_request', request: 1, attachmentId: new Uint8Array(15), offset: 0, length: 1 },
      { type: 'file_request', request: 1, attachmentId, offset: -1, length: 1 },
      { type: 'file_request', request: 1, attachmentId, offset: 0, length: MAX_DIRECT_FILE_WINDOW_BYTES + 1 },
      { type: 'file_piece', request: 1, offset: 0, bytes: new Uint8Array(0) },
      { type: 'file_piece', request: 1, offset: 0, bytes: new Uint8Array(MAX_DIRECT_FILE_PIECE_BYTES + 1) },
      { type: 'file_end', request: 2 ** 32, status: 'sent' },
    ];
    for (const frame of refusedToEncode) expect(protocolCode(() => encodeDirectFrame(frame))).toBe('malformed');
  });

  it('throws nothing but ProtocolError, whatever follows a file frame type', () => {
    fc.assert(
      fc.property(fc.constantFrom(3, 4, 5), fc.uint8Array({ maxLength: 64 }), (type, rest) => {
        try {
          decodeDirectFrame(Uint8Array.of(type, ...rest));
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});

describe('the window rules of a channel', () => {
  const piece = (request: number, offset: number, length: number) =>
    ({ type: 'file_piece', request, offset, bytes: new Uint8Array(length) }) as const;

  it('fills a window with pieces in order, up to the file end, and ends it once full', () => {
    const windows = new DirectFileWindows();
    const request = windows.ask(100, 1000, 250);
    windows.piece(piece(request, 100, 100));
    windows.piece(piece(request, 200, 50));
    expect(windows.end({ type: 'file_end', request, status: 'sent' })).toBe(true);
  });

  it('out of order, replayed, past its window or for a request not open: malformed', () => {
    const windows = new DirectFileWindows();
    const request = windows.ask(0, 100, 1000);
    expect(protocolCode(() => windows.piece(piece(request, 10, 5)))).toBe('malformed'); // a piece skipped
    windows.piece(piece(request, 0, 10));
    expect(protocolCode(() => windows.piece(piece(request, 0, 10)))).toBe('malformed'); // replayed
    expect(protocolCode(() => windows.piece(piece(request, 10, 91)))).toBe('malformed'); // past the window
    expect(protocolCode(() => windows.piece(piece(request + 1, 0, 1)))).toBe('malformed'); // not open
    expect(protocolCode(() => windows.end({ type: 'file_end', request, status: 'sent' }))).toBe('malformed'); // early
  });

  it('an end `not_held` or `refused` closes a window that is not full; a second end is malformed', () => {
    const windows = new DirectFileWindows();
    const request = windows.ask(0, 100, 1000);
    windows.piece(piece(request, 0, 10));
    expect(windows.end({ type: 'file_end', request, status: 'refused' })).toBe(false);
    expect(protocolCode(() => windows.end({ type: 'file_end', request, status: 'refused' }))).toBe('malformed');
    expect(protocolCode(() => windows.piece(piece(request, 10, 1)))).toBe('malformed');
  });

  it('asks at most MAX_DIRECT_FILE_REQUESTS windows at once, never one past the file end', () => {
    const windows = new DirectFileWindows();
    const requests = Array.from({ length: MAX_DIRECT_FILE_REQUESTS }, () => windows.ask(0, 10, 10));
    expect(new Set(requests).size).toBe(MAX_DIRECT_FILE_REQUESTS);
    expect(windows.mayAsk).toBe(false);
    expect(() => windows.ask(0, 10, 10)).toThrow(RangeError);
    windows.end({ type: 'file_end', request: requests[0] as number, status: 'not_held' });
    expect(windows.mayAsk).toBe(true);
    expect(() => windows.ask(10, 10, 10)).toThrow(RangeError);
  });

  it('serving: a fifth open request, or a request number reused while open, is malformed', () => {
    const windows = new DirectFileWindows();
    for (let request = 1; request <= MAX_DIRECT_FILE_REQUESTS; request += 1) windows.serve(request);
    expect(protocolCode(() => windows.serve(99))).toBe('malformed');
    expect(protocolCode(() => windows.serve(1))).toBe('malformed');
    windows.served(1);
    windows.serve(1);
  });
});
