/**
 * Starts the whole system through scripts/start.mjs, the code path of `npm start`, on free
 * loopback ports, and stops it the way a person does (SIGINT, as Ctrl-C sends).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

/** A free loopback port (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningSystem {
  readonly webUrl: string;
  readonly adminUrl: string;
  readonly relayUrl: string;
  /** Everything start.mjs printed so far. */
  output(): string;
  /** Sends SIGINT and resolves with the exit code once start.mjs has exited. */
  stop(): Promise<number | null>;
  /** Processes still alive that were started for this system (found by an env marker). */
  survivors(): number[];
}

/**
 * `args` go to start.mjs: `['--prod']` is `npm run start:prod`, which runs `npm run build`'s output
 * and fails at once when there is none.
 */
export async function startSystem(
  extraEnv: Record<string, string> = {},
  timeoutMs = 180_000,
  args: readonly string[] = [],
): Promise<RunningSystem> {
  const marker = randomUUID();
  // Embedded defaults, as `npm start` runs on a fresh machine: no DATABASE_URL (CI sets one for
  // the PostgreSQL suites) and a database folder of the test's own.
  const adminDbDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-admin-db-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs'), ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      RELAY_PORT: '0',
      ADMIN_PORT: '0',
      WEB_PORT: '0',
      DATABASE_URL: '',
      ADMIN_DB_DIR: adminDbDir,
      OPENDESCENT_TEST_MARKER: marker,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const banner = await new Promise<string>((resolve, reject) => {
    // No banner in time (a build failed or hung): stop start.mjs too, or it outlives the test run.
    const timer = setTimeout(() => {
      clearInterval(poll);
      if (child.exitCode === null) child.kill('SIGINT');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
      reject(new Error(`no banner within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      if (/Press Ctrl-C to stop everything/.test(output)) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(output);
      }
    }, 100);
    void exited.then((code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`start.mjs exited with ${code} before its banner:\n${output}`));
    });
  });
  // An app behind a proxy is shown by its public URL, then where it listens on this host.
  const url = (label: string) => {
    const match = new RegExp(`${label}\\s+(https?://\\S+?)/(?:\\s+\\(on this host: (http://\\S+?)/\\))?`).exec(banner);
    const found = match?.[2] ?? match?.[1];
    if (!found?.startsWith('http://')) {
      child.kill('SIGINT');
      throw new Error(`no ${label} URL on this host in the banner:\n${banner}`);
    }
    return found;
  };

  return {
    webUrl: url('Web client'),
    adminUrl: url('Admin app'),
    relayUrl: url('Relay'),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      rmSync(adminDbDir, { recursive: true, force: true });
      rmSync(`${adminDbDir}-secrets`, { recursive: true, force: true }); // its master key (apps/admin master-key.mjs)
      return code;
    },
    survivors: () => processesWithMarker(marker),
  };
}

function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`OPENDESCENT_TEST_MARKER=${marker}`))
        found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

/** A process of a started system: its command line and the files mapped into it (Linux /proc). */
export interface SystemProcess {
  readonly commandLine: string;
  readonly mapped: string;
}

/** Every process start.mjs started for this system that is still alive. */
export function systemProcesses(system: RunningSystem): SystemProcess[] {
  const found: SystemProcess[] = [];
  for (const pid of system.survivors()) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
      found.push({ commandLine, mapped: readFileSync(`/proc/${pid}/maps`, 'latin1') });
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

/** The system's relay process. */
export function relayProcess(system: RunningSystem): SystemProcess {
  const relay = systemProcesses(system).find(({ commandLine }) => /apps\/relay\/src\/main\.(ts|js)/.test(commandLine));
  if (!relay) throw new Error('no relay process found for this system');
  return relay;
}
