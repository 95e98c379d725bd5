/**
 * The Chromium phase's figures and how they are written: bench-results/attachments-chromium.json
 * and .md, beside the Node phase's attachments.{json,md} (whose figures, when present, are shown
 * next to these).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttachmentBaselines } from '../../../apps/web/src/worker/bench-attachments';
import { writeBenchResults } from '../bench-output';
import type { NormalBuildCheck } from '../web/build';
import type { Direction, RoundSample } from './chromium-transfers';
import type { FloorSample, LiveSample } from './memory-floor';
import type { SendFileSample } from './send-file';

const MIB = 1024 * 1024;
export const GOAL_MIB_S = 50;
export const GOAL_MEMORY_MIB = 64;

export interface Rate {
  readonly name: string;
  readonly backend: string;
  /** Of the median round; min and max over the rounds. */
  readonly mibPerSecond: number;
  readonly minMibPerSecond: number;
  readonly maxMibPerSecond: number;
  readonly rounds: number;
  /** Worst round: the worker's JS heap plus ArrayBuffer backing stores, above idle. */
  readonly peakMemoryMib?: number;
  /** Worst round: the JS heap alone, above idle. */
  readonly peakHeapMib?: number;
  /** Worst round: heap + buffers above idle once done and collected (what stayed). */
  readonly afterGcMib?: number;
  readonly met?: boolean;
}

export interface ChromiumMachine {
  readonly cpu?: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly loadavgAtStart: readonly number[];
  readonly loadavgAtEnd: readonly number[];
  readonly node: string;
  readonly chromium: string;
}

export interface ChromiumAttachmentReport {
  readonly measuredAt: string;
  readonly machine: ChromiumMachine;
  readonly size: number;
  readonly rounds: number;
  readonly goals: { readonly mibPerSecond: number; readonly peakMemoryMibAboveIdle: number };
  readonly transfers: readonly Rate[];
  readonly baselines: readonly Rate[];
  readonly sendFile: readonly Rate[];
  readonly memory: MemorySplit;
  readonly nodePhase?: { readonly measuredAt: string; readonly results: readonly NodeResult[] };
  readonly samples: {
    readonly transfers: readonly RoundSample[];
    readonly sendFile: readonly SendFileSample[];
    readonly live: readonly LiveSample[];
    readonly floor: readonly FloorSample[];
  };
  readonly normalBuild?: NormalBuildCheck;
  readonly method: readonly string[];
  readonly notes: readonly string[];
}

interface NodeResult {
  readonly name: string;
  readonly backend: string;
  readonly mibPerSecond: number;
  readonly peakMemoryMib?: number;
}

export function chromiumMachine(chromium: string, loadavgAtStart: readonly number[]): ChromiumMachine {
  return {
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadavgAtStart,
    loadavgAtEnd: os.loadavg(),
    node: process.version,
    chromium,
  };
}

/** The worker's peak split into garbage and what a transfer holds (memory-floor.ts). */
export interface MemorySplit {
  /** Allocate-and-drop of the file's size in 64 KiB buffers: peak above idle, worst and best round. */
  readonly floorPeakMib?: { readonly worst: number; readonly best: number };
  /** Web Crypto, collected before every reading: the most the transfer held above idle. */
  readonly liveUpMib?: number;
  readonly liveDownMib?: number;
}

export function memorySplit(live: readonly LiveSample[], floor: readonly FloorSample[]): MemorySplit {
  const peaks = floor.map((f) => f.peakTotalAboveIdleMib);
  const liveOf = (direction: 'up' | 'down') => live.find((l) => l.direction === direction)?.liveAboveIdleMib;
  const up = liveOf('up');
  const down = liveOf('down');
  return {
    ...(peaks.length ? { floorPeakMib: { worst: Math.max(...peaks), best: Math.min(...peaks) } } : {}),
    ...(up === undefined ? {} : { liveUpMib: up }),
    ...(down === undefined ? {} : { liveDownMib: down }),
  };
}

function memoryLines(split: MemorySplit): string[] {
  if (!split.floorPeakMib && split.liveUpMib === undefined) return ['- Not measured in this run.', ''];
  return [
    `| figure | MiB above idle |`,
    '|---|---|',
    `| floor: the file's size allocated in 64 KiB buffers and dropped, peak (best–worst round) | ${f1(split.floorPeakMib?.best)}–${f1(split.floorPeakMib?.worst)} |`,
    `| encrypt + upload, webcrypto: live peak (collected before every reading) | ${f1(split.liveUpMib)} |`,
    `| download + decrypt, webcrypto: live peak (collected before every reading) | ${f1(split.liveDownMib)} |`,
    '',
    `The peaks above count garbage not collected yet; the floor is that garbage alone, for code that allocates as the attachment stream does. The live peak is what a transfer holds (goal ${GOAL_MEMORY_MIB} MiB: ${split.liveUpMib !== undefined && split.liveDownMib !== undefined ? (Math.max(split.liveUpMib, split.liveDownMib) <= GOAL_MEMORY_MIB ? 'within it' : '**above it**') : 'not measured'}). docs/decisions/0014-attachment-worker-memory.md says how the goal is read.`,
    '',
  ];
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** A rate from the times of the rounds (ms for `size` bytes), with the worst memory when sampled. */
export function rate(
  name: string,
  backend: string,
  size: number,
  ms: readonly number[],
  memory?: { total: readonly number[]; heap: readonly number[]; afterGc: readonly number[] },
  withGoal = false,
): Rate {
  const rates = ms.map((t) => size / MIB / (t / 1000));
  const peakMemoryMib = memory ? Math.max(...memory.total) : undefined;
  const result: Rate = {
    name,
    backend,
    mibPerSecond: size / MIB / (median(ms) / 1000),
    minMibPerSecond: Math.min(...rates),
    maxMibPerSecond: Math.max(...rates),
    rounds: ms.length,
    ...(memory
      ? { peakMemoryMib, peakHeapMib: Math.max(...memory.heap), afterGcMib: Math.max(...memory.afterGc) }
      : {}),
  };
  if (!withGoal) return result;
  return { ...result, met: result.mibPerSecond >= GOAL_MIB_S && (peakMemoryMib ?? 0) <= GOAL_MEMORY_MIB };
}

const DIRECTION_NAMES: Record<string, Record<Direction, string>> = {
  none: {
    up: 'baseline: upload alone (random bytes, not encrypted)',
    down: 'baseline: download alone (not decrypted)',
  },
  sealed: { up: 'encrypt + upload', down: 'download + decrypt (digest and plaintext checked)' },
};

export function transferRates(samples: readonly RoundSample[], size: number): Rate[] {
  const modes = [...new Set(samples.map((s) => s.mode))];
  return modes.flatMap((mode) =>
    (['up', 'down'] as const).map((direction) => {
      const mine = samples.filter((s) => s.mode === mode && s.direction === direction);
      const names = DIRECTION_NAMES[mode === 'none' ? 'none' : 'sealed'] as Record<Direction, string>;
      return rate(
        names[direction],
        mode,
        size,
        mine.map((s) => s.ms),
        {
          total: mine.map((s) => s.peakTotalAboveIdleMib),
          heap: mine.map((s) => s.peakHeapAboveIdleMib),
          afterGc: mine.map((s) => s.afterGcAboveIdleMib),
        },
        mode !== 'none',
      );
    }),
  );
}

export function baselineRates(runs: readonly AttachmentBaselines[], size: number): Rate[] {
  if (runs.length === 0) return [];
  const of = (pick: (b: AttachmentBaselines) => number) => runs.map(pick);
  return [
    rate(
      'source alone: crypto.getRandomValues, 64 KiB at a time',
      'none',
      size,
      of((b) => b.sourceMs),
    ),
    rate(
      'SHA-256 alone in JavaScript (@noble/hashes: format 1 digest, the stream), 64 KiB pieces',
      'none',
      size,
      of((b) => b.digestMs),
    ),
    rate(
      'SHA-256 alone, native (SubtleCrypto.digest: format 2 chunk hashes), one call per 64 KiB chunk',
      'none',
      size,
      of((b) => b.nativeDigestMs),
    ),
    rate(
      'raw Web Crypto AES-256-GCM, 64 KiB chunks (no digest, no transfer)',
      'webcrypto',
      size,
      of((b) => b.rawWebCryptoSealMs),
    ),
    ...(['webcrypto', 'noble'] as const).flatMap((backend) => [
      rate(
        'seal: attachment stream, cipher and digest (no transfer)',
        backend,
        size,
        of((b) => b.cipher[backend].sealMs),
      ),
      rate(
        'open: attachment stream, cipher and digest (no transfer)',
        backend,
        size,
        of((b) => b.cipher[backend].openMs),
      ),
    ]),
  ];
}

export function sendFileRates(samples: readonly SendFileSample[], size: number): Rate[] {
  if (samples.length === 0) return [];
  return [
    rate(
      'sendFile: file chosen → sealed into the store → uploaded → message sent (Alice)',
      'webcrypto',
      size,
      samples.map((s) => s.sendMs),
      {
        total: samples.map((s) => s.sendPeakTotalAboveIdleMib),
        heap: samples.map((s) => s.sendPeakHeapAboveIdleMib),
        afterGc: samples.map((s) => s.sendAfterGcAboveIdleMib),
      },
      true,
    ),
    rate(
      'of which: file chosen → card shown (read, thumbnail, sealed into the store)',
      'webcrypto',
      size,
      samples.map((s) => s.sealedMs),
    ),
    rate(
      'of which: card shown → sent (uploaded from the store, message sent)',
      'webcrypto',
      size,
      samples.map((s) => s.sendMs - s.sealedMs),
    ),
    rate(
      'sendFile: Download clicked → downloaded, checked → stored (Bob)',
      'webcrypto',
      size,
      samples.map((s) => s.receiveMs),
      {
        total: samples.map((s) => s.receivePeakTotalAboveIdleMib),
        heap: samples.map((s) => s.receivePeakHeapAboveIdleMib),
        afterGc: samples.map((s) => s.receiveAfterGcAboveIdleMib),
      },
      true,
    ),
  ];
}

/** The Node phase's figures (bench-results/attachments.json), when that file exists. */
export function nodePhase(outDir: string): ChromiumAttachmentReport['nodePhase'] {
  const file = path.join(outDir, 'attachments.json');
  if (!existsSync(file)) return undefined;
  const json = JSON.parse(readFileSync(file, 'utf8')) as { measuredAt: string; results: NodeResult[] };
  return { measuredAt: json.measuredAt, results: json.results };
}

const f1 = (n: number | undefined): string => (n === undefined ? '' : n.toFixed(1));
const verdict = (r: Rate): string => (r.met === undefined ? '' : r.met ? 'met' : '**missed**');

function rateTable(rates: readonly Rate[], withMemory: boolean): string[] {
  return [
    `| what | backend | MiB/s (median) | min–max | rounds |${withMemory ? ' peak MiB above idle (heap + buffers) | JS heap alone | left after GC | goal |' : ''}`,
    `|---|---|---|---|---|${withMemory ? '---|---|---|---|' : ''}`,
    ...rates.map(
      (r) =>
        `| ${r.name} | ${r.backend} | ${f1(r.mibPerSecond)} | ${f1(r.minMibPerSecond)}–${f1(r.maxMibPerSecond)} | ${r.rounds} |${withMemory ? ` ${f1(r.peakMemoryMib)} | ${f1(r.peakHeapMib)} | ${f1(r.afterGcMib)} | ${verdict(r)} |` : ''}`,
    ),
    '',
  ];
}

function sideBySide(report: ChromiumAttachmentReport): string[] {
  const node = report.nodePhase;
  const nodeRate = (name: string, backend: string) =>
    node?.results.find((r) => r.name === name && r.backend === backend)?.mibPerSecond;
  const rows = report.transfers
    .filter((r) => r.backend !== 'none')
    .map((r) => {
      const up = r.name.startsWith('encrypt');
      const inNode = nodeRate(up ? 'encrypt + upload' : 'download + decrypt', r.backend);
      return `| ${up ? 'encrypt + upload' : 'download + decrypt'} | ${r.backend} | ${f1(r.mibPerSecond)} | ${f1(inNode)} | ${f1(r.peakMemoryMib)} | ${verdict(r)} |`;
    });
  return [
    `| direction | backend | Chromium worker MiB/s | Node MiB/s${node ? ` (${node.measuredAt})` : ' (no Node figures)'} | Chromium peak MiB above idle | goal (≥ ${GOAL_MIB_S} MiB/s, ≤ ${GOAL_MEMORY_MIB} MiB) |`,
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

function buildLine(check: NormalBuildCheck | undefined): string {
  if (!check) return '- The normal build was not checked (the run stopped before).';
  if (!check.built)
    return `- The normal rebuild of apps/web FAILED (${check.seconds.toFixed(0)} s); its BUILD_ID was removed so the next \`npm start\` builds again.`;
  return check.filesWithHooks.length === 0
    ? `- After the run apps/web was rebuilt as \`npm start\` builds it (no flag, ${check.seconds.toFixed(0)} s): no file of its client chunks or server output contains the bench hooks (searched for \`__opendescentBench\`, which the module that installs every bench hook names).`
    : `- After the run apps/web was rebuilt as \`npm start\` builds it: **the bench hooks ARE in the normal build**, in ${check.filesWithHooks.join(', ')}.`;
}

export function writeChromiumReport(report: ChromiumAttachmentReport): void {
  const m = report.machine;
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const goals = report.transfers.filter((r) => r.met !== undefined);
  const lines = [
    '# Attachments in Chromium',
    '',
    `Measured ${report.measuredAt} on ${m.cpus} × ${m.cpu ?? 'unknown CPU'}, ${m.memoryGiB} GiB; load ${load(m.loadavgAtStart)} at the start, ${load(m.loadavgAtEnd)} at the end; Node ${m.node}; ${m.chromium} (Debian's Chromium, headless; Playwright for the setup only, the measuring over a DevTools pipe without network instrumentation). The whole system ran as \`npm start\` runs it (relay, admin app, web client on loopback) on the same 2 cores as the browser, and other people's tests shared the machine: the figures are lower bounds of what this machine does alone.`,
    '',
    `A ${report.size / MIB} MiB file, ${report.rounds} rounds per figure (the median round is reported). Goals (issue 15): ≥ ${GOAL_MIB_S} MiB/s each way, and the worker's peak memory ≤ ${GOAL_MEMORY_MIB} MiB above idle.`,
    '',
    ...goals.map(
      (r) =>
        `- **${r.met ? 'Met' : 'Missed'}**: ${r.name}, ${r.backend}: ${f1(r.mibPerSecond)} MiB/s, peak ${f1(r.peakMemoryMib)} MiB above idle.`,
    ),
    '',
    '## Crypto + transfer in the messenger worker, side by side with Node',
    '',
    ...sideBySide(report),
    '## Crypto + transfer in the messenger worker',
    '',
    ...rateTable(report.transfers, true),
    '## What the memory peak is made of',
    '',
    ...memoryLines(report.memory),
    '## Baselines of the same run, in the same worker',
    '',
    ...rateTable(report.baselines, false),
    ...(report.sendFile.length
      ? ['## The whole path through the UI (two browser profiles)', '', ...rateTable(report.sendFile, true)]
      : ['## The whole path through the UI', '', '- Not measured in this run (BENCH_ATTACHMENT_SEND_ROUNDS=0).', '']),
    '## Method',
    '',
    ...report.method.map((line) => `- ${line}`),
    '',
    '## Builds',
    '',
    buildLine(report.normalBuild),
    '',
    ...(report.notes.length ? ['## Notes', '', ...report.notes.map((note) => `- ${note}`), ''] : []),
  ];
  writeBenchResults('attachments-chromium', report, lines.join('\n'));
}
