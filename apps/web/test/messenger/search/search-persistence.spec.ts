/**
 * The search index in the vault (search-store.ts): it comes back the same after open through the
 * snapshot and the journal, compaction keeps results identical, records stay within the `search`
 * table and under 1 MiB each, and nothing of it is in clear at rest. Failure modes: a malformed
 * head, a truncated snapshot, a journal gap, another text version, a reordered journal, a failed
 * write.
 */
import { encodeRecordValue } from '../../../src/store/record-codec';
import { recordBucket } from '../../../src/store/record-padding';
import { MemoryRecordStore } from '../../../src/store/memory-record-store';
import { Vault } from '../../../src/store/vault';
import type { MessageRecord } from '../../../src/messenger/records';
import type { VaultBatchLike } from '../../../src/messenger/transaction';
import { MessageSearch, type MessageSearchOptions } from '../../../src/messenger/search/message-search';
import { HEAD_ID, SEARCH_TABLE, type SearchHead } from '../../../src/messenger/search/search-store';
import { CHEAP_KDF, PASSPHRASE } from '../../store/vault-helpers';
import { MapVault } from '../map-vault';
import {
  changes,
  CONV_A,
  CONV_B,
  ENGLISH_WORDS,
  FRENCH_WORDS,
  message,
  searchKeys,
  seeded,
  storeMessages,
} from './search-fixtures';

const QUERIES = ['élève', 'coeur', 'meeting tomorrow', 'rend', 'budget', 'repor', 'Noël équipe', 'zanzibar'];
const MIB = 1024 * 1024;

/** Every query's hits, to compare two indexes. */
const resultsOf = (search: MessageSearch) => QUERIES.map((q) => search.search(q, { limit: 500 }));

function history(count: number, seed: number, words = 12, conversations = [CONV_A, CONV_B]): MessageRecord[] {
  const random = seeded(seed);
  const vocabulary = [...FRENCH_WORDS, ...ENGLISH_WORDS];
  return Array.from({ length: count }, (_, i) =>
    message(
      conversations[i % conversations.length] as string,
      `m${seed}-${i}`,
      Array.from(
        { length: 1 + Math.floor(random() * words) },
        () => vocabulary[Math.floor(random() * vocabulary.length)],
      ).join(' '),
      { sentAt: 1_000 + i },
    ),
  );
}

/** Messages of long made-up words, all distinct: a snapshot of several 1 MiB parts from few messages. */
function manyTerms(count: number, seed: number): MessageRecord[] {
  const random = seeded(seed);
  const word = () => Array.from({ length: 200 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  return Array.from({ length: count }, (_, i) =>
    message(i % 2 ? CONV_A : CONV_B, `w${seed}-${i}`, Array.from({ length: 4 }, word).join(' '), { sentAt: i }),
  );
}

async function built(options: MessageSearchOptions = {}, messages = history(200, 1)) {
  const vault = new MapVault();
  await storeMessages(vault, messages);
  const search = await MessageSearch.open(vault, options);
  await search.build(vault, [CONV_A, CONV_B]);
  return { vault, search };
}

const head = (vault: MapVault) => vault.records.get(`search||${HEAD_ID}`) as SearchHead;
const journalKeys = (vault: MapVault) => searchKeys(vault).filter((key) => key.startsWith('journal|'));

/** A MapVault whose next commit fails, as a full disk or a lock in the middle would. */
class FailingVault extends MapVault {
  failNext = false;
  override async commit(batch: VaultBatchLike): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    return super.commit(batch);
  }
}

describe('the search index in the vault', () => {
  it('opens again from snapshot and journal with the same results', async () => {
    const { vault, search } = await built();
    await search.apply(changes(history(30, 2)));
    await search.apply(changes([message(CONV_A, 'edit', 'zanzibar budget')], [[CONV_A, 'm1-3']]));
    expect(journalKeys(vault)).toEqual(['journal|1:0', 'journal|1:1']);
    const reopened = await MessageSearch.open(vault);
    expect(reopened.needsBuild).toBe(false);
    expect(reopened.documentCount).toBe(search.documentCount);
    expect(resultsOf(reopened)).toEqual(resultsOf(search));
  });

  it('compacts after journalMaxEntries records: one snapshot, no journal, identical results', async () => {
    const { vault, search } = await built({ journalMaxEntries: 3 });
    expect(head(vault).generation).toBe(1);
    for (let i = 0; i < 3; i++) await search.apply(changes(history(5, 10 + i)));
    await search.apply(changes([], [[CONV_A, 'm10-0']]));
    expect(head(vault).generation).toBe(2);
    expect(journalKeys(vault)).toEqual(['journal|2:0']);
    const reopened = await MessageSearch.open(vault);
    expect(resultsOf(reopened)).toEqual(resultsOf(search));
  });

  it('compacts once the journal passes journalMaxBytes', async () => {
    const { vault, search } = await built({ journalMaxBytes: 4_000 });
    await search.apply(changes(history(5, 3)));
    expect(head(vault).generation).toBe(1);
    await search.apply(changes(history(40, 4)));
    expect(head(vault).generation).toBe(2);
    expect(journalKeys(vault)).toEqual([]);
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
  });

  it('splits an oversized apply into journal records under 1 MiB each', async () => {
    const { vault, search } = await built({ journalMaxEntries: 1_000, journalMaxBytes: 100 * MIB });
    await search.apply(changes(history(3_000, 5, 120)));
    const keys = journalKeys(vault);
    expect(keys.length).toBeGreaterThan(1);
    for (const key of keys)
      expect(recordBucket(encodeRecordValue(vault.records.get(`search|${key}`)).length)).toBeLessThanOrEqual(MIB);
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
  });

  it('keeps a large snapshot in parts of at most 1 MiB, all plain data, named by the head', async () => {
    const { vault, search } = await built({}, manyTerms(2_000, 6));
    const { parts } = head(vault);
    expect(parts).toBeGreaterThan(1);
    expect(searchKeys(vault)).toEqual(['|head', ...Array.from({ length: parts }, (_, n) => `|snapshot:${n}`)].sort());
    for (const key of searchKeys(vault)) {
      // encodeRecordValue refuses anything that is not plain data.
      const bytes = encodeRecordValue(vault.records.get(`search|${key}`)).length;
      expect(recordBucket(bytes)).toBeLessThanOrEqual(MIB);
    }
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
  });

  it('writes only to the `search` table, beside the messages it reads', async () => {
    const { vault, search } = await built({ journalMaxEntries: 2 });
    for (let i = 0; i < 5; i++) await search.apply(changes(history(3, 20 + i)));
    const tables = new Set([...vault.records.keys()].map((key) => key.split('|')[0]));
    expect(tables).toEqual(new Set(['messages', SEARCH_TABLE]));
    expect(searchKeys(vault).every((key) => /^(\|head|\|snapshot:\d+|journal\|\d+:\d+)$/.test(key))).toBe(true);
  });

  it('is sealed at rest by the real vault: no indexed word in the store, and it opens again', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
    const batch = vault.batch();
    for (const m of [message(CONV_A, 'm1', 'zanzibar budget élève'), ...history(300, 7)])
      batch.put('messages', m.conversationId, m.id, m);
    await vault.commit(batch);
    const search = await MessageSearch.open(vault, { journalMaxEntries: 2 });
    await search.build(vault, [CONV_A, CONV_B]);
    // Three applies: a compaction through the real vault, then one journal record.
    for (let i = 0; i < 3; i++) await search.apply(changes(history(5, 50 + i)));
    const raw = await store.list('');
    const haystack = raw.map(({ key, value }) => key + Buffer.from(value).toString('latin1')).join('\n');
    for (const word of ['zanzibar', 'eleve', 'budget', 'search', 'snapshot', 'journal'])
      expect(haystack).not.toContain(word);
    const reopened = await MessageSearch.open(vault);
    expect(reopened.needsBuild).toBe(false);
    expect(resultsOf(reopened)).toEqual(resultsOf(search));
    expect(reopened.search('zanzibar')[0]?.messageId).toBe('m1');
  });

  it('rebuilds from a malformed head, and the rebuild deletes the stale parts', async () => {
    const { vault } = await built({}, manyTerms(2_000, 8));
    const stale = head(vault);
    vault.records.set(`search||${HEAD_ID}`, { ...stale, v: 99 });
    const reopened = await MessageSearch.open(vault);
    expect(reopened.needsBuild).toBe(true);
    expect(reopened.search('budget')).toEqual([]);
    await storeMessages(vault, history(10, 9));
    // Fewer messages now: the snapshot takes fewer parts than the stale one.
    for (const key of [...vault.records.keys()])
      if (key.startsWith('messages|') && !key.includes('m9-')) vault.records.delete(key);
    await reopened.build(vault, [CONV_A, CONV_B]);
    expect(head(vault).parts).toBe(1);
    expect(searchKeys(vault)).toEqual(['|head', '|snapshot:0']);
    expect(reopened.documentCount).toBe(10);
  });

  it('rebuilds from a truncated snapshot (a part missing)', async () => {
    const { vault } = await built({}, manyTerms(2_000, 8));
    vault.records.delete('search||snapshot:1');
    expect((await MessageSearch.open(vault)).needsBuild).toBe(true);
  });

  it('rebuilds from a torn snapshot (a part of another generation)', async () => {
    const { vault } = await built({}, manyTerms(2_000, 8));
    const part = vault.records.get('search||snapshot:1') as { generation: number };
    vault.records.set('search||snapshot:1', { ...part, generation: part.generation + 1 });
    expect((await MessageSearch.open(vault)).needsBuild).toBe(true);
  });

  it('rebuilds after a journal gap (a record lost)', async () => {
    const { vault, search } = await built();
    for (let i = 0; i < 3; i++) await search.apply(changes(history(2, 30 + i)));
    vault.records.delete('search|journal|1:1');
    expect((await MessageSearch.open(vault)).needsBuild).toBe(true);
  });

  it('rebuilds an index made with another text normalisation version', async () => {
    const { vault } = await built();
    vault.records.set(`search||${HEAD_ID}`, { ...head(vault), text: 0 });
    expect((await MessageSearch.open(vault)).needsBuild).toBe(true);
  });

  it('replays a reordered journal in seq order', async () => {
    const { vault, search } = await built();
    await search.apply(changes([message(CONV_A, 'x', 'zanzibar')]));
    await search.apply(changes([], [[CONV_A, 'x']]));
    await search.apply(changes([message(CONV_A, 'x', 'zanzibar encore')]));
    await search.apply(changes([], [[CONV_A, 'x']]));
    // Listed newest first: a replay in listing order would end with the message put back.
    const entries = [...vault.records].reverse();
    vault.records.clear();
    for (const [key, value] of entries) vault.records.set(key, value);
    const reopened = await MessageSearch.open(vault);
    expect(reopened.needsBuild).toBe(false);
    expect(reopened.search('zanzibar')).toEqual([]);
  });

  it('leaves index and vault as they were when a journal write fails', async () => {
    const vault = new FailingVault();
    const search = await MessageSearch.open(vault);
    await search.build(vault, []);
    await search.apply(changes([message(CONV_A, 'm1', 'budget')]));
    const before = new Map(vault.records);
    vault.failNext = true;
    await expect(search.apply(changes([message(CONV_A, 'm2', 'budget zanzibar')], [[CONV_A, 'm1']]))).rejects.toThrow(
      'disk full',
    );
    expect(vault.records).toEqual(before);
    expect(search.search('zanzibar')).toEqual([]);
    expect(search.search('budget').map((hit) => hit.messageId)).toEqual(['m1']);
    // The next change goes through, and a reopen agrees with memory.
    await search.apply(changes([message(CONV_A, 'm3', 'budget')]));
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
  });

  it('keeps the journal when a compaction fails, and compacts at the next apply', async () => {
    const vault = new FailingVault();
    const search = await MessageSearch.open(vault, { journalMaxEntries: 2 });
    await search.build(vault, []);
    await search.apply(changes([message(CONV_A, 'm1', 'budget')]));
    // The journal record is written, then the compaction's commit fails.
    const commit = vault.commit.bind(vault);
    let commits = 0;
    vault.commit = async (batch) => {
      if (++commits === 2) throw new Error('disk full');
      return commit(batch);
    };
    await expect(search.apply(changes([message(CONV_A, 'm2', 'budget')]))).rejects.toThrow('disk full');
    expect(head(vault).generation).toBe(1);
    expect(journalKeys(vault)).toEqual(['journal|1:0', 'journal|1:1']);
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
    await search.apply(changes([message(CONV_A, 'm3', 'budget')]));
    expect(head(vault).generation).toBe(2);
    expect(journalKeys(vault)).toEqual([]);
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
  });

  it('runs overlapping applies one after another', async () => {
    const { vault, search } = await built({ journalMaxEntries: 7 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => search.apply(changes(history(3, 40 + i)))));
    expect(search.documentCount).toBe(200 + 60);
    expect(resultsOf(await MessageSearch.open(vault))).toEqual(resultsOf(search));
  });

  it('ignores applies before the first build, which reads the stored messages itself', async () => {
    const vault = new MapVault();
    const search = await MessageSearch.open(vault);
    expect(search.needsBuild).toBe(true);
    const early = message(CONV_A, 'early', 'zanzibar');
    await storeMessages(vault, [early]);
    await search.apply(changes([early]));
    expect(searchKeys(vault)).toEqual([]);
    await search.build(vault, [CONV_A]);
    expect(search.search('zanzibar').map((hit) => hit.messageId)).toEqual(['early']);
  });
});
