/**
 * `npm run bench:direct`: message latency between two web clients in Chromium over a direct
 * channel and through the relay, on the same machine, in the same run (docs/protocol/direct.md,
 * issue 16). Runs inside a network namespace of its own (scripts/in-netns.sh), where Chromium
 * gathers host candidates on a veth pair; the relay and the admin app are `npm start`'s.
 *
 * A message's latency is from the Enter key in the sender's page (a keydown listener's clock) to
 * the moment the receiver's page shows it (a MutationObserver's clock): both are wall-clock
 * readings of one machine. Messages go one at a time, BENCH_DIRECT_MESSAGES per path; the direct
 * path first, then the relay once the receiver turned direct channels off (the baseline).
 * Then one file of BENCH_DIRECT_FILE_MIB on each path (direct.md §9): the time from Basile's page
 * showing its message to showing it stored (fetched and checked), and the bytes the relay was
 * asked for by downloads, over the channel and then through the relay.
 * Results: bench-results/direct.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { screenshot, sendMessage, type LaunchedBrowser } from '../../tests/e2e/support/browser';
import { attachFile, attachmentCard } from '../../tests/e2e/support/composer-files';
import { relayCounter } from '../../tests/e2e/support/relay-metrics';
import { startSystem, type RunningSystem } from '../../tests/e2e/support/system';
import { enrolStaff, startDirectChat } from '../../tests/e2e/support/web-staff';
import { numberFromEnv } from './bench-env';
import { benchMachine, measuredLine, writeBenchResults } from './bench-output';

const MESSAGES = numberFromEnv('BENCH_DIRECT_MESSAGES', 200, 10, 10_000);
const FILE_MIB = numberFromEnv('BENCH_DIRECT_FILE_MIB', 16, 1, 200);
const PASSPHRASE = 'amber-signal-61-harbour';
const STAFF = {
  anne: { address: 'anne.bench@ministry.example', name: 'Anne Bench' },
  basile: { address: 'basile.bench@ministry.example', name: 'Basile Bench' },
} as const;

interface PathFigures {
  readonly messages: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** relay_blobs_stored_total over the run of this path. */
  readonly blobsStored: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function figures(latencies: readonly number[], blobsStored: number): PathFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    messages: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) as number),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    blobsStored,
  };
}

/** The sender's page notes when Enter goes down in the composer, per text. */
async function watchSending(page: Page): Promise<void> {
  await page.evaluate(() => {
    const sent = new Map<string, number>();
    (window as unknown as { __sent: Map<string, number> }).__sent = sent;
    document.addEventListener(
      'keydown',
      (event) => {
        const target = event.target as HTMLTextAreaElement | null;
        if (event.key === 'Enter' && target?.dataset['testid'] === 'composer-input')
          sent.set(target.value, performance.timeOrigin + performance.now());
      },
      true,
    );
  });
}

/** The receiver's page notes when each text first shows. */
async function watchShowing(page: Page): Promise<void> {
  await page.evaluate(() => {
    const shown = new Map<string, number>();
    (window as unknown as { __shown: Map<string, number> }).__shown = shown;
    const note = () => {
      const at = performance.timeOrigin + performance.now();
      for (const node of Array.from(document.querySelectorAll('[data-testid="message"]'))) {
        // The text, then (with no space) the time it was sent: the text ends at its full stop.
        const text = /bench-latency-[a-z]+-\d+\./.exec(node.textContent ?? '')?.[0];
        if (text && !shown.has(text)) shown.set(text, at);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function latencyOf(from: Page, to: Page, text: string): Promise<number> {
  await from.getByTestId('composer-input').fill(text);
  await from.getByTestId('composer-input').press('Enter');
  await to.waitForFunction(
    (wanted) => (window as unknown as { __shown: Map<string, number> }).__shown.has(wanted),
    text,
    { timeout: 60_000, polling: 5 },
  );
  const sentAt = await from.evaluate((t) => (window as unknown as { __sent: Map<string, number> }).__sent.get(t), text);
  const shownAt = await to.evaluate(
    (t) => (window as unknown as { __shown: Map<string, number> }).__shown.get(t),
    text,
  );
  if (sentAt === undefined || shownAt === undefined) throw new Error(`no timing for ${text}`);
  return shownAt - sentAt;
}

async function measure(system: RunningSystem, from: Page, to: Page, label: string): Promise<PathFigures> {
  const before = await relayCounter(system.relayUrl, 'relay_blobs_stored_total');
  const latencies: number[] = [];
  for (let i = 0; i < MESSAGES; i++) latencies.push(await latencyOf(from, to, `bench-latency-${label}-${i}.`));
  const after = await relayCounter(system.relayUrl, 'relay_blobs_stored_total');
  return figures(latencies, after - before);
}

interface FileFigures {
  readonly mib: number;
  /** Basile's page shows the file's message → shows it stored (ms). */
  readonly fetchMs: number;
  /** Attached in Anne's page → stored in Basile's: sealing and upload too (ms). */
  readonly wholeMs: number;
  /** relay_attachment_download_bytes_total over the transfer. */
  readonly relayDownloadBytes: number;
}

/** Polls a locator every 10 ms, resolving with the time it first matched. */
async function whenShown(locator: ReturnType<Page['locator']>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((await locator.count()) === 0) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a file state');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now();
}

async function fileTransfer(system: RunningSystem, from: Page, to: Page, name: string): Promise<FileFigures> {
  const before = await relayCounter(system.relayUrl, 'relay_attachment_download_bytes_total');
  const started = Date.now();
  await attachFile(from, name, 'application/pdf', randomBytes(FILE_MIB * 1024 * 1024));
  const timeout = 300_000;
  // Basile's device starts fetching as the message arrives, which is when its card first shows.
  const arrived = whenShown(attachmentCard(to, name), timeout);
  const stored = whenShown(attachmentCard(to, name).and(to.locator('[data-state="stored"]')), timeout);
  const [arrivedAt, storedAt] = await Promise.all([arrived, stored]);
  const after = await relayCounter(system.relayUrl, 'relay_attachment_download_bytes_total');
  return {
    mib: FILE_MIB,
    fetchMs: storedAt - arrivedAt,
    wholeMs: storedAt - started,
    relayDownloadBytes: after - before,
  };
}

let failurePages: Partial<Record<keyof typeof STAFF, Page>> = {};

async function main(): Promise<void> {
  if (process.env.OPENDESCENT_IN_NETNS !== '1')
    throw new Error('run through scripts/in-netns.sh (npm run bench:direct does)');
  // The bench's own compiler settings are not the apps': start.mjs's children compile with theirs.
  delete process.env['SWC_NODE_PROJECT'];
  const system = await startSystem();
  const browsers: LaunchedBrowser[] = [];
  try {
    const enrolled = await enrolStaff(system, STAFF, PASSPHRASE, [], {
      args: ['--disable-features=WebRtcHideLocalIpsWithMdns'],
    });
    browsers.push(...Object.values<LaunchedBrowser>(enrolled.browsers));
    const { anne, basile } = enrolled.pages;
    failurePages = { anne, basile };
    await startDirectChat(anne, basile, STAFF.basile, STAFF.anne);
    await sendMessage(basile, 'bench: hello back');
    for (const page of [anne, basile])
      await page.locator('[data-testid="conversation-path"][data-path="direct"]').waitFor({ timeout: 120_000 });
    await watchSending(anne);
    await watchShowing(basile);
    const direct = await measure(system, anne, basile, 'direct');
    const directFile = await fileTransfer(system, anne, basile, 'bench-direct.pdf');

    await basile.getByTestId('privacy-settings').locator('summary').click();
    await basile.getByTestId('privacy-directChannels').selectOption('off');
    for (const page of [anne, basile])
      await page.locator('[data-testid="conversation-path"][data-path="relay"]').waitFor({ timeout: 60_000 });
    const relay = await measure(system, anne, basile, 'relay');
    const relayFile = await fileTransfer(system, anne, basile, 'bench-relay.pdf');

    const measuredAt = new Date().toISOString();
    const chromiumVersion = enrolled.browsers.admin.context.browser()?.version() ?? 'Debian chromium';
    const machine = benchMachine({ chromium: chromiumVersion });
    const row = (name: string, f: PathFigures) =>
      `| ${name} | ${f.messages} | ${f.p50Ms} | ${f.p90Ms} | ${f.p99Ms} | ${f.maxMs} | ${f.meanMs} | ${f.blobsStored} |`;
    const markdown = [
      '# Direct channels: message latency (issue 16)',
      '',
      measuredLine(measuredAt, machine),
      '',
      `Two web clients in headless Chromium, one machine, inside a network namespace with a veth pair`,
      `(scripts/in-netns.sh). Latency: from Enter in Anne's page to the text showing in Basile's,`,
      `one message at a time. The relay rows are the baseline, measured in the same run after Basile`,
      `turned direct channels off.`,
      '',
      '| path | messages | p50 ms | p90 ms | p99 ms | max ms | mean ms | relay blobs stored |',
      '|---|---|---|---|---|---|---|---|',
      row('direct channel', direct),
      row('relay', relay),
      '',
      `Direct p50 is ${(relay.p50Ms / direct.p50Ms).toFixed(2)}× faster than the relay's, p99 ${(relay.p99Ms / direct.p99Ms).toFixed(2)}×.`,
      `While the channel was open the relay stored ${direct.blobsStored} blobs for ${direct.messages} messages (each message`,
      `and its receipt went over the channel).`,
      '',
      `## A file of ${FILE_MIB} MiB (direct.md §9)`,
      '',
      `Fetch: from Basile's page showing the file's message (his device starts fetching as it arrives)`,
      `to showing it stored (every sealed chunk checked and kept). Whole: from attaching it in Anne's`,
      `page to stored in Basile's, sealing and upload included. Polled every 10 ms.`,
      '',
      '| path | fetch ms | whole ms | fetch MiB/s | relay download bytes |',
      '|---|---|---|---|---|',
      fileRow('direct channel', directFile),
      fileRow('relay', relayFile),
      '',
    ].join('\n');
    writeBenchResults(
      'direct',
      {
        measuredAt,
        machine,
        messagesPerPath: MESSAGES,
        direct,
        relay,
        files: { direct: directFile, relay: relayFile },
      },
      markdown,
    );
    console.log(markdown);
  } catch (error) {
    // What each page showed when it failed: test-output/screenshots/bench-direct-<who>.png.
    for (const [who, page] of Object.entries(failurePages))
      await screenshot(page, `bench-direct-${who}`).catch(() => undefined);
    throw error;
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await system.stop();
  }
}

function fileRow(name: string, f: FileFigures): string {
  const rate = (f.mib / (f.fetchMs / 1000)).toFixed(1);
  return `| ${name} | ${f.fetchMs} | ${f.wholeMs} | ${rate} | ${f.relayDownloadBytes} |`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
