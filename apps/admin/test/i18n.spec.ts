/**
 * The admin app's catalogues on the i18n core (libs/i18n): both languages say the same things
 * with the same arguments, counts take real CLDR plurals, and the language comes from the
 * Accept-Language header by RFC 4647 lookup.
 */
import { catalogueProblems, formatMessage } from '@opendescent/i18n';
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { CATALOGUES, LOCALES, localeFromAcceptLanguage, translatorFor, type MessageKey } from '../src/i18n/messages';
import { richText } from '../src/i18n/rich-text';

describe('catalogues', () => {
  test('French has exactly the English keys, every message parses, with the same arguments', () => {
    expect(catalogueProblems(CATALOGUES.en, CATALOGUES.fr)).toEqual([]);
  });

  test.each(LOCALES)(
    'a message without arguments shows exactly as written in %s (nothing read as ICU syntax by mistake)',
    (locale) => {
      const t = translatorFor(locale);
      const plain = (Object.keys(CATALOGUES.en) as MessageKey[]).filter(
        (key) => !CATALOGUES[locale][key].includes('{'),
      );
      const changed = plain.filter((key) => (t as unknown as (k: string) => string)(key) !== CATALOGUES[locale][key]);
      expect(plain.length).toBeGreaterThan(100);
      expect(changed).toEqual([]);
    },
  );
});

describe('counts take the plural form of each language', () => {
  const en = translatorFor('en');
  const fr = translatorFor('fr');

  test('device badges: French 0 and 1 are singular', () => {
    expect([0, 1, 2].map((count) => fr('activeDevices', { count }))).toEqual(['0 actif', '1 actif', '2 actifs']);
    expect([0, 1, 2].map((count) => fr('revokedDevices', { count }))).toEqual(['0 révoqué', '1 révoqué', '2 révoqués']);
    expect(en('activeDevices', { count: 1200 })).toBe('1,200 active');
  });

  test('an enrolment code valid for 1 hour, or 24 hours', () => {
    expect(en('newCodeDetail', { hours: 1 })).toContain('valid for 1 hour.');
    expect(en('newCodeDetail', { hours: 24 })).toContain('valid for 24 hours.');
    expect(fr('newCodeDetail', { hours: 1 })).toContain('valable 1 heure.');
  });

  test('directory alerts count refused look-ups', () => {
    const values = { name: 'Sam', address: 'sam@example.org', time: '21:08' };
    expect(en('dirAlert_device_limit', { ...values, hits: 1 })).toContain('1 look-up refused, at 21:08.');
    expect(en('dirAlert_device_limit', { ...values, hits: 7 })).toContain('7 look-ups refused, the last at 21:08.');
    expect(fr('dirAlert_device_limit', { ...values, hits: 0 })).toContain('0 recherche refusée, le 21:08.');
  });

  test('the outcome of disabling a member, filled in the browser from the answer’s fields', () => {
    const answer = { revoked: 1, codesCancelled: 0, listVersion: 1234 };
    expect(formatMessage(en.message('memberDisabledOutcome'), 'en', answer)).toBe(
      'Disabled: 1 device revoked, 0 codes cancelled; revocation list version 1234.',
    );
    expect(formatMessage(fr.message('memberDisabledOutcome'), 'fr', answer)).toBe(
      'Désactivé : 1 appareil révoqué, 0 code annulé ; liste de révocation version 1234.',
    );
    expect(formatMessage(en.message('revokedOutcome'), 'en', { revoked: 2, listVersion: 7 })).toBe(
      'Revoked 2; revocation list version 7.',
    );
  });

  test('a confirmation counts the devices it will revoke', () => {
    expect(en('disableMemberConfirm', { name: 'Ada', count: 0 })).toContain('They have no active device');
    expect(en('disableMemberConfirm', { name: 'Ada', count: 1 })).toContain('Their active device is revoked');
    expect(fr('disableMemberConfirm', { name: 'Ada', count: 3 })).toContain('Ses 3 appareils actifs sont révoqués');
    expect(en('revokeConfirmAll', { name: 'Ada', count: 2 })).toBe(
      'Revoke all 2 active devices of Ada? They get no new access to the relays and cannot be restored.',
    );
  });
});

describe('language negotiation (the core’s RFC 4647 lookup)', () => {
  test.each([
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-GB,en;q=0.9', 'en'],
    ['de-DE,fr;q=0.5', 'fr'],
    ['fr-CA', 'fr'],
    ['de, it', 'en'],
    ['fr;q=0, en', 'en'],
    ['*', 'en'],
    ['fr;q=nonsense', 'en'],
    ['', 'en'],
  ])('Accept-Language %p chooses %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });
});

describe('rich text', () => {
  test('elements go where their arguments are, the sentence otherwise as translated', () => {
    const t = translatorFor('en');
    const html = renderToStaticMarkup(
      h('p', null, richText(t.rich('memberDisabledSince', { time: h('b', null, 'then') }))),
    );
    expect(html).toBe('<p>Disabled <b>then</b>: every device was revoked and no new enrolment code can be made.</p>');
  });

  test('a value left out shows as its {placeholder}', () => {
    const untyped = translatorFor('en').rich as unknown as (key: string, values: object) => unknown[];
    expect(
      renderToStaticMarkup(h('p', null, richText(untyped('revocationVersion', { version: 3, count: 2 }) as never))),
    ).toBe('<p>Current version: 3 (issued {time}, 2 devices listed)</p>');
  });
});
