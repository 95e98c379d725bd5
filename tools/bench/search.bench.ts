/**
 * `npm run bench:search`: on-device full-text search (issue 15, item 4: "query time and index size
 * for 100,000 messages"), written to bench-results/search.json and bench-results/search.md.
 *
 * What runs: apps/web's MessageSearch (MiniSearch, search-text.ts folding) over generated messages
 * (French and English words, accents, elisions, 20 to 400 characters, Zipf-distributed so that a
 * few words are everywhere and most are rare) across conversations; its index written through a
 * real Vault (sealed, padded records) over a MemoryRecordStore, with cheap Argon2id costs (the key
 * derivation is not what is measured). Messages are read from a plain in-memory VaultLike, so the
 * store holds only the index. Measured: the build (index every message, then write the snapshot),
 * open from the vault, incremental applies of 1,000 new messages in batches of 10 (the last one
 * compacts), query latency over ~200 queries of several kinds, and, as the baseline of the same
 * run, a linear scan of the same queries over the folded texts with String#includes. Sizes: the
 * index's JSON and what the vault stores for it. Heap: process.memoryUsage after gc.
 * Knobs: BENCH_SEARCH_MESSAGES (100000), BENCH_SEARCH_CONVERSATIONS (200).
 */
import { performance } from 'node:perf_hooks';
import { TABLES, type MessageRecord } from '../../apps/web/src/messenger/records';
import { MessageSearch } from '../../apps/web/src/messenger/search/message-search';
import {
  HEAD_ID,
  joinSnapshot,
  jsonBytes,
  partId,
  SEARCH_TABLE,
  type SearchHead,
  type SnapshotPart,
} from '../../apps/web/src/messenger/search/search-store';
import { foldSearchText, searchTokens } from '../../apps/web/src/messenger/search/search-text';
import type { MessageChanges, VaultBatchLike, VaultLike } from '../../apps/web/src/messenger/transaction';
import { AttachmentChunks } from '../../apps/web/src/store/attachment-chunks';
import { MemoryRecordStore } from '../../apps/web/src/store/memory-record-store';
import { Vault } from '../../apps/web/src/store/vault';
import { benchMachine, measuredLine, writeBenchResults } from './bench-output';

const MESSAGES = Number(process.env['BENCH_SEARCH_MESSAGES'] ?? 100_000);
const CONVERSATIONS = Number(process.env['BENCH_SEARCH_CONVERSATIONS'] ?? 200);
const APPLIED = 1_000;
const BATCH = 10;
/** The same cheap costs as apps/web/test/store/vault-helpers.ts CHEAP_KDF. */
const CHEAP_KDF = { memoryKiB: 256, iterations: 1, parallelism: 1 };
const MIB = 1024 * 1024;

// ── generated history ─────────────────────────────────────────────────────────────────────

/** A deterministic generator, so every run indexes the same history. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}
const random = seeded(2026);

const COMMON = (
  'le la les de des un une et est pour dans que qui pas sur avec ce il elle nous vous on au du ' +
  'the and to of a is in it for on you that this with be are we can will have not at'
).split(' ');
const WORDS = (
  'réunion été élève cœur rendez-vous budget français déjà garçon Noël hôpital forêt château naïf ' +
  'très bientôt lendemain équipe événement procès-verbal préfecture délégué sécurité accès réseau ' +
  'numéro téléphone adresse congés médecin école crèche fenêtre clé mot-de-passe facture reçu ' +
  'demain hier aujourd’hui semaine février décembre août Zoë Hélène François Jérôme Müller Straße ' +
  'meeting tomorrow report deadline coffee project release weekend holiday invoice review office ' +
  'lunch schedule question answer client draft update summary budget contract password printer'
).split(' ');
const ELISIONS = ['l’', 'd’', 'qu’', "j'", 'n’', 'c’'];
const SYLLABLES =
  'ba be bi bo bu ca ce ci co da de di do fa fe fi la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo za ze zé rè ou an on in'.split(
    ' ',
  );

/** 20,000 rare made-up words: a real history's long tail (names, places, jargon, typos). */
const RARE = Array.from({ length: 20_000 }, () =>
  Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(
    '',
  ),
);
const VOCABULARY = [...COMMON, ...WORDS, ...RARE];
/** Zipf (s = 1) over the vocabulary, by inverting its cumulative weights. */
const CUMULATIVE = (() => {
  let sum = 0;
  return VOCABULARY.map((_w, rank) => (sum += 1 / (rank + 1)));
})();
function zipfWord(): string {
  const target = random() * (CUMULATIVE[CUMULATIVE.length - 1] as number);
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((CUMULATIVE[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo] as string;
}

/** 20 to 400 characters, most of them short (as chat messages are). */
function text(): string {
  const length = 20 + Math.floor(380 * random() ** 2);
  const words: string[] = [];
  let size = 0;
  while (size < length) {
    let word = zipfWord();
    if (random() < 0.05) word = (ELISIONS[Math.floor(random() * ELISIONS.length)] as string) + word;
    if (random() < 0.03) word = word.toUpperCase();
    words.push(word);
    size += word.length + 1;
  }
  const sentence = words.join(' ');
  return `${sentence[0]?.toUpperCase()}${sentence.slice(1, length)}${random() < 0.5 ? '.' : ' !'}`;
}

const SENDERS = ['Hélène Dubois', 'Jérôme Martin', 'Zoë Müller', 'Alex Smith', 'Chloé Bernard'];
const conversationId = (i: number): string => (i % CONVERSATIONS).toString(16).padStart(32, '0');
function messageRecord(i: number): MessageRecord {
  const name = SENDERS[i % SENDERS.length] as string;
  return {
    v: 1,
    id: `m${i}`,
    conversationId: conversationId(i),
    mine: i % 3 === 0,
    sender: { address: `${name.split(' ')[0]?.toLowerCase()}@bench.invalid`, displayName: name, deviceId: 'd' },
    text: text(),
    sentAt: 1_700_000_000_000 + i * 1_000,
    receivedAt: 1_700_000_000_000 + i * 1_000,
  };
}

/** Messages by conversation, read through the VaultLike interface (nothing sealed: not measured). */
class MessageShelf implements VaultLike {
  readonly byConversation = new Map<string, MessageRecord[]>();
  readonly attachmentChunks = new AttachmentChunks(new MemoryRecordStore());
  async get<T>(): Promise<T | undefined> {
    return undefined;
  }
  async list<T>(table: string, group: string): Promise<T[]> {
    return (table === TABLES.messages ? (this.byConversation.get(group) ?? []) : []) as T[];
  }
  batch(): VaultBatchLike {
    throw new Error('the shelf is read-only');
  }
  async commit(): Promise<void> {
    throw new Error('the shelf is read-only');
  }
}

// ── measuring ─────────────────────────────────────────────────────────────────────────────

/** Nearest rank. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
function heapUsed(): number {
  global.gc?.();
  global.gc?.();
  return process.memoryUsage().heapUsed;
}
async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

const LONG = 'long (a message’s first 200 characters)';

interface Query {
  readonly kind: string;
  readonly query: string;
}

/** ~200 queries: single words accented and not, prefixes, two words, rare and common words, long ones. */
function queries(texts: readonly string[]): Query[] {
  const pickFrom = (list: readonly string[], n: number) =>
    Array.from({ length: n }, (_, i) => list[(i * 7 + 3) % list.length] as string);
  const accented = pickFrom(
    WORDS.filter((w) => foldSearchText(w) !== w.toLowerCase()),
    40,
  );
  return [
    ...accented.map((query) => ({ kind: 'one word, accented', query })),
    ...accented.map((query) => ({
      kind: 'one word, unaccented upper case',
      query: foldSearchText(query).toUpperCase(),
    })),
    ...pickFrom(WORDS, 40).map((w) => ({ kind: 'prefix (first 4 letters)', query: foldSearchText(w).slice(0, 4) })),
    ...pickFrom(WORDS, 40).map((w, i) => ({ kind: 'two words', query: `${w} ${WORDS[(i * 13 + 5) % WORDS.length]}` })),
    ...pickFrom(RARE.slice(5_000), 20).map((query) => ({ kind: 'rare word', query })),
    ...pickFrom(COMMON, 20).map((query) => ({ kind: 'common word', query })),
    // The worst case the cut allows: 200 characters, up to 12 terms, most of them fuzzy.
    ...pickFrom(
      texts.filter((t) => t.length >= 200),
      10,
    ).map((t) => ({ kind: LONG, query: t.slice(0, 200) })),
  ];
}

/** The baseline: every folded text scanned with includes for every folded query term. */
function linearScan(texts: readonly string[], query: string): number {
  const terms = searchTokens(query);
  let found = 0;
  for (const t of texts) if (terms.every((term) => t.includes(term))) found++;
  return found;
}

/** The index's records as the vault stores them: sealed bytes, and the JSON inside. */
async function indexSize(store: MemoryRecordStore, before: ReadonlySet<string>, vault: Vault) {
  const written = (await store.list('')).filter(({ key }) => !before.has(key));
  const sealedBytes = written.reduce((sum, { value }) => sum + value.length, 0);
  const head = (await vault.get<SearchHead>(SEARCH_TABLE, '', HEAD_ID)) as SearchHead;
  const parts: SnapshotPart[] = [];
  for (let n = 0; n < head.parts; n++)
    parts.push((await vault.get<SnapshotPart>(SEARCH_TABLE, '', partId(n))) as SnapshotPart);
  const storedJson = jsonBytes(head) + parts.reduce((sum, part) => sum + jsonBytes(part), 0);
  // What JSON.stringify(miniSearch) would write: the same tree, postings as MiniSearch writes them.
  const miniSearchJson = jsonBytes(joinSnapshot(head, parts));
  return { records: written.length, parts: head.parts, sealedBytes, storedJson, miniSearchJson };
}

interface Row {
  readonly section: string;
  readonly name: string;
  readonly value: string;
  readonly note?: string;
}

async function main(): Promise<void> {
  const began = performance.now();
  const rows: Row[] = [];
  const row = (section: string, name: string, value: string, note?: string) => {
    rows.push({ section, name, value, ...(note && { note }) });
    console.log(`${name}: ${value}${note ? ` (${note})` : ''}`);
  };
  const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

  const shelf = new MessageShelf();
  const messages = Array.from({ length: MESSAGES + APPLIED }, (_, i) => messageRecord(i));
  for (const m of messages.slice(0, MESSAGES)) {
    const list = shelf.byConversation.get(m.conversationId) ?? [];
    list.push(m);
    shelf.byConversation.set(m.conversationId, list);
  }
  const textBytes = messages.slice(0, MESSAGES).reduce((sum, m) => sum + Buffer.byteLength(m.text ?? ''), 0);
  const store = new MemoryRecordStore();
  const vault = await Vault.create(store, 'correct horse battery staple', { kdfParams: CHEAP_KDF });
  const before = new Set((await store.list('')).map(({ key }) => key));
  const section1 = `1. Build over ${MESSAGES.toLocaleString('en')} messages in ${CONVERSATIONS} conversations`;
  row(section1, 'message texts (UTF-8)', mib(textBytes), `mean ${(textBytes / MESSAGES).toFixed(0)} bytes`);

  const heapBefore = heapUsed();
  const search = await MessageSearch.open(vault, { now: () => 0, journalMaxEntries: APPLIED / BATCH });
  const build = await timed(() => search.build(shelf, [...shelf.byConversation.keys()]));
  const heapAfter = heapUsed();
  row(section1, 'build: index every message, then write the snapshot (sealed)', ms(build.ms));
  row(
    section1,
    'heap used by the index after build (after gc)',
    mib(heapAfter - heapBefore),
    `process heap ${mib(heapAfter)} with the messages`,
  );
  const size = await indexSize(store, before, vault);
  row(
    section1,
    "index size: MiniSearch's own JSON (JSON.stringify of the index)",
    mib(size.miniSearchJson),
    `${(size.miniSearchJson / textBytes).toFixed(2)} × the texts`,
  );
  row(
    section1,
    'index size: the JSON stored (postings compacted, search-postings.ts)',
    mib(size.storedJson),
    `${(size.storedJson / textBytes).toFixed(2)} × the texts`,
  );
  row(
    section1,
    'index size: what the vault stores (sealed, padded)',
    mib(size.sealedBytes),
    `${size.records} records: head + ${size.parts} parts ≤ 1 MiB`,
  );
  const open = await timed(() => MessageSearch.open(vault, { now: () => 0 }));
  row(
    section1,
    'open: read, unseal and load the snapshot',
    ms(open.ms),
    `${open.result.documentCount.toLocaleString('en')} documents`,
  );

  const section2 = `2. Incremental: ${APPLIED.toLocaleString('en')} new messages applied in batches of ${BATCH}`;
  const batchMs: number[] = [];
  const storedBefore = new Set((await store.list('')).map(({ key }) => key));
  for (let i = 0; i < APPLIED; i += BATCH) {
    const batch = messages.slice(MESSAGES + i, MESSAGES + i + BATCH);
    // One commit's changes, per conversation as Transaction.messageChanges gives them.
    const changes: MessageChanges[] = [...new Set(batch.map((m) => m.conversationId))].map((id) => ({
      conversationId: id,
      upserted: batch.filter((m) => m.conversationId === id),
      removed: [],
    }));
    batchMs.push((await timed(() => search.apply(changes))).ms);
    if (i === 0) {
      const journal = (await store.list('')).filter(({ key }) => !storedBefore.has(key));
      row(section2, 'one journal record (10 messages), as stored', `${journal[0]?.value.length ?? 0} bytes`);
    }
  }
  const plain = batchMs.slice(0, -1);
  row(section2, 'apply a batch (journal record in one commit): p50', ms(percentile(plain, 50)));
  row(section2, 'apply a batch: p99', ms(percentile(plain, 99)), `mean ${ms(mean(plain))}`);
  row(section2, 'the 100th batch, which compacts (vacuum + new snapshot)', ms(batchMs[batchMs.length - 1] as number));

  const section3 = '3. Queries (limit 50), against a linear scan of the same run';
  const folded = messages.slice(0, MESSAGES).map((m) => foldSearchText(m.text ?? ''));
  const all = queries(messages.slice(0, MESSAGES).map((m) => m.text ?? ''));
  for (const q of all.slice(0, 20)) search.search(q.query); // warm-up
  const perKind = new Map<string, { search: number[]; scan: number[]; hits: number[] }>();
  for (const q of all) {
    const entry = perKind.get(q.kind) ?? { search: [], scan: [], hits: [] };
    perKind.set(q.kind, entry);
    const found = await timed(() => search.search(q.query));
    entry.search.push(found.ms);
    entry.hits.push(found.result.length);
    entry.scan.push((await timed(() => linearScan(folded, q.query))).ms);
  }
  // The ~200 queries of the issue's kinds; the long ones (a worst case) are reported apart.
  const every = [...perKind].filter(([kind]) => kind !== LONG).map(([, e]) => e);
  const counted = every.reduce((sum, e) => sum + e.search.length, 0);
  const searchAll = every.flatMap((e) => e.search);
  const scanAll = every.flatMap((e) => e.scan);
  row(section3, `MessageSearch.search, ${counted} queries (all but the long ones): p50`, ms(percentile(searchAll, 50)));
  row(section3, 'MessageSearch.search, the same: p99', ms(percentile(searchAll, 99)));
  row(section3, 'baseline, linear scan with includes, the same: p50', ms(percentile(scanAll, 50)));
  row(section3, 'baseline, linear scan with includes, the same: p99', ms(percentile(scanAll, 99)));
  for (const [kind, e] of perKind)
    row(
      section3,
      `search, ${kind} (${e.search.length}): p50 / p99`,
      `${ms(percentile(e.search, 50))} / ${ms(percentile(e.search, 99))}`,
      `scan p50 ${ms(percentile(e.scan, 50))}; mean hits ${mean(e.hits).toFixed(0)}`,
    );

  const measuredAt = new Date().toISOString();
  const machine = benchMachine({ vaultRecords: 'XChaCha20-Poly1305 (@noble/ciphers)', search: 'minisearch 7.2.0' });
  const notes = [
    `Generated history: ${COMMON.length} common words, ${WORDS.length} French/English words with accents, ligatures and elisions, and ${RARE.length.toLocaleString('en')} rare made-up words, drawn Zipf (s = 1); texts of 20 to 400 characters (most short); ${SENDERS.length} senders whose names are indexed too.`,
    'The index is written through a real Vault (sealed XChaCha20-Poly1305 records padded to powers of two, storage.md §3.1) over a MemoryRecordStore: no IndexedDB, whose cost is the browser’s. Heap is measured in Node with --expose-gc; a Chromium worker’s differs.',
    `Queries: MiniSearch with AND between terms (common French/English words left out when others remain, search-text.ts queryTerms), prefix on the last (from 3 letters), fuzzy (0.2) on terms of 5+ characters, limit 50; the scan baseline folds the same way and only tests substrings (no ranking, no typo tolerance). Timings are single runs per query; p99 is nearest rank.`,
  ];
  const markdown = [
    '# bench:search',
    '',
    measuredLine(measuredAt, machine),
    '',
    '| measurement | result | note |',
    '|---|---|---|',
    ...[...new Set(rows.map((r) => r.section))].flatMap((title) => [
      `| **${title}** | | |`,
      ...rows.filter((r) => r.section === title).map((r) => `| ${r.name} | ${r.value} | ${r.note ?? ''} |`),
    ]),
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
  console.log(`\nrun took ${((performance.now() - began) / 1000).toFixed(1)} s\n\n${markdown}`);
  writeBenchResults(
    'search',
    {
      measuredAt,
      machine,
      config: { messages: MESSAGES, conversations: CONVERSATIONS, applied: APPLIED, batch: BATCH },
      textBytes,
      build: { ms: build.ms, heapBytes: heapAfter - heapBefore },
      size,
      openMs: open.ms,
      applyMs: batchMs,
      queries: Object.fromEntries(perKind),
      rows,
      notes,
    },
    markdown,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
