/** createTranslator: placeholders, numbers for the locale, missing values, rich parts, unknown keys. */
import { createTranslator, formatMessage, missingValueMarker } from '../src';

const en = {
  greeting: 'Hello {name}',
  counter: '{count} characters of {max}',
  version: 'Revocation list version {version, number, ::group-off}',
  shared: '{by} shared {count, plural, one {# message} other {# messages}} with {member}',
  revoked: 'Revoked {time}: {reason}',
  literal: 'Run npm run admin:reset-link -- "<your name or administrator id>" (#token=…)',
  apostrophes: "It’s {name}’s, isn't it",
  choice: '{kind, select, group {A group} other {Someone}} {count, plural, one {with # member} other {with # members}}',
  plain: 'Nothing to fill',
} as const;

const t = createTranslator<typeof en>(en, 'en');
const fr = createTranslator<typeof en>(en, 'fr');

describe('placeholders', () => {
  test('fills text and formats numbers for the locale, in plain arguments too', () => {
    expect(t('greeting', { name: 'Ada' })).toBe('Hello Ada');
    expect(t('counter', { count: 3612, max: 4000 })).toBe('3,612 characters of 4,000');
    expect(fr('counter', { count: 3612, max: 4000 })).toBe('3\u202f612 characters of 4\u202f000');
  });

  test('a number skeleton in the message wins (no grouping for a version)', () => {
    expect(t('version', { version: 12345 })).toBe('Revocation list version 12345');
  });

  test('text that is not ICU syntax stays as written: angle brackets, #, apostrophes', () => {
    expect(t('literal')).toBe(en.literal);
    expect(t('apostrophes', { name: 'Ada' })).toBe("It’s Ada’s, isn't it");
    expect(t('plain')).toBe('Nothing to fill');
  });

  test('select and plural combine in one sentence', () => {
    expect(t('choice', { kind: 'group', count: 1 })).toBe('A group with 1 member');
    expect(t('choice', { kind: 'x', count: 3 })).toBe('Someone with 3 members');
  });

  test('the translator says which locale it follows, canonicalised', () => {
    expect(createTranslator<typeof en>(en, 'EN-gb').locale).toBe('en-GB');
  });

  test('a locale that is not a BCP 47 tag is refused when the translator is made', () => {
    expect(() => createTranslator<typeof en>(en, 'not a locale')).toThrow(RangeError);
  });
});

describe('a missing placeholder value shows as {name}, never a crash', () => {
  const untyped = t as unknown as (key: string, values?: Record<string, unknown>) => string;

  test('a plain argument left out stays visible as its placeholder', () => {
    expect(untyped('greeting')).toBe('Hello {name}');
    expect(missingValueMarker('name')).toBe('{name}');
  });

  test('a plural whose count is missing shows its other form with the count as {count}', () => {
    expect(untyped('shared', { by: 'Ada', member: 'Bob' })).toBe('Ada shared {count} messages with Bob');
  });

  test('the other values of the message are still filled, and the next call with every value is whole again', () => {
    expect(untyped('counter', { count: 7 })).toBe('7 characters of {max}');
    expect(t('counter', { count: 7, max: 9 })).toBe('7 characters of 9');
  });

  test('a select whose value is missing shows its other option', () => {
    expect(untyped('choice', { count: 2 })).toBe('Someone with 2 members');
  });
});

describe('unknown keys and rich values', () => {
  test('a key the catalogue does not have (past the type checker) shows as the key', () => {
    const untyped = t as unknown as (key: string) => string;
    expect(untyped('no.such.key')).toBe('no.such.key');
    expect(t.has('no.such.key')).toBe(false);
    expect(t.has('greeting')).toBe(true);
    expect(t.has('toString')).toBe(false);
  });

  test('rich values (e.g. React elements) come back whole, as parts between the text', () => {
    const element = { element: 'time' };
    const rich = createTranslator<typeof en, typeof element>(en, 'en');
    expect(rich.rich('revoked', { time: element, reason: 'lost' })).toEqual(['Revoked ', element, ': lost']);
    expect(rich.rich('shared', { by: element, count: 2, member: 'Bob' })).toEqual([
      element,
      ' shared 2 messages with Bob',
    ]);
  });
});

describe('formatMessage: a message handed over as text', () => {
  test('formats by the same rules', () => {
    expect(
      formatMessage('Disabled: {count, plural, one {# device} other {# devices}} revoked', 'en', { count: 1 }),
    ).toBe('Disabled: 1 device revoked');
    expect(
      formatMessage('{count, plural, one {# appareil révoqué} other {# appareils révoqués}}', 'fr', { count: 0 }),
    ).toBe('0 appareil révoqué');
    expect(formatMessage('Link: {link}', 'en', {})).toBe('Link: {link}');
  });

  test('a message that is not ICU MessageFormat is refused with the parser’s error', () => {
    expect(() => formatMessage('unbalanced {name', 'en')).toThrow(SyntaxError);
    expect(() => formatMessage('{count, plural, one {#}}', 'en', { count: 1 })).toThrow(SyntaxError);
  });
});
