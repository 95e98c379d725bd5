/**
 * The message index (message-index.ts): pages come out in screen order whatever order messages
 * were written in, chunks split and empty out, adding twice changes nothing, removing a key not
 * there changes nothing, and vaults from before the index get it built once at open.
 */
import {
  applyIndexOps,
  buildIndexesOnce,
  CHUNK_MAX,
  compareKeys,
  INDEX_MARKER,
  INDEX_TABLE,
  pageKeys,
  type SortKey,
} from '../../src/messenger/message-index';
import { TABLES } from '../../src/messenger/records';
import { MapVault } from './map-vault';

/** Deterministic shuffle (fast-check is for properties; this is a fixed scenario). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function keys(count: number): SortKey[] {
  // Some share a sentAt (two devices' clocks), told apart by receivedAt, then id.
  return Array.from(
    { length: count },
    (_, i) => [1_000 + Math.floor(i / 3), 5_000 + (i % 2), `m${i.toString().padStart(5, '0')}`] as SortKey,
  ).sort(compareKeys);
}

async function write(
  vault: MapVault,
  conversationId: string,
  ops: { key: SortKey; remove?: boolean }[],
): Promise<void> {
  const batch = vault.batch();
  await applyIndexOps(
    vault,
    batch,
    ops.map((op) => ({ conversationId, key: op.key, remove: op.remove ?? false })),
  );
  await vault.commit(batch);
}

async function readAll(vault: MapVault, conversationId: string, limit: number): Promise<SortKey[]> {
  const out: SortKey[] = [];
  let before: SortKey | undefined;
  for (;;) {
    const page = await pageKeys(vault, conversationId, limit, before);
    out.unshift(...page.keys);
    if (!page.more) return out;
    before = page.keys[0];
  }
}

test('written in random order, in several commits, paged back newest first: every key once, in screen order', async () => {
  const vault = new MapVault();
  const all = keys(3 * CHUNK_MAX + 77);
  const order = shuffled(all, 7);
  for (let i = 0; i < order.length; i += 100)
    await write(
      vault,
      'c1',
      order.slice(i, i + 100).map((key) => ({ key })),
    );
  const last = await pageKeys(vault, 'c1', 50);
  expect(last.keys).toEqual(all.slice(-50));
  expect(last.more).toBe(true);
  expect(await readAll(vault, 'c1', 64)).toEqual(all);
  // Chunks split: more than one chunk record exists, none above the limit.
  const chunkRecords = [...vault.records.entries()].filter(([k]) => k.startsWith(`${INDEX_TABLE}|c1|c`));
  expect(chunkRecords.length).toBeGreaterThan(3);
  for (const [, chunk] of chunkRecords)
    expect((chunk as { keys: SortKey[] }).keys.length).toBeLessThanOrEqual(CHUNK_MAX);
});

test('a page before a cursor stops exactly before it, and the oldest page says there is no more', async () => {
  const vault = new MapVault();
  const all = keys(40);
  await write(
    vault,
    'c1',
    all.map((key) => ({ key })),
  );
  const page = await pageKeys(vault, 'c1', 10, all[25]);
  expect(page.keys).toEqual(all.slice(15, 25));
  expect(page.more).toBe(true);
  const first = await pageKeys(vault, 'c1', 10, all[10]);
  expect(first.keys).toEqual(all.slice(0, 10));
  expect(first.more).toBe(false);
  expect(await pageKeys(vault, 'empty', 10)).toEqual({ keys: [], more: false });
});

test('adding a key twice (a status update rewrites a message) keeps one entry; removing one not there changes nothing', async () => {
  const vault = new MapVault();
  const all = keys(10);
  await write(
    vault,
    'c1',
    all.map((key) => ({ key })),
  );
  await write(vault, 'c1', [{ key: all[3] as SortKey }, { key: all[3] as SortKey }]);
  await write(vault, 'c1', [{ key: [1, 1, 'never-there'], remove: true }]);
  expect(await readAll(vault, 'c1', 4)).toEqual(all);
});

test('removing every key of a chunk deletes the chunk record; the rest still pages in order', async () => {
  const vault = new MapVault();
  const all = keys(CHUNK_MAX + 10);
  await write(
    vault,
    'c1',
    all.map((key) => ({ key })),
  );
  const chunksBefore = [...vault.records.keys()].filter((k) => k.startsWith(`${INDEX_TABLE}|c1|c`)).length;
  const removed = all.slice(0, CHUNK_MAX / 2 + 5);
  await write(
    vault,
    'c1',
    removed.map((key) => ({ key, remove: true })),
  );
  const chunksAfter = [...vault.records.keys()].filter((k) => k.startsWith(`${INDEX_TABLE}|c1|c`)).length;
  expect(chunksAfter).toBeLessThan(chunksBefore);
  expect(await readAll(vault, 'c1', 100)).toEqual(all.slice(removed.length));
});

test('a vault from before the index: built once at open from the stored messages, then the marker stops a rebuild', async () => {
  const vault = new MapVault();
  const all = keys(30);
  const seed = vault.batch();
  for (const [sentAt, receivedAt, id] of shuffled(all, 3))
    seed.put(TABLES.messages, 'old', id, {
      v: 1,
      id,
      conversationId: 'old',
      mine: false,
      text: 't',
      sentAt,
      receivedAt,
    });
  await vault.commit(seed);
  expect(await buildIndexesOnce(vault, ['old', 'none'])).toBe(30);
  expect(await readAll(vault, 'old', 7)).toEqual(all);
  expect(await vault.get(INDEX_MARKER.table, INDEX_MARKER.group, INDEX_MARKER.id)).toEqual({ v: 1 });
  expect(await buildIndexesOnce(vault, ['old'])).toBe(0);
});
