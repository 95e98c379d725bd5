/**
 * attach_create's refusals and costs (relay.md §3.15, §8.3), and CORS for the attachment routes:
 * each failure mode by name, against the booted relay.
 */
import { attachmentCiphertextLength, encodeAttachCreate } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { ATTACHMENT_RECORD_RESERVE_BYTES } from '../../src/attachments/memory-attachment-index';
import { RelayClient, errorOf, newDevice, newOrg, relayConfig, type TestOrg } from '../support/relay-client';
import { admitted, ciphertextFor, fetched, patch } from '../attachments/attachment-http';

const MAX_FILE = 1024 ** 2;
/** Room for one 600,000-byte file's upload (606,368 bytes of ciphertext) and not two. */
const BUDGET = 1024 ** 2;
const NOW = (): number => Math.floor(Date.now() / 1000);

let org: TestOrg;
let relay: RunningRelay;
const clients: RelayClient[] = [];

beforeAll(async () => {
  org = await newOrg();
  relay = await startRelay(
    relayConfig(org, {
      RELAY_ATTACHMENT_MAX_BYTES: String(MAX_FILE),
      RELAY_ATTACHMENT_TTL_SECONDS: '60',
      RELAY_ATTACHMENT_MAX_TTL_SECONDS: '600',
      RELAY_ALLOWED_ORIGINS: 'https://chat.example.org',
    }),
  );
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await relay.app.close();
});

async function signedIn(): Promise<RelayClient> {
  const client = await RelayClient.signedIn(relay.url, await newDevice(org));
  clients.push(client);
  return client;
}

/** An attach_create frame with a raw length and fetch count, bypassing the encoder's checks. */
function rawAttachCreate(requestId: number, length: number, fetches: number): Uint8Array {
  const frame = encodeAttachCreate({ requestId, length: attachmentCiphertextLength(0), fetches: 1 });
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  view.setBigUint64(10, BigInt(length));
  view.setUint16(18, fetches);
  return frame;
}

async function created(): Promise<number> {
  const match = /^relay_attachments_created_total (\d+)$/m.exec(await (await fetch(`${relay.url}/metrics`)).text());
  return Number(match?.[1] ?? 0);
}

describe('attach_create', () => {
  it('malformed: a length that is not a padded ciphertext length, or no fetch at all; nothing admitted', async () => {
    const client = await signedIn();
    const before = await created();
    const padded = attachmentCiphertextLength(1_000);
    for (const [length, fetches] of [
      [padded + 1, 1],
      [padded - 1, 1],
      [0, 1],
      [padded, 0],
    ] as const) {
      const frame = rawAttachCreate(client.nextRequestId(), length, fetches);
      expect(errorOf(await client.request('attach_create', frame))).toBe('malformed');
    }
    const tooMany = rawAttachCreate(client.nextRequestId(), padded, 16_385);
    expect(errorOf(await client.request('attach_create', tooMany))).toBe('oversized');
    expect(await created()).toBe(before);
  });

  it('oversized: longer than the ciphertext of a RELAY_ATTACHMENT_MAX_BYTES file; that length itself is admitted', async () => {
    const client = await signedIn();
    const before = await created();
    expect(errorOf(await client.attachCreate(attachmentCiphertextLength(MAX_FILE + 1)))).toBe('oversized');
    expect(await created()).toBe(before);
    const ceiling = admitted(await client.attachCreate(attachmentCiphertextLength(MAX_FILE), 1, 1));
    expect(ceiling.attachmentId).toHaveLength(16);
  });

  it('a TTL of 0 is the default; more than the maximum is lowered to it', async () => {
    const client = await signedIn();
    const length = attachmentCiphertextLength(10);
    const byDefault = admitted(await client.attachCreate(length, 1, 0));
    expect(byDefault.expiresAt).toBeGreaterThanOrEqual(NOW() + 59);
    expect(byDefault.expiresAt).toBeLessThanOrEqual(NOW() + 60);
    const capped = admitted(await client.attachCreate(length, 1, 365 * 24 * 3600));
    expect(capped.expiresAt).toBeGreaterThanOrEqual(NOW() + 599);
    expect(capped.expiresAt).toBeLessThanOrEqual(NOW() + 600);
  });

  it('store_full: the declared lengths of live uploads stay within the budget; a deletion makes room again', async () => {
    // Earlier tests' uploads still hold their reservations: start from a relay of its own.
    const own = await startRelay(
      relayConfig(org, {
        RELAY_ATTACHMENT_MAX_BYTES: String(MAX_FILE),
        RELAY_ATTACHMENT_STORE_MAX_BYTES: String(BUDGET),
      }),
    );
    try {
      const client = await RelayClient.signedIn(own.url, await newDevice(org));
      clients.push(client);
      const bytes = ciphertextFor(600_000);
      expect(bytes.length).toBe(606_368);
      expect(2 * (bytes.length + ATTACHMENT_RECORD_RESERVE_BYTES)).toBeGreaterThan(BUDGET);
      const first = admitted(await client.attachCreate(bytes.length, 1));
      expect(errorOf(await client.attachCreate(bytes.length, 1))).toBe('store_full');
      // The rest of the budget is still there for what fits (1 MiB − 606,368 − 4,096 × 2 left for the next length).
      expect(errorOf(await client.attachCreate(ciphertextFor(300_000).length, 1))).toBe('ok');
      expect(errorOf(await client.attachCreate(ciphertextFor(200_000).length, 1))).toBe('store_full');
      // Fetched by its one device: deleted, and its reservation released.
      expect((await patch(own.url, first.uploadId, 0, bytes)).status).toBe(204);
      expect((await fetched(own.url, first.attachmentId, new Uint8Array(16).fill(1))).status).toBe(204);
      expect(admitted(await client.attachCreate(bytes.length, 1)).uploadId).toHaveLength(16);
    } finally {
      await own.app.close();
    }
  });

  it('the ids are 16 random bytes each, unrelated, different for every upload', async () => {
    const client = await signedIn();
    const length = attachmentCiphertextLength(10);
    const all: string[] = [];
    for (let i = 0; i < 8; i++) {
      const ids = admitted(await client.attachCreate(length, 1, 1));
      all.push(Buffer.from(ids.uploadId).toString('hex'), Buffer.from(ids.attachmentId).toString('hex'));
    }
    expect(new Set(all).size).toBe(16);
  });

  it('unauthenticated: only an admitted connection may create', async () => {
    const stranger = await RelayClient.connect(relay.url);
    clients.push(stranger);
    expect(errorOf(await stranger.attachCreate(attachmentCiphertextLength(10)))).toBe('not_authenticated');
  });
});

describe('attach_create on the token bucket (relay.md §8.3)', () => {
  it('costs 4 tokens: admitted on one, the rest charged once it parses', async () => {
    const limited = await startRelay(relayConfig(org, { RELAY_RATE_PER_SECOND: '1', RELAY_RATE_BURST: '8' }));
    try {
      const client = await RelayClient.signedIn(limited.url, await newDevice(org)); // hello: 8 → 7
      try {
        const length = attachmentCiphertextLength(10);
        expect(errorOf(await client.attachCreate(length))).toBe('ok'); // 7 → 3
        expect(errorOf(await client.attachCreate(length))).toBe('ok'); // admitted on 3 → -1
        expect(errorOf(await client.attachCreate(length))).toBe('rate_limited');
      } finally {
        client.close();
      }
    } finally {
      await limited.app.close();
    }
  });
});

describe('CORS for the attachment routes', () => {
  async function preflight(path: string, origin: string, method: string): Promise<Response> {
    return fetch(`${relay.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'od-upload-id,upload-offset,content-type',
      },
    });
  }

  it('a preflight from an allowed origin allows the methods and headers, and caches for 600 s', async () => {
    const answer = await preflight('/v1/attachments/upload', 'https://chat.example.org', 'PATCH');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://chat.example.org');
    expect(answer.headers.get('access-control-allow-methods')?.split(',')).toEqual(['GET', 'HEAD', 'PATCH', 'POST']);
    expect(answer.headers.get('access-control-allow-headers')?.split(',')).toEqual([
      'od-upload-id',
      'od-attachment-id',
      'od-fetch-nonce',
      'upload-offset',
      'content-type',
      'range',
    ]);
    expect(answer.headers.get('access-control-max-age')).toBe('600');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers expose the tus headers to the allowed origin', async () => {
    const answer = await fetch(`${relay.url}/v1/attachments/file`, {
      headers: { origin: 'https://chat.example.org', 'od-attachment-id': '00'.repeat(16) },
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('access-control-expose-headers')?.split(',')).toEqual([
      'upload-offset',
      'upload-length',
      'upload-expires',
      'content-range',
      'content-length',
    ]);
  });

  it('unauthorised origin: a preflight from another origin is not allowed', async () => {
    const answer = await preflight('/v1/attachments/upload', 'https://evil.example', 'PATCH');
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('every other route stays GET only', async () => {
    const answer = await preflight('/revocation-list', 'https://chat.example.org', 'POST');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET');
    expect(answer.headers.get('access-control-max-age')).toBeNull();
  });
});
