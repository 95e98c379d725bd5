/**
 * Plurals follow CLDR through the engine's Intl.PluralRules, not a rule of our own: French counts
 * 0 and 1.5 as singular, English 0 as plural, and French has a "many" form for large round numbers.
 */
import { createTranslator } from '../src';

const catalogue = {
  category: '{count, plural, zero {zero} one {one} two {two} few {few} many {many} other {other}}',
  devices: '{count, plural, one {# device} other {# devices}}',
  appareils: '{count, plural, one {# appareil} other {# appareils}}',
  exact: '{count, plural, =0 {no device} one {# device} other {# devices}}',
} as const;

describe('plural categories (CLDR via Intl.PluralRules)', () => {
  const en = createTranslator<typeof catalogue>(catalogue, 'en');
  const fr = createTranslator<typeof catalogue>(catalogue, 'fr');

  test.each([
    [0, 'other', 'one'],
    [1, 'one', 'one'],
    [1.5, 'other', 'one'],
    [2, 'other', 'other'],
    [1_000_000, 'other', 'many'],
  ])('%p is "%s" in English and "%s" in French', (count, english, french) => {
    expect(en('category', { count })).toBe(english);
    expect(fr('category', { count })).toBe(french);
  });

  test('English 0 and 1.5 take the plural form; 1 the singular', () => {
    expect([0, 1, 1.5, 2].map((count) => en('devices', { count }))).toEqual([
      '0 devices',
      '1 device',
      '1.5 devices',
      '2 devices',
    ]);
  });

  test('French 0, 1 and 1.5 take the singular form', () => {
    expect([0, 1, 1.5, 2].map((count) => fr('appareils', { count }))).toEqual([
      '0 appareil',
      '1 appareil',
      '1,5 appareil',
      '2 appareils',
    ]);
  });

  test('a category the message does not spell out ("many" for 1 000 000 in French) falls back to other, with # formatted for the locale', () => {
    expect(fr('appareils', { count: 1_000_000 })).toBe('1\u202f000\u202f000 appareils');
    expect(en('devices', { count: 1_000_000 })).toBe('1,000,000 devices');
  });

  test('an exact match (=0) wins over the category', () => {
    expect(en('exact', { count: 0 })).toBe('no device');
    expect(fr('exact', { count: 0 })).toBe('no device');
    expect(en('exact', { count: 1 })).toBe('1 device');
  });
});
