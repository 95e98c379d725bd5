import fc from 'fast-check';
import { ProtocolError } from '../src/index';
import { expectBytesInput, protocolReader, protocolWriter } from '../src/wire-bytes';
import { protocolCode } from './support';

describe('the byte codec under the protocol\'s error contract (README.md, "Conventions")', () => {
  it('malformed: truncated input, trailing bytes, a bound passed, ill-formed UTF-8, input that is not bytes', () => {
    expect(protocolCode(() => protocolReader(Uint8Array.of(1), 'frame').u16('length'))).toBe('malformed');
    expect(protocolCode(() => protocolReader(Uint8Array.of(1), 'frame').end())).toBe('malformed');
    expect(protocolCode(() => protocolReader(Uint8Array.of(0, 3, 1, 2, 3), 'frame').bytes16(2))).toBe('malformed');
    expect(protocolCode(() => protocolReader(Uint8Array.of(0xc0, 0xaf), 'frame').utf8(2, 'name'))).toBe('malformed');
    expect(protocolCode(() => protocolReader('text' as unknown as Uint8Array, 'frame'))).toBe('malformed');
  });

  it('malformed on writing: an integer that does not fit, a fixed field of the wrong length', () => {
    expect(protocolCode(() => protocolWriter().u16(0x10000))).toBe('malformed');
    expect(protocolCode(() => protocolWriter().raw(new Uint8Array(3), 16))).toBe('malformed');
  });

  it('oversized and malformed before parsing: expectBytesInput', () => {
    expect(expectBytesInput(new Uint8Array(4), 'frame', 4)).toHaveLength(4);
    expect(protocolCode(() => expectBytesInput(new Uint8Array(5), 'frame', 4))).toBe('oversized');
    expect(protocolCode(() => expectBytesInput([1, 2], 'frame', 4))).toBe('malformed');
  });

  it('never throws anything but a ProtocolError, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (input) => {
        try {
          const reader = protocolReader(input, 'fuzz');
          reader.u8('kind');
          reader.utf8(reader.u8('name length'), 'name');
          reader.raw(reader.u16('body length'), 'body');
          reader.end();
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).code).toBe('malformed');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
