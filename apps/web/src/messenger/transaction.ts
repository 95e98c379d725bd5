import type { AttachmentChunks } from '../store/attachment-chunks';
import { applyIndexOps, sortKeyOf, type IndexOp } from './message-index';
import { TABLES, type CachedTable, type ExpiringRecord, type MessageRecord } from './records';

/** A commit's effect on messages, for the page (docs/decisions/0012-deltas-and-paging.md). */
export interface MessageChanges {
  readonly conversationId: string;
  readonly upserted: readonly MessageRecord[];
  readonly removed: readonly string[];
}

/** The part of ../store/vault.ts the messenger uses. */
export interface VaultBatchLike {
  put(table: string, group: string, id: string, value: unknown): void;
  delete(table: string, group: string, id: string): void;
}
export interface VaultLike {
  get<T>(table: string, group: string, id: string): Promise<T | undefined>;
  list<T>(table: string, group: string): Promise<T[]>;
  batch(): VaultBatchLike;
  commit(batch: VaultBatchLike): Promise<void>;
  /** Attachments' sealed chunks, beside the records (../store/attachment-chunks.ts). */
  readonly attachmentChunks: AttachmentChunks;
}

const CACHED: readonly CachedTable[] = [
  TABLES.self,
  TABLES.contacts,
  TABLES.peers,
  TABLES.conversations,
  TABLES.groupKeys,
  TABLES.outbox,
  TABLES.parked,
  TABLES.expiring,
];
/** Records of cached tables are stored in one group per table, keyed by the cache id. */
const NO_GROUP = '';
/** How each cached table's records are keyed (the same id the messenger writes them under). */
const KEY_OF: Readonly<Record<CachedTable, (record: never) => string>> = {
  self: () => 'device',
  contacts: (record: { address: string }) => record.address,
  peers: (record: { deviceId: string }) => record.deviceId,
  conversations: (record: { id: string }) => record.id,
  'group-keys': (record: { groupId: string }) => record.groupId,
  outbox: (record: { id: string }) => record.id,
  parked: (record: { id: string }) => record.id,
  expiring: (record: { id: string }) => record.id,
};

export type Caches = Map<string, Map<string, unknown>>;

/**
 * One all-or-nothing change: reads see the change's own writes, nothing reaches the vault or the
 * in-memory caches until `commit`, and the vault applies every write in one store transaction.
 * A discarded (or failed) change leaves both exactly as they were (STYLE.md, principle 4).
 */
export class Transaction {
  private overlay = new Map<string, { table: string; group: string; id: string; value: unknown }>();
  private afterCommit: (() => Promise<void> | void)[] = [];
  readonly touchedConversations = new Set<string>();

  constructor(
    private readonly vault: VaultLike,
    private readonly caches: Caches,
  ) {}

  static async loadCaches(vault: VaultLike): Promise<Caches> {
    const caches: Caches = new Map();
    for (const table of CACHED) {
      const records = await vault.list<unknown>(table, NO_GROUP);
      const keyOf = KEY_OF[table] as (record: unknown) => string;
      caches.set(table, new Map(records.map((record) => [keyOf(record), record])));
    }
    return caches;
  }

  private key(table: string, group: string, id: string): string {
    return `${table}\u0000${group}\u0000${id}`;
  }

  get<T>(table: CachedTable, id: string): T | undefined {
    const pending = this.overlay.get(this.key(table, NO_GROUP, id));
    if (pending) return (pending.value ?? undefined) as T | undefined;
    return this.caches.get(table)?.get(id) as T | undefined;
  }

  all<T>(table: CachedTable): T[] {
    const merged = new Map(this.caches.get(table) ?? []);
    for (const entry of this.overlay.values()) {
      if (entry.table !== table) continue;
      if (entry.value === null) merged.delete(entry.id);
      else merged.set(entry.id, entry.value);
    }
    return [...merged.values()] as T[];
  }

  put(table: string, id: string, value: unknown, group = NO_GROUP): void {
    this.overlay.set(this.key(table, group, id), { table, group, id, value });
  }

  delete(table: string, id: string, group = NO_GROUP): void {
    this.overlay.set(this.key(table, group, id), { table, group, id, value: null });
  }

  /** A record of a table that is not cached (messages, sent, seen). */
  async getStored<T>(table: string, id: string, group = NO_GROUP): Promise<T | undefined> {
    const pending = this.overlay.get(this.key(table, group, id));
    if (pending) return (pending.value ?? undefined) as T | undefined;
    return this.vault.get<T>(table, group, id);
  }

  message(conversationId: string, id: string): Promise<MessageRecord | undefined> {
    return this.getStored<MessageRecord>(TABLES.messages, id, conversationId);
  }

  /** A message with a timer is indexed in `expiring` in the same change (messages.md §5.6). */
  putMessage(message: MessageRecord): void {
    this.put(TABLES.messages, message.id, message, message.conversationId);
    if (message.expiresAt !== undefined)
      this.put(TABLES.expiring, message.id, {
        id: message.id,
        conversationId: message.conversationId,
        expiresAt: message.expiresAt,
      } satisfies ExpiringRecord);
  }

  deleteMessage(conversationId: string, id: string): void {
    this.delete(TABLES.messages, id, conversationId);
    if (this.get<ExpiringRecord>(TABLES.expiring, id)) this.delete(TABLES.expiring, id);
  }

  touchMessages(conversationId: string): void {
    this.touchedConversations.add(conversationId);
  }

  async seen(blobId: string): Promise<boolean> {
    return (await this.getStored(TABLES.seen, blobId)) !== undefined;
  }

  markSeen(blobId: string, at: number): void {
    this.put(TABLES.seen, blobId, { id: blobId, at });
  }

  async pruneSeen(before: number): Promise<void> {
    // Seen ids are listed through the vault (one group); old ones are deleted in this change.
    const all = await this.vault.list<{ id?: string; at: number }>(TABLES.seen, NO_GROUP);
    for (const entry of all) if (entry.id && entry.at < before) this.delete(TABLES.seen, entry.id);
  }

  get hasOutbox(): boolean {
    return [...this.overlay.values()].some((entry) => entry.table === TABLES.outbox && entry.value !== null);
  }

  after(work: () => Promise<void> | void): void {
    this.afterCommit.push(work);
  }

  /** Drops every write of this change (a delivery that failed to process). */
  discard(): void {
    this.overlay.clear();
    this.afterCommit = [];
    this.touchedConversations.clear();
  }

  /** The messages this change writes and deletes, per conversation (read before commit). */
  messageChanges(): MessageChanges[] {
    const byConversation = new Map<string, { upserted: MessageRecord[]; removed: string[] }>();
    for (const { table, group, id, value } of this.overlay.values()) {
      if (table !== TABLES.messages) continue;
      let entry = byConversation.get(group);
      if (!entry) byConversation.set(group, (entry = { upserted: [], removed: [] }));
      if (value === null) entry.removed.push(id);
      else entry.upserted.push(value as MessageRecord);
    }
    return [...byConversation].map(([conversationId, entry]) => ({ conversationId, ...entry }));
  }

  /** The message index follows every message written or deleted in the same store transaction. */
  private async indexOps(): Promise<IndexOp[]> {
    const ops: IndexOp[] = [];
    for (const { table, group, id, value } of this.overlay.values()) {
      if (table !== TABLES.messages) continue;
      if (value !== null) {
        ops.push({ conversationId: group, key: sortKeyOf(value as MessageRecord), remove: false });
        continue;
      }
      const stored = await this.vault.get<MessageRecord>(TABLES.messages, group, id);
      if (stored) ops.push({ conversationId: group, key: sortKeyOf(stored), remove: true });
    }
    return ops;
  }

  /** What the last commit did to messages (for the page's deltas). */
  committedChanges: readonly MessageChanges[] = [];

  async commit(): Promise<void> {
    const changes = this.messageChanges();
    if (this.overlay.size > 0) {
      const batch = this.vault.batch();
      for (const { table, group, id, value } of this.overlay.values()) {
        if (value === null) batch.delete(table, group, id);
        else batch.put(table, group, id, value);
      }
      await applyIndexOps(this.vault, batch, await this.indexOps());
      await this.vault.commit(batch);
      for (const { table, id, value } of this.overlay.values()) {
        const cache = this.caches.get(table);
        if (!cache) continue;
        if (value === null) cache.delete(id);
        else cache.set(id, value);
      }
    }
    this.committedChanges = changes;
    const work = this.afterCommit;
    this.overlay = new Map();
    this.afterCommit = [];
    for (const step of work) await step();
  }
}
