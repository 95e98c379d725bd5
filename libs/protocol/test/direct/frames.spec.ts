/**
 * The frames of a direct channel (docs/protocol/direct.md §5): the golden vector, round trips,
 * every malformed frame refused with ProtocolError only, and the sequence rules (out-of-order,
 * replayed, unknown and repeated acks).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { concatBytes } from '@opendescent/crypto';
import {
  DirectSequence,
  MAX_DIRECT_BLOB_BYTES,
  MAX_DIRECT_DATA_FRAME_BYTES,
  ProtocolError,
  decodeDirectFrame,
  encodeDirectFrame,
} from '../../src';
import { fromHex, hex, labelled, protocolCode } from '../support';

interface Vector {
  readonly data: { readonly seq: number; readonly blob: string; readonly bytes: string };
  readonly ack: { readonly seq: number; readonly bytes: string };
}
const vector = JSON.parse(readFileSync(path.join(__dirname, '..', 'golden', 'direct-v1.json'), 'utf8')) as Vector;

describe('direct channel frames', () => {
  it('encode and decode the golden vector: a data frame and an ack', () => {
    const blob = concatBytes(
      labelled('OpenDescent golden vector direct blob', 32),
      labelled('OpenDescent golden vector direct blob 2', 8),
    );
    expect(vector.data.blob).toBe(hex(blob));
    expect(hex(encodeDirectFrame({ type: 'data', seq: 1, blob }))).toBe(vector.data.bytes);
    expect(decodeDirectFrame(fromHex(vector.data.bytes))).toEqual({ type: 'data', seq: 1, blob });
    expect(hex(encodeDirectFrame({ type: 'ack', seq: 258 }))).toBe(vector.ack.bytes);
    expect(decodeDirectFrame(fromHex(vector.ack.bytes))).toEqual({ type: 'ack', seq: 258 });
  });

  it('round-trips any blob from 1 byte to the largest, and any seq', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffff_ffff }),
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        (seq, blob) => {
          expect(decodeDirectFrame(encodeDirectFrame({ type: 'data', seq, blob }))).toEqual({
            type: 'data',
            seq,
            blob,
          });
          expect(decodeDirectFrame(encodeDirectFrame({ type: 'ack', seq }))).toEqual({ type: 'ack', seq });
        },
      ),
    );
    const largest = new Uint8Array(MAX_DIRECT_BLOB_BYTES).fill(7);
    const frame = encodeDirectFrame({ type: 'data', seq: 9, blob: largest });
    expect(frame.length).toBe(MAX_DIRECT_DATA_FRAME_BYTES);
    expect(decodeDirectFrame(frame)).toEqual({ type: 'data', seq: 9, blob: largest });
  });

  it('the decoded blob is a copy: changing the frame afterwards changes nothing', () => {
    const frame = encodeDirectFrame({ type: 'data', seq: 1, blob: Uint8Array.of(1, 2, 3) });
    const decoded = decodeDirectFrame(frame);
    frame[5] = 99;
    expect(decoded).toEqual({ type: 'data', seq: 1, blob: Uint8Array.of(1, 2, 3) });
  });

  it('malformed: short, oversized, unknown type, seq 0, an ack with trailing bytes, a data frame without a blob', () => {
    const cases: unknown[] = [
      'text',
      new Uint8Array(0),
      Uint8Array.of(1, 0, 0, 1),
      new Uint8Array(MAX_DIRECT_DATA_FRAME_BYTES + 1).fill(1),
      Uint8Array.of(6, 0, 0, 0, 1, 9),
      Uint8Array.of(0, 0, 0, 0, 1),
      Uint8Array.of(1, 0, 0, 0, 0, 9),
      Uint8Array.of(2, 0, 0, 0, 0),
      Uint8Array.of(2, 0, 0, 0, 1, 0),
      Uint8Array.of(1, 0, 0, 0, 1),
    ];
    for (const bytes of cases) expect(protocolCode(() => decodeDirectFrame(bytes))).toBe('malformed');
    expect(protocolCode(() => encodeDirectFrame({ type: 'data', seq: 1, blob: new Uint8Array(0) }))).toBe('malformed');
    expect(
      protocolCode(() => encodeDirectFrame({ type: 'data', seq: 1, blob: new Uint8Array(MAX_DIRECT_BLOB_BYTES + 1) })),
    ).toBe('malformed');
    for (const seq of [0, -1, 1.5, 2 ** 32])
      expect(protocolCode(() => encodeDirectFrame({ type: 'ack', seq }))).toBe('malformed');
  });

  it('throws nothing but ProtocolError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeDirectFrame(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});

describe('the sequence rules of a channel', () => {
  it('numbers data frames from 1 and keeps the unacked ones, oldest first', () => {
    const sequence = new DirectSequence();
    expect([sequence.nextToSend(), sequence.nextToSend(), sequence.nextToSend()]).toEqual([1, 2, 3]);
    sequence.acked(2);
    expect(sequence.unacked).toEqual([1, 3]);
    sequence.acked(1);
    sequence.acked(3);
    expect(sequence.unacked).toEqual([]);
  });

  it('out-of-order or replayed data frames, unknown or repeated acks are malformed', () => {
    const sequence = new DirectSequence();
    sequence.received(1);
    expect(protocolCode(() => sequence.received(1))).toBe('malformed'); // replayed
    expect(protocolCode(() => sequence.received(3))).toBe('malformed'); // a frame skipped
    sequence.received(2);
    expect(protocolCode(() => sequence.acked(1))).toBe('malformed'); // nothing was sent
    sequence.nextToSend();
    sequence.acked(1);
    expect(protocolCode(() => sequence.acked(1))).toBe('malformed'); // acked twice
  });
});
