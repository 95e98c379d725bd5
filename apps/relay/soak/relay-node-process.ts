/**
 * The soak's side of one relay node process (soak-node.ts): started on a fixed loopback port, so
 * devices find it again at the same URL after each restart, stopped with SIGTERM (a drain,
 * relay.md §11) or SIGKILL (a crash), and asked for its memory and CPU while it runs. Every
 * incarnation's warn and error log lines are counted by event.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type StopSignal = 'SIGTERM' | 'SIGKILL';

export interface NodeMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

const REPLY_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;

export class RelayNodeProcess {
  readonly url: string;
  /** How many times a process of this node became ready. */
  incarnations = 0;
  /** `<level> <event or message>` → count, over every incarnation. */
  readonly logEvents = new Map<string, number>();
  /** The last stderr lines that were not JSON log lines (a crash's trace), for the report. */
  readonly otherStderr: string[] = [];
  #child: ChildProcessWithoutNullStreams | undefined;
  #exited: Promise<void> = Promise.resolve();
  #waiters = new Map<string, ((reply: string | undefined) => void)[]>();

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get up(): boolean {
    return this.#child !== undefined;
  }

  /** Starts a process and resolves once it listens (the port is free again after any earlier stop). */
  async start(): Promise<void> {
    if (this.#child) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, ['--expose-gc', '-r', './register.cjs', 'soak/soak-node.ts'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, ...this.env, SOAK_PORT: String(this.port) },
    });
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        this.#failWaiters();
        resolve();
      }),
    );
    createInterface({ input: child.stderr }).on('line', (line) => this.#countLog(line));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${this.name}: not ready in ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.name} exited (${code}) before it was ready: ${this.otherStderr.slice(-5).join(' | ')}`),
        );
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('ready ')) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const space = line.indexOf(' ');
        const waiters = this.#waiters.get(line.slice(0, space));
        waiters?.shift()?.(line.slice(space + 1));
      });
    });
    await ready;
    this.incarnations++;
  }

  /** Sends the signal and waits for the process to be gone. */
  async stop(signal: StopSignal): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill(signal);
    await this.#exited;
  }

  /**
   * After a full GC in the node (`collect`), or as it is (no pause: while latency is measured);
   * undefined while it is down or when it does not answer in time.
   */
  async memory(collect = true): Promise<NodeMemory | undefined> {
    const reply = await this.#ask(collect ? 'mem' : 'rss');
    if (reply === undefined) return undefined;
    const [rss, heapUsed] = reply.split(' ').map(Number) as [number, number];
    return { rss, heapUsed };
  }

  /** CPU time this incarnation has used, in microseconds. */
  async cpuMicros(): Promise<number | undefined> {
    const reply = await this.#ask('cpu');
    return reply === undefined ? undefined : Number(reply);
  }

  #ask(command: string): Promise<string | undefined> {
    const child = this.#child;
    if (!child) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(command) ?? [];
      this.#waiters.set(command, waiters);
      const timer = setTimeout(() => {
        const index = waiters.indexOf(answer);
        if (index >= 0) waiters.splice(index, 1);
        resolve(undefined);
      }, REPLY_TIMEOUT_MS);
      const answer = (reply: string | undefined) => {
        clearTimeout(timer);
        resolve(reply);
      };
      waiters.push(answer);
      child.stdin.write(`${command}\n`);
    });
  }

  #failWaiters(): void {
    for (const waiters of this.#waiters.values()) for (const waiter of waiters.splice(0)) waiter(undefined);
  }

  #countLog(line: string): void {
    let entry: { level?: number; event?: string; msg?: string } | undefined;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      entry = undefined;
    }
    if (entry === undefined || typeof entry.level !== 'number') {
      this.otherStderr.push(line.slice(0, 300));
      if (this.otherStderr.length > 20) this.otherStderr.shift();
      return;
    }
    const level = entry.level >= 50 ? 'error' : entry.level >= 40 ? 'warn' : 'info';
    const key = `${level} ${entry.event ?? entry.msg ?? '?'}`;
    this.logEvents.set(key, (this.logEvents.get(key) ?? 0) + 1);
  }
}
