/**
 * Catalogues are checked by the type checker: a translation has exactly the source's keys and
 * each message the same arguments, and every call passes the values its message needs. The
 * `@ts-expect-error` lines are the failing cases: `tsc -p tsconfig.spec.json` (the project's
 * typecheck) fails if any of them stops being an error. The test bodies check the runtime side.
 */
import { createTranslator, translation, type MessageArguments, type PlainKey } from '../src';

const en = {
  greeting: 'Hello {name}',
  devices: '{count, plural, one {# device} other {# devices}}',
  heading: 'Devices',
} as const;

const fr = translation(en, {
  greeting: 'Bonjour {name}',
  devices: '{count, plural, one {# appareil} other {# appareils}}',
  heading: 'Appareils',
});

describe('translations are checked against the source catalogue', () => {
  test('a translation with the same keys and arguments is accepted as it is', () => {
    expect(fr.devices).toBe('{count, plural, one {# appareil} other {# appareils}}');
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  test('a missing key, an extra key, a renamed or re-kinded argument fail to compile', () => {
    const rejected = [
      // @ts-expect-error a key of the source is missing
      translation(en, { greeting: 'Bonjour {name}', devices: '{count, plural, one {#} other {#}}' }),
      // @ts-expect-error a key the source does not have
      translation(en, { ...fr, extra: 'En trop' }),
      // @ts-expect-error an argument renamed ({nom} for {name})
      translation(en, { ...fr, greeting: 'Bonjour {nom}' }),
      // @ts-expect-error an argument dropped
      translation(en, { ...fr, greeting: 'Bonjour' }),
      // @ts-expect-error a plural translated as plain text: the count would no longer choose a form
      translation(en, { ...fr, devices: '{count} appareils' }),
    ];
    expect(rejected).toHaveLength(5); // at run time translation() only returns what it is given
  });

  test('a plural may be translated by a number argument: both take a number', () => {
    const one = translation(en, { ...fr, devices: '{count, number} appareil(s)' });
    expect(createTranslator<typeof en>(one, 'fr')('devices', { count: 2 })).toBe('2 appareil(s)');
  });
});

describe('calls are checked against the message', () => {
  const t = createTranslator<typeof en>(fr, 'fr');

  test('every argument the message names is required, with the right kind of value', () => {
    expect(t('devices', { count: 2 })).toBe('2 appareils');
    expect(t('greeting', { name: 'Ada' })).toBe('Bonjour Ada');
    expect(t('heading')).toBe('Appareils');
    expect([
      // @ts-expect-error the count is missing
      t('devices'),
      // @ts-expect-error a plural takes a number
      t('devices', { count: '2' }),
      // @ts-expect-error an argument the message does not have
      t('heading', { count: 2 }),
      // @ts-expect-error a key no catalogue has
      t('nope'),
    ]).toEqual(['{count} appareils', '2 appareils', 'Appareils', 'nope']); // what gets past a cast: visible, not a crash
  });

  test('the source catalogue must be named, so keys are never left unchecked', () => {
    // @ts-expect-error no source type: the catalogue is refused
    const unnamed = createTranslator(en, 'en');
    expect(unnamed.has('heading')).toBe(true); // at run time it works; only the types refuse it
  });

  test('argument types are read from the message text', () => {
    const values: MessageArguments<
      '{n, number} {at, date, short} {kind, select, a {A {inner}} other {B}} {who}',
      'rich'
    > = {
      n: 1,
      at: new Date(0),
      kind: 'a',
      inner: 'x',
      who: 'rich',
    };
    const plain: PlainKey<typeof en> = 'heading';
    // @ts-expect-error a message with arguments is not a plain key
    const notPlain: PlainKey<typeof en> = 'greeting';
    expect([Object.keys(values).sort(), plain, notPlain]).toEqual([
      ['at', 'inner', 'kind', 'n', 'who'],
      'heading',
      'greeting',
    ]);
  });
});

describe('keys and values chosen together at run time', () => {
  const t = createTranslator<typeof en>(fr, 'fr');

  test('unchecked takes any key of the catalogue with values checked only as values', () => {
    const descriptor: { key: keyof typeof en; params?: Record<string, string | number> } = {
      key: 'devices',
      params: { count: 1 },
    };
    expect(t.unchecked(descriptor.key, descriptor.params)).toBe('1 appareil');
    expect(t.unchecked('devices')).toBe('{count} appareils');
    // @ts-expect-error the key is still checked
    expect(t.unchecked('nope')).toBe('nope');
  });
});
