/**
 * The measurements of `npm run bench:web`, in Alice's browser. Bob and Carol's browsers only send.
 *  - small vault: Carol's conversation seeded to SMALL messages; the worker's heap with it open
 *    (the memory baseline).
 *  - Bob's conversation seeded to LARGE: messages received with each conversation open, and
 *    opening each conversation after a reload and unlock.
 *  - then CONVERSATIONS − 1 more conversations of LARGE (fake peers): opening again, and the
 *    worker's heap with Bob's conversation open.
 */
import { du } from './disk';
import { figure, type Figure, type SeedingReport } from './report';
import { receivedOnScreen, timeOpen, watchReceived, type OpenTiming } from './page-probes';
import { FIRST_LINES, PASSPHRASE, PEOPLE, relayStatusText, reload, unlock, type Staff } from './staff';
import { sendMessage } from '../../../tests/e2e/support/browser';
import {
  benchWorker,
  closeSeeder,
  heapsAfterGc,
  openSeeder,
  seed,
  takeMarks,
  takeRequests,
  type HeapUsage,
} from './worker';
import type { CommitMark, RequestMark, SeedRequest } from '../../../apps/web/src/worker/bench-seed';
import type { Page } from 'playwright-core';

export interface BenchConfig {
  readonly runs: number;
  readonly received: number;
  readonly conversations: number;
  readonly large: number;
  readonly small: number;
  readonly seedBudgetMs: number;
  readonly batchSize: number;
}

export interface Collected {
  readonly figures: Figure[];
  readonly seeding: SeedingReport[];
  readonly notes: string[];
  /** What the page asked of the worker while opening the large conversation. */
  pageReads: string;
  /** The worker's heap in the large vault against the baseline, in one sentence. */
  memorySummary?: string;
}

const SPACING_MS = 30_000;
const SETTLE_MS = 1_000;
const MiB = 2 ** 20;
const log = (line: string) => console.log(`[bench:web] ${line}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (n: number) => n.toLocaleString('en');

/** Fills conversations while Alice's vault is locked; stops starting new ones once the budget is spent. */
async function seedAll(
  page: Page,
  requests: readonly SeedRequest[],
  budgetMs: number,
): Promise<{ added: number; done: number; seconds: number; cutShort?: string }> {
  await reload(page);
  const worker = await benchWorker(page);
  await openSeeder(worker, PASSPHRASE);
  const started = Date.now();
  let added = 0;
  let done = 0;
  let cutShort: string | undefined;
  try {
    for (const request of requests) {
      if (Date.now() - started > budgetMs) {
        cutShort = `the seeding budget of ${(budgetMs / 60_000).toFixed(0)} min ran out after ${done} of ${requests.length} conversations`;
        break;
      }
      const result = await seed(worker, request);
      added += result.added;
      done += 1;
      const rate = (added * 1000) / (Date.now() - started);
      log(
        `seeded ${request.peer}: +${count(result.added)} → ${count(result.total)} (${(result.ms / 1000).toFixed(1)} s; ${done}/${requests.length}, ${count(added)} so far, ${rate.toFixed(0)}/s)`,
      );
    }
  } finally {
    await closeSeeder(worker);
  }
  return { added, done, seconds: (Date.now() - started) / 1000, ...(cutShort ? { cutShort } : {}) };
}

/** Unlocked and left alone a moment: what the unlock started (relay hello, snapshot) is over before the click. */
async function unlocked(page: Page, relayNeeded = false): Promise<boolean> {
  const online = await unlock(page);
  if (relayNeeded && !online) throw new Error("Alice's client did not connect to the relay (out of access tokens?)");
  await pause(SETTLE_MS);
  return online;
}

/** Opens the conversation with `who` and reads the id of its newest message (the list's last) from the screen. */
async function newestId(page: Page, who: 'bob' | 'carol'): Promise<string> {
  await page.getByTestId('conversation-item').filter({ hasText: PEOPLE[who].name }).first().click();
  await page.getByTestId('message').filter({ hasText: FIRST_LINES[who] }).first().waitFor({ timeout: 180_000 });
  const id = await page.getByTestId('message').last().getAttribute('data-message-id');
  if (!id) throw new Error(`the conversation with ${who} shows no message id`);
  return id;
}

function describeReads(requests: readonly RequestMark[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    if (r.method === 'snapshot') continue;
    const name = r.limit === undefined ? `${r.method}()` : `${r.method}(limit ${r.limit})`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => `${name} ×${n}`).join(', ') || 'nothing';
}

interface OpenSamples {
  readonly timings: OpenTiming[];
  readonly heaps: { worker: HeapUsage; page: HeapUsage }[];
  reads: string;
  /** Runs in which the relay connection was not up (see staff.ts unlock), and what the indicator said. */
  offline: number;
  offlineStatus: Set<string>;
}

const noSamples = (): OpenSamples => ({ timings: [], heaps: [], reads: '', offline: 0, offlineStatus: new Set() });

/** One run: reload, unlock, click, newest on screen; then the heaps with that conversation open. */
async function openOnce(page: Page, who: 'bob' | 'carol', id: string, into: OpenSamples): Promise<void> {
  await reload(page);
  if (!(await unlocked(page))) {
    into.offline += 1;
    into.offlineStatus.add(await relayStatusText(page));
  }
  const worker = await benchWorker(page);
  await takeRequests(worker);
  into.timings.push(await timeOpen(page, PEOPLE[who].name, id));
  await pause(2 * SETTLE_MS);
  into.reads = describeReads(await takeRequests(worker));
  into.heaps.push(await heapsAfterGc(page));
}

async function openRuns(
  page: Page,
  runs: number,
  vault: string,
  out: Collected,
  large: number,
  small: number,
): Promise<Figure> {
  await reload(page);
  await unlocked(page);
  const ids = { bob: await newestId(page, 'bob'), carol: await newestId(page, 'carol') };
  const samples = { bob: noSamples(), carol: noSamples() };
  for (let run = 0; run < runs; run++) {
    for (const who of run % 2 ? (['carol', 'bob'] as const) : (['bob', 'carol'] as const)) {
      await openOnce(page, who, ids[who], samples[who]);
      const last = samples[who].timings.at(-1);
      log(
        `${vault}: open ${who === 'bob' ? count(large) : count(small)} → on screen ${last?.screenMs.toFixed(0)} ms (DOM ${last?.domMs.toFixed(0)} ms)`,
      );
    }
  }
  const name = (who: 'bob' | 'carol') =>
    who === 'bob' ? `the ${count(large)}-message conversation` : `the ${count(small)}-message conversation (baseline)`;
  const workerHeaps = { bob: [] as Figure[], carol: [] as Figure[] };
  for (const who of ['bob', 'carol'] as const) {
    const s = samples[who];
    out.figures.push(
      figure(
        'open',
        `open ${name(who)}: click → newest message on screen; ${vault}`,
        'ms',
        s.timings.map((t) => t.screenMs),
        who === 'bob' ? 300 : undefined,
      ),
    );
    out.figures.push(
      figure(
        'open',
        `open ${name(who)}: click → newest message in the DOM; ${vault}`,
        'ms',
        s.timings.map((t) => t.domMs),
      ),
    );
    const workerHeap = figure(
      'memory',
      `worker JS heap after GC, ${name(who)} open; ${vault}`,
      'MiB',
      s.heaps.map((h) => h.worker.usedBytes / MiB),
    );
    workerHeaps[who].push(workerHeap);
    out.figures.push(workerHeap);
    out.figures.push(
      figure(
        'memory',
        `page JS heap after GC, ${name(who)} open; ${vault}`,
        'MiB',
        s.heaps.map((h) => h.page.usedBytes / MiB),
      ),
    );
  }
  const offline = samples.bob.offline + samples.carol.offline;
  if (offline > 0) {
    const shown = [...new Set([...samples.bob.offlineStatus, ...samples.carol.offlineStatus])].join('; ');
    out.notes.push(
      `${vault}: in ${offline} of ${2 * runs} openings Alice's client had no relay connection 30 s after the unlock (the indicator said: ${shown}); opening a conversation does not use the relay. Every unlock spends relay access tokens (each relay connection the client opens presents one), and the admin app issues a device at most 60 an hour.`,
    );
  }
  out.pageReads = `opening the ${count(large)}-message conversation sent the worker ${samples.bob.reads}; the ${count(small)}-message one ${samples.carol.reads}`;
  return workerHeaps.bob[0] as Figure;
}

/** Bob (then Carol) sends messages one at a time; each is timed from Alice's worker commit to her screen. */
async function receiveRuns(staff: Staff, count_: number, out: Collected, large: number, small: number): Promise<void> {
  const alice = staff.alice.page;
  await reload(alice);
  await unlocked(alice, true);
  const worker = await benchWorker(alice);
  for (const who of ['bob', 'carol'] as const) {
    await newestId(alice, who);
    await pause(SETTLE_MS);
    await watchReceived(alice, 'bench-rx');
    await takeMarks(worker);
    const marks: CommitMark[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < count_; i++) {
      const text = `bench-rx ${who} ${i + 1}`;
      await sendMessage(staff[who].page, text);
      const seen = await receivedOnScreen(alice, text);
      marks.push(...(await takeMarks(worker)));
      const committed = marks.find((mark) => mark.upserted.includes(seen.id));
      if (!committed || seen.screenAt === undefined) throw new Error(`no worker mark for ${text}`);
      latencies.push(seen.screenAt - committed.at);
      log(
        `received with ${who === 'bob' ? count(large) : count(small)} open: commit → on screen ${(seen.screenAt - committed.at).toFixed(0)} ms`,
      );
      await pause(SETTLE_MS);
    }
    const label =
      who === 'bob'
        ? `the ${count(large)}-message conversation open`
        : `the ${count(small)}-message conversation open (baseline)`;
    out.figures.push(
      figure(
        'received',
        `a received message: worker commit → on screen, ${label}`,
        'ms',
        latencies,
        who === 'bob' ? 50 : undefined,
      ),
    );
  }
}

/** The memory baseline: a vault with one conversation of `small` (and Bob's few real ones), that one open. */
async function baselineMemory(page: Page, runs: number, small: number, out: Collected): Promise<Figure> {
  await reload(page);
  await unlocked(page);
  const id = await newestId(page, 'carol');
  const samples = noSamples();
  for (let run = 0; run < runs; run++) await openOnce(page, 'carol', id, samples);
  const workerHeap = figure(
    'memory',
    `worker JS heap after GC, 1 conversation of ${count(small)} open; vault of ${count(small)} messages (baseline)`,
    'MiB',
    samples.heaps.map((h) => h.worker.usedBytes / MiB),
  );
  out.figures.push(workerHeap);
  out.figures.push(
    figure(
      'memory',
      `page JS heap after GC, 1 conversation of ${count(small)} open; vault of ${count(small)} messages (baseline)`,
      'MiB',
      samples.heaps.map((h) => h.page.usedBytes / MiB),
    ),
  );
  return workerHeap;
}

function seedRequest(peer: string, total: number, newestAt: number, config: BenchConfig): SeedRequest {
  return { peer, total, newestAt, spacingMs: SPACING_MS, batchSize: config.batchSize };
}

export async function runScenario(
  staff: Staff,
  config: BenchConfig,
  setUpAt: number,
  profileDir: string,
): Promise<Collected> {
  const out: Collected = { figures: [], seeding: [], notes: [], pageReads: '' };
  const alice = staff.alice.page;
  const before = setUpAt - 60_000; // seeded messages are older than the real first lines
  const small = await seedAll(
    alice,
    [seedRequest(PEOPLE.carol.address, config.small, before, config)],
    config.seedBudgetMs,
  );
  out.seeding.push({
    conversations: 1,
    messagesPerConversation: config.small,
    messages: small.added,
    seconds: small.seconds,
    messagesPerSecond: small.added / small.seconds,
  });
  const baseline = await baselineMemory(alice, Math.min(3, config.runs), config.small, out);

  const large = await seedAll(
    alice,
    [seedRequest(PEOPLE.bob.address, config.large, before, config)],
    config.seedBudgetMs,
  );
  out.seeding.push({
    conversations: 1,
    messagesPerConversation: config.large,
    messages: large.added,
    seconds: large.seconds,
    messagesPerSecond: large.added / large.seconds,
  });
  const firstVault = `vault of ${count(config.large + config.small)} messages`;
  // Received messages first: they need the relay, and each unlock spends access tokens (staff.ts unlock).
  await receiveRuns(staff, config.received, out, config.large, config.small);
  await openRuns(alice, config.runs, firstVault, out, config.large, config.small);

  const fakes = Array.from({ length: config.conversations - 1 }, (_, i) =>
    seedRequest(
      `bench-peer-${String(i + 1).padStart(3, '0')}@bench.invalid`,
      config.large,
      before - 3_600_000 - i * 60_000,
      config,
    ),
  );
  const many = await seedAll(alice, fakes, config.seedBudgetMs);
  const conversations = many.done + 1;
  out.seeding.push({
    conversations: many.done,
    messagesPerConversation: config.large,
    messages: many.added,
    seconds: many.seconds,
    messagesPerSecond: many.added / many.seconds,
    indexedDbBytes: du(`${profileDir}/Default/IndexedDB`),
    ...(many.cutShort ? { cutShort: many.cutShort } : {}),
  });
  const bigVault = `vault of ${conversations} × ${count(config.large)} + ${count(config.small)} messages`;
  const loaded = await openRuns(alice, config.runs, bigVault, out, config.large, config.small);
  out.memorySummary = `The worker's JS heap after GC with the ${count(config.large)}-message conversation open in a ${bigVault}: median ${loaded.median.toFixed(1)} MiB (p95 ${loaded.p95.toFixed(1)}), against ${baseline.median.toFixed(1)} MiB (p95 ${baseline.p95.toFixed(1)}) with 1 conversation of ${count(config.small)} open in a vault of ${count(config.small)} (no goal was set).`;
  if (many.cutShort)
    out.notes.push(
      `Seeding was cut short: ${many.cutShort}. The "${bigVault}" figures are for that vault, not for 100 × 10,000.`,
    );
  return out;
}
