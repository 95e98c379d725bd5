/** Both languages say everything: same keys, nothing empty, the same placeholders. */
import { DICTIONARIES, LANGUAGES, pickLanguage, translate, translatePlural } from '../../src/i18n';
import { en } from '../../src/i18n/en';
import { fr } from '../../src/i18n/fr';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('dictionaries', () => {
  it('have exactly the same keys in English and French', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(LANGUAGES)('has no empty or blank string in %s', (language) => {
    const blank = Object.entries(DICTIONARIES[language]).filter(([, text]) => text.trim() === '');
    expect(blank).toEqual([]);
  });

  it('uses the same placeholders in both languages for every key', () => {
    const mismatched = Object.keys(en).filter(
      (key) => JSON.stringify(placeholders(en[key as keyof typeof en])) !== JSON.stringify(placeholders(fr[key as keyof typeof fr])),
    );
    expect(mismatched).toEqual([]);
  });

  it('has both plural forms wherever one is used', () => {
    const keys = Object.keys(en);
    const orphans = keys.filter((key) => key.endsWith('.one') && !keys.includes(key.replace(/\.one$/, '.other')));
    expect(orphans).toEqual([]);
  });
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
    expect(translate('en', 'composer.remaining', { count: 1200 })).toBe('1,200 characters left');
    expect(translate('fr', 'composer.remaining', { count: 1200 })).toMatch(/^1\s200 caractères restants$/);
  });

  it('leaves a placeholder it was not given visible rather than inventing one', () => {
    expect(translate('en', 'wiped.body')).toContain('{reason}');
  });

  it('picks plural forms by each language’s rules (French counts 0 as singular)', () => {
    expect(translatePlural('en', 'relay.pending', 1)).toBe('1 message waiting to be sent');
    expect(translatePlural('en', 'relay.pending', 0)).toBe('0 messages waiting to be sent');
    expect(translatePlural('fr', 'relay.pending', 0)).toBe('0 message en attente d’envoi');
    expect(translatePlural('fr', 'relay.pending', 2)).toBe('2 messages en attente d’envoi');
  });
});
