/**
 * One more relay node from the production build (dist/relay, as `npm run start:prod` runs it),
 * sharing the system's Redis store, for tests that put several nodes behind one proxy name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, repoRoot } from './system';

export interface RelayNode {
  readonly url: string;
  readonly hostPort: string;
  /** `relay_authenticated_connections` from the node's own /metrics (never through the proxy). */
  authenticatedConnections(): Promise<number>;
  /** SIGKILL: the node dies as a crashed machine's would, without telling its clients. */
  kill(): Promise<void>;
  output(): string;
}

export async function startRelayNode(env: Record<string, string>): Promise<RelayNode> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'dist/relay/apps/relay/src/main.js')], {
    cwd: repoRoot,
    env: { ...process.env, ...env, RELAY_HOST: '127.0.0.1', RELAY_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay node did not start:\n${output}`)), 60_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`relay node exited before listening:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    hostPort: `127.0.0.1:${port}`,
    authenticatedConnections: async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^relay_authenticated_connections (\d+)$/m.exec(text)?.[1] ?? 'NaN');
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
  };
}
