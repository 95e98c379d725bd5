/**
 * The Chromium phase of `npm run bench:attachments` (issue 15, item 1), written to
 * bench-results/attachments-chromium.json and .md: a 100 MiB file over loopback, encrypt+upload
 * and download+decrypt at ≥ 50 MiB/s each way on this 2-core machine, Web Crypto and noble side
 * by side, and the worker's peak memory ≤ 64 MiB above idle. Not part of `npm test`.
 *
 * The system runs as `npm start` runs it (tests/e2e/support/system.ts) with the web client built
 * with NEXT_PUBLIC_OPENDESCENT_BENCH=1, so that its messenger worker has the bench hooks
 * (apps/web/src/worker/bench-attachments.ts); ./web/build.ts keeps that build apart from the normal
 * one and checks the normal one afterwards, as `bench:web` does.
 *  1. Crypto + transfer (./attachments/chromium-transfers.ts): in Alice's messenger worker, random
 *     bytes made 64 KiB at a time, sealed with libs/crypto's attachment stream and uploaded with
 *     relay-client's transfer; then downloaded and opened, digest and plaintext checked. The same
 *     run moves as many bytes unencrypted (the transfer alone) and times the cipher alone.
 *  2. The whole path through the UI (./attachments/send-file.ts): Alice sends the file to Bob from
 *     the composer; Bob downloads it into his own profile.
 * Knobs: BENCH_ATTACHMENT_MIB (100), BENCH_ATTACHMENT_ROUNDS (3), BENCH_ATTACHMENT_SEND_ROUNDS (1;
 * 0 skips the UI path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttachmentBaselines } from '../../apps/web/src/worker/bench-attachments';
import { chromiumAvailable } from '../../tests/e2e/support/browser';
import { startSystem, type RunningSystem } from '../../tests/e2e/support/system';
import {
  GOAL_MEMORY_MIB,
  GOAL_MIB_S,
  baselineRates,
  chromiumMachine,
  memorySplit,
  nodePhase,
  sendFileRates,
  transferRates,
  writeChromiumReport,
  type ChromiumAttachmentReport,
} from './attachments/chromium-report';
import {
  measureBaselines,
  measureLiveTransfers,
  measureTransfers,
  waitForHooks,
  type RoundSample,
} from './attachments/chromium-transfers';
import { measureFloor, type FloorSample, type LiveSample } from './attachments/memory-floor';
import { closePeople, setUpPeople, type Opened } from './attachments/people';
import { measureSendFile, type SendFileSample } from './attachments/send-file';
import { WorkerMemorySampler } from './attachments/worker-memory';
import { numberFromEnv } from './bench-env';
import { BENCH_BUILD_ENV, forgetWebBuild, outdateWebBuild, rebuildNormalAndCheck } from './web/build';

const MIB = 1024 * 1024;
const TAG = '[bench:attachments:chromium]';

const SIZE = numberFromEnv('BENCH_ATTACHMENT_MIB', 100, 1, 100) * MIB;
const ROUNDS = numberFromEnv('BENCH_ATTACHMENT_ROUNDS', 3, 1, 20);
const SEND_ROUNDS = numberFromEnv('BENCH_ATTACHMENT_SEND_ROUNDS', 1, 0, 5);

const METHOD = [
  "The system as `npm start` runs it (relay with its filesystem attachment store, admin app, web client) on loopback; the web client is a bench build (NEXT_PUBLIC_OPENDESCENT_BENCH=1). An administrator enrols Alice's browser through the admin app; a device of the bench's own, enrolled through the admin API, admits each upload on the relay (attach_create, one fetch) and hands only the upload and attachment ids to Alice's worker: the key never leaves it. The admission is not timed.",
  "No DevTools network instrumentation while measuring: Alice's and Bob's Chromium are started by the bench with a DevTools pipe; Playwright connects over CDP for the setup (enrolment through the UI) and disconnects before anything is measured, and the bench then speaks to the page and its worker over the pipe with Runtime, DOM and HeapProfiler only. Playwright keeps the Network domain on for every page and worker it drives, and Chromium then hands each upload body to DevTools too: on this machine a worker's fetch uploading 4 MiB bodies to a plain Node server on loopback ran at 1.6–3.7 MiB/s with it on and 44–51 MiB/s with it off (tools/bench/attachments/chromium-pipe.ts). A person's browser has no DevTools attached.",
  "Crypto + transfer, in Alice's messenger worker (apps/web/src/worker/bench-attachments.ts, reached with Runtime.evaluate on the worker's DevTools session; the worker times itself with performance.now()): encrypt + upload draws the file with crypto.getRandomValues 64 KiB at a time (never held whole), seals it with libs/crypto's encryptAttachment as relay-client's uploadAttachment asks for each ~4 MiB PATCH, and stops when the relay holds it all; download + decrypt runs relay-client's downloadAttachment into libs/crypto's decryptAttachment one piece at a time, checks the ciphertext digest and the first 16 bytes of every chunk against what was drawn, and stops at the last byte. The `fetched` report that lets the relay delete the file follows, untimed.",
  "Backends: 'webcrypto' (SubtleCrypto AES-256-GCM, BoringSSL) and 'noble' (@noble/ciphers, pure JavaScript); the digest is format 2's (attachments.md §2.2): each sealed chunk's SHA-256 by SubtleCrypto.digest ('webcrypto') or @noble/hashes ('noble'), then SHA-256 of that list. Baseline 'none': as many random bytes moved by the same calls without encryption. Within a round the three modes take turns, so that a change in the machine's load falls on all of them.",
  "Memory: Runtime.getHeapUsage on the worker's DevTools session (the page's session auto-attaches to it) every ~50 ms while a direction runs; idle is taken just before, after two HeapProfiler.collectGarbage. The figure is the JS heap in use plus ArrayBuffer backing stores (`backingStorageSize`), above idle, worst round; the JS heap alone is shown too, and what is left above idle once the direction is done and two collections ran (what it kept, as against garbage not yet collected). Memory of the network stack (fetch bodies in the browser and network processes) is not the worker's and is not counted.",
  "What the peak is made of (./attachments/memory-floor.ts): a collection frees a dropped ArrayBuffer's bytes, and V8 starts one once enough external memory was allocated since the last, so the peak counts garbage too. Two figures of the same run split it: the floor, the same worker allocating as many bytes as the file in 64 KiB buffers (the size of every piece Web Crypto returns per chunk), filling and dropping each (garbage only); and the live peak, one more Web Crypto transfer each way with two full collections before every reading (every ~100 ms; those collections pause the worker, so that round is not timed).",
  'Baselines in the same worker: getRandomValues alone; SHA-256 alone in JavaScript (@noble/hashes, format 1’s digest of the stream) and natively (SubtleCrypto.digest per 64 KiB chunk, format 2’s chunk hashes); one 64 KiB chunk sealed by SubtleCrypto.encrypt under fresh nonces for as many bytes (raw AES-GCM); the attachment stream sealing a repeated chunk and opening the sealed chunks (kept in memory for this baseline only), per backend. The Node phase (bench-results/attachments.json, `bench:attachments` runs it first) is shown beside, with its own time.',
  "The whole path through the UI: Alice picks the file (a file of random bytes on disk) in the composer (DOM.setFileInputFiles on its file input, as Playwright's setInputFiles does) of her conversation with Bob; timed until her card shows `sent`, read every 50 ms (read, thumbnail check, sealed into her IndexedDB store, admitted, uploaded, message delivered). Bob, whose client leaves a file this large for a click, clicks Download (a click() on the button); timed until his card shows `stored` (downloaded, each chunk checked, stored, digest checked). The messenger uses the webcrypto backend.",
];

async function main(): Promise<void> {
  if (!chromiumAvailable)
    throw new Error('the Chromium phase needs Chromium at /usr/bin/chromium (apt-get install -y chromium)');
  const loadavgAtStart = os.loadavg();
  console.log(`${TAG} ${JSON.stringify({ mib: SIZE / MIB, rounds: ROUNDS, sendRounds: SEND_ROUNDS })}`);
  // Set by the npm script for this file; the relay's register.cjs picks its own tsconfig only when unset.
  delete process.env['SWC_NODE_PROJECT'];
  const attachmentDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-bench-attachments-'));
  forgetWebBuild(); // start.mjs then builds apps/web with the flag
  let system: RunningSystem | undefined;
  const opened: Opened = { browsers: [] };
  let chromium = 'unknown';
  let transfers: RoundSample[] | undefined;
  let baselines: AttachmentBaselines[] = [];
  let live: LiveSample[] = [];
  let floor: FloorSample[] = [];
  let sendFile: SendFileSample[] = [];
  const notes: string[] = [];
  let failure: unknown;
  try {
    system = await startSystem({ ...BENCH_BUILD_ENV, RELAY_ATTACHMENT_DIR: attachmentDir }, 900_000);
    outdateWebBuild(); // no later `npm start` may take it for a current build
    const { alice, bob, admission } = await setUpPeople(system, SEND_ROUNDS > 0, opened);
    chromium = String((await alice.chromium.send('Browser.getVersion'))['product']);
    const worker = await alice.chromium.worker(alice.page);
    await waitForHooks(worker);
    const sampler = new WorkerMemorySampler(worker);
    const setup = {
      worker,
      sampler,
      admission,
      relayUrl: system.relayUrl,
      size: SIZE,
      rounds: ROUNDS,
      modes: ['none', 'webcrypto', 'noble'] as const,
    };
    transfers = await measureTransfers(setup);
    live = await measureLiveTransfers(setup);
    floor = await measureFloor(worker, sampler, SIZE, ROUNDS);
    baselines = await measureBaselines(worker, SIZE, ROUNDS);
    if (bob) {
      try {
        sendFile = await measureSendFile(alice, bob, sampler, SIZE, SEND_ROUNDS);
      } catch (error) {
        notes.push(`The whole path through the UI failed and is not reported: ${String(error).split('\n')[0]}`);
        console.error(error);
      }
    }
  } catch (error) {
    failure = error;
    console.error(error, `\n--- system log tail:\n${(system?.output() ?? '').split('\n').slice(-30).join('\n')}`);
  } finally {
    await closePeople(opened);
    await system?.stop();
    rmSync(attachmentDir, { recursive: true, force: true });
  }
  console.log(`${TAG} rebuilding apps/web as \`npm start\` does, without the flag…`);
  const normalBuild = rebuildNormalAndCheck();
  if (!transfers) throw failure;
  const node = nodePhase(path.resolve(__dirname, '../../bench-results'));
  const report: ChromiumAttachmentReport = {
    measuredAt: new Date().toISOString(),
    machine: chromiumMachine(chromium, loadavgAtStart),
    size: SIZE,
    rounds: ROUNDS,
    goals: { mibPerSecond: GOAL_MIB_S, peakMemoryMibAboveIdle: GOAL_MEMORY_MIB },
    transfers: transferRates(transfers, SIZE),
    baselines: baselineRates(baselines, SIZE),
    memory: memorySplit(live, floor),
    sendFile: sendFileRates(sendFile, SIZE),
    ...(node ? { nodePhase: node } : {}),
    samples: { transfers, sendFile, live, floor },
    normalBuild,
    method: METHOD,
    notes,
  };
  writeChromiumReport(report);
  for (const r of [...report.transfers, ...report.sendFile])
    console.log(
      `${r.name} (${r.backend}): ${r.mibPerSecond.toFixed(1)} MiB/s, peak ${r.peakMemoryMib?.toFixed(1) ?? '?'} MiB above idle${r.met === undefined ? '' : r.met ? ' (goal met)' : ' (goal MISSED)'}`,
    );
  console.log(`${TAG} normal build holds the bench hooks: ${normalBuild.filesWithHooks.length ? 'YES' : 'no'}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
