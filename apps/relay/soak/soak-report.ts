/** bench-results/soak.{json,md}: the verdicts first, then what they rest on. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceMemoryResult, ThroughputResult } from './capacity';
import type { FloodResult, PhaseLatency } from './flood';
import { FLAT_SHARE, FLAT_SLACK_BYTES, type NodeTrend, type RedisSample } from './memory-trend';
import { LATE_MS, RECONNECT_WINDOW_MS, type Verdict } from './soak-ledger';
import type { RefusalLog } from './soak-outbox';
import type { SoakPhaseResult, SoakWorld } from './soak-run';
import type { StaffEstimate } from './staff-estimate';
import type { RestartRecord, FailoverRecord } from './soak-cluster';

export const FLOOD_RATIO_LIMIT = 2;

/** The machine, as the other bench-results files record it (tools/bench/bench-output.ts). */
export interface BenchMachine {
  readonly node: string;
  readonly cpus: number;
  readonly cpu: string | undefined;
  readonly loadavg: readonly number[];
}

export function machine(): BenchMachine {
  return { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg() };
}

export interface SoakSettings {
  readonly devices: number;
  readonly contacts: number;
  readonly messages: number;
  readonly rate: number;
  readonly groupShare: number;
  readonly encrypt: boolean;
  readonly quietRate: number;
  readonly floodSeconds: number;
  readonly minReplicas: number;
  readonly nodes: number;
}

export interface SoakReport {
  readonly measuredAt: string;
  readonly machine: BenchMachine;
  readonly loadBefore: readonly number[];
  readonly runSeconds: number;
  readonly sampleSeconds: number;
  /** The soak process's heap at the end. */
  readonly soakHeapBytes: number;
  /** The commit the relay and libraries ran from, and their files changed in the working tree. */
  readonly code: { readonly commit: string; readonly changed: readonly string[] };
  readonly settings: SoakSettings;
  readonly setupSeconds: number;
  readonly soak: SoakPhaseResult;
  readonly verdict: Verdict;
  readonly refusals: Readonly<Record<string, { count: number; firstS: number; lastS: number }>>;
  readonly restarts: readonly RestartRecord[];
  readonly failovers: readonly FailoverRecord[];
  readonly soakLatency: PhaseLatency;
  readonly quiet?: PhaseLatency;
  readonly floods: readonly FloodResult[];
  readonly memory: readonly NodeTrend[];
  readonly redis: { readonly start: number; readonly end: number; readonly peak: number } | undefined;
  readonly nodeLogs: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly throughput?: ThroughputResult;
  readonly deviceMemory?: DeviceMemoryResult;
  readonly staff?: StaffEstimate;
  readonly requirements: Readonly<Record<string, boolean>>;
  readonly passed: boolean;
}

const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '—');
const metMark = (met: boolean) => (met ? 'met' : '**not met**');
const round = (value: number) => Math.round(value).toLocaleString('en-GB');

export function redisSummary(samples: readonly RedisSample[]): SoakReport['redis'] {
  if (samples.length === 0) return undefined;
  const used = samples.map((s) => s.usedMemory);
  return { start: used[0] as number, end: used[used.length - 1] as number, peak: Math.max(...used) };
}

export function refusalTable(log: RefusalLog): SoakReport['refusals'] {
  return Object.fromEntries(log.counts);
}

export function nodeLogs(world: SoakWorld): SoakReport['nodeLogs'] {
  return Object.fromEntries(world.cluster.nodes.map((node) => [node.name, Object.fromEntries(node.logEvents)]));
}

function verdictLines(r: SoakReport): string[] {
  const v = r.verdict;
  const worstFlood = r.floods.reduce<FloodResult | undefined>((w, f) => (!w || f.ratio > w.ratio ? f : w), undefined);
  return [
    '| check | result | requirement | |',
    '|---|---|---|---|',
    `| messages made / acknowledged \`ok\` by a relay (soak, quiet and flood phases) | ${round(v.made)} / ${round(v.acknowledged)} (${v.unacknowledged} never acknowledged) | every message made is acknowledged | ${metMark(v.unacknowledged === 0)} |`,
    `| lost: acknowledged and never shown | ${v.lost} | 0 | ${metMark(v.lost === 0)} |`,
    `| shown twice, after the duplicate rule | ${v.shownTwice} (the relay handed over ${round(v.rawDuplicates)} blobs again, dropped by their hash; ${v.idDuplicates} by message id) | 0 | ${metMark(v.shownTwice === 0)} |`,
    `| order per sender, as the device took them | ${v.orderViolations} messages after a later one of the same sender (${v.orderViolationsAfterReconnect} of them within ${RECONNECT_WINDOW_MS / 1000} s of their device coming online) | 0 | ${metMark(v.orderViolations === 0)} |`,
    `| order per sender within one fetch reply (the relay's queue order) | ${v.queueOrderViolations} | 0 | ${metMark(v.queueOrderViolations === 0)} |`,
    `| blobs that did not open / in the wrong queue | ${v.undecryptable} / ${v.misdelivered} | 0 | ${metMark(v.undecryptable + v.misdelivered === 0)} |`,
    worstFlood && r.quiet
      ? `| others' p99 with one device flooding at its limit | ${ms(worstFlood.latency.p99)} ms (${worstFlood.shape}) against ${ms(r.quiet.latency.p99)} ms quiet: ${worstFlood.ratio.toFixed(2)}× | ≤ ${FLOOD_RATIO_LIMIT}× | ${metMark(r.requirements.flood === true)} |`
      : '| flood | not run (SOAK_FLOOD_SECONDS=0) | | |',
    `| memory of each node flat over the soak | ${r.memory.map((m) => `${m.node}: ${m.flat ? 'flat' : 'grew'}`).join(', ')} | flat (see below) | ${metMark(r.requirements.memory === true)} |`,
  ];
}

function latencyRow(label: string, p: PhaseLatency, extra: string): string {
  const cores = os.cpus().length;
  const cpu = Object.entries(p.cpu ?? {})
    .map(
      ([name, share]) => `${name} ${Math.round(share * 100)}%${name === 'whole machine' ? ` of ${cores * 100}%` : ''}`,
    )
    .join(', ');
  const through = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([node, n]) => `${n} ${node}`)
      .join(', ');
  const tail = p.tail
    ? `put in ${p.tail.seconds} distinct s; put through ${through(p.tail.putThrough)}; delivered through ${through(p.tail.deliveredThrough)}`
    : '—';
  return `| ${label} | ${extra} | ${p.latency.samples} | ${ms(p.latency.p50)} | ${ms(p.latency.p99)} | ${ms(p.latency.max)} | ${ms(p.loop.p99)} / ${ms(p.loop.max)}; ${p.loop.majorGcs} major GC (longest ${ms(p.loop.longestGcMs)}) | ${cpu || '—'} | ${tail} |`;
}

function staffParagraph(r: SoakReport): string[] {
  const t = r.throughput;
  const d = r.deviceMemory;
  const s = r.staff;
  if (!t || !d || !s) return ['Capacity: not measured in this run.', ''];
  const a = s.assumptions;
  return [
    `One node on this machine (closed loop over ${t.connections} connections on ${t.node}, paced to the default rate, every write confirmed by a replica): **${round(t.messagesPerSecond)} messages/s** put, pushed and acknowledged, with the node at ${Math.round(t.nodeCpu * 100)}% of a core, the Redis primary at ${Math.round(t.redisPrimaryCpu * 100)}% and the clients at ${Math.round(t.clientCpu * 100)}% (two cores for all): ${round(t.messagesPerNodeCoreSecond)} messages per second of the node's CPU. Connected devices: ${d.devices} idle devices with ${d.queuesPerDevice} subscribed queues each cost the node **${(d.rssBytesPerDevice / 1024).toFixed(1)} KiB of RSS each** (${(d.heapBytesPerDevice / 1024).toFixed(1)} KiB of heap), and all of them came back at ${round(d.reconnectionsPerSecond)} devices/s when reconnected at once (a connection, a fresh token, ${d.queuesPerDevice} subscriptions each).`,
    '',
    `For ${round(a.staff)} staff, assuming ${a.devicesPerStaff} devices each (${round(s.devices)} devices, ${round(s.connectedAtPeak)} connected at the busiest hour, ${a.connectedShareAtPeak * 100}%), ${a.messagesPerStaffPerDay} messages sent per person per working day each put into ${a.blobsPerMessage} device queues (${round(s.blobsPerDay)} blobs a day), all in ${a.workingHours} hours with the busiest minute at ${a.peakFactor}× that average: **${round(s.peakBlobsPerSecond)} blobs/s at peak**. Sized to run at ${a.targetLoad * 100}% of the measured figure (so a node can fail): ${s.nodesForThroughputHere} node(s) like this one (two cores shared with clients and Redis), or ${s.nodesForThroughputPerCore} if each node has a core to itself. Connections bind first: at ${MiB(a.connectionMemoryBytes)} per node for connections and the larger of the RSS and heap growth per device, one node holds about ${round(s.devicesPerNodeByMemory)} devices, so **${s.nodesForConnections} nodes** for the connected devices at ${a.targetLoad * 100}% (about ${round(s.connectedAtPeak / s.nodesForConnections)} each); re-admitting one node's devices after it fails takes about ${Math.round(s.reconnectSecondsPerNode)} s at the reconnection rate above on one node (spread over the others, less). The single Redis primary would spend about ${Math.round(s.redisCoreShareAtPeak * 100)}% of a core at that peak (from its CPU per message here). Not measured: heartbeats and acknowledgements at ${round(s.connectedAtPeak)} connections, TLS (Caddy in front), and a network between nodes, Redis and clients.`,
    '',
  ];
}

export function writeSoakReport(r: SoakReport): string {
  const v = r.verdict;
  const s = r.settings;
  const lateTotal = Object.values(v.late).reduce((a, b) => a + b, 0);
  // The 5 s spans that stand out (the faults); the rest is devices off the network for a while.
  const lateRows = Object.entries(v.late)
    .filter(([, count]) => count >= Math.max(50, lateTotal * 0.05))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([bucket, count]) => `${bucket}–${Number(bucket) + 5} s: ${count}`);
  const markdown = [
    '# soak',
    '',
    `Measured ${r.measuredAt} on ${r.machine.cpus} × ${r.machine.cpu}, Node ${r.machine.node}; load average ${r.loadBefore.map((l) => l.toFixed(2)).join(' ')} before the run and ${r.machine.loadavg.map((l) => l.toFixed(2)).join(' ')} after it (devices, relay nodes, Redis and anything else running share the two cores). The whole run took ${Math.round(r.runSeconds)} s. Code: commit ${r.code.commit.slice(0, 12)}${r.code.changed.length > 0 ? `, with uncommitted changes to ${r.code.changed.join(', ')}` : ''}.`,
    '',
    `${s.devices} simulated devices (libs/relay-client's RelayClient: a reading connection and two sending lanes each, a fresh access token per connection, paced to the relay's default rate) with ${s.contacts} contacts each (one queue per contact, as messages.md §5.1), spread over ${s.nodes} relay node processes on the Redis store behind Sentinel (a primary, two replicas, three sentinels; every write confirmed by ${s.minReplicas} replica, relay.md §9.1). ${round(r.soak.messages)} messages of 1 KiB at ${s.rate}/s, ${Math.round(s.groupShare * 100)}% of sends a small group's put_many to three contacts; ${s.encrypt ? 'each end-to-end encrypted with libs/crypto (a Double Ratchet session per pair, started by a PQXDH handshake; the sealed envelope around it is not simulated)' : 'not encrypted (SOAK_ENCRYPT=0)'}. Each outbox puts a message again, with the same bytes, until a relay answers \`ok\`; each device applies the web client's duplicate rule (blob hash, then sending device and message id; re-implemented in soak/duplicate-rule.ts), acknowledges in batches and, as the web client, relies on the relay pushing what is pending when the client sends its subscriptions again after a reconnection (no fetch beside it).`,
    '',
    `**Result: ${r.passed ? 'every requirement met' : 'not every requirement met'}.**`,
    '',
    ...verdictLines(r),
    '',
    '## Faults',
    '',
    `${r.soak.chaos.map((e) => `- at ${e.t} s: ${e.what} (${e.ms} ms)`).join('\n')}`,
    `- ${r.soak.drops} network drops of ${r.soak.devicesDropped} distinct devices (every connection cut, reconnections refused for up to 3 s), spread over the traffic.`,
    '',
    `How messages reached their device: ${round(v.arrivals.push)} pushed (live, or as the pending blobs of a re-sent subscription), ${round(v.arrivals['final-fetch'])} only by the last fetch after the traffic (${r.soak.awaitingLastFetch} were still unshown when the drain gave up waiting: their live push was lost and their device had not reconnected since, relay.md §9.1). Shown more than ${LATE_MS} ms after their \`ok\`: ${round(lateTotal)} (a dropped device gets its messages when it is back); the 5 s spans of \`ok\` time (run clock) with most of them: ${lateRows.join('; ') || 'none'}.`,
    '',
    v.violations.length > 0 ? 'Order violations (first few):' : '',
    ...v.violations.map((x) => `- ${x.text}`),
    ...(v.examples.length > 0 ? ['', 'Other problems (first few):', ...v.examples.map((x) => `- ${x}`)] : []),
    '',
    `Answers the outboxes met (code: count, first and last second): ${
      Object.entries(r.refusals)
        .map(([code, c]) => `${code}: ${c.count} (${c.firstS}–${c.lastS} s)`)
        .join('; ') || 'none'
    }. Node restarts: ${r.restarts.map((x) => `${x.node} ${x.signal} ${x.ms} ms`).join('; ')}. Failovers: ${r.failovers.map((f) => `${f.ms} ms`).join('; ')}.`,
    '',
    '## Latency: put to shown',
    '',
    `From the first put of a message to its receiving device showing it. The devices share one process (its heap held ${MiB(r.soakHeapBytes)} at the end: the ledger of every message, every device's state); its event-loop delay is beside each phase, and it is collected (a full GC) before each measured phase, so that a major GC of its own does not stall every device at once inside the measurement.`,
    '',
    '| phase | load | messages | p50 ms | p99 ms | max ms | soak process: loop delay p99 / max ms; its GCs | CPU (share of a core) | the slowest 1% |',
    '|---|---|---|---|---|---|---|---|---|',
    latencyRow('soak (with the faults)', r.soakLatency, `${s.rate}/s`),
    ...(r.quiet ? [latencyRow('quiet', r.quiet, `${s.quietRate}/s`)] : []),
    ...r.floods.map((f) => {
      const refused = Object.entries(f.refusals)
        .map(([code, count]) => `${round(count)} ${code}`)
        .join(', ');
      return latencyRow(
        `one device flooding: ${f.shape}`,
        f,
        `${s.quietRate}/s + ${round(f.framesPerSecond)} frames/s, ${round(f.blobsPerSecond)} blobs/s stored${refused ? ` (refused: ${refused})` : ''}; p99 ${f.ratio.toFixed(2)}× quiet`,
      );
    }),
    '',
    `The flooding device (soak/flood-device.ts) runs in a process of its own, connected to ${r.floods[0]?.node ?? 'node A'}, and uses the relay client like every device: its two sending lanes are paced by FramePacer to 90% of the relay's per-connection rate (50 frames/s, burst 200, relay.md §8.3) and kept for the whole flood; \`put_many\` frames carry 15 blobs each (one token). It floods queues of its own, which it reads and acknowledges. Latency measured from 5 s into the flood, for ${s.floodSeconds} s per phase, before the soak traffic and its faults; rates over the whole flood.`,
    '',
    '## Memory',
    '',
    `Sampled every ${r.sampleSeconds} s after a full GC in each node (during the quiet and flood phases without the GC, whose pause would be measured as latency). Flat: over the last incarnation of the node during the soak traffic (its first fifth left out as warm-up), the mean of the last quarter of the samples is within ${FLAT_SHARE * 100}% + ${MiB(FLAT_SLACK_BYTES)} of the first quarter's, for RSS and heap.`,
    '',
    '| node | processes | RSS start / end / peak | window (s) | RSS first → last quarter | heap first → last quarter | slope RSS / heap (MiB/min) | |',
    '|---|---|---|---|---|---|---|---|',
    ...r.memory.map(
      (m) =>
        `| ${m.node} | ${m.incarnations} | ${MiB(m.startRss)} / ${MiB(m.endRss)} / ${MiB(m.peakRss)} | ${m.window.fromS}–${m.window.toS} (${m.window.samples} samples) | ${MiB(m.firstQuarter.rss)} → ${MiB(m.lastQuarter.rss)} | ${MiB(m.firstQuarter.heapUsed)} → ${MiB(m.lastQuarter.heapUsed)} | ${m.rssSlopeMiBPerMin.toFixed(2)} / ${m.heapSlopeMiBPerMin.toFixed(2)} | ${m.flat ? 'flat' : '**grew**'} |`,
    ),
    '',
    r.redis
      ? `Redis primary used_memory: ${MiB(r.redis.start)} at the start, ${MiB(r.redis.end)} at the end, ${MiB(r.redis.peak)} at the peak (spent access tokens stay until their key's acceptance ends: one per connection).`
      : '',
    '',
    '## Capacity, and what it means for 73,000 staff',
    '',
    ...staffParagraph(r),
    `Relay log lines at warn or above, per node: ${Object.entries(r.nodeLogs)
      .map(
        ([node, events]) =>
          `${node}: ${
            Object.entries(events)
              .map(([e, c]) => `${e} ×${c}`)
              .join(', ') || 'none'
          }`,
      )
      .join('; ')}.`,
    '',
  ].join('\n');
  const out = path.resolve(__dirname, '../../../bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'soak.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(path.join(out, 'soak.md'), markdown);
  return markdown;
}
