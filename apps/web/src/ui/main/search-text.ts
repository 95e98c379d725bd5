/**
 * Highlighting a search result's snippet. The worker matches folded text (accents and case
 * ignored) and returns the folded terms that matched; the snippet is the original text, so each
 * term is found in a folded copy of the snippet and mapped back to the original characters.
 */

/** The worker's folding: compatibility-decomposed, marks stripped, lower case. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A run of the snippet, marked when it is (part of) a matched term. */
export interface SnippetPart {
  readonly text: string;
  readonly hit: boolean;
}

/**
 * The folded snippet, and for each of its UTF-16 units the index of the original code point it
 * came from. Folded one code point at a time so the mapping is exact; a combining mark folds to
 * nothing and so stays with the letter before it.
 */
function foldWithOrigins(snippet: string): { folded: string; origins: number[] } {
  let folded = '';
  const origins: number[] = [];
  let index = 0;
  for (const char of snippet) {
    const part = fold(char);
    folded += part;
    for (let unit = 0; unit < part.length; unit += 1) origins.push(index);
    index += char.length;
  }
  return { folded, origins };
}

/** The end (exclusive, in the original) of the code point at `start`, with any marks that follow it. */
function endOfCharacter(snippet: string, start: number): number {
  let end = start + ((snippet.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
  while (end < snippet.length && /^\p{M}/u.test(snippet.slice(end))) end += 1;
  return end;
}

/**
 * `snippet` cut into parts with the first occurrence of each of `matches` marked. Terms are
 * compared folded; empty and unknown terms mark nothing; overlapping marks are merged.
 */
export function highlightSnippet(snippet: string, matches: readonly string[]): SnippetPart[] {
  const { folded, origins } = foldWithOrigins(snippet);
  const ranges: [number, number][] = [];
  for (const term of new Set(matches.map(fold))) {
    if (term.length === 0) continue;
    const at = folded.indexOf(term);
    if (at < 0) continue;
    const first = origins[at];
    const last = origins[at + term.length - 1];
    if (first === undefined || last === undefined) continue;
    ranges.push([first, endOfCharacter(snippet, last)]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: SnippetPart[] = [];
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (end <= cursor) continue;
    const from = Math.max(start, cursor);
    if (from > cursor) parts.push({ text: snippet.slice(cursor, from), hit: false });
    const last = parts[parts.length - 1];
    // Overlapping or touching terms are one mark, not two side by side.
    if (last?.hit && from === cursor)
      parts[parts.length - 1] = { text: last.text + snippet.slice(from, end), hit: true };
    else parts.push({ text: snippet.slice(from, end), hit: true });
    cursor = end;
  }
  if (cursor < snippet.length) parts.push({ text: snippet.slice(cursor), hit: false });
  return parts;
}
