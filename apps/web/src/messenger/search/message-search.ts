import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import type { MessageChanges, VaultLike } from '../transaction';
import { listMessageRecords } from '../views';
import {
  docIdOf,
  INDEXED_FIELDS,
  searchDocumentOf,
  splitDocId,
  STORED_FIELDS,
  type SearchDocument,
} from './search-document';
import {
  JOURNAL_GROUP,
  journalEntries,
  journalId,
  jsonBytes,
  putSnapshot,
  readPersistedIndex,
  SEARCH_TABLE,
  sliceSnapshot,
  type JournalOp,
} from './search-store';
import { queryTerms, searchTokens } from './search-text';

/**
 * Full-text search over the decrypted history, on the device only (issue 15, item 4): the index
 * lives in the worker's memory and in the vault, sealed like every record (search-store.ts says
 * how); neither the index nor a query ever leaves the worker.
 *
 * MiniSearch (a maintained inverted index with prefix and fuzzy search) holds one document per
 * message that has words (search-document.ts); search-text.ts folds accents and case, the same way
 * for messages and queries. Each commit's message changes are applied incrementally and kept as
 * one small journal record; the whole index is written again (a snapshot) only when the journal
 * grows past JOURNAL_MAX_ENTRIES records or JOURNAL_MAX_BYTES.
 *
 * Calls run one after another (build, apply and compaction never interleave); `search` is
 * synchronous and sees the index as of the last finished call.
 */

export interface MessageSearchOptions {
  /** The clock that hides disappearing messages past their time (ms; Date.now unless given). */
  readonly now?: () => number;
  /** Compaction thresholds (tests lower them). */
  readonly journalMaxEntries?: number;
  readonly journalMaxBytes?: number;
}

export interface SearchQueryOptions {
  /** Only this conversation's messages. */
  readonly conversationId?: string;
  /** At most this many hits (default 50, at most 500). */
  readonly limit?: number;
}

/** One message found; the page opens `conversationId` at `messageId`. */
export interface SearchHit {
  readonly conversationId: string;
  readonly messageId: string;
  readonly sentAt: number;
  readonly score: number;
  /** The indexed terms that matched (folded: search-text.ts), for highlighting. */
  readonly matches: readonly string[];
}

/** About 2,000 commits between snapshots: a snapshot of 100,000 messages is tens of MiB. */
export const JOURNAL_MAX_ENTRIES = 2_000;
export const JOURNAL_MAX_BYTES = 1024 * 1024;
/** Longer queries are cut: nobody types more, and each term costs a walk of the index. */
export const MAX_QUERY_CHARS = 200;
export const MAX_QUERY_TERMS = 12;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/** A sender's name finds their messages, below those that say the words. */
const BOOST = { text: 1, file: 1, sender: 0.25 } as const;
/** Fuzzy matching for terms of five characters and more (one typo in 5 to 7, two from 8). */
const FUZZY_FROM = 5;
/** A shorter last term is matched whole: "le" as a prefix expands to hundreds of terms and finds everything. */
const PREFIX_FROM = 3;
const FUZZY = 0.2;
const VACUUM_BATCH = 10_000;
const INDEXED: ReadonlySet<string> = new Set(INDEXED_FIELDS);

function indexOptions(): Options<SearchDocument> {
  return {
    fields: [...INDEXED_FIELDS],
    storeFields: [...STORED_FIELDS],
    idField: 'id',
    // Every document has every field, '' when absent: field lengths are then dense arrays, which
    // the vault's record codec stores as they are and discard averages correctly (MiniSearch
    // skips holes there, but not the nulls that holes become in JSON).
    extractField: (document, field) =>
      (document as unknown as Record<string, unknown>)[field] ?? (INDEXED.has(field) ? '' : undefined),
    tokenize: (text) => searchTokens(text),
    // searchTokens already folded every term.
    processTerm: (term) => term,
    // Vacuuming happens before a snapshot, never in the middle of an apply.
    autoVacuum: false,
    searchOptions: {
      tokenize: (query) => queryTerms(query, MAX_QUERY_TERMS),
      boost: BOOST,
      combineWith: 'AND',
      // The last term may be still being typed.
      prefix: (term, i, terms) => i === terms.length - 1 && term.length >= PREFIX_FROM,
      fuzzy: (term) => (term.length >= FUZZY_FROM ? FUZZY : false),
    },
  };
}

/** Applies one journal op: a document put (added, or replacing the one with its id) or an id dropped. */
function applyOp(index: MiniSearch<SearchDocument>, op: JournalOp): void {
  const id = typeof op === 'string' ? op : op.id;
  if (index.has(id)) index.discard(id);
  if (typeof op !== 'string') index.add(op);
}

interface JournalState {
  /** The snapshot's generation; the journal's records belong to it. */
  generation: number;
  nextSeq: number;
  bytes: number;
  /** Every journal record id in the vault (this generation's, and any stale ones to delete). */
  ids: string[];
}

export class MessageSearch {
  private index = new MiniSearch<SearchDocument>(indexOptions());
  private journal: JournalState = { generation: 0, nextSeq: 0, bytes: 0, ids: [] };
  /** How many snapshot parts the vault holds (those past a new snapshot's are deleted). */
  private storedParts = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private forgotten = false;
  #needsBuild = true;
  private readonly now: () => number;
  private readonly journalMaxEntries: number;
  private readonly journalMaxBytes: number;

  private constructor(
    private readonly vault: VaultLike,
    options: MessageSearchOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.journalMaxEntries = options.journalMaxEntries ?? JOURNAL_MAX_ENTRIES;
    this.journalMaxBytes = options.journalMaxBytes ?? JOURNAL_MAX_BYTES;
  }

  /**
   * Loads the index kept in `vault` (its snapshot, then its journal replayed). With none (a vault
   * from before search) or one that cannot be used (another version, a record missing), the
   * index is empty and `needsBuild` is true: call build. A vault error (locked, corrupt) is thrown.
   */
  static async open(vault: VaultLike, options: MessageSearchOptions = {}): Promise<MessageSearch> {
    const search = new MessageSearch(vault, options);
    const persisted = await readPersistedIndex(vault);
    if (persisted.kind === 'none') return search;
    search.journal.ids = [...persisted.journalIds];
    search.journal.generation = Math.max(0, ...persisted.journalIds.map((id) => Number(id.split(':')[0]) || 0));
    if (persisted.kind === 'unusable') {
      search.storedParts = persisted.storedParts;
      return search;
    }
    const { head } = persisted;
    search.storedParts = head.parts;
    search.journal.generation = Math.max(search.journal.generation, head.generation);
    try {
      const index = MiniSearch.loadJS<SearchDocument>(persisted.plain, indexOptions());
      for (const entry of persisted.journal) for (const op of entry.ops) applyOp(index, op);
      search.index = index;
    } catch {
      // A snapshot MiniSearch refuses, or an op that does not apply: rebuilt like a missing one.
      return search;
    }
    search.journal.generation = head.generation;
    search.journal.nextSeq = persisted.journal.length;
    search.journal.bytes = persisted.journalBytes;
    search.#needsBuild = false;
    return search;
  }

  /** No usable index was found at open, and build has not finished since. */
  get needsBuild(): boolean {
    return this.#needsBuild;
  }

  /** How many messages are indexed. */
  get documentCount(): number {
    return this.index.documentCount;
  }

  /**
   * Indexes every stored, unexpired message of these conversations, one conversation read at a
   * time, then writes a snapshot (replacing anything stored) in one commit. The index in use is
   * replaced only once that commit succeeded. `vault` is read for messages; the index is written
   * to the vault given to open (the same one in the app).
   */
  build(vault: VaultLike, conversationIds: readonly string[]): Promise<void> {
    return this.serial(async () => {
      if (this.forgotten) return;
      const index = new MiniSearch<SearchDocument>(indexOptions());
      const now = this.now();
      for (const conversationId of conversationIds) {
        for (const message of await listMessageRecords(vault, conversationId, now)) {
          const document = searchDocumentOf(message);
          if (document && !index.has(document.id)) index.add(document);
        }
        if (this.forgotten) return;
      }
      await this.writeSnapshot(index);
      if (this.forgotten) return;
      this.index = index;
      this.#needsBuild = false;
    });
  }

  /**
   * Brings the index up to date with committed message changes (Transaction.committedChanges):
   * a message with words is added or replaced, one deleted, expired or left without words is
   * dropped; a rewrite that changes none of its indexed fields does nothing. What changed is
   * written as one journal record (more only past 1 MiB) before the index in memory changes: a
   * failed write throws and leaves both as they were. A compaction that fails afterwards throws
   * too, but the change stands (it is journalled) and the next apply compacts again. Before a
   * build (needsBuild), nothing is done: the build reads the messages themselves.
   */
  apply(changes: readonly MessageChanges[]): Promise<void> {
    return this.serial(async () => {
      if (this.forgotten || this.#needsBuild) return;
      const ops = this.opsFor(changes);
      if (ops.length === 0) return;
      const { generation, nextSeq } = this.journal;
      const entries = journalEntries(ops, generation, nextSeq);
      const batch = this.vault.batch();
      for (const entry of entries) batch.put(SEARCH_TABLE, JOURNAL_GROUP, journalId(generation, entry.seq), entry);
      await this.vault.commit(batch);
      if (this.forgotten) return;
      for (const op of ops) applyOp(this.index, op);
      this.journal.nextSeq += entries.length;
      this.journal.bytes += entries.reduce((sum, entry) => sum + jsonBytes(entry), 0);
      this.journal.ids.push(...entries.map((entry) => journalId(generation, entry.seq)));
      // A message deleted for everyone (messages.md §5.8) leaves no word behind: its words in the
      // snapshot and the journal go with the compaction now, not at the next one.
      const deleted = changes.some((change) => change.upserted.some((m) => m.deletedAt !== undefined));
      if (deleted || this.journal.nextSeq >= this.journalMaxEntries || this.journal.bytes >= this.journalMaxBytes)
        await this.compact();
    });
  }

  /**
   * Messages whose words match every term of `query` (search-text.ts queryTerms: common words
   * left out when others remain; the last term, from three characters, as a prefix; terms of
   * five characters and more within one or two typos), best first, ties newest first. An empty
   * query, one with no word in it, or one after forgetAll finds nothing; a long one is cut to
   * MAX_QUERY_CHARS characters and MAX_QUERY_TERMS terms.
   */
  search(query: string, options: SearchQueryOptions = {}): SearchHit[] {
    if (this.forgotten || typeof query !== 'string') return [];
    const cut = query.slice(0, MAX_QUERY_CHARS);
    if (searchTokens(cut).length === 0) return [];
    const limit = Math.min(Math.floor(options.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    if (!(limit > 0)) return [];
    const { conversationId } = options;
    const prefix = conversationId === undefined ? undefined : docIdOf(conversationId, '');
    if (conversationId !== undefined && prefix === undefined) return [];
    const now = this.now();
    const visible = (result: SearchResult): boolean =>
      (prefix === undefined || (result.id as string).startsWith(prefix)) &&
      (result['expiresAt'] === undefined || (result['expiresAt'] as number) > now);
    // MiniSearch sorts by score: only the first `limit` and those tied with the last need the tie-break.
    const results = this.index.search(cut, { filter: visible });
    let end = Math.min(limit, results.length);
    const lastScore = results[end - 1]?.score;
    while (end < results.length && results[end]?.score === lastScore) end++;
    return results
      .slice(0, end)
      .sort((a, b) => b.score - a.score || (b['sentAt'] as number) - (a['sentAt'] as number))
      .slice(0, limit)
      .map((result) => ({
        ...splitDocId(result.id as string),
        sentAt: result['sentAt'] as number,
        score: result.score,
        matches: result.terms,
      }));
  }

  /**
   * Drops the index from memory (the vault locks, or is wiped). The instance is spent: search
   * finds nothing, build and apply do nothing, a write under way is not followed by another.
   * Open a new one after the next unlock.
   */
  forgetAll(): void {
    this.forgotten = true;
    this.index = new MiniSearch<SearchDocument>(indexOptions());
    this.journal = { generation: 0, nextSeq: 0, bytes: 0, ids: [] };
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The journal ops these changes make, against the index as it stands (nothing changed yet). */
  private opsFor(changes: readonly MessageChanges[]): JournalOp[] {
    const now = this.now();
    const ops: JournalOp[] = [];
    // Fingerprint of each document as the ops so far leave it (null: not indexed).
    const pending = new Map<string, number | null>();
    const current = (id: string): number | null => {
      const known = pending.get(id);
      if (known !== undefined) return known;
      const stored = this.index.getStoredFields(id);
      return stored === undefined ? null : (stored['f'] as number);
    };
    const drop = (id: string | undefined) => {
      if (id === undefined || current(id) === null) return;
      ops.push(id);
      pending.set(id, null);
    };
    for (const change of changes) {
      for (const messageId of change.removed) drop(docIdOf(change.conversationId, messageId));
      for (const message of change.upserted) {
        const document = searchDocumentOf(message);
        if (!document || (document.expiresAt !== undefined && document.expiresAt <= now)) {
          drop(docIdOf(message.conversationId, message.id));
        } else if (current(document.id) !== document.f) {
          ops.push(document);
          pending.set(document.id, document.f);
        }
      }
    }
    return ops;
  }

  private async compact(): Promise<void> {
    if (this.index.dirtCount > 0) await this.index.vacuum({ batchSize: VACUUM_BATCH, batchWait: 0 });
    if (this.forgotten) return;
    await this.writeSnapshot(this.index);
  }

  /** Writes `index` as the next generation's snapshot, deleting the old parts past it and the journal. */
  private async writeSnapshot(index: MiniSearch<SearchDocument>): Promise<void> {
    const generation = this.journal.generation + 1;
    const snapshot = sliceSnapshot(index.toJSON(), generation);
    const batch = this.vault.batch();
    putSnapshot(batch, snapshot, { storedParts: this.storedParts, journalIds: this.journal.ids });
    await this.vault.commit(batch);
    this.storedParts = snapshot.parts.length;
    this.journal = { generation, nextSeq: 0, bytes: 0, ids: [] };
  }
}
