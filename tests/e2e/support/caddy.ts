/**
 * Debian's Caddy in front of a running system, with the repository's Caddyfile and `tls internal`:
 * its own certificate authority, made in a folder of the test's own (never installed anywhere),
 * on loopback host names under `.test` that Chromium maps to 127.0.0.1. The browser trusts that
 * authority only through `browserArgs` (the SPKI hashes of its root and intermediate), so no other
 * test and nothing on the machine trusts it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './system';

export const CADDY = process.env.CADDY_PATH ?? '/usr/bin/caddy';
export const caddyAvailable = existsSync(CADDY);

export interface ProxyNames {
  readonly web: string;
  readonly admin: string;
  readonly relay: string;
}

export interface ProxyResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RunningCaddy {
  /** https://<name>:<port> of each app, as staff reach it. */
  readonly urls: { readonly web: string; readonly admin: string; readonly relay: string };
  /** Chromium flags: trust this Caddy's authority, and resolve the names to loopback. */
  readonly browserArgs: readonly string[];
  /** GET through the proxy, trusting its authority only: status and headers. */
  get(url: string): Promise<ProxyResponse>;
  /** Any request through the proxy, trusting its authority only. */
  request(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<ProxyResponse>;
  output(): string;
  stop(): Promise<void>;
}

const spkiHash = (pem: string): string =>
  createHash('sha256')
    .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Starts Caddy on `port` for the three names (`web.opendescent.test` and so on), proxying to the
 * given upstreams (host:port; several relay nodes allowed), and waits until each name answers
 * over https with a certificate of its authority.
 */
export async function startCaddy(
  port: number,
  upstreams: { readonly web: string; readonly admin: string; readonly relays: readonly string[] },
  names: ProxyNames = { web: 'web.opendescent.test', admin: 'admin.opendescent.test', relay: 'relay.opendescent.test' },
): Promise<RunningCaddy> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'opendescent-caddy-'));
  const child: ChildProcess = spawn(
    CADDY,
    ['run', '--adapter', 'caddyfile', '--config', path.join(repoRoot, 'Caddyfile')],
    {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_DATA_HOME: home,
        XDG_CONFIG_HOME: home,
        OPENDESCENT_WEB_NAME: `${names.web}:${port}`,
        OPENDESCENT_ADMIN_NAME: `${names.admin}:${port}`,
        OPENDESCENT_RELAY_NAME: `${names.relay}:${port}`,
        OPENDESCENT_WEB_UPSTREAM: upstreams.web,
        OPENDESCENT_ADMIN_UPSTREAM: upstreams.admin,
        OPENDESCENT_RELAY_UPSTREAMS: upstreams.relays.join(' '),
        OPENDESCENT_TLS: 'internal',
        // No admin endpoint (two Caddies never share :2019), no attempt to install the authority in
        // the machine's trust store, and no port 80 listener for redirects.
        OPENDESCENT_CADDY_OPTIONS: ['admin off', 'skip_install_trust', 'auto_https disable_redirects'].join('\n'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(home, { recursive: true, force: true });
  };

  try {
    const authority = path.join(home, 'caddy', 'pki', 'authorities', 'local');
    const [root, intermediate] = await until(
      'Caddy’s certificate authority',
      async () =>
        existsSync(path.join(authority, 'intermediate.crt'))
          ? [
              readFileSync(path.join(authority, 'root.crt'), 'utf8'),
              readFileSync(path.join(authority, 'intermediate.crt'), 'utf8'),
            ]
          : undefined,
      30_000,
    );
    const request = (url: string, init: { method: string; headers?: Record<string, string>; body?: string }) =>
      new Promise<ProxyResponse>((resolve, reject) => {
        const target = new URL(url);
        const outgoing = https.request(
          {
            method: init.method,
            host: '127.0.0.1',
            port: Number(target.port),
            path: `${target.pathname}${target.search}`,
            servername: target.hostname,
            headers: { ...init.headers, host: target.host },
            ca: root,
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(init.body);
      });
    const get = (url: string) => request(url, { method: 'GET' });
    const urls = {
      web: `https://${names.web}:${port}`,
      admin: `https://${names.admin}:${port}`,
      relay: `https://${names.relay}:${port}`,
    };
    for (const [app, url] of Object.entries(urls)) {
      const probe = app === 'relay' ? `${url}/health` : url;
      await until(`${app} through Caddy`, async () => ((await get(probe)).status < 500 ? true : undefined), 60_000);
    }
    return {
      urls,
      browserArgs: [
        `--ignore-certificate-errors-spki-list=${[spkiHash(root), spkiHash(intermediate)].join(',')}`,
        `--host-resolver-rules=MAP ${names.web} 127.0.0.1, MAP ${names.admin} 127.0.0.1, MAP ${names.relay} 127.0.0.1`,
      ],
      get,
      request,
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- Caddy:\n${output.slice(-3000)}`);
  }
}
