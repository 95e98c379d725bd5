import { utf8Decode, utf8Encode } from '@opendescent/crypto';
import { ProtocolError } from '@opendescent/protocol';
import { decodeRecordValue, encodeRecordValue } from '../../src/store/record-codec';

describe('record codec', () => {
  it('golden vector: JSON with bytes as {"$b": base64url}, keys in insertion order', () => {
    const value = {
      text: 'hi',
      blob: Uint8Array.of(0, 255, 1, 0xfb),
      n: -1.5,
      list: [true, null, 'é'],
      nested: { empty: new Uint8Array(0) },
    };
    const encoded = encodeRecordValue(value);
    expect(utf8Decode(encoded)).toBe(
      '{"text":"hi","blob":{"$b":"AP8B-w"},"n":-1.5,"list":[true,null,"é"],"nested":{"empty":{"$b":""}}}',
    );
    expect(decodeRecordValue(encoded)).toEqual(value);
  });

  it('round-trips every byte value and a large array', () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const large = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
    expect(decodeRecordValue(encodeRecordValue([every, large]))).toEqual([every, large]);
  });

  it('round-trips strings with astral characters and escapes exactly', () => {
    const text = 'a\u0000b"\\\n\u{1F511}\u2028';
    expect(decodeRecordValue(encodeRecordValue({ text }))).toEqual({ text });
  });

  it('omits undefined object properties, as JSON does', () => {
    expect(decodeRecordValue(encodeRecordValue({ a: 1, b: undefined }))).toEqual({ a: 1 });
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    const decoded = decodeRecordValue(encodeRecordValue(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  class Point {
    x = 1;
  }
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  it.each([
    ['undefined at the top', undefined],
    ['undefined in an array', [1, undefined]],
    ['an array hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a bigint', { n: 1n }],
    ['a function', { f: () => 1 }],
    ['a Date', { at: new Date(0) }],
    ['a Map', new Map()],
    ['a class instance', { p: new Point() }],
    ['an object using the reserved "$b" key', { $b: 'AAAA' }],
    ['a cycle', cyclic],
  ])('refuses %s instead of storing something else', (_what, value) => {
    expect(() => encodeRecordValue(value)).toThrow(TypeError);
  });

  it('names the path and the type in a refusal, never the value', () => {
    expect(() => encodeRecordValue({ keys: [{ secret: new Date(1234567) }] })).toThrow(
      'value.keys[0].secret is a Date',
    );
  });

  it('refuses a bytes tag that is not base64url', () => {
    expect(() => decodeRecordValue(utf8Encode('{"$b":"A+/="}'))).toThrow(ProtocolError);
    expect(() => decodeRecordValue(utf8Encode('{"$b":"A"}'))).toThrow(ProtocolError);
    // Non-canonical trailing bits ("AB" is 0x00 with a stray low bit) are refused as well.
    expect(() => decodeRecordValue(utf8Encode('{"$b":"AB"}'))).toThrow(ProtocolError);
  });
});
