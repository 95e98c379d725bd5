/**
 * The booted relay, driven by real clients: HTTP for the health check, socket.io-client for the
 * socket. Ports are chosen by the OS so suites can run side by side.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { decodeChallenge, parseRelayHealth } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../src/bootstrap';
import { loadRelayConfig } from '../src/config/relay-config';
import { CHALLENGE_BYTES } from '../src/gateway/relay.gateway';

const webOrigin = 'http://127.0.0.1:3000';
let relay: RunningRelay;

beforeAll(async () => {
  relay = await startRelay(
    loadRelayConfig({ RELAY_PORT: '0', RELAY_MAX_FRAME_BYTES: '4096', RELAY_LOG_LEVEL: 'silent' }),
  );
});

afterAll(async () => {
  await relay.app.close();
});

function connect(): Socket {
  return io(relay.url, { transports: ['websocket'], reconnection: false, forceNew: true });
}

function nextEvent<T>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.once(event, resolve);
    socket.once('connect_error', reject);
  });
}

describe('relay over HTTP', () => {
  it('answers its health check with a valid health document', async () => {
    const response = await fetch(`${relay.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(parseRelayHealth(await response.json())).toMatchObject({ status: 'ok' });
  });

  it('lets only the configured web origins read it from a browser', async () => {
    const allowed = await fetch(`${relay.url}/health`, { headers: { Origin: webOrigin } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(webOrigin);
    const other = await fetch(`${relay.url}/health`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('does not advertise its framework', async () => {
    expect((await fetch(`${relay.url}/health`)).headers.get('x-powered-by')).toBeNull();
  });
});

describe('relay over socket.io', () => {
  it('accepts a connection and sends a fresh challenge to each one', async () => {
    const first = connect();
    const second = connect();
    try {
      const [a, b] = await Promise.all([
        nextEvent<ArrayBuffer>(first, 'challenge'),
        nextEvent<ArrayBuffer>(second, 'challenge'),
      ]);
      const [ca, cb] = [decodeChallenge(a), decodeChallenge(b)];
      expect(ca.challenge).toHaveLength(CHALLENGE_BYTES);
      expect(Buffer.from(ca.challenge).equals(Buffer.from(cb.challenge))).toBe(false);
      expect(ca.limits.maxFrameBytes).toBe(4096);
    } finally {
      first.close();
      second.close();
    }
  });

  it('drops a frame over the size ceiling before parsing it, and keeps serving others', async () => {
    const greedy = connect();
    await nextEvent(greedy, 'challenge');
    const closed = nextEvent<string>(greedy, 'disconnect');
    greedy.emit('put', new Uint8Array(8192));
    expect(await closed).toBe('transport close');

    const polite = connect();
    try {
      expect(decodeChallenge(await nextEvent<ArrayBuffer>(polite, 'challenge')).challenge).toHaveLength(
        CHALLENGE_BYTES,
      );
    } finally {
      polite.close();
    }
  });
});

describe('relay start-up', () => {
  it('exits non-zero with one line naming a bad variable', () => {
    const result = spawnSync(process.execPath, ['-r', './register.cjs', 'src/main.ts'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, RELAY_PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'relay: invalid configuration: RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)',
    );
  }, 60_000);
});
