/** Accept-Language (RFC 9110 §12.5.4) and RFC 4647 §3.4 lookup: never throws, never refuses. */
import { lookupLocale, negotiateLocale, parseAcceptLanguage } from '../src';

const SUPPORTED = ['en', 'fr'] as const;
const negotiate = (header: string | null | undefined) => negotiateLocale(header, SUPPORTED, 'en');

describe('Accept-Language negotiation', () => {
  test.each([
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-GB,en;q=0.9', 'en'],
    ['de-DE,fr;q=0.5', 'fr'],
    ['en;q=0.5, fr;q=0.8', 'fr'],
    ['fr-CA', 'fr'],
    ['FR-ca;Q=1', 'fr'],
    ['zh-Hant-TW, fr;q=0.1', 'fr'],
    ['fr-x-private', 'fr'],
  ])('q-values and RFC 4647 lookup: %p chooses %s', (header, locale) => {
    expect(negotiate(header)).toBe(locale);
  });

  test('equal weights keep the order of the header', () => {
    expect(negotiate('fr;q=0.7, en;q=0.7')).toBe('fr');
    expect(negotiate('en;q=0.7, fr;q=0.7')).toBe('en');
  });

  test.each([
    ['de, it', 'en'],
    ['klingon', 'en'],
    ['tlh-Latn', 'en'],
    ['', 'en'],
  ])('unknown languages fall back to the default: %p chooses %s', (header, locale) => {
    expect(negotiate(header)).toBe(locale);
  });

  test.each([
    ['*', 'en'],
    ['de, *;q=0.5, fr;q=0.1', 'en'],
    ['en;q=0, *', 'fr'],
    ['fr, *;q=0', 'fr'],
    ['*;q=0', 'en'],
  ])('wildcards: %p chooses %s', (header, locale) => {
    expect(negotiate(header)).toBe(locale);
  });

  test.each([
    ['fr;q=0, en', 'en'],
    ['fr;q=0, fr-CA', 'en'],
    ['en;q=0, de', 'fr'],
    ['en;q=0, fr;q=0', 'en'],
  ])('q=0 refuses a language, but never everything: %p chooses %s', (header, locale) => {
    expect(negotiate(header)).toBe(locale);
  });

  test.each([
    [null, 'en'],
    [undefined, 'en'],
    [',,,;;;', 'en'],
    ['fr;q=2', 'en'],
    ['fr;q=abc, de', 'en'],
    ['fr;q=0.5;q', 'en'],
    ['fr;level=1', 'en'],
    ['fr-, en', 'en'],
    ['f r, fr;q=0.1', 'fr'],
    ['français, fr;q=0.2', 'fr'],
    ['<script>, fr;q=0.3', 'fr'],
    ['toolongsubtag-fr, fr;q=0.4', 'fr'],
    [`${'fr;q=0.1,'.repeat(2_000)}en`, 'en'],
  ])('malformed headers never throw; bad elements are skipped: %p chooses %s', (header, locale) => {
    expect(() => negotiate(header)).not.toThrow();
    expect(negotiate(header)).toBe(locale);
  });

  test('a non-string header (a misused API) is no header', () => {
    expect(negotiate(42 as unknown as string)).toBe('en');
  });

  test('the parsed ranges are lower-case and sorted by weight, malformed elements left out', () => {
    expect(parseAcceptLanguage('en-GB;q=0.8, FR, de;q=x, *;q=0.1')).toEqual([
      { range: 'fr', q: 1 },
      { range: 'en-gb', q: 0.8 },
      { range: '*', q: 0.1 },
    ]);
  });
});

describe('lookup over a browser priority list (navigator.languages)', () => {
  test('the first language with a match wins, after taking subtags off the end', () => {
    expect(lookupLocale(['de-DE', 'fr-CA', 'en'], SUPPORTED, 'en')).toBe('fr');
  });

  test('a supported regional tag is matched exactly before the base language', () => {
    expect(lookupLocale(['en-GB'], ['en', 'en-GB', 'fr'], 'en')).toBe('en-GB');
    expect(lookupLocale(['en-US'], ['en', 'en-GB', 'fr'], 'en')).toBe('en');
  });

  test('nothing usable falls back to the default, malformed entries included', () => {
    expect(lookupLocale([], SUPPORTED, 'en')).toBe('en');
    expect(lookupLocale(['', '--', 'es', null as unknown as string], SUPPORTED, 'en')).toBe('en');
  });
});
