/** catalogueProblems: the run-time check of a translation by the real ICU parser. */
import { catalogueProblems } from '../src';

const en = {
  greeting: 'Hello {name}',
  devices: '{count, plural, one {# device} other {# devices}}',
  active: '{count, number} active',
  at: 'At {when, time, short}',
} as const;

describe('catalogueProblems', () => {
  test('a faithful translation has none, a plural translating a number included', () => {
    const fr = {
      greeting: 'Bonjour {name}',
      devices: '{count, plural, one {# appareil} other {# appareils}}',
      active: '{count, plural, one {# actif} other {# actifs}}',
      at: 'À {when, date, short}',
    };
    expect(catalogueProblems(en, fr)).toEqual([]);
  });

  test('names missing and extra keys', () => {
    expect(catalogueProblems({ a: 'A', b: 'B' }, { a: 'A', c: 'C' })).toEqual([
      'b: missing from the translation',
      'c: not in the source catalogue',
    ]);
  });

  test('names a renamed argument and a plain argument standing for a plural', () => {
    expect(catalogueProblems(en, { ...en, greeting: 'Bonjour {nom}', devices: '{count} appareils' })).toEqual([
      'greeting: arguments {nom: text or number} instead of {name: text or number}',
      'devices: arguments {count: text or number} instead of {count: number}',
    ]);
  });

  test('names messages the parser refuses: unbalanced braces, a plural without other, not a string', () => {
    const problems = catalogueProblems(en, {
      ...en,
      greeting: 'Bonjour {name',
      devices: '{count, plural, one {# appareil}}',
      active: 3 as unknown as string,
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^greeting: the translated message does not parse \(.+\)$/);
    expect(problems[1]).toMatch(/^devices: the translated message does not parse \(.+\)$/);
    expect(problems[2]).toBe('active: the translated message is not a string');
  });

  test('names a source message that does not parse', () => {
    expect(catalogueProblems({ broken: '{' }, { broken: '{' })).toEqual([
      expect.stringMatching(/^broken: the source message does not parse/),
      expect.stringMatching(/^broken: the translated message does not parse/),
    ]);
  });
});
