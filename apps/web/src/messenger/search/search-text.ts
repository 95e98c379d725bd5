/**
 * The one text normalisation of on-device search, used both to index messages and to read
 * queries, so that what is typed and what was written meet whatever their accents or case: a
 * French user types "eleve" for "Élève", "coeur" for "cœur", and "ete" for "l’été".
 *
 * Folding: Unicode NFKD (compatibility forms too: "ﬁ" is "fi", full-width letters are ASCII),
 * combining marks (\p{M}) stripped, lower case (String#toLowerCase, which is locale-independent,
 * unlike toLocaleLowerCase: a Turkish locale must not change what an index holds), then the
 * letters that NFKD does not decompose spelled out (œ, æ, ß, ø …).
 *
 * Tokens: runs of letters and digits (\p{L}\p{N}); a French elision at the start of a token is
 * dropped ("l’", "qu’", "jusqu’" …, with ’ or '); one-character tokens are dropped except digits
 * (they match half the history and carry no meaning alone). Not handled: scripts written without
 * spaces (Chinese, Japanese, Thai) are one token per run, and stemming (plural "s") is left to
 * prefix search.
 *
 * Queries (queryTerms) also drop the most common French and English words, when other words
 * remain: every message holds "le" or "the", and MiniSearch scores every message a term finds
 * before it intersects (tools/bench/search.bench.ts: a pasted 200-character query took ~10× as
 * long with them). They stay indexed: a query of such words alone still finds them.
 */

/** Bumped whenever this normalisation changes: an index made by another one is rebuilt. */
export const SEARCH_TEXT_VERSION = 1;

/** Letters that NFKD leaves whole, written as a French (or English) reader would type them. */
const SPELLED_OUT: Readonly<Record<string, string>> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};
const SPELLED_OUT_PATTERN = new RegExp(`[${Object.keys(SPELLED_OUT).join('')}]`, 'gu');
const COMBINING_MARKS = /\p{M}+/gu;
/** ’ (U+2019) and ʼ (U+02BC, a letter for \p{L}) are typed for the apostrophe as often as '. */
const APOSTROPHES = /[\u2019\u02BC]/gu;
/** An elision at the start of a token (nothing before it but a non-letter), before a letter or digit. */
const ELISION = /(?<![\p{L}\p{N}])(?:jusqu|lorsqu|puisqu|qu|[cdjlmnst])'(?=[\p{L}\p{N}])/gu;
const NOT_A_WORD = /[^\p{L}\p{N}]+/u;
const DIGIT = /^\p{N}$/u;

/** Accents, case and ligatures folded: the form every indexed term and query term takes. */
export function foldSearchText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(SPELLED_OUT_PATTERN, (letter) => SPELLED_OUT[letter] ?? letter)
    .replace(APOSTROPHES, "'");
}

/** The terms a text is indexed under, or a query looks for, in order. */
export function searchTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const token of foldSearchText(text).replace(ELISION, '').split(NOT_A_WORD)) {
    if (token.length > 1 || DIGIT.test(token)) tokens.push(token);
  }
  return tokens;
}

/** Function words, folded: asked alongside other words, they only make a search slow. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'le la les un une des du de et ou en au aux ce ces cet cette il elle ils elles je tu nous vous on ' +
    'que qui dont pour par sur dans avec sans pas ne ni mais donc car son sa ses mon ma mes ton ta tes ' +
    'leur leurs se lui est sont ai as avons avez ont ca tout tous plus tres ' +
    'the an and or but of to in on at by for with from as is are was were be been it its this that ' +
    'these those you he she we they me my your our their not no do does did have has had so than then'
  ).split(' '),
);

/**
 * The terms a query looks for: searchTokens, each once, at most `max`; stop words are left out
 * unless nothing else would remain. The last term typed is always kept, and kept last: it may be a
 * word still being typed ("le" on the way to "lendemain"), which MiniSearch matches as a prefix.
 */
export function queryTerms(query: string, max: number): string[] {
  const tokens = searchTokens(query);
  const typed = tokens[tokens.length - 1];
  if (typed === undefined) return [];
  const before = [...new Set(tokens.slice(0, -1))].filter((term) => term !== typed);
  const meaningful = before.filter((term) => !STOP_WORDS.has(term));
  const kept = meaningful.length > 0 || !STOP_WORDS.has(typed) ? meaningful : before;
  return [...kept.slice(0, max - 1), typed];
}
