/**
 * A result's snippet with the matched terms marked: the worker compares folded text (no accents,
 * lower case), the snippet is the original, so marks are mapped back to the original characters.
 */
import { fold, highlightSnippet, type SnippetPart } from '../../src/ui/main/search-text';

/** The marked texts, in order. */
const marked = (parts: readonly SnippetPart[]) => parts.filter((part) => part.hit).map((part) => part.text);
const joined = (parts: readonly SnippetPart[]) => parts.map((part) => part.text).join('');

describe('fold', () => {
  it('strips accents and case as the worker does', () => {
    expect(fold('École Ÿ ÇA Straße')).toBe('ecole y ca straße');
  });

  it('folds compatibility forms (ligatures, full-width letters)', () => {
    expect(fold('ﬁnal ＡＢ')).toBe('final ab');
  });
});

describe('highlightSnippet', () => {
  it('marks a term whatever its accents and case in the original', () => {
    const parts = highlightSnippet('Rendez-vous à l’École demain', ['ecole']);
    expect(marked(parts)).toEqual(['École']);
    expect(joined(parts)).toBe('Rendez-vous à l’École demain');
  });

  it('marks a term in a snippet written decomposed (e + combining acute), its accent included', () => {
    const snippet = 'cafe\u0301 noir';
    expect(marked(highlightSnippet(snippet, ['cafe']))).toEqual(['cafe\u0301']);
  });

  it('marks only the first occurrence of each term', () => {
    const parts = highlightSnippet('budget, budget, budget', ['budget']);
    expect(marked(parts)).toEqual(['budget']);
    expect(parts[0]).toEqual({ text: 'budget', hit: true });
  });

  it('marks several terms, in the order they appear in the snippet', () => {
    expect(marked(highlightSnippet('Le budget du trimestre est validé', ['valide', 'budget']))).toEqual([
      'budget',
      'validé',
    ]);
  });

  it('merges overlapping terms into one mark', () => {
    expect(marked(highlightSnippet('quarterly report', ['quarter', 'terly']))).toEqual(['quarterly']);
  });

  it('marks a term that is the start of a word (the index matches prefixes)', () => {
    expect(marked(highlightSnippet('Réunions annulées', ['reunion']))).toEqual(['Réunion']);
  });

  it('keeps characters outside the BMP intact before and inside a mark', () => {
    const parts = highlightSnippet('🎉 Fête 🎉 ce soir', ['fete 🎉']);
    expect(marked(parts)).toEqual(['Fête 🎉']);
    expect(joined(parts)).toBe('🎉 Fête 🎉 ce soir');
  });

  it('marks a whole ligature when a term covers part of it', () => {
    expect(marked(highlightSnippet('the ﬁle', ['f']))).toEqual(['ﬁ']);
  });

  it('marks nothing for a term absent from the snippet (a match elsewhere in a long text)', () => {
    expect(highlightSnippet('Start of a long text…', ['elsewhere'])).toEqual([
      { text: 'Start of a long text…', hit: false },
    ]);
  });

  it('ignores empty terms and an empty snippet', () => {
    expect(highlightSnippet('hello', ['', ''])).toEqual([{ text: 'hello', hit: false }]);
    expect(highlightSnippet('', ['a'])).toEqual([]);
  });

  it('always gives back the original snippet, mark or not', () => {
    const snippets = ['ÀÉÎÕÜ àéîõü', 'Ǆemal ǆ', 'İstanbul', 'a\u0308\u0301b', '日本語のテキスト'];
    for (const snippet of snippets)
      for (const term of ['a', 'e', 'dz', 'istanbul', 'b', 'テキ'])
        expect(joined(highlightSnippet(snippet, [term]))).toBe(snippet);
  });
});
