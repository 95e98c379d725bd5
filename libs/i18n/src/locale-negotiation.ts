/**
 * Which of our languages to speak: from an Accept-Language header (RFC 9110 §12.5.4) or a
 * browser's `navigator.languages`, by RFC 4647 §3.4 lookup. Never throws and never refuses: a
 * malformed element is skipped, and when nothing matches the answer is the fallback.
 */

/** One element of an Accept-Language header: a basic language range (RFC 4647 §2.1) and its weight. */
export interface WeightedRange {
  readonly range: string;
  readonly q: number;
}

// RFC 4647 §2.1: language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*".
const LANGUAGE_RANGE = /^(?:[a-z]{1,8}(?:-[a-z0-9]{1,8})*|\*)$/i;
// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The header's ranges, most wanted first (a stable sort: equal weights keep the header's order).
 * Elements that are not a language range with at most a valid `q` weight are left out.
 */
export function parseAcceptLanguage(header: string | null | undefined): WeightedRange[] {
  if (typeof header !== 'string') return [];
  const ranges: WeightedRange[] = [];
  for (const element of header.split(',')) {
    const [range = '', ...parameters] = element.split(';').map((part) => part.trim());
    if (!LANGUAGE_RANGE.test(range)) continue;
    let q = 1;
    let valid = true;
    for (const parameter of parameters) {
      const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
      if (name.toLowerCase() !== 'q' || !QVALUE.test(value)) valid = false;
      else q = Number(value);
    }
    if (valid) ranges.push({ range: range.toLowerCase(), q });
  }
  return ranges.sort((a, b) => b.q - a.q);
}

/** RFC 4647 §3.3.1 basic filtering: `fr` matches `fr` and `fr-CA`; `*` matches everything. */
function rangeMatches(range: string, tag: string): boolean {
  const lower = tag.toLowerCase();
  return range === '*' || lower === range || lower.startsWith(`${range}-`);
}

/** RFC 4647 §3.4: drop the last subtag, and a single-character subtag (an extension's singleton) left last. */
function truncate(tag: string): string {
  const shorter = tag.slice(0, Math.max(tag.lastIndexOf('-'), 0));
  return /-[a-z0-9]$/i.test(shorter) ? shorter.slice(0, -2) : shorter;
}

/**
 * RFC 4647 §3.4 lookup: for each range in order, the supported tag equal to it, else to it with
 * subtags taken off the end (`fr-CA` → `fr`). The wildcard `*` ("any other language") stands for
 * the fallback if it is supported, else the first supported tag. Ranges that are not well-formed
 * are skipped. Tags compare case-insensitively; the answer is spelt as in `supported`.
 */
export function lookupLocale<L extends string>(ranges: readonly string[], supported: readonly L[], fallback: L): L {
  for (const range of ranges) {
    if (typeof range !== 'string' || !LANGUAGE_RANGE.test(range)) continue;
    if (range === '*') return supported.includes(fallback) ? fallback : (supported[0] ?? fallback);
    for (let tag = range.toLowerCase(); tag !== ''; tag = truncate(tag)) {
      const match = supported.find((candidate) => candidate.toLowerCase() === tag);
      if (match !== undefined) return match;
    }
  }
  return fallback;
}

/** Whether a tag is named by a range, either way round (`fr-CA` names `fr`, `fr` names `fr-CA`). */
function related(range: string, tag: string): boolean {
  return rangeMatches(range, tag) || range.startsWith(`${tag.toLowerCase()}-`);
}

/**
 * The supported locale an Accept-Language header asks for most, else `fallback`. A range with
 * `q=0` refuses the tags it matches (`en;q=0` refuses `en` and `en-GB`; `*;q=0` every tag no other
 * range names), unless all are refused: then the fallback is still spoken, since a page in some
 * language beats no page.
 */
export function negotiateLocale<L extends string>(
  header: string | null | undefined,
  supported: readonly L[],
  fallback: L,
): L {
  const ranges = parseAcceptLanguage(header);
  const named = ranges.filter((r) => r.range !== '*');
  const refuses = ({ range, q }: WeightedRange, tag: string) =>
    q === 0 && (range === '*' ? !named.some((other) => related(other.range, tag)) : rangeMatches(range, tag));
  const acceptable = supported.filter((tag) => !ranges.some((r) => refuses(r, tag)));
  const wanted = ranges.filter((r) => r.q > 0).map((r) => r.range);
  return lookupLocale(wanted, acceptable, acceptable.includes(fallback) ? fallback : (acceptable[0] ?? fallback));
}
