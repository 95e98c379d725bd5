import { CATALOGS, format, localeFromAcceptLanguage } from '../src/i18n/messages';

describe('messages', () => {
  test('English and French have the same keys and the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(CATALOGS.fr).sort()).toEqual(Object.keys(CATALOGS.en).sort());
    for (const key of Object.keys(CATALOGS.en) as (keyof typeof CATALOGS.en)[]) {
      expect([key, placeholders(CATALOGS.fr[key])]).toEqual([key, placeholders(CATALOGS.en[key])]);
    }
  });

  test.each([
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-GB,en;q=0.9', 'en'],
    ['de-DE,fr;q=0.5', 'fr'],
    ['de, it', 'en'],
    ['fr;q=0, en', 'en'],
    ['', 'en'],
  ])('Accept-Language %p chooses %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });

  test('format fills placeholders and leaves unknown ones', () => {
    expect(format('Revoked {count}; version {version} {other}', { count: 2, version: 7 })).toBe('Revoked 2; version 7 {other}');
  });
});
