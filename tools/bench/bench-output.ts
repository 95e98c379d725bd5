import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The machine a library benchmark ran on, as bench-results records it. */
export interface BenchMachine {
  readonly node: string;
  readonly cpus: number;
  readonly cpu: string | undefined;
  readonly loadavg: readonly number[];
  readonly backends: unknown;
}

export function benchMachine(backends: unknown): BenchMachine {
  return { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg(), backends };
}

/** The "Measured … on …" line that opens a report. */
export function measuredLine(measuredAt: string, machine: BenchMachine): string {
  const load = machine.loadavg.map((l) => l.toFixed(2)).join(' ');
  return `Measured ${measuredAt} on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load ${load}; backends ${JSON.stringify(machine.backends)}.`;
}

/** Writes bench-results/<name>.json and <name>.md and says where. */
export function writeBenchResults(name: string, json: unknown, markdown: string): void {
  const outDir = path.resolve(__dirname, '../../bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(outDir, `${name}.md`), markdown);
  console.log(`\nwritten to ${path.relative(process.cwd(), outDir)}/${name}.{json,md}`);
}
