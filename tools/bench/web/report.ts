/** Figures of `npm run bench:web` and how they are written: bench-results/web.json and web.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NormalBuildCheck } from './build';

export type FigureKind = 'open' | 'received' | 'memory';

export interface Figure {
  readonly kind: FigureKind;
  readonly name: string;
  readonly unit: 'ms' | 'MiB';
  readonly n: number;
  readonly median: number;
  /** Nearest rank: with fewer than 20 samples it is the largest. */
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
  /** The goal is on the median, at most this. */
  readonly goal?: number;
  readonly met?: boolean;
}

export function figure(
  kind: FigureKind,
  name: string,
  unit: Figure['unit'],
  samples: readonly number[],
  goal?: number,
): Figure {
  if (samples.length === 0) throw new Error(`${name}: no samples`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  const median =
    sorted.length % 2
      ? rank(0.5)
      : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  const result: Figure = {
    kind,
    name,
    unit,
    n: samples.length,
    median,
    p95: rank(0.95),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    samples,
  };
  return goal === undefined ? result : { ...result, goal, met: median <= goal };
}

export interface SeedingReport {
  readonly conversations: number;
  readonly messagesPerConversation: number;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** Set when the time budget ran out before every conversation was seeded. */
  readonly cutShort?: string;
  readonly indexedDbBytes?: number;
}

export interface WebBenchReport {
  readonly measuredAt: string;
  readonly machine: {
    readonly cpu?: string;
    readonly cpus: number;
    readonly memoryGiB: number;
    readonly loadavg: readonly number[];
    readonly node: string;
    readonly chromium: string;
  };
  readonly pageReads: string;
  readonly memorySummary?: string;
  readonly method: readonly string[];
  readonly figures: readonly Figure[];
  readonly seeding: readonly SeedingReport[];
  readonly normalBuild?: NormalBuildCheck;
  readonly notes: readonly string[];
}

export function machine(chromium: string): WebBenchReport['machine'] {
  return {
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadavg: os.loadavg(),
    node: process.version,
    chromium,
  };
}

const fixed = (value: number, unit: Figure['unit']) => (unit === 'MiB' ? value.toFixed(1) : value.toFixed(0));

function figureRow(f: Figure): string {
  const goal = f.goal === undefined ? '' : `≤ ${f.goal} ${f.unit}`;
  const verdict = f.met === undefined ? '' : f.met ? 'met' : '**missed**';
  return `| ${f.name} | ${f.n} | ${fixed(f.median, f.unit)} | ${fixed(f.p95, f.unit)} | ${fixed(f.min, f.unit)}–${fixed(f.max, f.unit)} | ${goal} | ${verdict} |`;
}

function goalLine(f: Figure): string {
  return `- **${f.met ? 'Met' : 'Missed'}**: ${f.name}: median ${fixed(f.median, f.unit)} ${f.unit}, p95 ${fixed(f.p95, f.unit)} ${f.unit} (goal ≤ ${f.goal} ${f.unit}).`;
}

function figureTable(title: string, figures: readonly Figure[]): string[] {
  if (figures.length === 0) return [];
  return [
    `## ${title}`,
    '',
    '| measurement | n | median | p95 | min–max | goal (median) | |',
    '|---|---|---|---|---|---|---|',
    ...figures.map(figureRow),
    '',
  ];
}

function seedingLine(s: SeedingReport): string {
  const disk =
    s.indexedDbBytes === undefined
      ? ''
      : `; IndexedDB on disk afterwards ${(s.indexedDbBytes / 2 ** 20).toFixed(0)} MiB`;
  const cut = s.cutShort ? ` **Cut short: ${s.cutShort}.**` : '';
  return `- ${s.messages.toLocaleString('en')} messages in ${s.conversations} conversation(s) of ${s.messagesPerConversation.toLocaleString('en')}: ${s.seconds.toFixed(0)} s (${s.messagesPerSecond.toFixed(0)} messages/s)${disk}.${cut}`;
}

function buildLines(check: NormalBuildCheck | undefined): string[] {
  if (!check) return ['- The normal build was not checked (the run stopped before).'];
  if (!check.built)
    return [
      `- The normal rebuild of apps/web FAILED (${check.seconds.toFixed(0)} s); its BUILD_ID was removed so the next \`npm start\` builds again.`,
    ];
  if (check.filesWithHooks.length === 0) {
    return [
      `- After the run apps/web was rebuilt as \`npm start\` builds it (no flag, ${check.seconds.toFixed(0)} s): no file of its client chunks or server output contains the bench hooks (searched for \`__opendescentBench\`).`,
    ];
  }
  return [
    `- After the run apps/web was rebuilt as \`npm start\` builds it (no flag, ${check.seconds.toFixed(0)} s): **the bench hooks ARE in the normal build**, in ${check.filesWithHooks.join(', ')}.`,
  ];
}

export function writeReport(report: WebBenchReport, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'web.json'), `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  const lines = [
    '# bench:web',
    '',
    `Measured ${report.measuredAt} on ${m.cpus} × ${m.cpu ?? 'unknown CPU'}, ${m.memoryGiB} GiB, load ${m.loadavg.map((l) => l.toFixed(2)).join(' ')}; Node ${m.node}; ${m.chromium} (Debian's Chromium, headless, through playwright-core). The system ran as \`npm start\` runs it (relay, admin app, web client on loopback) and shared the machine with the browsers.`,
    '',
    `What the page read when a conversation opened, in this build: ${report.pageReads}.`,
    '',
    ...report.figures.filter((f) => f.goal !== undefined).map(goalLine),
    ...(report.memorySummary ? [`- ${report.memorySummary}`] : []),
    '',
    ...figureTable(
      'Opening a conversation (ms)',
      report.figures.filter((f) => f.kind === 'open'),
    ),
    ...figureTable(
      'A received message (ms)',
      report.figures.filter((f) => f.kind === 'received'),
    ),
    ...figureTable(
      'Memory (MiB, JS heap after GC)',
      report.figures.filter((f) => f.kind === 'memory'),
    ),
    '## Method',
    '',
    ...report.method.map((line) => `- ${line}`),
    '',
    '## Seeding',
    '',
    ...report.seeding.map(seedingLine),
    '',
    '## Builds',
    '',
    ...buildLines(report.normalBuild),
    '',
    ...(report.notes.length ? ['## Notes', '', ...report.notes.map((note) => `- ${note}`), ''] : []),
  ];
  writeFileSync(path.join(outDir, 'web.md'), lines.join('\n'));
}
