/**
 * A term's posting lists in the compact text form the snapshot stores (search-store.ts).
 *
 * MiniSearch's JSON writes them `{"<fieldId>": {"<shortId>": <term frequency>, …}, …}`: about ten
 * bytes and two JSON values per posting, and the vault's record codec visits every JSON value when
 * it opens a record. Over 100,000 messages that was 24 MB of postings whose decoding took most of
 * the time to open (tools/bench/search.bench.ts). Here a term's postings are one string:
 *
 *   fields   = field *(";" field)
 *   field    = fieldId " " posting *("," posting)
 *   posting  = gap [":" frequency]        ; frequency omitted when 1
 * where gap is the shortId minus the previous one in the field (the first: minus 0), shortIds in
 * ascending order; every number in base 36. The same term data comes back, key for key.
 */

type FieldPostings = Record<string, Record<string, number>>;

const RADIX = 36;
const COMMA = 0x2c;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const SPACE = 0x20;

function malformed(): never {
  throw new Error('search snapshot: malformed postings');
}

export function encodePostings(data: FieldPostings): string {
  const fields: string[] = [];
  for (const [fieldId, frequencies] of Object.entries(data)) {
    // Integer keys enumerate in ascending order (ECMA-262 OrdinaryOwnPropertyKeys); sorted anyway
    // if some day they do not, since gaps must not be negative.
    let ids = Object.keys(frequencies).map(Number);
    if (ids.some((id, i) => i > 0 && id <= (ids[i - 1] as number))) ids = ids.sort((a, b) => a - b);
    let previous = 0;
    const postings: string[] = [];
    for (const id of ids) {
      const frequency = frequencies[id] as number;
      const gap = (id - previous).toString(RADIX);
      postings.push(frequency === 1 ? gap : `${gap}:${frequency.toString(RADIX)}`);
      previous = id;
    }
    fields.push(`${Number(fieldId).toString(RADIX)} ${postings.join(',')}`);
  }
  return fields.join(';');
}

/** The value of a base-36 digit, or -1. */
function digit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 10;
  return -1;
}

/**
 * The inverse of encodePostings. Throws on text it did not write. Read one character at a time:
 * a snapshot holds millions of postings, and a substring and parseInt for each made opening slow.
 */
export function decodePostings(text: string): FieldPostings {
  const data: FieldPostings = {};
  // A term or field whose postings were all vacuumed away is written empty.
  if (text === '') return data;
  let i = 0;
  const number = (): number => {
    let value = 0;
    const start = i;
    for (let d = digit(text.charCodeAt(i)); d >= 0; d = digit(text.charCodeAt(++i))) value = value * RADIX + d;
    if (i === start || !Number.isSafeInteger(value)) malformed();
    return value;
  };
  for (;;) {
    const fieldId = number();
    if (text.charCodeAt(i++) !== SPACE) malformed();
    const frequencies: Record<string, number> = {};
    let id = 0;
    let first = true;
    while (i < text.length && text.charCodeAt(i) !== SEMICOLON) {
      if (!first && text.charCodeAt(i++) !== COMMA) malformed();
      const gap = number();
      // Ids are distinct and ascending: only the first gap may be 0.
      if (gap === 0 && !first) malformed();
      id += gap;
      let frequency = 1;
      if (text.charCodeAt(i) === COLON) {
        i++;
        frequency = number();
        if (frequency === 0) malformed();
      }
      frequencies[id] = frequency;
      first = false;
    }
    data[fieldId] = frequencies;
    if (i >= text.length) return data;
    i++; // the semicolon
  }
}
