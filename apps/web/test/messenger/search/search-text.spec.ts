/**
 * The one normalisation of search (search-text.ts): accents, case and ligatures fold the same way
 * for what was written and what is typed; French elisions are dropped; one-letter tokens are not
 * terms, digits are.
 */
import { foldSearchText, queryTerms, searchTokens } from '../../../src/messenger/search/search-text';

describe('search text normalisation', () => {
  it('folds accents and case: "Élève", "eleve" and "ÉLÈVE" are one term', () => {
    expect(searchTokens('Élève')).toEqual(['eleve']);
    expect(searchTokens('eleve')).toEqual(['eleve']);
    expect(searchTokens('ÉLÈVE')).toEqual(['eleve']);
  });

  it('drops French elisions with either apostrophe: "l’été" and "L\'ÉTÉ" are "ete"', () => {
    expect(searchTokens('l’été')).toEqual(['ete']);
    expect(searchTokens("L'ÉTÉ")).toEqual(['ete']);
    expect(
      searchTokens('jusqu’à lorsqu’elle puisqu’il qu’on d’abord n’importe s’il t’aime c’est m’appelle j’ai'),
    ).toEqual(['elle', 'il', 'on', 'abord', 'importe', 'il', 'aime', 'est', 'appelle', 'ai']);
  });

  it('drops an elision only at the start of a token, so "aujourd’hui" keeps its parts', () => {
    expect(searchTokens('aujourd’hui')).toEqual(['aujourd', 'hui']);
    expect(searchTokens('presqu’île')).toEqual(['presqu', 'ile']);
  });

  it('spells out ligatures: "cœur" is "coeur", "Æsop" is "aesop"', () => {
    expect(searchTokens('cœur Cœur coeur')).toEqual(['coeur', 'coeur', 'coeur']);
    expect(searchTokens('Æsop')).toEqual(['aesop']);
  });

  it('folds German and other accents too', () => {
    expect(searchTokens('Straße Größe Müller')).toEqual(['strasse', 'grosse', 'muller']);
    expect(searchTokens('Łódź Ærø Đorđe São Paulo İstanbul ñandú')).toEqual([
      'lodz',
      'aero',
      'dorde',
      'sao',
      'paulo',
      'istanbul',
      'nandu',
    ]);
  });

  it('folds compatibility forms: ligature "ﬁ", full-width letters and digits', () => {
    expect(searchTokens('ﬁne ＡＢＣ １２３')).toEqual(['fine', 'abc', '123']);
  });

  it('splits on anything that is not a letter or a digit, emoji and punctuation included', () => {
    expect(searchTokens('rendez-vous@14h30, ok?! 🎉fête…')).toEqual(['rendez', 'vous', '14h30', 'ok', 'fete']);
  });

  it('drops one-character tokens except digits', () => {
    expect(searchTokens('a b 7 y 42 à')).toEqual(['7', '42']);
  });

  it('finds nothing in empty, blank or punctuation-only text', () => {
    expect(searchTokens('')).toEqual([]);
    expect(searchTokens(' \n\t ')).toEqual([]);
    expect(searchTokens('!?…—«»')).toEqual([]);
  });

  it('is locale-independent: dotted capital I folds to "i" whatever the runtime locale', () => {
    expect(foldSearchText('İI')).toBe('ii');
  });

  it('is idempotent: folding a folded text changes nothing', () => {
    const text = 'Où est le garçon ? Le cœur de l’été, Straße 12';
    expect(foldSearchText(foldSearchText(text))).toBe(foldSearchText(text));
    expect(searchTokens(searchTokens(text).join(' '))).toEqual(searchTokens(text));
  });

  it('leaves common words out of a query when other words remain, each term once', () => {
    expect(queryTerms('Le budget de la réunion et le budget', 12)).toEqual(['reunion', 'budget']);
    expect(queryTerms('the meeting report', 12)).toEqual(['meeting', 'report']);
  });

  it('keeps a query of common words only, and always its last term (perhaps still being typed)', () => {
    expect(queryTerms('to be or not to be', 12)).toEqual(['to', 'or', 'not', 'be']);
    expect(queryTerms('', 12)).toEqual([]);
    expect(queryTerms('le la les', 12)).toEqual(['le', 'la', 'les']);
    expect(queryTerms('budget le', 12)).toEqual(['budget', 'le']);
  });

  it('keeps at most `max` terms, the last one among them', () => {
    expect(queryTerms('un deux trois quatre cinq six', 3)).toEqual(['deux', 'trois', 'six']);
  });
});
