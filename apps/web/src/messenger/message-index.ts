import { TABLES, type MessageRecord } from './records';
import type { VaultBatchLike, VaultLike } from './transaction';

/**
 * The order of a conversation's messages, kept beside them so that the page can read the last
 * screenful without opening the whole conversation (docs/decisions/0012-deltas-and-paging.md,
 * storage.md). Per conversation (the vault group), one `head` record lists the chunks in order;
 * each chunk holds up to CHUNK_MAX sort keys. Sealed at rest like every record: the relay never
 * sees it, and at rest it says no more than the message records beside it already do.
 */
export const INDEX_TABLE = TABLES.messageIndex;
const HEAD = 'head';
/** A chunk splits in two above this many keys (a chunk record is then about 30 KB). */
export const CHUNK_MAX = 512;
/** Written once every conversation of the vault is indexed (built at open for older vaults). */
export const INDEX_MARKER = { table: INDEX_TABLE, group: '', id: 'built' } as const;

/** How messages are ordered on screen: by the sender's clock, then arrival, then id. */
export type SortKey = readonly [sentAt: number, receivedAt: number, id: string];

export function sortKeyOf(message: Pick<MessageRecord, 'sentAt' | 'receivedAt' | 'id'>): SortKey {
  return [message.sentAt, message.receivedAt, message.id];
}

export function compareKeys(a: SortKey, b: SortKey): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

interface ChunkRef {
  readonly n: number;
  /** The chunk's first key (its range starts here; the first chunk takes everything before). */
  readonly first: SortKey;
  readonly count: number;
}

interface Head {
  readonly v: 1;
  readonly chunks: readonly ChunkRef[];
  readonly next: number;
}

interface Chunk {
  readonly v: 1;
  readonly keys: readonly SortKey[];
}

export interface IndexOp {
  readonly conversationId: string;
  readonly key: SortKey;
  readonly remove: boolean;
}

/** Binary search: the position of the first key not below `key`. */
function lowerBound(keys: readonly SortKey[], key: SortKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(keys[mid] as SortKey, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The chunk whose range holds `key`: the last one starting at or before it, else the first. */
function chunkFor(chunks: readonly ChunkRef[], key: SortKey): number {
  let found = 0;
  for (let i = 0; i < chunks.length; i++) if (compareKeys((chunks[i] as ChunkRef).first, key) <= 0) found = i;
  return found;
}

/** One conversation's index, read and changed within one commit. */
class ConversationIndex {
  private head: Head | undefined;
  private readonly chunks = new Map<number, SortKey[]>();
  private readonly dirty = new Set<number>();
  private readonly gone = new Set<number>();

  constructor(
    private readonly vault: VaultLike,
    private readonly conversationId: string,
  ) {}

  private async load(): Promise<Head> {
    this.head ??= (await this.vault.get<Head>(INDEX_TABLE, this.conversationId, HEAD)) ?? { v: 1, chunks: [], next: 0 };
    return this.head;
  }

  private async chunk(n: number): Promise<SortKey[]> {
    let keys = this.chunks.get(n);
    if (!keys) {
      keys = [...((await this.vault.get<Chunk>(INDEX_TABLE, this.conversationId, `c${n}`))?.keys ?? [])];
      this.chunks.set(n, keys);
    }
    return keys;
  }

  async add(key: SortKey): Promise<void> {
    const head = await this.load();
    if (head.chunks.length === 0) {
      this.chunks.set(head.next, [key]);
      this.dirty.add(head.next);
      this.head = { v: 1, chunks: [{ n: head.next, first: key, count: 1 }], next: head.next + 1 };
      return;
    }
    const at = chunkFor(head.chunks, key);
    const ref = head.chunks[at] as ChunkRef;
    const keys = await this.chunk(ref.n);
    const position = lowerBound(keys, key);
    if (position < keys.length && compareKeys(keys[position] as SortKey, key) === 0) return; // already indexed
    keys.splice(position, 0, key);
    this.dirty.add(ref.n);
    const chunks = [...head.chunks];
    chunks[at] = { n: ref.n, first: keys[0] as SortKey, count: keys.length };
    let next = head.next;
    if (keys.length > CHUNK_MAX) {
      const upper = keys.splice(keys.length >> 1);
      this.chunks.set(next, upper);
      this.dirty.add(next);
      chunks[at] = { n: ref.n, first: keys[0] as SortKey, count: keys.length };
      chunks.splice(at + 1, 0, { n: next, first: upper[0] as SortKey, count: upper.length });
      next += 1;
    }
    this.head = { v: 1, chunks, next };
  }

  async remove(key: SortKey): Promise<void> {
    const head = await this.load();
    if (head.chunks.length === 0) return;
    const at = chunkFor(head.chunks, key);
    const ref = head.chunks[at] as ChunkRef;
    const keys = await this.chunk(ref.n);
    const position = lowerBound(keys, key);
    if (position >= keys.length || compareKeys(keys[position] as SortKey, key) !== 0) return;
    keys.splice(position, 1);
    const chunks = [...head.chunks];
    if (keys.length === 0) {
      chunks.splice(at, 1);
      this.gone.add(ref.n);
      this.dirty.delete(ref.n);
    } else {
      chunks[at] = { n: ref.n, first: keys[0] as SortKey, count: keys.length };
      this.dirty.add(ref.n);
    }
    this.head = { ...head, chunks };
  }

  write(batch: VaultBatchLike): void {
    if (!this.head) return;
    batch.put(INDEX_TABLE, this.conversationId, HEAD, this.head);
    for (const n of this.dirty)
      batch.put(INDEX_TABLE, this.conversationId, `c${n}`, { v: 1, keys: this.chunks.get(n) ?? [] } satisfies Chunk);
    for (const n of this.gone) batch.delete(INDEX_TABLE, this.conversationId, `c${n}`);
  }
}

/** Applies one commit's index changes to its batch (reads the chunks it touches first). */
export async function applyIndexOps(vault: VaultLike, batch: VaultBatchLike, ops: readonly IndexOp[]): Promise<void> {
  const indexes = new Map<string, ConversationIndex>();
  for (const op of ops) {
    let index = indexes.get(op.conversationId);
    if (!index) indexes.set(op.conversationId, (index = new ConversationIndex(vault, op.conversationId)));
    if (op.remove) await index.remove(op.key);
    else await index.add(op.key);
  }
  for (const index of indexes.values()) index.write(batch);
}

/** The keys of the page of at most `limit` messages before `before` (none: the newest), oldest first. */
export async function pageKeys(
  vault: VaultLike,
  conversationId: string,
  limit: number,
  before?: SortKey,
): Promise<{ keys: SortKey[]; more: boolean }> {
  const head = await vault.get<Head>(INDEX_TABLE, conversationId, HEAD);
  const out: SortKey[] = [];
  const chunks = head?.chunks ?? [];
  for (let i = chunks.length - 1; i >= 0 && out.length <= limit; i--) {
    const ref = chunks[i] as ChunkRef;
    if (before && compareKeys(ref.first, before) >= 0) continue;
    const keys = (await vault.get<Chunk>(INDEX_TABLE, conversationId, `c${ref.n}`))?.keys ?? [];
    const end = before ? lowerBound(keys, before) : keys.length;
    for (let k = end - 1; k >= 0 && out.length <= limit; k--) out.push(keys[k] as SortKey);
  }
  const more = out.length > limit;
  return { keys: out.slice(0, limit).reverse(), more };
}

/**
 * Vaults written before the index existed: every conversation's index is built once, at open,
 * before anything else runs, in one store transaction with the marker that says it is done.
 */
export async function buildIndexesOnce(vault: VaultLike, conversationIds: readonly string[]): Promise<number> {
  if (await vault.get(INDEX_MARKER.table, INDEX_MARKER.group, INDEX_MARKER.id)) return 0;
  const batch = vault.batch();
  let indexed = 0;
  for (const conversationId of conversationIds) {
    const messages = await vault.list<MessageRecord>(TABLES.messages, conversationId);
    const keys = messages.map(sortKeyOf).sort(compareKeys);
    await applyIndexOps(
      vault,
      batch,
      keys.map((key) => ({ conversationId, key, remove: false })),
    );
    indexed += keys.length;
  }
  batch.put(INDEX_MARKER.table, INDEX_MARKER.group, INDEX_MARKER.id, { v: 1 });
  await vault.commit(batch);
  return indexed;
}
