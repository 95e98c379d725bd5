/**
 * Mentions typed in the composer (messages.md §5.8): `@` then the start of a member's name opens
 * a list of members; picking one writes `@Display Name ` and remembers whose name it is. On send,
 * only the people whose `@Display Name` is still in the text are mentioned. Pure: the composer
 * (composer.tsx) and the message list (message-text.tsx) call these with plain values.
 */

/** A member that may be mentioned: the address goes to the worker, the name into the text. */
export interface Mentionable {
  readonly address: string;
  readonly displayName: string;
}

/** The `@query` being typed: where its `@` is, and what follows it up to the caret. */
export interface MentionQuery {
  readonly start: number;
  readonly query: string;
}

/** Longest query followed: past it, the `@` was not the start of a name. */
const MAX_QUERY_LENGTH = 40;

/** At most this many members are offered at once. */
export const MAX_MENTION_CHOICES = 8;

/**
 * The `@query` that ends at `caret`, if the text there is one: an `@` at the start or after a
 * space or punctuation (not inside an e-mail address), then no line break. Spaces are allowed,
 * since names have them ("@Alex Ma"); the list simply empties once no name starts that way.
 */
export function findMentionQuery(text: string, caret: number): MentionQuery | undefined {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return undefined;
  const previous = at > 0 ? before[at - 1] : undefined;
  if (previous !== undefined && /[\p{L}\p{N}_.+-]/u.test(previous)) return undefined;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY_LENGTH || /[\n\r@]/.test(query) || query.startsWith(' ')) return undefined;
  return { start: at, query };
}

/** Lower case, no accents: "Élodie" is found by "elo". */
export function foldForMention(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The members whose name (or one of its words) or address starts with `query`, names starting
 * with it first, at most MAX_MENTION_CHOICES. This user is never offered.
 */
export function mentionChoices(members: readonly Mentionable[], query: string): Mentionable[] {
  const folded = foldForMention(query);
  const rank = (member: Mentionable): number => {
    const name = foldForMention(member.displayName);
    if (name.startsWith(folded)) return 0;
    if (name.split(/\s+/).some((word) => word.startsWith(folded))) return 1;
    if (foldForMention(member.address).startsWith(folded)) return 2;
    return -1;
  };
  return members
    .map((member) => ({ member, rank: rank(member) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.member.displayName.localeCompare(b.member.displayName))
    .slice(0, MAX_MENTION_CHOICES)
    .map((entry) => entry.member);
}

/**
 * The list as it stands: the query at the caret and the members it offers, none when that `@`
 * was dismissed (Escape, or a member already picked for it: "@Ana " must not offer "Ana Lopez").
 */
export function openMentionList(
  members: readonly Mentionable[],
  text: string,
  caret: number,
  dismissedStart: number | undefined,
): { readonly query: MentionQuery | undefined; readonly choices: readonly Mentionable[] } {
  const query = findMentionQuery(text, caret);
  const choices = query && query.start !== dismissedStart ? mentionChoices(members, query.query) : [];
  return { query, choices };
}

/** What the name looks like in the text: `@Display Name` (the address when there is no name). */
export function mentionLabel(member: Mentionable): string {
  return `@${member.displayName || member.address}`;
}

/** `text` with the query at `query.start`..`caret` replaced by `@Display Name `, and the caret after it. */
export function insertMention(
  text: string,
  query: MentionQuery,
  caret: number,
  member: Mentionable,
): { readonly text: string; readonly caret: number } {
  const inserted = `${mentionLabel(member)} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, query.start) + inserted + after, caret: query.start + inserted.length };
}

/** The `@Name` written at `index` of `text` ends there, not inside a longer word ("@Sam" in "@Samuel"). */
function endsWord(text: string, index: number): boolean {
  const next = text[index];
  return next === undefined || !/[\p{L}\p{N}_]/u.test(next);
}

/** Where `label` occurs in `text` as a whole mention. */
function occurrences(text: string, label: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(label); index >= 0; index = text.indexOf(label, index + 1)) {
    if (endsWord(text, index + label.length)) found.push(index);
  }
  return found;
}

/** The addresses of the picked members whose `@Display Name` is still in `text` (each once, in pick order). */
export function mentionsInText(text: string, picked: readonly Mentionable[]): string[] {
  const addresses = picked
    .filter((member) => occurrences(text, mentionLabel(member)).length > 0)
    .map((member) => member.address);
  return [...new Set(addresses)];
}

/** A piece of a message's text: plain, or the `@Name` of a mentioned member. */
export type MentionSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'mention'; readonly text: string; readonly address: string };

/**
 * `text` cut into plain pieces and the `@Display Name` of each mentioned member, to show them
 * marked. Longer names win where two overlap ("@Ana Lopez" over "@Ana").
 */
export function mentionSegments(text: string, mentioned: readonly Mentionable[]): MentionSegment[] {
  const spans: { start: number; end: number; address: string }[] = [];
  const byLength = [...mentioned].sort((a, b) => mentionLabel(b).length - mentionLabel(a).length);
  for (const member of byLength) {
    const label = mentionLabel(member);
    for (const start of occurrences(text, label)) {
      const end = start + label.length;
      if (spans.some((span) => start < span.end && end > span.start)) continue;
      spans.push({ start, end, address: member.address });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const segments: MentionSegment[] = [];
  let position = 0;
  for (const span of spans) {
    if (span.start > position) segments.push({ kind: 'text', text: text.slice(position, span.start) });
    segments.push({ kind: 'mention', text: text.slice(span.start, span.end), address: span.address });
    position = span.end;
  }
  if (position < text.length) segments.push({ kind: 'text', text: text.slice(position) });
  return segments;
}

/** What a key does while the list of members is open (the ARIA combobox pattern's keys). */
export type MentionKeyAction =
  | { readonly kind: 'move'; readonly active: number }
  | { readonly kind: 'pick'; readonly index: number }
  | { readonly kind: 'close' }
  | { readonly kind: 'none' };

/**
 * Down and Up move through the `count` choices (wrapping), Enter and Tab pick the active one,
 * Escape closes the list; any other key is the text's. With Shift, Enter is a new line as usual.
 */
export function mentionKeyAction(key: string, shiftKey: boolean, active: number, count: number): MentionKeyAction {
  if (count === 0) return { kind: 'none' };
  switch (key) {
    case 'ArrowDown':
      return { kind: 'move', active: (active + 1) % count };
    case 'ArrowUp':
      return { kind: 'move', active: (active - 1 + count) % count };
    case 'Enter':
    case 'Tab':
      return shiftKey ? { kind: 'none' } : { kind: 'pick', index: active };
    case 'Escape':
      return { kind: 'close' };
    default:
      return { kind: 'none' };
  }
}
