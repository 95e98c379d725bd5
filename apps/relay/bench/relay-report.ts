/** The bench's report (bench-results/relay.{md,json}): figures, goals, access-token costs, and the CPU profile table. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CpuShares } from './cpu-profile-summary';

export type Mode = 'bare' | 'memory' | 'redis';

export interface Result {
  mode: Mode;
  throughput: number;
  serverCpu: number;
  clientCpu: number;
  p50: number;
  p99: number;
  latencyRate: number;
  idleBytesPerConnection?: number;
  /** Connections per second, hello included (relay servers only). */
  connectionsPerSecond?: number;
  /** Where the server's busy CPU time went in a throughput phase (BENCH_PROFILE=1). */
  cpuShares?: CpuShares;
}

export interface ReportSettings {
  readonly clients: number;
  readonly window: number;
  readonly ackBatch: number;
  readonly ackDelayMs: number;
  readonly signedAcks: boolean;
  readonly measureSeconds: number;
  readonly verifyRounds: number;
  readonly rateConnections: number;
  readonly rateInFlight: number;
}

/** The profile table (BENCH_PROFILE=1): per server, the share of its busy CPU time each part took. */
function profileLines(results: readonly Result[]): string[] {
  const profiled = results.filter((r) => r.cpuShares);
  if (profiled.length === 0) return [];
  const categories = [...new Set(profiled.flatMap((r) => Object.keys(r.cpuShares ?? {})))];
  const share = (r: Result, c: string) => `${(100 * (r.cpuShares?.[c] ?? 0)).toFixed(1)}%`;
  return [
    `Where each server's CPU time goes (BENCH_PROFILE=1: a V8 CPU profile in the server over a second throughput phase, self time by what ran it, idle excluded):`,
    '',
    `| part | ${profiled.map((r) => r.mode).join(' | ')} |`,
    `|---|${profiled.map(() => '---|').join('')}`,
    ...categories.map((c) => `| ${c} | ${profiled.map((r) => share(r, c)).join(' | ')} |`),
    '',
  ];
}

/** Writes the report files and returns the markdown. */
export function writeReport(
  root: string,
  results: readonly Result[],
  verify: { tokenVerifyMicros: number; ed25519VerifyMicros: number },
  settings: ReportSettings,
): string {
  const bare = results.find((r) => r.mode === 'bare');
  const ratio = (r: Result) => (bare ? r.throughput / bare.throughput : NaN);
  const goals: Record<Mode, number> = { bare: 1, memory: 0.6, redis: 0.4 };
  const cpu = os.cpus();
  const header = `Measured ${new Date().toISOString()} on ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}; ${settings.clients} clients, 1 KiB blobs, window ${settings.window}, acks batched by up to ${settings.ackBatch} within ${settings.ackDelayMs} ms and ${settings.signedAcks ? 'each signed (BENCH_SIGNED_ACKS=1)' : 'unsigned after the signed subscribe (relay.md §6.3)'}, ${settings.measureSeconds} s per phase; clients and server share the machine.`;
  const rows = results.map((r) => {
    const goal = r.mode === 'bare' ? '' : `>= ${goals[r.mode] * 100}% of bare`;
    const met = r.mode === 'bare' ? '' : ratio(r) >= goals[r.mode] ? 'met' : '**missed**';
    const p99Met = r.p99 <= 50 ? 'met' : '**missed**';
    const idle = r.idleBytesPerConnection === undefined ? '' : `${(r.idleBytesPerConnection / 1024).toFixed(1)} KiB`;
    const rate = r.connectionsPerSecond === undefined ? '' : String(Math.round(r.connectionsPerSecond));
    return `| ${r.mode} | ${Math.round(r.throughput)} | ${r.mode === 'bare' ? '1.00' : ratio(r).toFixed(2)} | ${goal} ${met} | ${Math.round(r.serverCpu * 100)}% / ${Math.round(r.clientCpu * 100)}% | ${r.latencyRate} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} (${p99Met}) | ${idle} | ${rate} |`;
  });
  const markdown = [
    '# bench:relay',
    '',
    header,
    '',
    '| server | delivered and acked blobs/s | ratio to bare | goal | CPU server / clients (% of a core) | latency load (blobs/s) | p50 ms | p99 ms (goal <= 50) | RSS per idle authenticated connection (goal <= 30 KiB) | connections/s, hello included |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...profileLines(results),
    `Access tokens (relay.md §3.2), measured in the bench process over ${settings.verifyRounds} valid tokens, one at a time: AccessTokenVerifier.verify ${verify.tokenVerifyMicros.toFixed(0)} µs per token (RSA-2048 PSS via Web Crypto, with parsing and the origin check); baseline ed25519Verify ${verify.ed25519VerifyMicros.toFixed(0)} µs (${(verify.tokenVerifyMicros / verify.ed25519VerifyMicros).toFixed(1)}×). Connections/s: ${settings.rateConnections} connections, ${settings.rateInFlight} in flight, each connect + challenge + hello redeeming a token minted beforehand (one token verification and one spent-token write each).`,
    '',
  ].join('\n');
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/relay.md'), markdown);
  writeFileSync(
    path.join(root, 'bench-results/relay.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), clients: settings.clients, accessTokenVerify: verify, results }, null, 2)}\n`,
  );
  return markdown;
}
