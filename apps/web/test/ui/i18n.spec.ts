/** Both languages say everything: same keys, nothing empty, the same arguments (the i18n core's check). */
import { catalogueProblems } from '@opendescent/i18n';
import { DICTIONARIES, LANGUAGES, pickLanguage, translate, translatorFor } from '../../src/i18n';
import { en } from '../../src/i18n/en';
import { fr } from '../../src/i18n/fr';

describe('dictionaries', () => {
  it('have exactly the same keys in English and French', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(LANGUAGES)('has no empty or blank string in %s', (language) => {
    const blank = Object.entries(DICTIONARIES[language]).filter(([, text]) => text.trim() === '');
    expect(blank).toEqual([]);
  });

  it('uses the same arguments in both languages for every key, and every message parses (a plural has its other form)', () => {
    expect(catalogueProblems(en, fr)).toEqual([]);
  });

  it.each(LANGUAGES)(
    'shows a message without arguments exactly as written in %s (nothing read as ICU syntax by mistake)',
    (language) => {
      const plain = Object.entries(DICTIONARIES[language]).filter(([, text]) => !text.includes('{'));
      expect(plain.length).toBeGreaterThan(100);
      expect(plain.filter(([key, text]) => translate(language, key as keyof typeof en) !== text)).toEqual([]);
    },
  );
});

describe('language choice', () => {
  it('prefers a stored choice over the browser languages', () => {
    expect(pickLanguage('fr', ['en-GB'])).toBe('fr');
  });

  it('takes the first browser language it has, by its base', () => {
    expect(pickLanguage(null, ['de-DE', 'fr-CA', 'en'])).toBe('fr');
  });

  it('ignores a stored value that is not a language and falls back to English', () => {
    expect(pickLanguage('klingon', ['de', 'es'])).toBe('en');
  });
});

describe('translation', () => {
  it('fills in named values and formats numbers for the language', () => {
    expect(translate('en', 'composer.count-label', { count: 3612, max: 4000 })).toBe('3,612 characters of 4,000');
    expect(translate('fr', 'composer.count-label', { count: 3612, max: 4000 })).toMatch(
      /^3\s612 caractères sur 4\s000$/,
    );
  });

  it('leaves a placeholder it was not given visible rather than inventing one', () => {
    expect(translate('en', 'relay.label')).toContain('{status}');
  });

  it('picks plural forms by each language’s rules (French counts 0 as singular)', () => {
    expect(translatorFor('en')('relay.pending', { count: 1 })).toBe('1 message waiting to be sent');
    expect(translatorFor('en')('relay.pending', { count: 0 })).toBe('0 messages waiting to be sent');
    expect(translatorFor('fr')('relay.pending', { count: 0 })).toBe('0 message en attente d’envoi');
    expect(translatorFor('fr')('relay.pending', { count: 2 })).toBe('2 messages en attente d’envoi');
    expect(translatorFor('fr')('list.unread', { count: 1_200 })).toMatch(/^1\s200 messages non lus$/);
  });

  it('shows a plural whose count is missing in its other form, the count as {count}', () => {
    expect(translate('en', 'relay.pending')).toBe('{count} messages waiting to be sent');
  });
});
