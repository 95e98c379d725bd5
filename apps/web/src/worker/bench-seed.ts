/**
 * Bench-only hooks of the messenger worker, for `npm run bench:web` (tools/bench/web.bench.ts)
 * and the Chromium phase of `npm run bench:attachments` (./bench-attachments.ts).
 * messenger.worker.ts imports this file only behind NEXT_PUBLIC_OPENDESCENT_BENCH === '1', a
 * constant Next inlines at build time: a normal build holds none of it (the bench checks the
 * normal build's chunks for BENCH_GLOBAL and says so in bench-results/web.md).
 *
 * The bench reaches the hooks through the worker's global `__opendescentBench`, from outside the
 * page (Playwright evaluates in the worker over CDP); the page's own scripts never call them.
 *  - Seeding: messages written through the messenger's own store code (Transaction.putMessage and
 *    commit, in batches), so they are sealed, padded and indexed exactly as real ones. It runs on a
 *    vault of its own, opened with the passphrase while the page's messenger is locked, so that no
 *    other commit races it; the bench unlocks afterwards, and the messenger reads it all fresh.
 *  - Commit marks: when a commit's `messages_changed` event leaves for the page, the worker's time
 *    (performance.timeOrigin + performance.now(), the clock the page's marks use) and the ids it
 *    upserted, so a received message can be timed from its commit to its element on screen.
 *  - Attachments: a file sealed and uploaded, then downloaded and opened (./bench-attachments.ts).
 */
import { randomBytes } from '@opendescent/crypto';
import type { MessengerEvent } from '../messenger/api';
import { toHex } from '../messenger/encoding';
import {
  TABLES,
  type ContactRecord,
  type ConversationRecord,
  type MessageRecord,
  type SelfRecord,
} from '../messenger/records';
import { browserDependencies } from '../messenger/service';
import { Transaction, type Caches } from '../messenger/transaction';
import { Vault } from '../store';
import { createAttachmentBenchHooks, type AttachmentBenchHooks } from './bench-attachments';

export const BENCH_GLOBAL = '__opendescentBench';

/** One conversation to fill: the direct one with `peer` (made, with a fake peer, if absent). */
export interface SeedRequest {
  readonly peer: string;
  /** Messages the conversation holds afterwards (real ones included). */
  readonly total: number;
  /** When the newest seeded message was sent (ms since the epoch); older ones `spacingMs` apart. */
  readonly newestAt: number;
  readonly spacingMs: number;
  /** Messages per commit. */
  readonly batchSize: number;
}

export interface SeedResult {
  readonly conversationId: string;
  readonly added: number;
  readonly total: number;
  readonly ms: number;
}

export interface CommitMark {
  /** performance.timeOrigin + performance.now() when the event left for the page. */
  readonly at: number;
  readonly conversationId: string;
  readonly upserted: readonly string[];
}

/** A request the page made of the worker: what opening a conversation reads. */
export interface RequestMark {
  readonly at: number;
  readonly method: string;
  /** messagePage's page size. */
  readonly limit?: number;
}

export interface BenchHooks extends AttachmentBenchHooks {
  openSeeder(passphrase: string): Promise<void>;
  seed(request: SeedRequest): Promise<SeedResult>;
  closeSeeder(): void;
  /** The marks since the last call, oldest first (at most MAX_MARKS are kept). */
  takeMarks(): CommitMark[];
  /** The page's requests since the last call (method names and page sizes only). */
  takeRequests(): RequestMark[];
}

const MAX_MARKS = 10_000;
const MAX_BATCH = 5_000;
const MAX_TOTAL = 1_000_000;
const WORDS =
  'the minutes budget room meeting draft figures report Tuesday agreed review send please thanks noted call later team project deadline version update slides printer coffee plan next week again all fine'.split(
    ' ',
  );

/** A chat line of 3 to 30 words, varied but reproducible from `n`. */
function lineFor(n: number): string {
  const words = 3 + ((n * 7_919) % 28);
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[(n * 31 + i * 17) % WORDS.length] as string);
  return `${out.join(' ')} #${n}`;
}

function checkRequest(request: SeedRequest): void {
  const { peer, total, newestAt, spacingMs, batchSize } = request;
  if (typeof peer !== 'string' || peer.length === 0 || peer.length > 320)
    throw new Error('bench seed: peer must be an address');
  if (!Number.isSafeInteger(total) || total < 0 || total > MAX_TOTAL)
    throw new Error(`bench seed: total must be 0..${MAX_TOTAL}`);
  if (!Number.isSafeInteger(newestAt) || !Number.isSafeInteger(spacingMs) || spacingMs < 1)
    throw new Error('bench seed: newestAt and spacingMs must be whole milliseconds');
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)
    throw new Error(`bench seed: batchSize must be 1..${MAX_BATCH}`);
}

class Seeder {
  private constructor(
    private readonly vault: Vault,
    private readonly caches: Caches,
  ) {}

  static async open(passphrase: string): Promise<Seeder> {
    const vault = await Vault.unlock(await browserDependencies().openStore(), passphrase);
    return new Seeder(vault, await Transaction.loadCaches(vault));
  }

  close(): void {
    this.vault.lock();
  }

  async seed(request: SeedRequest): Promise<SeedResult> {
    checkRequest(request);
    const started = performance.now();
    const tx = () => new Transaction(this.vault, this.caches);
    const self = tx().get<SelfRecord>(TABLES.self, 'device');
    if (!self) throw new Error('bench seed: this device is not enrolled');
    const found = tx()
      .all<ConversationRecord>(TABLES.conversations)
      .find((c) => c.kind === 'direct' && c.peer === request.peer);
    const conversation = found ?? newDirect(self.address, request.peer, request.newestAt);
    const existing = found ? (await this.vault.list<MessageRecord>(TABLES.messages, conversation.id)).length : 0;
    const toAdd = Math.max(0, request.total - existing);
    const contact = tx().get<ContactRecord>(TABLES.contacts, request.peer);
    const theirs = {
      address: request.peer,
      displayName: contact?.displayName ?? request.peer,
      deviceId: Object.keys(contact?.devices ?? {})[0] ?? '00'.repeat(16),
    };
    const mine = { address: self.address, displayName: self.displayName, deviceId: toHex(self.deviceId) };
    let last: MessageRecord | undefined;
    for (let first = 0; first < toAdd; first += request.batchSize) {
      const change = tx();
      if (!found && first === 0) change.put(TABLES.conversations, conversation.id, conversation);
      for (let n = first; n < Math.min(toAdd, first + request.batchSize); n++) {
        const sentAt = request.newestAt - (toAdd - 1 - n) * request.spacingMs;
        const ours = n % 2 === 0;
        last = {
          v: 1,
          id: toHex(randomBytes(16)),
          conversationId: conversation.id,
          sender: ours ? mine : theirs,
          mine: ours,
          text: lineFor(n),
          sentAt,
          receivedAt: sentAt,
          ...(ours
            ? { status: 'delivered' as const, deliveredTo: { [request.peer]: true }, recipients: [request.peer] }
            : {}),
        };
        change.putMessage(last);
      }
      await change.commit();
    }
    if (!found && last) {
      const change = tx();
      change.put(TABLES.conversations, conversation.id, {
        ...conversation,
        lastPreview: (last.text ?? '').slice(0, 140),
        lastAt: last.sentAt,
        updatedAt: last.sentAt,
      });
      await change.commit();
    }
    return { conversationId: conversation.id, added: toAdd, total: existing + toAdd, ms: performance.now() - started };
  }
}

function newDirect(self: string, peer: string, at: number): ConversationRecord {
  return {
    v: 1,
    id: toHex(randomBytes(16)),
    kind: 'direct',
    peer,
    members: [self, peer],
    groupVersion: 0,
    active: true,
    disappearAfterSeconds: null,
    unread: 0,
    updatedAt: at,
  };
}

/**
 * Puts the hooks on the worker's global scope; returns the observer of the messenger's events
 * that records commit marks and notices when the messenger is unlocked (seeding is then refused).
 */
export function installBenchHooks(scope: Pick<EventTarget, 'addEventListener'>): (event: MessengerEvent) => void {
  let marks: CommitMark[] = [];
  let requests: RequestMark[] = [];
  scope.addEventListener('message', (event) => {
    const data: unknown = (event as MessageEvent).data;
    if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'request') return;
    const { method, args } = data as { method?: unknown; args?: unknown };
    const limit = Array.isArray(args) ? (args[1] as { limit?: unknown } | undefined)?.limit : undefined;
    if (requests.length >= MAX_MARKS) requests.shift();
    requests.push({
      at: performance.timeOrigin + performance.now(),
      method: String(method),
      ...(typeof limit === 'number' ? { limit } : {}),
    });
  });
  let seeder: Seeder | undefined;
  let messengerUnlocked = false;
  const hooks: BenchHooks = {
    ...createAttachmentBenchHooks(),
    async openSeeder(passphrase) {
      if (messengerUnlocked)
        throw new Error(
          'bench seed: the messenger is unlocked; reload the page and seed before unlocking (its commits would race the seeding)',
        );
      seeder?.close();
      seeder = await Seeder.open(passphrase);
    },
    async seed(request) {
      if (!seeder) throw new Error('bench seed: openSeeder first');
      if (messengerUnlocked) throw new Error('bench seed: the messenger was unlocked meanwhile');
      return seeder.seed(request);
    },
    closeSeeder() {
      seeder?.close();
      seeder = undefined;
    },
    takeMarks() {
      const taken = marks;
      marks = [];
      return taken;
    },
    takeRequests() {
      const taken = requests;
      requests = [];
      return taken;
    },
  };
  Object.defineProperty(scope, BENCH_GLOBAL, { value: hooks, configurable: false, enumerable: false, writable: false });
  return (event) => {
    if (event.type === 'snapshot') messengerUnlocked = event.snapshot.vault === 'unlocked';
    if (event.type !== 'messages_changed') return;
    if (marks.length >= MAX_MARKS) marks.shift();
    marks.push({
      at: performance.timeOrigin + performance.now(),
      conversationId: event.conversationId,
      upserted: event.upserted.map((m) => m.id),
    });
  };
}
