/**
 * `npm run bench:web`: the web client measured in Chromium (issue 12, item 2), written to
 * bench-results/web.json and bench-results/web.md. Goals: a conversation of 10,000 messages on
 * screen ≤ 300 ms after the click; a received message on screen ≤ 50 ms after the worker
 * committed it; and the worker's memory with 100 conversations of 10,000 messages, against a
 * baseline of one conversation of 100. Not part of `npm test`, never run in CI.
 *
 * The system runs as `npm start` runs it (tests/e2e/support/system.ts), with the web client built
 * with NEXT_PUBLIC_OPENDESCENT_BENCH=1 so that its worker has the bench's seeding and commit marks
 * (apps/web/src/worker/bench-seed.ts); ./web/build.ts keeps that build apart from the normal one.
 * Knobs (environment): BENCH_WEB_RUNS (7), BENCH_WEB_RECEIVED (10), BENCH_WEB_CONVERSATIONS (100),
 * BENCH_WEB_MESSAGES (10000), BENCH_WEB_SMALL (100), BENCH_WEB_SEED_BUDGET_MINUTES (120),
 * BENCH_WEB_BATCH (2000).
 */
import path from 'node:path';
import { chromiumAvailable } from '../../tests/e2e/support/browser';
import { startSystem, type RunningSystem } from '../../tests/e2e/support/system';
import { numberFromEnv } from './bench-env';
import { BENCH_BUILD_ENV, forgetWebBuild, outdateWebBuild, rebuildNormalAndCheck } from './web/build';
import { machine, writeReport, type WebBenchReport } from './web/report';
import { runScenario, type BenchConfig, type Collected } from './web/scenario';
import { closeStaff, setUpStaff, type Staff } from './web/staff';
import { chromiumVersion } from './web/worker';

function configFromEnv(): BenchConfig {
  return {
    runs: numberFromEnv('BENCH_WEB_RUNS', 7, 1, 100),
    received: numberFromEnv('BENCH_WEB_RECEIVED', 10, 1, 200),
    conversations: numberFromEnv('BENCH_WEB_CONVERSATIONS', 100, 1, 1000),
    large: numberFromEnv('BENCH_WEB_MESSAGES', 10_000, 2, 100_000),
    small: numberFromEnv('BENCH_WEB_SMALL', 100, 2, 10_000),
    seedBudgetMs: numberFromEnv('BENCH_WEB_SEED_BUDGET_MINUTES', 120, 1, 24 * 60) * 60_000,
    batchSize: numberFromEnv('BENCH_WEB_BATCH', 2_000, 1, 5_000),
  };
}

const METHOD = (config: BenchConfig): string[] => [
  'One browser profile (Chromium, playwright-core, as tests/e2e/support/browser.ts launches it) per person: Alice is measured; Bob and Carol only send. An administrator enrols the three through the admin app; Alice writes first to Bob and to Carol, so both conversations are real.',
  `Seeding (bench builds only): the worker writes messages through the messenger's own Transaction.putMessage and commit, ${config.batchSize.toLocaleString('en')} per commit, on a vault it opens with the passphrase while the page's messenger is locked; records are sealed, padded and indexed exactly as real ones (no \`sent\`/\`seen\` bookkeeping records). Seeded messages are older than the real ones, alternately Alice's and the peer's, 3 to 30 words, 30 s apart. The extra conversations are direct ones with fake peers (bench-peer-NNN@bench.invalid).`,
  'Opening: before each run the page is reloaded (a new worker, nothing decrypted) and unlocked with the passphrase, then left 1 s. A capturing click listener notes the click on the conversation in the list (performance.now()); a MutationObserver notes the newest message\'s element entering the DOM; a requestAnimationFrame loop notes the first frame in which that element is laid out inside the message log\'s visible box ("on screen"). The two conversations are opened alternately, one reload each.',
  "A received message: Bob (or Carol) sends from his own browser through the relay. In Alice's worker, the bench build timestamps the `messages_changed` event that leaves for the page right after the commit that stored the decrypted message (performance.timeOrigin + performance.now(), taken where the worker posts the event); the page notes the first frame with the message element on screen on the same clock. The worker's own timestamp is used rather than the event's arrival on the page because what the page does with the event is part of what is measured, and the page's cost of receiving it would be hidden otherwise.",
  "Memory: after each opening, 2 s later, the worker's JS heap over the DevTools protocol (the page's session auto-attaches to the worker target; HeapProfiler.collectGarbage twice, then Runtime.getHeapUsage usedSize), and the page's the same way. No goal was set for memory; the baseline is a vault with one conversation of 100 (and the first line of the conversation with Bob).",
  'Medians and p95 (nearest rank: with fewer than 20 runs, the largest) over the runs; goals apply to the median.',
];

async function main(): Promise<void> {
  if (!chromiumAvailable)
    throw new Error('bench:web needs Chromium at /usr/bin/chromium (apt-get install -y chromium)');
  const config = configFromEnv();
  console.log(`[bench:web] ${JSON.stringify(config)}`);
  // Set by the npm script for this file; the relay's register.cjs picks its own tsconfig only when unset.
  delete process.env['SWC_NODE_PROJECT'];
  forgetWebBuild(); // start.mjs then builds apps/web with the flag
  let system: RunningSystem | undefined;
  let staff: Staff | undefined;
  let collected: Collected | undefined;
  let chromium = 'unknown';
  let failure: unknown;
  try {
    system = await startSystem({ ...BENCH_BUILD_ENV }, 900_000);
    outdateWebBuild(); // no later `npm start` may take it for a current build
    const setUpAt = Date.now();
    staff = await setUpStaff(system);
    chromium = await chromiumVersion(staff.alice.page);
    collected = await runScenario(staff, config, setUpAt, staff.alice.browser.profileDir);
  } catch (error) {
    failure = error;
    console.error(error, `\n--- system log tail:\n${(system?.output() ?? '').split('\n').slice(-30).join('\n')}`);
  } finally {
    if (staff) await closeStaff(staff);
    await system?.stop();
  }
  console.log('[bench:web] rebuilding apps/web as `npm start` does, without the flag…');
  const normalBuild = rebuildNormalAndCheck();
  if (!collected) throw failure;
  const report: WebBenchReport = {
    measuredAt: new Date().toISOString(),
    machine: machine(chromium),
    pageReads: collected.pageReads,
    ...(collected.memorySummary ? { memorySummary: collected.memorySummary } : {}),
    method: METHOD(config),
    figures: collected.figures,
    seeding: collected.seeding,
    normalBuild,
    notes: collected.notes,
  };
  const outDir = path.resolve(__dirname, '../../bench-results');
  writeReport(report, outDir);
  for (const f of report.figures)
    console.log(
      `${f.name}: median ${f.median.toFixed(1)} ${f.unit}, p95 ${f.p95.toFixed(1)}${f.met === undefined ? '' : f.met ? ' (goal met)' : ' (goal MISSED)'}`,
    );
  console.log(
    `[bench:web] written to ${path.relative(process.cwd(), outDir)}/web.{json,md}; normal build holds the bench hooks: ${normalBuild.filesWithHooks.length ? 'YES' : 'no'}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
