import type { AsPlainObject } from 'minisearch';
import type { VaultBatchLike, VaultLike } from '../transaction';
import type { SearchDocument } from './search-document';
import { decodePostings, encodePostings } from './search-postings';
import { SEARCH_TEXT_VERSION } from './search-text';

/**
 * How the search index is kept in the vault: sealed like every record (../../store/vault.ts), so
 * a copy of the store shows only how many records it takes and their size buckets
 * (storage.md §3.1, §4), never a word. Derived data: whatever cannot be read back (missing,
 * another version, a torn or malformed record) is rebuilt from the messages, never trusted.
 *
 * Table `search`:
 * | group     | id                       | value                                                   |
 * | ''        | `head`                   | SearchHead: layout version, text version, generation,    |
 * |           |                          | part count, MiniSearch's scalars                         |
 * | ''        | `snapshot:0` … `:k−1`    | SnapshotPart: a slice of MiniSearch's toJSON, ≤ 1 MiB    |
 * | `journal` | `<generation>:<seq>`     | JournalEntry: documents put and ids dropped since the    |
 * |           |                          | snapshot, in order; seq 0, 1, 2 … within a generation    |
 * A snapshot (head, every part, old parts and the journal deleted) is written in one commit, so
 * the head never names parts of another generation. Parts hold MiniSearch's own JSON tree, sliced
 * (not a JSON string inside JSON, whose every quote would be escaped again), but for each term's
 * postings, written compactly as one string (search-postings.ts); they are filled up to just
 * under 1 MiB so that padding to a power of two (storage.md §3.1) costs almost nothing but in the
 * last part.
 */
export const SEARCH_TABLE = 'search';
export const SNAPSHOT_GROUP = '';
export const JOURNAL_GROUP = 'journal';
export const HEAD_ID = 'head';
export const partId = (n: number): string => `snapshot:${n}`;
export const journalId = (generation: number, seq: number): string => `${generation}:${seq}`;

/** The layout (and the indexed fields); another one is rebuilt. */
export const SEARCH_LAYOUT_VERSION = 1;
/** A record's JSON up to this size pads to the 1 MiB bucket (5 bytes of framing, slack for the wrapper). */
export const RECORD_MAX_BYTES = 1024 * 1024 - 1024;

type PlainScalars = Omit<AsPlainObject, 'documentIds' | 'fieldLength' | 'storedFields' | 'index'>;
const SECTIONS = ['documentIds', 'fieldLength', 'storedFields', 'index'] as const;
type Section = (typeof SECTIONS)[number];

export interface SearchHead {
  readonly v: typeof SEARCH_LAYOUT_VERSION;
  readonly text: number;
  readonly generation: number;
  readonly parts: number;
  readonly scalars: PlainScalars;
}

export interface SnapshotPart extends Record<Section, readonly (readonly [string, unknown])[]> {
  readonly v: typeof SEARCH_LAYOUT_VERSION;
  readonly generation: number;
  readonly n: number;
}

/** A document put (added or replaced) or, as a string, the id of one dropped. */
export type JournalOp = SearchDocument | string;

export interface JournalEntry {
  readonly v: typeof SEARCH_LAYOUT_VERSION;
  readonly generation: number;
  readonly seq: number;
  readonly ops: readonly JournalOp[];
}

/** What open finds in the vault. */
export type PersistedIndex =
  | { readonly kind: 'none' }
  /** Something is stored but cannot be used: rebuild, then delete what is named here. */
  | { readonly kind: 'unusable'; readonly storedParts: number; readonly journalIds: readonly string[] }
  | {
      readonly kind: 'ok';
      readonly head: SearchHead;
      readonly plain: AsPlainObject;
      /** This generation's entries, in order. */
      readonly journal: readonly JournalEntry[];
      readonly journalBytes: number;
      readonly journalIds: readonly string[];
    };

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    // A high surrogate and its low one are one 4-byte character; counted 2 + 2.
    else if (unit >= 0xd800 && unit <= 0xdfff) bytes += 2;
    else bytes += 3;
  }
  return bytes;
}

/** The size of a record's JSON (the values here hold no bytes, so this is what the vault encodes). */
export const jsonBytes = (value: unknown): number => utf8Length(JSON.stringify(value));

/** MiniSearch's JSON tree cut into a head and parts of at most RECORD_MAX_BYTES each. */
export function sliceSnapshot(plain: AsPlainObject, generation: number): { head: SearchHead; parts: SnapshotPart[] } {
  const { documentIds, fieldLength, storedFields, index, ...scalars } = plain;
  const sections: Record<Section, Iterable<readonly [string, unknown]>> = {
    documentIds: Object.entries(documentIds),
    fieldLength: Object.entries(fieldLength),
    storedFields: Object.entries(storedFields),
    index: (function* () {
      for (const [term, data] of index) yield [term, encodePostings(data)] as const;
    })(),
  };
  const parts: SnapshotPart[] = [];
  const emptyPart = (): Record<Section, (readonly [string, unknown])[]> => ({
    documentIds: [],
    fieldLength: [],
    storedFields: [],
    index: [],
  });
  let current = emptyPart();
  const wrapper = (n: number) => jsonBytes({ v: SEARCH_LAYOUT_VERSION, generation, n, ...emptyPart() });
  let bytes = wrapper(0);
  const close = () => {
    parts.push({ v: SEARCH_LAYOUT_VERSION, generation, n: parts.length, ...current });
    current = emptyPart();
    bytes = wrapper(parts.length);
  };
  for (const section of SECTIONS) {
    for (const entry of sections[section]) {
      // +1 for the comma before it.
      const size = jsonBytes(entry) + 1;
      const filled = SECTIONS.some((s) => current[s].length > 0);
      if (filled && bytes + size > RECORD_MAX_BYTES) close();
      current[section].push(entry);
      bytes += size;
    }
  }
  close();
  const head: SearchHead = {
    v: SEARCH_LAYOUT_VERSION,
    text: SEARCH_TEXT_VERSION,
    generation,
    parts: parts.length,
    scalars,
  };
  return { head, parts };
}

/** The inverse of sliceSnapshot. Throws on parts that do not belong together. */
export function joinSnapshot(head: SearchHead, parts: readonly SnapshotPart[]): AsPlainObject {
  const joined: Record<Section, (readonly [string, unknown])[]> = {
    documentIds: [],
    fieldLength: [],
    storedFields: [],
    index: [],
  };
  parts.forEach((part, n) => {
    if (!isRecord(part) || part.v !== SEARCH_LAYOUT_VERSION || part.generation !== head.generation || part.n !== n)
      throw new Error('search snapshot: a part is missing, malformed or of another generation');
    for (const section of SECTIONS) {
      const entries = part[section];
      if (!Array.isArray(entries)) throw new Error('search snapshot: a part is malformed');
      for (const entry of entries) joined[section].push(entry);
    }
  });
  return {
    ...head.scalars,
    documentIds: Object.fromEntries(joined.documentIds),
    fieldLength: Object.fromEntries(joined.fieldLength) as AsPlainObject['fieldLength'],
    storedFields: Object.fromEntries(joined.storedFields),
    index: joined.index.map(([term, postings]) => {
      if (typeof term !== 'string' || typeof postings !== 'string') throw new Error('search snapshot: malformed term');
      return [term, decodePostings(postings)];
    }) as AsPlainObject['index'],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function isHead(value: unknown): value is SearchHead {
  return (
    isRecord(value) &&
    value['v'] === SEARCH_LAYOUT_VERSION &&
    value['text'] === SEARCH_TEXT_VERSION &&
    isCount(value['generation']) &&
    isCount(value['parts']) &&
    isRecord(value['scalars'])
  );
}

function isJournalEntry(value: unknown): value is JournalEntry {
  return (
    isRecord(value) &&
    value['v'] === SEARCH_LAYOUT_VERSION &&
    isCount(value['generation']) &&
    isCount(value['seq']) &&
    Array.isArray(value['ops'])
  );
}

/** Reads the head, every part and the journal; anything unreadable makes the whole 'unusable'. */
export async function readPersistedIndex(vault: VaultLike): Promise<PersistedIndex> {
  const head = await vault.get<unknown>(SEARCH_TABLE, SNAPSHOT_GROUP, HEAD_ID);
  const stored = await vault.list<unknown>(SEARCH_TABLE, JOURNAL_GROUP);
  const entries = stored.filter(isJournalEntry);
  const journalIds = entries.map((entry) => journalId(entry.generation, entry.seq));
  if (head === undefined && stored.length === 0) return { kind: 'none' };
  const storedParts = isRecord(head) && isCount(head['parts']) ? head['parts'] : 0;
  const unusable = { kind: 'unusable', storedParts, journalIds } as const;
  if (!isHead(head) || entries.length !== stored.length) return unusable;
  const parts: SnapshotPart[] = [];
  for (let n = 0; n < head.parts; n++) {
    const part = await vault.get<SnapshotPart>(SEARCH_TABLE, SNAPSHOT_GROUP, partId(n));
    if (part === undefined) return unusable;
    parts.push(part);
  }
  let plain: AsPlainObject;
  try {
    plain = joinSnapshot(head, parts);
  } catch {
    return unusable;
  }
  const journal = entries.filter((e) => e.generation === head.generation).sort((a, b) => a.seq - b.seq);
  // Entries are written seq 0, 1, 2 … and deleted together: a gap means a lost record.
  if (journal.some((entry, i) => entry.seq !== i)) return unusable;
  const journalBytes = journal.reduce((sum, entry) => sum + jsonBytes(entry), 0);
  return { kind: 'ok', head, plain, journal, journalBytes, journalIds };
}

/** Journal entries for `ops`, seq from `firstSeq`, each at most RECORD_MAX_BYTES (one op alone may exceed it). */
export function journalEntries(ops: readonly JournalOp[], generation: number, firstSeq: number): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const wrapper = jsonBytes({ v: SEARCH_LAYOUT_VERSION, generation, seq: firstSeq + 1_000_000, ops: [] });
  let current: JournalOp[] = [];
  let bytes = wrapper;
  for (const op of ops) {
    const size = jsonBytes(op) + 1;
    if (current.length > 0 && bytes + size > RECORD_MAX_BYTES) {
      entries.push({ v: SEARCH_LAYOUT_VERSION, generation, seq: firstSeq + entries.length, ops: current });
      current = [];
      bytes = wrapper;
    }
    current.push(op);
    bytes += size;
  }
  if (current.length > 0)
    entries.push({ v: SEARCH_LAYOUT_VERSION, generation, seq: firstSeq + entries.length, ops: current });
  return entries;
}

/** Puts a snapshot in `batch`, and deletes the parts past it and the journal it replaces. */
export function putSnapshot(
  batch: VaultBatchLike,
  snapshot: { head: SearchHead; parts: readonly SnapshotPart[] },
  replaced: { storedParts: number; journalIds: Iterable<string> },
): void {
  batch.put(SEARCH_TABLE, SNAPSHOT_GROUP, HEAD_ID, snapshot.head);
  for (const part of snapshot.parts) batch.put(SEARCH_TABLE, SNAPSHOT_GROUP, partId(part.n), part);
  for (let n = snapshot.parts.length; n < replaced.storedParts; n++)
    batch.delete(SEARCH_TABLE, SNAPSHOT_GROUP, partId(n));
  for (const id of replaced.journalIds) batch.delete(SEARCH_TABLE, JOURNAL_GROUP, id);
}
