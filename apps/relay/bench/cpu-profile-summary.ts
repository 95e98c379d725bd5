/**
 * Where a bench server's CPU time goes (`BENCH_PROFILE=1 npm run bench:relay`): a V8 CPU profile
 * taken in the server process over a throughput phase, its samples' self time summed by what ran
 * them. Shares are of the busy time (idle excluded).
 */
import { Session } from 'node:inspector';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export type CpuShares = Record<string, number>;

const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);

/** What ran a sample: our code, a library, the socket writes, the collector, or the rest of Node. */
export function categoryOf({ functionName, url }: ProfileNode['callFrame']): string | undefined {
  if (functionName === '(idle)') return undefined;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url === '' && SOCKET_WRITES.has(functionName)) return 'socket writes (syscalls)';
  if (url.includes('/apps/relay/src/')) return 'relay code (gateway, services, store)';
  if (url.includes('/libs/')) return 'libs/protocol and libs/crypto (codecs, signatures)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === undefined) return 'Node internals (streams, events, buffers, timers)';
  if (/^(socket\.io|socket\.io-parser|socket\.io-adapter|engine\.io|engine\.io-parser|ws|@socket\.io\/.*)$/.test(pkg))
    return 'socket.io, engine.io and ws (framing, parsing)';
  if (/^(ioredis|redis-parser|@ioredis\/.*)$/.test(pkg)) return 'Redis client';
  if (/^(@nestjs\/.*|rxjs|reflect-metadata)$/.test(pkg)) return 'NestJS';
  if (/^(prom-client|pino|pino-std-serializers|sonic-boom)$/.test(pkg)) return 'metrics and logs';
  if (/^@noble\//.test(pkg)) return 'libs/protocol and libs/crypto (codecs, signatures)';
  return `other packages (${pkg})`;
}

export function summarise(profile: Profile): CpuShares {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const category = node ? categoryOf(node.callFrame) : undefined;
    if (category === undefined) return;
    const delta = profile.timeDeltas[i] ?? 0;
    busy += delta;
    totals.set(category, (totals.get(category) ?? 0) + delta);
  });
  return Object.fromEntries(
    [...totals].sort((a, b) => b[1] - a[1]).map(([category, micros]) => [category, busy > 0 ? micros / busy : 0]),
  );
}

/** Starts the V8 profiler in this process; the returned function stops it and summarises. */
export async function startCpuProfile(): Promise<() => Promise<CpuShares>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: Profile };
    session.disconnect();
    return summarise(profile);
  };
}
