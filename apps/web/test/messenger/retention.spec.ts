/**
 * Retention (messages.md §5.6): an expired message is deleted with its `sent` entry, and the
 * hourly prune drops `sent` entries whose message is gone or that are older than 15 days, and
 * seen relay ids older than 15 days. Over an in-memory VaultLike, so every record is visible.
 */
import { MessengerContext } from '../../src/messenger/context';
import type { MessengerEnvironment } from '../../src/messenger/ports';
import { TABLES, type MessageRecord } from '../../src/messenger/records';
import { pruneSeen, SEEN_RETENTION_MS, sweepExpired } from '../../src/messenger/retention';
import { Transaction } from '../../src/messenger/transaction';
import { MapVault } from './map-vault';

const NOW = Date.UTC(2026, 11, 5, 12);
let now = NOW;

async function setUp(): Promise<{ vault: MapVault; ctx: MessengerContext }> {
  const vault = new MapVault();
  const caches = await Transaction.loadCaches(vault);
  const env = { relayUrls: [], now: () => now, revocationPollMs: 1_000 } as unknown as MessengerEnvironment;
  return {
    vault,
    ctx: new MessengerContext(
      vault,
      env,
      () => new Transaction(vault, caches),
      () => undefined,
    ),
  };
}

function message(id: string, sentAt: number, expiresAt?: number): MessageRecord {
  return {
    v: 1,
    id,
    conversationId: 'c1',
    mine: true,
    text: 'x',
    sentAt,
    receivedAt: sentAt,
    ...(expiresAt ? { expiresAt } : {}),
  };
}

beforeEach(() => {
  now = NOW;
});

test('an expired message goes with its sent entry; a message not yet due keeps both', async () => {
  const { vault, ctx } = await setUp();
  const tx = ctx.tx();
  tx.putMessage(message('m1', NOW, NOW + 5_000));
  tx.put(TABLES.sent, 'm1', { id: 'm1', conversationId: 'c1', at: NOW });
  tx.putMessage(message('m2', NOW, NOW + 60_000));
  tx.put(TABLES.sent, 'm2', { id: 'm2', conversationId: 'c1', at: NOW });
  await tx.commit();
  now = NOW + 10_000;
  await sweepExpired(ctx);
  expect(await vault.get(TABLES.messages, 'c1', 'm1')).toBeUndefined();
  expect(await vault.get(TABLES.sent, '', 'm1')).toBeUndefined();
  expect(await vault.get(TABLES.messages, 'c1', 'm2')).toBeDefined();
  expect(await vault.get(TABLES.sent, '', 'm2')).toBeDefined();
});

test('the prune drops sent entries whose message is gone or older than the retention, and old seen ids; it keeps the rest', async () => {
  const { vault, ctx } = await setUp();
  const tx = ctx.tx();
  tx.putMessage(message('recent', NOW));
  tx.put(TABLES.sent, 'recent', { id: 'recent', conversationId: 'c1', at: NOW });
  tx.putMessage(message('old', NOW - SEEN_RETENTION_MS - 1));
  tx.put(TABLES.sent, 'old', { id: 'old', conversationId: 'c1', at: NOW - SEEN_RETENTION_MS - 1 });
  tx.put(TABLES.sent, 'orphan', { id: 'orphan', conversationId: 'c1', at: NOW });
  tx.put(TABLES.sent, 'legacy', { conversationId: 'c1' });
  tx.markSeen('seen-old', NOW - SEEN_RETENTION_MS - 1);
  tx.markSeen('seen-new', NOW);
  await tx.commit();
  await pruneSeen(ctx);
  expect(await vault.get(TABLES.sent, '', 'recent')).toBeDefined();
  expect(await vault.get(TABLES.sent, '', 'old')).toBeUndefined();
  expect(await vault.get(TABLES.sent, '', 'orphan')).toBeUndefined();
  // Written before ids were kept: nothing names it, so it stays (messages.md §5.6 says so).
  expect(await vault.get(TABLES.sent, '', 'legacy')).toBeDefined();
  expect(await vault.get(TABLES.seen, '', 'seen-old')).toBeUndefined();
  expect(await vault.get(TABLES.seen, '', 'seen-new')).toBeDefined();
  // The messages themselves are not the prune's business.
  expect(await vault.get(TABLES.messages, 'c1', 'old')).toBeDefined();
});
