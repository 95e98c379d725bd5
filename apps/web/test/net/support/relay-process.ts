/**
 * A real relay for the web client's network tests, run as a child process from its sources
 * (apps/relay; the web app may not import it, so it is started the way `npm start` does), and an
 * organisation made at test time to sign attestations, revocation lists and the token key set of
 * its access token issuer (access-tokens.md). The relay is given that set after every start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import { relayOriginOf, signAttestation, signRevocationList, type RevokedDevice } from '@opendescent/protocol';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import { io, type Socket } from 'socket.io-client';
import type { RelayCredentials, RelayIoFactory } from '@opendescent/relay-client';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface TestOrg {
  readonly orgId: Uint8Array;
  readonly key: Ed25519KeyPair;
  /** The organisation's access token issuer (the admin app's part, access-tokens.md). */
  readonly issuer: TestTokenIssuer;
  /** Revocation lists only go up (attestations.md §3.4). */
  nextListVersion: number;
}

export async function newOrg(): Promise<TestOrg> {
  const orgId = new Uint8Array(randomBytes(16));
  const key = await generateEd25519KeyPair();
  return { orgId, key, issuer: await TestTokenIssuer.create(orgId, key), nextListVersion: 1 };
}

/** Credentials for a relay client: a valid token minted for that relay on every connection, counted. */
export function mintedTokens(org: TestOrg, relayUrl: string): RelayCredentials & { readonly issued: Uint8Array[] } {
  const issued: Uint8Array[] = [];
  const credentials = async (): Promise<Uint8Array> => {
    const token = await org.issuer.mint(relayOriginOf(relayUrl));
    issued.push(token);
    return token;
  };
  return Object.assign(credentials, { issued });
}

export interface TestDevice {
  readonly deviceId: Uint8Array;
  readonly key: Ed25519KeyPair;
  readonly attestation: Uint8Array;
}

export async function newDevice(
  org: TestOrg,
  options: { issuedAt?: number; expiresAt?: number; signer?: Ed25519KeyPair } = {},
): Promise<TestDevice> {
  const key = await generateEd25519KeyPair();
  const deviceId = new Uint8Array(randomBytes(16));
  const issuedAt = options.issuedAt ?? nowSeconds() - 60;
  const attestation = await signAttestation(
    {
      orgId: org.orgId,
      deviceId,
      userAddress: `staff-${Buffer.from(deviceId).toString('hex').slice(0, 8)}@ministry.example`,
      displayName: 'Test Staff',
      signingKey: key.publicKey,
      agreementKey: new Uint8Array(32).fill(9),
      issuedAt,
      expiresAt: options.expiresAt ?? issuedAt + 7 * 24 * 3600,
    },
    (options.signer ?? org.key).privateKey,
  );
  return { deviceId, key, attestation };
}

export async function revocationList(org: TestOrg, revoked: readonly Uint8Array[]): Promise<Uint8Array> {
  const entries: RevokedDevice[] = [...revoked]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((deviceId) => ({ deviceId, revokedAt: nowSeconds(), reason: 'lost_or_stolen' }));
  const issuedAt = nowSeconds();
  return signRevocationList(
    { orgId: org.orgId, listVersion: org.nextListVersion++, issuedAt, nextUpdate: issuedAt + 86_400, revoked: entries },
    org.key.privateKey,
  );
}

/** One relay process; `restart()` brings it back on the same port (the memory store starts empty). */
export class RelayProcess {
  #child: ChildProcess | undefined;
  #port = 0;

  private constructor(
    private readonly org: TestOrg,
    private readonly env: Record<string, string>,
  ) {}

  static async start(org: TestOrg, env: Record<string, string> = {}): Promise<RelayProcess> {
    const relay = new RelayProcess(org, env);
    await relay.#spawn();
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** SIGTERM: the relay drains and sends `shutting_down` (relay.md §11). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT'); // a paused relay would not act on the signal
    child.kill(signal);
    await exited;
    this.#child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Freezes the process (SIGSTOP): connections stay open and nothing is answered. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async #spawn(): Promise<void> {
    const child = spawn(process.execPath, ['-r', './apps/relay/register.cjs', 'apps/relay/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'test',
        RELAY_HOST: '127.0.0.1',
        RELAY_PORT: String(this.#port),
        RELAY_LOG_LEVEL: 'silent',
        RELAY_ORG_ID: Buffer.from(this.org.orgId).toString('hex'),
        RELAY_ORG_PUBLIC_KEYS: Buffer.from(this.org.key.publicKey).toString('hex'),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    // Never leave a relay behind, whatever happens to the test run.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`relay did not start in time:\n${output}`)), STARTUP_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`relay exited (${code}) before listening:\n${output}`));
      });
    });
    this.#port = Number(new URL(url).port);
    await waitForHealth(this.url);
    await this.pinTokenKeys();
  }

  /** Gives the relay the organisation's token key set (the memory store forgets it on a restart). */
  async pinTokenKeys(keySet?: Uint8Array): Promise<void> {
    const response = await fetch(`${this.url}/token-keys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from(keySet ?? (await this.org.issuer.keySet())),
    });
    if (!response.ok)
      throw new Error(`relay refused the token key set: HTTP ${response.status} ${await response.text()}`);
  }
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('relay /health did not answer');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves when `condition` holds, polling; rejects after the timeout. */
export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const blobOf = (text: string): Uint8Array => new TextEncoder().encode(text);
export const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** socket.io-client's `io`, recording every frame the client emits (event name and bytes). */
export function recordingIo(): {
  ioFactory: RelayIoFactory;
  sent: { event: string; frame: Uint8Array }[];
  sockets: Socket[];
} {
  const sent: { event: string; frame: Uint8Array }[] = [];
  const sockets: Socket[] = [];
  const ioFactory: RelayIoFactory = (url, options) => {
    const socket = io(url, options);
    sockets.push(socket);
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string, ...args: unknown[]) => {
      if (args[0] instanceof Uint8Array) sent.push({ event, frame: args[0] });
      return emit(event, ...args);
    }) as Socket['emit'];
    return socket;
  };
  return { ioFactory, sent, sockets };
}
