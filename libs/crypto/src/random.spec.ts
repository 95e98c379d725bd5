import { randomBytes } from './index';

describe('randomBytes', () => {
  it('returns the requested length, including zero and more than one Web Crypto call', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(32)).toHaveLength(32);
    expect(randomBytes(65_536 * 2 + 7)).toHaveLength(65_536 * 2 + 7);
  });

  it('fills every chunk, not only the first Web Crypto call', () => {
    const bytes = randomBytes(65_536 * 3);
    // A chunk left at zero would show as a long run of zeros; 4 KiB of zeros from a CSPRNG has
    // probability 2^-32768.
    for (let offset = 0; offset < bytes.length; offset += 4096) {
      expect(bytes.subarray(offset, offset + 4096).some((b) => b !== 0)).toBe(true);
    }
  });

  it('never repeats a 32-byte output', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(Array.from(randomBytes(32)).join(','));
    expect(seen.size).toBe(1000);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the malformed length %p', (length) => {
    expect(() => randomBytes(length)).toThrow(RangeError);
  });
});
