/**
 * TURN credentials (docs/protocol/direct.md §8) checked by the server that must accept them:
 * Debian's coturn, started on loopback with a shared secret, allocates for a fresh credential
 * (turnutils_uclient) and refuses one signed with another secret and one that expired; the relay's
 * `turn_credentials` (relay.md §3.16) hands an admitted connection a credential coturn takes.
 * Skipped, visibly, where coturn is not installed (.ci/run installs it).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { encodeTurnCredentials } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { turnCredential, type TurnCredential } from '../../src/turn/turn-credentials';
import { RelayClient, errorOf, newDevice, newOrg, relayConfig } from '../support/relay-client';

const TURNSERVER = '/usr/bin/turnserver';
const UCLIENT = '/usr/bin/turnutils_uclient';
const coturn = existsSync(TURNSERVER) && existsSync(UCLIENT);
const run = promisify(execFile);
const now = () => Math.floor(Date.now() / 1000);

/** turn_credentials on a booted relay: what it hands out, or why not. */
async function askRelay(relay: RunningRelay, org: Awaited<ReturnType<typeof newOrg>>, signIn = true) {
  const client = signIn
    ? await RelayClient.signedIn(relay.url, await newDevice(org))
    : await RelayClient.connect(relay.url);
  try {
    return await client.request('turn_credentials', encodeTurnCredentials({ requestId: client.nextRequestId() }));
  } finally {
    client.close();
  }
}

describe('turn_credentials on a relay with no TURN server', () => {
  it('not_found once admitted, not_authenticated before hello', async () => {
    const org = await newOrg();
    const relay = await startRelay(relayConfig(org));
    try {
      expect(errorOf(await askRelay(relay, org))).toBe('not_found');
      expect(errorOf(await askRelay(relay, org, false))).toBe('not_authenticated');
    } finally {
      await relay.app.close();
    }
  });
});

describe('TURN credentials', () => {
  it('a user name of expiry and random id, a base64 HMAC-SHA1 password; bad arguments refused', () => {
    const secret = 'a shared secret of some length';
    const made = turnCredential(secret, 1_800_000_000, 600);
    expect(made.expiresAt).toBe(1_800_000_600);
    expect(made.username).toMatch(/^1800000600:[0-9a-f]{32}$/);
    expect(Buffer.from(made.credential, 'base64')).toHaveLength(20);
    expect(turnCredential(secret, 1_800_000_000, 600).username).not.toBe(made.username);
    expect(() => turnCredential('short', 1_800_000_000)).toThrow(RangeError);
    expect(() => turnCredential(secret, 1.5)).toThrow(RangeError);
    expect(() => turnCredential(secret, 1_800_000_000, 0)).toThrow(RangeError);
    expect(() => turnCredential(secret, 1_800_000_000, 86_401)).toThrow(RangeError);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * One allocation through the server, with a loopback peer: `allocated` when coturn allocated and
 * relayed the test messages, `refused` when it answered but would not allocate (its 401), `error`
 * for anything else (no server, no answer), so a refusal is never mistaken for a dead server.
 */
async function allocation(
  port: number,
  credential: Pick<TurnCredential, 'username' | 'credential'>,
): Promise<'allocated' | 'refused' | 'error'> {
  const args = ['-u', credential.username, '-w', credential.credential, '-p', String(port), '-n', '1', '-m', '1'];
  let output: string;
  try {
    const { stdout, stderr } = await run(UCLIENT, [...args, '-l', '100', '-y', '-t', '127.0.0.1'], {
      timeout: 20_000,
    });
    output = `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }
  if (/Cannot complete Allocation/.test(output)) return 'refused';
  return /tot_recv_msgs=[1-9]/.test(output) ? 'allocated' : 'error';
}

const withCoturn = coturn ? describe : describe.skip;
if (!coturn) console.warn('[relay tests] TURN credentials against coturn SKIPPED: coturn is not installed');

withCoturn('TURN credentials against coturn (Debian, shared-secret mode, loopback)', () => {
  const secret = randomBytes(24).toString('hex');
  let server: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    server = spawn(
      TURNSERVER,
      [
        '--listening-ip=127.0.0.1',
        `--listening-port=${port}`,
        '--relay-ip=127.0.0.1',
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=opendescent.test',
        '--no-tls',
        '--no-dtls',
        '--allow-loopback-peers',
        '--no-cli',
        '--log-file=stdout',
      ],
      { stdio: 'ignore' },
    );
    // Allocations succeed once it listens; a fresh credential is the probe.
    for (let tries = 0; tries < 50 && (await allocation(port, turnCredential(secret, now()))) !== 'allocated'; tries++)
      await new Promise((resolve) => setTimeout(resolve, 100));
  }, 60_000);

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('allocates for a fresh credential', async () => {
    expect(await allocation(port, turnCredential(secret, now()))).toBe('allocated');
  }, 30_000);

  it('unauthorised: a credential signed with another secret is refused', async () => {
    const other = turnCredential(randomBytes(24).toString('hex'), now());
    expect(await allocation(port, other)).toBe('refused');
  }, 30_000);

  it('the relay hands an admitted connection its TURN URL and a credential coturn allocates for', async () => {
    const org = await newOrg();
    const relay = await startRelay(
      relayConfig(org, {
        RELAY_TURN_URLS: `turn:127.0.0.1:${port}?transport=udp`,
        RELAY_TURN_SECRET: secret,
        RELAY_TURN_CREDENTIAL_SECONDS: '600',
      }),
    );
    try {
      const reply = await askRelay(relay, org);
      if (!reply.ok || reply.command !== 'turn_credentials') throw new Error(`refused: ${errorOf(reply)}`);
      expect(reply.turn.urls).toEqual([`turn:127.0.0.1:${port}?transport=udp`]);
      expect(reply.turn.expiresAt - now()).toBeGreaterThan(590);
      expect(reply.turn.username).toMatch(/^\d+:[0-9a-f]{32}$/);
      expect(await allocation(port, reply.turn)).toBe('allocated');
      const metrics = await (await fetch(`${relay.url}/metrics`)).text();
      expect(metrics).toMatch(/^relay_turn_credentials_issued_total 1$/m);
    } finally {
      await relay.app.close();
    }
  }, 30_000);

  it('expired: a credential whose expiry has passed is refused', async () => {
    const expired = turnCredential(secret, now() - 120, 60);
    expect(await allocation(port, expired)).toBe('refused');
  }, 30_000);
});
