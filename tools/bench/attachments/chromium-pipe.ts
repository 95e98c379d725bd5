/**
 * A Chromium of the bench's own, spoken to over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: JSON messages ended by a NUL, fd 3 in and fd 4 out), and open to
 * Playwright on a port as well (connectOverCDP).
 *
 * Why not Playwright for the measuring: Playwright enables the Network domain on every page and
 * worker it drives, and while it is on, Chromium hands every upload body to DevTools too; a fetch
 * that uploads 4 MiB bodies from a worker then runs at 2 to 4 MiB/s instead of 40 to 50 on this
 * machine (measured on loopback with a plain Node server, 2026-12-05). A person's browser has no
 * DevTools attached. So Playwright drives the setup (enrolment through the UI), disconnects, and
 * the measuring goes through this pipe, with Runtime and HeapProfiler only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../tests/e2e/support/browser';

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

interface Message {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Params;
  readonly sessionId?: string;
  readonly result?: Result;
  readonly error?: { message: string };
}

/** One DevTools session (a page's or a worker's) on the pipe. */
export interface CdpSession {
  send(method: string, params?: Params): Promise<Result>;
}

/** The flags of tests/e2e/support/browser.ts, and Playwright's own that keep a headless tab at full speed. */
const FLAGS = [
  '--headless',
  ...CHROMIUM_ARGS,
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-dev-shm-usage',
  '--remote-debugging-pipe',
  '--remote-debugging-port=0',
];

export class ChromiumPipe {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Set<(message: Message) => void>();
  #buffer = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    readonly wsEndpoint: string,
    readonly profileDir: string,
  ) {
    (child.stdio[4] as Readable).on('data', (data: Buffer) => this.#read(data.toString('utf8')));
  }

  static async launch(): Promise<ChromiumPipe> {
    const profileDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-chromium-'));
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profileDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const wsEndpoint = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${stderr}`)), 60_000);
      child.stderr?.on('data', (data: Buffer) => {
        stderr += data.toString();
        const endpoint = /DevTools listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
        if (endpoint) {
          clearTimeout(timer);
          resolve(endpoint);
        }
      });
      child.once('exit', (code) => reject(new Error(`Chromium exited with ${code}:\n${stderr}`)));
    });
    return new ChromiumPipe(child, child.stdio[3] as Writable, wsEndpoint, profileDir);
  }

  #read(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf('\0'); end >= 0; end = this.#buffer.indexOf('\0')) {
      const message = JSON.parse(this.#buffer.slice(0, end)) as Message;
      this.#buffer = this.#buffer.slice(end + 1);
      const call = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (call && message.id !== undefined) {
        this.#pending.delete(message.id);
        if (message.error) call.reject(new Error(message.error.message));
        else call.resolve(message.result ?? {});
      } else if (message.method) {
        for (const listener of this.#listeners) listener(message);
      }
    }
  }

  send(method: string, params: Params = {}, sessionId?: string): Promise<Result> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  session(sessionId: string): CdpSession {
    return { send: (method, params) => this.send(method, params, sessionId) };
  }

  /** The page showing `urlPrefix` (the first one), attached with a session of its own. */
  async page(urlPrefix: string): Promise<CdpSession> {
    const { targetInfos } = (await this.send('Target.getTargets')) as {
      targetInfos: { targetId: string; type: string; url: string }[];
    };
    const target = targetInfos.find((t) => t.type === 'page' && t.url.startsWith(urlPrefix));
    if (!target) throw new Error(`no page at ${urlPrefix}`);
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })) as {
      sessionId: string;
    };
    return this.session(sessionId);
  }

  /** The dedicated worker of a page session (the messenger's: the web client starts one). */
  async worker(page: CdpSession): Promise<CdpSession> {
    const attached = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker target was never attached')), 30_000);
      const listener = (message: Message) => {
        const params = message.params as { sessionId?: string; targetInfo?: { type?: string } } | undefined;
        if (message.method !== 'Target.attachedToTarget' || params?.targetInfo?.type !== 'worker') return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(params.sessionId as string);
      };
      this.#listeners.add(listener);
    });
    await page.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    return this.session(await attached);
  }

  /** Closes the browser (killed if it takes more than 10 s) and deletes its profile. */
  async close(): Promise<void> {
    const exited =
      this.child.exitCode === null ? new Promise((resolve) => this.child.once('exit', resolve)) : Promise.resolve();
    void this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** Evaluates `expression` (a promise is awaited) and returns its value as JSON; a throw becomes an Error. */
export async function evaluate<T>(session: CdpSession, expression: string): Promise<T> {
  const reply = (await session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
    result?: { value?: unknown };
    exceptionDetails?: { text?: string; exception?: { description?: string } };
  };
  if (reply.exceptionDetails)
    throw new Error(
      reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text ?? 'evaluation failed',
    );
  return reply.result?.value as T;
}
