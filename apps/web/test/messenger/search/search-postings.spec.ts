/**
 * The snapshot's compact posting lists (search-postings.ts): MiniSearch's term data comes back key
 * for key, and text the encoder did not write (truncated, reordered, malformed) is refused.
 */
import { decodePostings, encodePostings } from '../../../src/messenger/search/search-postings';

describe('compact posting lists', () => {
  it('round-trips term data: gaps and frequencies in base 36, frequency 1 left out', () => {
    const data = { '0': { '0': 1, '5': 2, '40': 1, '1000000': 37 }, '2': { '7': 1 } };
    const text = encodePostings(data);
    expect(text).toBe('0 0,5:2,z,lfko:11;2 7');
    expect(decodePostings(text)).toEqual(data);
  });

  it('sorts shortIds whatever order the object lists them in', () => {
    const data: Record<string, Record<string, number>> = { '1': {} };
    for (const id of [9, 3, 700, 4]) (data['1'] as Record<string, number>)[id] = 1;
    expect(decodePostings(encodePostings(data))).toEqual({ '1': { '3': 1, '4': 1, '9': 1, '700': 1 } });
  });

  it('keeps a term or a field whose postings are all gone', () => {
    expect(decodePostings(encodePostings({}))).toEqual({});
    expect(decodePostings(encodePostings({ '0': {} }))).toEqual({ '0': {} });
  });

  it.each([
    ['no field id', '5,6'],
    ['a trailing foreign character', '0 5x!'],
    ['a repeated id (gap 0 after the first)', '0 5,0'],
    ['a zero frequency', '0 5:0'],
    ['a negative gap', '0 5,-1'],
    ['an empty posting', '0 5,,6'],
    ['an empty field', '0 5;'],
  ])('refuses malformed text: %s', (_name, text) => {
    expect(() => decodePostings(text)).toThrow('malformed postings');
  });
});
