/**
 * docker-compose.sentinel.yml's Redis part forms a working Sentinel set: its own commands, read
 * from the file, run here as local processes. The data nodes `redis`, `redis-replica-1` and
 * `redis-replica-2` (deploy/redis-node.sh, as the file mounts it, with their environment) and the
 * three sentinels' `sh -c` script (with SENTINEL_NAME from their environment, `$$` read as compose
 * reads it) run with only the names and ports changed: each service name becomes `localhost`, each
 * service's 6379 or 26379 a free loopback port of its own, /tmp/sentinel.conf a file per sentinel,
 * and every data node gets --bind and --dir. Every other option and configuration line is the
 * file's (down-after 5 s, failover-timeout 30 s). The sentinels must see the master `opendescent`,
 * its two replicas and each other. A primary restarted at once, before the sentinels notice (as
 * restart: unless-stopped does), must not wipe its replicas: they keep the data, one is promoted,
 * and it comes back as a replica. A primary killed, then started again after the failover, must
 * come back as a replica of the new one and receive its writes. Containers cannot be run here (no
 * container engine, no image): Debian's redis-server and redis-sentinel stand in for redis:7.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const onPath = (name: string) =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, name)));
const available = ['redis-server', 'redis-sentinel', 'redis-cli'].every(onPath);

type Service = { command?: string[]; environment?: Record<string, string>; volumes?: string[] };
const { services } = parse(readFileSync(path.join(root, 'docker-compose.sentinel.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const DATA = ['redis', 'redis-replica-1', 'redis-replica-2'];
const SENTINELS = ['sentinel-1', 'sentinel-2', 'sentinel-3'];
const NAME = 'opendescent';

/** A free loopback port (listen on 0, read it, close); never Redis's own 6379 or 26379. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** As compose reads a command: `$$` is a `$`; any other `$` would be the host's environment. */
function interpolate(text: string): string {
  const parts = text.split('$$');
  if (parts.some((part) => part.includes('$'))) throw new Error(`compose would interpolate: ${text}`);
  return parts.join('$');
}

if (!available) {
  const why = 'docker-compose.sentinel.yml SKIPPED: needs redis-server, redis-sentinel and redis-cli on the PATH';
  console.warn(`[workspace] ${why} (apt-get install redis-server redis-sentinel)`);
  test.skip(why, () => undefined);
} else {
  describe('docker-compose.sentinel.yml: a primary, two replicas and three sentinels', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'od-compose-sentinel-'));
    const ports = new Map<string, number>();
    const port = (service: string) => ports.get(service) as number;
    /** Every process started, killed (by PID) in afterAll. */
    const started: ChildProcess[] = [];
    const running = new Map<string, ChildProcess>();

    /** A service name → localhost; `<service> 6379` → localhost and that service's port. */
    const local = (args: string[]): string[] =>
      args.flatMap((arg, i) => {
        const text = interpolate(arg);
        if (i > 0 && ports.has(args[i - 1] as string) && text === '6379') return [];
        if (!ports.has(text)) return [text];
        return args[i + 1] === '6379' ? ['localhost', String(port(text))] : ['localhost'];
      });

    /** `service:6379` (or `:26379`) → `localhost:<its port>`, in a space- or comma-separated list. */
    const localList = (value: string): string =>
      interpolate(value).replace(/([a-z0-9-]+):(2?6379)\b/g, (whole, name: string) =>
        ports.has(name) ? `localhost:${port(name)}` : whole,
      );

    /** A file the compose file mounts into the container, as the repository holds it. */
    function mounted(service: string, target: string): string {
      const volume = (services[service]?.volumes ?? []).find((v) => v.split(':')[1] === target);
      if (!volume) throw new Error(`${service} mounts nothing at ${target}`);
      return path.join(root, volume.split(':')[0] as string);
    }

    /** The service's compose command, as a process on loopback. */
    function start(service: string): void {
      const { command = [], environment = {} } = services[service] ?? {};
      const [file = '', ...args] = command;
      const dir = path.join(work, service);
      mkdirSync(dir, { recursive: true });
      let argv: string[];
      if (file === 'sh' && args[0] !== '-c') {
        // deploy/redis-node.sh, as mounted; it gives redis-server the port of REDIS_NODE.
        argv = [mounted(service, args[0] as string), ...local(args.slice(1)), '--bind', '127.0.0.1', '--dir', dir];
      } else if (file === 'sh' && args[0] === '-c') {
        let script = interpolate(args[1] ?? '');
        for (const data of DATA) script = script.split(` ${data} 6379 `).join(` localhost ${port(data)} `);
        script = script.split("'port 26379'").join(`'port ${port(service)}'`);
        script = script.split('/tmp/sentinel.conf').join(path.join(dir, 'sentinel.conf'));
        // Loopback only, as a data node's --bind (the container listens on its own network).
        argv = ['-c', `${script} --bind 127.0.0.1`];
      } else {
        argv = [...local(args), '--port', String(port(service)), '--bind', '127.0.0.1', '--dir', dir];
      }
      expect(argv.join(' ')).not.toMatch(/\b2?6379\b/);
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [key, value] of Object.entries(environment)) env[key] = localList(local([String(value)]).join(' '));
      const log = openSync(path.join(work, `${service}.log`), 'a');
      const child = spawn(file, argv, { cwd: dir, env, stdio: ['ignore', log, log], detached: false });
      closeSync(log);
      child.on('error', () => undefined);
      started.push(child);
      running.set(service, child);
    }

    /** redis-cli's answer on loopback; `--json` first for structured replies. */
    function cli(at: number, ...args: string[]): Promise<string> {
      return new Promise((resolve, reject) =>
        execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(at), ...args], { timeout: 5_000 }, (error, out) =>
          error ? reject(error) : resolve(out.trim()),
        ),
      );
    }
    const json = async <T>(at: number, ...args: string[]) => JSON.parse(await cli(at, '--json', ...args)) as T;
    const replication = async (at: number) =>
      Object.fromEntries(
        (await cli(at, 'INFO', 'replication')).split(/\r?\n/).map((line) => line.split(':', 2) as [string, string]),
      ) as Record<string, string>;

    /** Polls until `check` returns a value (not undefined/false); the error names the last seen and the logs. */
    async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = await check();
          if (value !== undefined && value !== false) return value;
          last = value;
        } catch (error) {
          last = error instanceof Error ? error.message : error;
        }
        if (Date.now() > deadline) {
          const logs = [...DATA, ...SENTINELS].map((service) => {
            const file = path.join(work, `${service}.log`);
            const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-8) : [];
            return `--- ${service} (port ${port(service)})\n${lines.join('\n')}`;
          });
          throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})\n${logs.join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const pong = (services: string[]) =>
      until(`${services.join(', ')} answer PING`, 15_000, async () =>
        (await Promise.all(services.map((s) => cli(port(s), 'PING')))).every((answer) => answer === 'PONG'),
      );

    /** The primary as every sentinel names it, once they agree. */
    const primaryNamed = async (): Promise<number | undefined> => {
      const named = await Promise.all(
        SENTINELS.map((s) => json<[string, string]>(port(s), 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)),
      );
      const addresses = new Set(named.map(([host, at]) => `${host}:${at}`));
      return addresses.size === 1 && named[0]?.[0] === 'localhost' ? Number(named[0][1]) : undefined;
    };

    beforeAll(async () => {
      for (const service of [...DATA, ...SENTINELS]) ports.set(service, await freePort());
      // In compose's order: the replicas and sentinels wait for `redis` to be healthy.
      start('redis');
      await pong(['redis']);
      for (const service of [...DATA.slice(1), ...SENTINELS]) start(service);
      await pong([...DATA.slice(1), ...SENTINELS]);
    }, 60_000);

    afterAll(async () => {
      const alive = started.filter((child) => child.exitCode === null && child.signalCode === null);
      await Promise.all(
        alive.map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          return exited;
        }),
      );
      rmSync(work, { recursive: true, force: true });
    });

    test('every sentinel watches `opendescent` on redis, with its two replicas and the two other sentinels', async () => {
      const byNumber = (a: number, b: number) => a - b;
      const masters = await until('every sentinel sees 2 replicas and 2 other sentinels', 45_000, async () => {
        const seen = await Promise.all(
          SENTINELS.map((s) => json<Record<string, string>>(port(s), 'SENTINEL', 'MASTER', NAME)),
        );
        return seen.every((m) => m['num-slaves'] === '2' && m['num-other-sentinels'] === '2') && seen;
      });
      for (const [i, sentinel] of SENTINELS.entries()) {
        const master = masters[i] as Record<string, string>;
        expect(master).toMatchObject({ name: NAME, ip: 'localhost', port: String(port('redis')), flags: 'master' });
        expect(master.quorum).toBe('2');
        const replicas = await json<Record<string, string>[]>(port(sentinel), 'SENTINEL', 'REPLICAS', NAME);
        expect(replicas.map((r) => r.ip)).toEqual(['localhost', 'localhost']);
        expect(replicas.map((r) => Number(r.port)).sort(byNumber)).toEqual(DATA.slice(1).map(port).sort(byNumber));
        const peers = await json<Record<string, string>[]>(port(sentinel), 'SENTINEL', 'SENTINELS', NAME);
        const others = SENTINELS.filter((s) => s !== sentinel).map(port);
        expect(peers.map((p) => Number(p.port)).sort(byNumber)).toEqual(others.sort(byNumber));
      }
      expect(await primaryNamed()).toBe(port('redis'));
    }, 60_000);

    /** Kills the service at once, as a crash would. */
    async function kill(service: string): Promise<void> {
      const child = running.get(service) as ChildProcess;
      const gone = child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined;
      child.kill('SIGKILL');
      await gone;
    }

    /** Polls until the sentinels agree on a primary other than `old`, which says it is one. */
    const promotedFrom = (old: number, timeoutMs: number) =>
      until('the sentinels name a new primary', timeoutMs, async () => {
        const named = await primaryNamed();
        if (named === undefined || named === old) return undefined;
        return (await replication(named)).role === 'master' && named;
      });

    const replicaOf = (node: number, primary: number) =>
      until(`${node} is a replica of ${primary}, linked`, 45_000, async () => {
        const info = await replication(node);
        return info.role === 'slave' && Number(info.master_port) === primary && info.master_link_status === 'up';
      });

    test('a primary restarted at once, before the sentinels notice: nothing is wiped, it comes back as a replica', async () => {
      const old = port('redis');
      for (let i = 0; i < 50; i++) await cli(old, 'SET', `compose-sentinel:before:${i}`, String(i));
      expect(await cli(old, 'WAIT', '2', '5000')).toBe('2');
      // restart: unless-stopped brings it back within a second, empty (no save, no AOF). Without
      // deploy/redis-node.sh it answered as the primary again and both replicas copied nothing.
      await kill('redis');
      start('redis');
      const promoted = await promotedFrom(old, 75_000);
      expect(DATA.slice(1).map(port)).toContain(promoted);
      await replicaOf(old, promoted);
      expect(Number(await cli(promoted, 'DBSIZE'))).toBeGreaterThanOrEqual(50);
      await until('the restarted node holds the data again', 10_000, async () => {
        return (await cli(old, 'GET', 'compose-sentinel:before:49')) === '49';
      });
    }, 160_000);

    test('a killed primary: a replica is promoted, and the old primary restarts as its replica', async () => {
      const old = (await primaryNamed()) as number;
      const service = DATA.find((name) => port(name) === old) as string;
      await kill(service);
      const killedAt = Date.now();
      // Down-after 5 s, then a vote; a split vote is retried only after 2 × failover-timeout (60 s).
      const promoted = await promotedFrom(old, 75_000);
      expect(DATA.filter((name) => name !== service).map(port)).toContain(promoted);
      const failoverMs = Date.now() - killedAt;

      // As restart: unless-stopped would, once the failover is over: the same command, with no
      // data (no save, no AOF), started as a replica of the primary the sentinels name.
      start(service);
      await replicaOf(old, promoted);
      await until('the new primary has 2 replicas online, and every sentinel sees them up', 20_000, async () => {
        const info = await replication(promoted);
        if (info.connected_slaves !== '2' || ![info.slave0, info.slave1].every((r) => r?.includes('state=online')))
          return false;
        const seen = await Promise.all(
          SENTINELS.map((s) => json<Record<string, string>[]>(port(s), 'SENTINEL', 'REPLICAS', NAME)),
        );
        const others = DATA.map(port).filter((p) => p !== promoted);
        return seen.every(
          (replicas) =>
            replicas.length === 2 &&
            replicas.every(
              (r) => others.includes(Number(r.port)) && r.flags === 'slave' && r['master-port'] === String(promoted),
            ),
        );
      });

      const value = `written after the failover ${Date.now()}`;
      expect(await cli(promoted, 'SET', 'compose-sentinel:check', value)).toBe('OK');
      await until('the restarted node holds the write', 10_000, async () => {
        return (await cli(old, 'GET', 'compose-sentinel:check')) === value;
      });
      console.info(`[compose-sentinel] failover in ${failoverMs} ms, old primary rejoined`);
    }, 160_000);
  });
}
