/**
 * `npm run bench:directory`: can a device tell an existing address from an unknown one by the
 * time the directory takes to answer? (issue 10, docs/protocol/admin-api.md §7.3.) Against an
 * in-memory embedded database, through the route handler, it makes 20 probes of existing and 20
 * of unknown addresses in a shuffled order and reports the best single-threshold classifier's
 * accuracy on the response times, with the answer floor off (the baseline) and on, in the same
 * run. Written to bench-results/directory.{json,md}.
 *
 * A threshold fitted to the very probes it classifies does better than 50% even on identical
 * distributions, so two references are reported beside it: the same statistic on shuffled labels
 * (what chance looks like for it: its 95th percentile), and the accuracy of a threshold fitted on
 * one set of probes when applied to a fresh set (held out), which chance puts at 50%.
 *
 * The database query alone is also timed both ways: the ORM's nested read the look-up used
 * before (a second query only when the address exists) and the one statement it uses now.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POST as lookup } from '../app/api/v1/directory/lookup/route';
import { currentDevicesAt } from '../src/server/directory/directory-lookup';
import { useAdminServicesForTests, type AdminServices } from '../src/server/services';
import { signedInAdmin } from '../test/support/test-admin';
import type { TestDevice } from '../test/support/test-device';
import { LOOKUP_PATH, testMembers } from '../test/support/test-members';
import { call, startTestApp } from '../test/support/test-services';

const PROBES = 20;
const ROUNDS = 5;
const WARM_UP = 30;
const MEMBERS = 20;
/** The floor measured here: the default of ADMIN_DIRECTORY_ANSWER_FLOOR_MS. */
const FLOOR_MS = Number(process.env.BENCH_FLOOR_MS ?? 100);

interface Probe {
  readonly existing: boolean;
  readonly ms: number;
}

/** Best accuracy of "existing iff time > t" or "existing iff time < t" over every threshold t. */
export function bestThreshold(probes: readonly Probe[]): {
  accuracy: number;
  threshold: number;
  slowerIsExisting: boolean;
} {
  const sorted = [...probes].sort((a, b) => a.ms - b.ms);
  const existingTotal = probes.filter((p) => p.existing).length;
  let best = { accuracy: 0, threshold: -Infinity, slowerIsExisting: true };
  let existingBelow = 0;
  for (let i = 0; i <= sorted.length; i++) {
    // Threshold between sorted[i-1] and sorted[i]: i probes below it.
    const below = i;
    const unknownBelow = below - existingBelow;
    const slower = (unknownBelow + (existingTotal - existingBelow)) / probes.length;
    const faster = 1 - slower;
    const threshold =
      i === 0
        ? -Infinity
        : i === sorted.length
          ? Infinity
          : ((sorted[i - 1] as Probe).ms + (sorted[i] as Probe).ms) / 2;
    if (slower > best.accuracy) best = { accuracy: slower, threshold, slowerIsExisting: true };
    if (faster > best.accuracy) best = { accuracy: faster, threshold, slowerIsExisting: false };
    if (i < sorted.length && (sorted[i] as Probe).existing) existingBelow++;
  }
  return best;
}

function classify(probes: readonly Probe[], rule: { threshold: number; slowerIsExisting: boolean }): number {
  const right = probes.filter((p) => (p.ms > rule.threshold === rule.slowerIsExisting) === p.existing).length;
  return right / probes.length;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** The 95th percentile of the best-threshold accuracy when the labels are shuffled. */
function chanceLevel(probes: readonly Probe[], trials = 2000): number {
  const labels = probes.map((p) => p.existing);
  const accuracies = Array.from({ length: trials }, () => {
    const relabelled = shuffled(labels);
    return bestThreshold(probes.map((p, i) => ({ ms: p.ms, existing: relabelled[i] as boolean }))).accuracy;
  }).sort((a, b) => a - b);
  return accuracies[Math.floor(trials * 0.95)] as number;
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

interface Round {
  readonly inSample: number;
  readonly chance95: number;
  readonly heldOut: number;
  readonly probes: Probe[];
}

interface Phase {
  readonly name: string;
  readonly floorMs: number;
  readonly inSampleAccuracy: number;
  readonly chance95: number;
  readonly heldOutAccuracy: number;
  readonly ms: Record<'existing' | 'unknown', { median: number; p95: number; max: number }>;
}

/** ROUNDS times: fit a threshold to one probe set, then classify a fresh one with it. */
async function rounds(probeSet: () => Promise<Probe[]>): Promise<Round[]> {
  const done: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const fit = await probeSet();
    const fresh = await probeSet();
    const best = bestThreshold(fit);
    done.push({ inSample: best.accuracy, chance95: chanceLevel(fit), heldOut: classify(fresh, best), probes: fit });
  }
  return done;
}

function summarise(name: string, floorMs: number, done: readonly Round[]): Phase {
  const times = (wanted: boolean) =>
    done.flatMap((r) => r.probes.filter((p) => p.existing === wanted).map((p) => p.ms));
  const stats = (values: number[]) => ({
    median: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    max: Math.max(...values),
  });
  const phase = {
    name,
    floorMs,
    inSampleAccuracy: mean(done.map((r) => r.inSample)),
    chance95: mean(done.map((r) => r.chance95)),
    heldOutAccuracy: mean(done.map((r) => r.heldOut)),
    ms: { existing: stats(times(true)), unknown: stats(times(false)) },
  };
  console.log(
    `${name.padEnd(42)} best threshold ${(phase.inSampleAccuracy * 100).toFixed(1)}% (chance ${(phase.chance95 * 100).toFixed(1)}%), held out ${(phase.heldOutAccuracy * 100).toFixed(1)}%; ` +
      `median existing ${phase.ms.existing.median.toFixed(2)} / unknown ${phase.ms.unknown.median.toFixed(2)} ms, slowest ${Math.max(phase.ms.existing.max, phase.ms.unknown.max).toFixed(1)} ms`,
  );
  return phase;
}

async function main(): Promise<void> {
  const limits = {
    ADMIN_DIRECTORY_LOOKUPS_PER_HOUR: '10000',
    ADMIN_DIRECTORY_MEMBER_LOOKUPS_PER_HOUR: '10000',
    ADMIN_DIRECTORY_MEMBER_LOOKUPS_PER_DAY: '100000',
    ADMIN_DIRECTORY_ORG_LOOKUPS_PER_HOUR: '100000',
    ADMIN_DIRECTORY_ORG_LOOKUPS_PER_DAY: '1000000',
    ADMIN_DIRECTORY_ANSWER_FLOOR_MS: '0',
  };
  const app = await startTestApp(limits);
  try {
    const m = testMembers(app, (await signedInAdmin(app.services)).id);
    const prober = await m.enrolledDevice('prober@example.org');
    const existing: string[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const address = `colleague${i}@example.org`;
      // One or two devices each, as in a real organisation.
      for (let d = 0; d <= i % 2; d++) await m.enrolledDevice(address, `Colleague ${i}`);
      existing.push(address);
    }
    const unknown = Array.from({ length: MEMBERS }, (_, i) => `stranger${i}@example.org`);

    const withFloor = (floorMs: number): AdminServices => ({
      ...app.services,
      config: { ...app.services.config, directory: { ...app.services.config.directory, answerFloorMs: floorMs } },
    });
    const probe = async (device: TestDevice, address: string): Promise<number> => {
      const body = await device.lookup(address);
      const started = performance.now();
      const { status } = await call(lookup, LOOKUP_PATH, body);
      const ms = performance.now() - started;
      if (status !== 200) throw new Error(`look-up answered ${status}`);
      return ms;
    };
    const probeSet = async (): Promise<Probe[]> => {
      const order = shuffled([
        ...existing.slice(0, PROBES).map((a) => ({ a, existing: true })),
        ...unknown.slice(0, PROBES).map((a) => ({ a, existing: false })),
      ]);
      const probes: Probe[] = [];
      for (const { a, existing: isExisting } of order)
        probes.push({ existing: isExisting, ms: await probe(prober, a) });
      return probes;
    };

    const phases: Phase[] = [];
    for (const floorMs of [0, FLOOR_MS]) {
      useAdminServicesForTests(withFloor(floorMs));
      for (let i = 0; i < WARM_UP; i++) await probe(prober, (i % 2 ? existing : unknown)[i % MEMBERS] as string);
      phases.push(
        summarise(
          floorMs === 0 ? 'look-up, answer floor off (baseline)' : `look-up, answer floor ${floorMs} ms`,
          floorMs,
          await rounds(probeSet),
        ),
      );
    }
    const now = app.services.now();
    const queries: Record<string, (address: string) => Promise<unknown>> = {
      'query only: nested ORM read (before)': (address) =>
        app.database.prisma.member.findUnique({
          where: { address },
          select: {
            address: true,
            devices: {
              where: { status: 'active' },
              select: {
                id: true,
                prekeySlotId: true,
                attestations: { where: { expiresAt: { gt: now } }, orderBy: { expiresAt: 'desc' }, take: 1 },
              },
            },
          },
        }),
      'query only: one statement (now)': (address) => currentDevicesAt(app.database.prisma, address, now),
    };
    for (const [name, query] of Object.entries(queries)) {
      for (let i = 0; i < WARM_UP; i++) await query((i % 2 ? existing : unknown)[i % MEMBERS] as string);
      const timedSet = async (): Promise<Probe[]> => {
        const probes: Probe[] = [];
        for (const { a, isExisting } of shuffled([
          ...existing.map((a) => ({ a, isExisting: true })),
          ...unknown.map((a) => ({ a, isExisting: false })),
        ])) {
          const started = performance.now();
          await query(a);
          probes.push({ existing: isExisting, ms: performance.now() - started });
        }
        return probes;
      };
      phases.push(summarise(name, 0, await rounds(timedSet)));
    }
    writeResults(phases);
  } finally {
    await app.close();
  }
}

function writeResults(phases: readonly Phase[]): void {
  const outDir = path.resolve(__dirname, '../../../bench-results');
  mkdirSync(outDir, { recursive: true });
  const measuredAt = new Date().toISOString();
  const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg() };
  writeFileSync(
    path.join(outDir, 'directory.json'),
    `${JSON.stringify({ measuredAt, machine, probes: PROBES, rounds: ROUNDS, phases }, null, 2)}\n`,
  );
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const rows = phases.map(
    (p) =>
      `| ${p.name} | ${pct(p.inSampleAccuracy)} | ${pct(p.chance95)} | ${pct(p.heldOutAccuracy)} | ${ms(p.ms.existing.median)} / ${ms(p.ms.unknown.median)} | ${ms(p.ms.existing.p95)} / ${ms(p.ms.unknown.p95)} | ${ms(Math.max(p.ms.existing.max, p.ms.unknown.max))} |`,
  );
  writeFileSync(
    path.join(outDir, 'directory.md'),
    [
      '# bench:directory',
      '',
      `Measured ${measuredAt} on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}; in-memory embedded database, through the route handler.`,
      '',
      `Each round: ${PROBES} look-ups of existing and ${PROBES} of unknown addresses in a shuffled order; a threshold on the response time is fitted to them (best single threshold, either direction) and then applied to a fresh set of ${2 * PROBES} (held out). Means over ${ROUNDS} rounds. "Chance" is the 95th percentile of the best-threshold accuracy on the same times with shuffled labels: a fitted accuracy at or below it is no better than chance.`,
      '',
      '| what is timed | best threshold (fitted) | chance (95th pct) | held out | median existing / unknown | p95 existing / unknown | slowest |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
