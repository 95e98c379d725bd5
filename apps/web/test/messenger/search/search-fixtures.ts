/** Messages and commits made by hand for the search tests, and a MapVault to keep them in. */
import { TABLES, type MessageRecord } from '../../../src/messenger/records';
import type { MessageChanges } from '../../../src/messenger/transaction';
import { MapVault } from '../map-vault';

export const ALICE = { address: 'alice@example.org', displayName: 'Alice Martin', deviceId: 'a1' } as const;
export const BOB = { address: 'bob@example.org', displayName: 'Bob Durand', deviceId: 'b1' } as const;
/** Conversation ids are 32 hex digits in the app (conversations.ts). */
export const CONV_A = 'a'.repeat(32);
export const CONV_B = 'b'.repeat(32);

export function message(
  conversationId: string,
  id: string,
  text: string | undefined,
  extra: Partial<MessageRecord> = {},
): MessageRecord {
  return {
    v: 1,
    id,
    conversationId,
    mine: false,
    sender: ALICE,
    ...(text !== undefined && { text }),
    sentAt: 1_000,
    receivedAt: 1_001,
    ...extra,
  };
}

/** One commit's changes, grouped by conversation as Transaction.messageChanges groups them. */
export function changes(
  upserted: readonly MessageRecord[],
  removed: readonly [string, string][] = [],
): MessageChanges[] {
  const byConversation = new Map<string, { upserted: MessageRecord[]; removed: string[] }>();
  const entry = (conversationId: string) => {
    let found = byConversation.get(conversationId);
    if (!found) byConversation.set(conversationId, (found = { upserted: [], removed: [] }));
    return found;
  };
  for (const m of upserted) entry(m.conversationId).upserted.push(m);
  for (const [conversationId, id] of removed) entry(conversationId).removed.push(id);
  return [...byConversation].map(([conversationId, e]) => ({ conversationId, ...e }));
}

/** Stores messages as the messenger does (table `messages`, one group per conversation). */
export async function storeMessages(vault: MapVault, messages: readonly MessageRecord[]): Promise<void> {
  const batch = vault.batch();
  for (const m of messages) batch.put(TABLES.messages, m.conversationId, m.id, m);
  await vault.commit(batch);
}

/** The ids of a search's hits, in order. */
export const idsOf = (hits: readonly { messageId: string }[]): string[] => hits.map((hit) => hit.messageId);

/** The MapVault keys of the search table, as `group|id`. */
export function searchKeys(vault: MapVault): string[] {
  return [...vault.records.keys()]
    .filter((key) => key.startsWith('search|'))
    .map((key) => key.slice('search|'.length))
    .sort();
}

/** A deterministic pseudo-random generator (fixed scenarios; fast-check is for properties). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export const FRENCH_WORDS = [
  'élève',
  'été',
  'cœur',
  'rendez-vous',
  'réunion',
  'budget',
  'français',
  'déjà',
  'où',
  'garçon',
  'Noël',
  'hôpital',
  'forêt',
  'château',
  'naïf',
  'ça',
  'très',
  'bientôt',
  'lendemain',
  'équipe',
];
export const ENGLISH_WORDS = [
  'meeting',
  'tomorrow',
  'report',
  'deadline',
  'coffee',
  'project',
  'release',
  'weekend',
  'holiday',
  'invoice',
  'review',
  'office',
  'lunch',
  'schedule',
  'question',
  'answer',
  'client',
  'draft',
  'update',
  'summary',
];
