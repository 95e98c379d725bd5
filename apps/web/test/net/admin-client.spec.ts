/**
 * AdminClient against a local HTTP server playing the admin app's device API
 * (docs/protocol/admin-api.md). The server checks what a real one checks of a signed request
 * (§3): the body's keys, the payload's fields, and the signature under the right key.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { generateDeviceIdentity, type DeviceIdentity } from '@opendescent/crypto';
import { verifyDeviceRequest } from '@opendescent/protocol';
import { AdminClient, AdminRequestError } from '../../src/net/admin-client';
import { toErrorShape } from '../../src/messenger/service';

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Handler = (request: Received) => Reply | Promise<Reply> | 'hang';

let server: Server;
let baseUrl: string;
let handler: Handler;
const received: Received[] = [];
const handlerErrors: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      let reply: Reply | 'hang';
      try {
        reply = await handler(entry);
      } catch (error) {
        // A failed check inside the fake server fails the test that made the request.
        handlerErrors.push(error);
        reply = { status: 599 };
      }
      if (reply === 'hang') return;
      response.writeHead(reply.status, reply.headers ?? {});
      response.end(reply.body === undefined ? undefined : Buffer.from(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received.length = 0;
  const errors = handlerErrors.splice(0);
  if (errors.length > 0) throw errors[0];
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

const orgId = new Uint8Array(randomBytes(16));
const orgKey = new Uint8Array(randomBytes(32));
const retiredKey = new Uint8Array(randomBytes(32));
const statement = new Uint8Array(randomBytes(135));
const orgDocument = {
  orgId: b64(orgId),
  keys: [
    { keyId: b64(orgKey.slice(0, 8)), publicKey: b64(orgKey), status: 'active' },
    { keyId: b64(retiredKey.slice(0, 8)), publicKey: b64(retiredKey), status: 'retired', pinnedUntil: 1_766_000_000 },
  ],
  revocationListVersion: 4,
  statements: [b64(statement)],
};
const deviceId = new Uint8Array(randomBytes(16));
const attestation = new Uint8Array(randomBytes(300));
const attestationAnswer = {
  deviceId: b64(deviceId),
  attestation: b64(attestation),
  issuedAt: 1_764_158_400,
  expiresAt: 1_764_763_200,
  renewAfter: 1_764_460_800,
  org: orgDocument,
};

/** What a real admin app checks of a signed request before anything else (§3). */
async function signedRequest(
  request: Received,
  type: string,
  signingKey?: Uint8Array,
): Promise<Record<string, unknown>> {
  expect(request.method).toBe('POST');
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers.cookie).toBeUndefined();
  const body = JSON.parse(request.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(
    type === 'lookup' ? ['attestation', 'payload', 'signature'] : ['payload', 'signature'],
  );
  expect(typeof body['payload']).toBe('string');
  const payload = JSON.parse(body['payload'] as string) as Record<string, unknown>;
  expect(payload['v']).toBe(1);
  expect(payload['type']).toBe(type);
  expect(Number.isInteger(payload['timestamp'])).toBe(true);
  expect(Math.abs((payload['timestamp'] as number) - Date.now() / 1000)).toBeLessThan(5);
  expect(unb64(payload['nonce'] as string)).toHaveLength(16);
  const key = signingKey ?? unb64(payload['signingKey'] as string);
  // The exact string sent is what is signed: no canonicalisation on either side (§3.2).
  expect(await verifyDeviceRequest(body['payload'] as string, unb64(body['signature'] as string), key)).toBe(true);
  return { ...payload, ...(body['attestation'] ? { attestation: body['attestation'] } : {}) };
}

async function failure(promise: Promise<unknown>): Promise<AdminRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdminRequestError) return error;
    throw error;
  }
  throw new Error('expected an AdminRequestError');
}

let identity: DeviceIdentity;
beforeAll(async () => {
  identity = await generateDeviceIdentity();
});

describe('AdminClient: the device side of admin-api.md', () => {
  it('org(): parses §9.1, keys with their status, binary fields decoded', async () => {
    handler = () => json(200, orgDocument);
    const org = await new AdminClient(baseUrl).org();
    expect(org.orgId).toEqual(orgId);
    expect(org.keys).toEqual([
      { keyId: orgKey.slice(0, 8), publicKey: orgKey, status: 'active' },
      { keyId: retiredKey.slice(0, 8), publicKey: retiredKey, status: 'retired', pinnedUntil: 1_766_000_000 },
    ]);
    expect(org.revocationListVersion).toBe(4);
    expect(received[0]?.method).toBe('GET');
    expect(received[0]?.url).toBe('/api/v1/org');
  });

  it('enrol(): a signed §4.2 request with the identity keys, answered with the §4.3 attestation', async () => {
    let payload: Record<string, unknown> = {};
    handler = async (request) => {
      payload = await signedRequest(request, 'enrol');
      return json(201, attestationAnswer);
    };
    const slot = new Uint8Array(randomBytes(16));
    const answer = await new AdminClient(baseUrl).enrol({
      code: 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01',
      identity,
      prekeySlotId: slot,
    });
    expect(received[0]?.url).toBe('/api/v1/enrol');
    expect(Object.keys(payload).sort()).toEqual([
      'agreementKey',
      'code',
      'nonce',
      'prekeySlotId',
      'signingKey',
      'timestamp',
      'type',
      'v',
    ]);
    expect(payload['code']).toBe('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01');
    expect(unb64(payload['signingKey'] as string)).toEqual(identity.signing.publicKey);
    expect(unb64(payload['agreementKey'] as string)).toEqual(identity.agreement.publicKey);
    expect(unb64(payload['prekeySlotId'] as string)).toEqual(slot);
    expect(answer).toEqual({
      deviceId,
      attestation,
      issuedAt: attestationAnswer.issuedAt,
      expiresAt: attestationAnswer.expiresAt,
      renewAfter: attestationAnswer.renewAfter,
      org: {
        orgId,
        keys: [
          { keyId: orgKey.slice(0, 8), publicKey: orgKey, status: 'active' },
          { keyId: retiredKey.slice(0, 8), publicKey: retiredKey, status: 'retired', pinnedUntil: 1_766_000_000 },
        ],
        revocationListVersion: 4,
        statements: [statement],
      },
    });
  });

  it('every signed request carries a fresh nonce', async () => {
    const nonces: string[] = [];
    handler = async (request) => {
      nonces.push((await signedRequest(request, 'enrol'))['nonce'] as string);
      return json(201, attestationAnswer);
    };
    const client = new AdminClient(baseUrl);
    await client.enrol({ code: 'X', identity });
    await client.enrol({ code: 'X', identity });
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('the payload timestamp comes from the injected clock', async () => {
    let timestamp = 0;
    handler = (request) => {
      timestamp = JSON.parse((JSON.parse(request.body) as { payload: string }).payload).timestamp as number;
      return json(201, attestationAnswer);
    };
    await new AdminClient(baseUrl, { clock: () => 1_700_000_000_999 }).enrol({ code: 'X', identity });
    expect(timestamp).toBe(1_700_000_000);
  });

  it('renew(): §5 payload (orgId, deviceId, no slot unless given), signed with the enrolled identity key', async () => {
    let payload: Record<string, unknown> = {};
    handler = async (request) => {
      payload = await signedRequest(request, 'renew', identity.signing.publicKey);
      return json(200, attestationAnswer);
    };
    const answer = await new AdminClient(baseUrl).renew({ orgId, deviceId, identity });
    expect(received[0]?.url).toBe('/api/v1/renew');
    expect(Object.keys(payload).sort()).toEqual(['deviceId', 'nonce', 'orgId', 'timestamp', 'type', 'v']);
    expect(unb64(payload['orgId'] as string)).toEqual(orgId);
    expect(unb64(payload['deviceId'] as string)).toEqual(deviceId);
    expect(answer.deviceId).toEqual(deviceId);
  });

  it('lookup(): §7 with the attestation beside the payload, devices with and without a prekey slot', async () => {
    let payload: Record<string, unknown> = {};
    const otherDevice = new Uint8Array(randomBytes(16));
    const slot = new Uint8Array(randomBytes(16));
    handler = async (request) => {
      payload = await signedRequest(request, 'lookup', identity.signing.publicKey);
      return json(200, {
        address: 'bob@example.org',
        devices: [
          { deviceId: b64(otherDevice), attestation: b64(attestation), prekeySlotId: b64(slot) },
          { deviceId: b64(deviceId), attestation: b64(attestation) },
        ],
      });
    };
    const answer = await new AdminClient(baseUrl).lookup({
      orgId,
      deviceId,
      attestation,
      identity,
      address: 'bob@example.org',
    });
    expect(received[0]?.url).toBe('/api/v1/directory/lookup');
    expect(Object.keys(payload).sort()).toEqual([
      'address',
      'attestation',
      'deviceId',
      'nonce',
      'orgId',
      'timestamp',
      'type',
      'v',
    ]);
    expect(unb64(payload['attestation'] as string)).toEqual(attestation);
    expect(payload['address']).toBe('bob@example.org');
    expect(answer).toEqual({
      address: 'bob@example.org',
      devices: [
        { deviceId: otherDevice, attestation, prekeySlotId: slot },
        { deviceId, attestation },
      ],
    });
  });

  it('lookup(): an unknown address is an empty device list, not an error', async () => {
    handler = () => json(200, { address: 'nobody@example.org', devices: [] });
    const answer = await new AdminClient(baseUrl).lookup({
      orgId,
      deviceId,
      attestation,
      identity,
      address: 'nobody@example.org',
    });
    expect(answer.devices).toEqual([]);
  });

  it('revocationList(): the signed list as raw bytes (§6.2)', async () => {
    const list = new Uint8Array(randomBytes(102));
    handler = () => ({
      status: 200,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Revocation-List-Version': '3' },
      body: list,
    });
    expect(await new AdminClient(baseUrl).revocationList()).toEqual(list);
    expect(received[0]?.url).toBe('/api/v1/revocation-list');
  });

  it('keeps a base URL path prefix', async () => {
    handler = () => json(200, orgDocument);
    await new AdminClient(`${baseUrl}/admin/`).org();
    expect(received[0]?.url).toBe('/admin/api/v1/org');
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new AdminClient('javascript:alert(1)')).toThrow(TypeError);
    expect(() => new AdminClient('not a url')).toThrow(TypeError);
    expect(() => new AdminClient('https://admin.example.org/?next=x')).toThrow(TypeError);
  });
});

describe('AdminClient errors', () => {
  it.each([
    [403, 'code_invalid'],
    [410, 'code_used'],
    [401, 'stale_request'],
    [409, 'replayed'],
    [403, 'device_revoked'],
    [500, 'internal'],
    [418, 'a_code_from_a_newer_server'],
  ])('a %i {"error": "%s"} is that code, with the status and the server message', async (status, code) => {
    handler = () => json(status, { error: code, message: 'for people' });
    const error = await failure(new AdminClient(baseUrl).enrol({ code: 'X', identity }));
    expect(error).toMatchObject({ status, code, message: 'for people' });
  });

  it('429 rate_limited carries Retry-After', async () => {
    handler = () => json(429, { error: 'rate_limited', message: 'slow down' }, { 'Retry-After': '120' });
    const error = await failure(
      new AdminClient(baseUrl).lookup({ orgId, deviceId, attestation, identity, address: 'bob@example.org' }),
    );
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 120 });
  });

  it('403 directory_suspended on a look-up reaches the user as its own reason, not as an internal error', async () => {
    handler = () =>
      json(403, { error: 'directory_suspended', message: 'directory access is suspended for this member' });
    const error = await failure(
      new AdminClient(baseUrl).lookup({ orgId, deviceId, attestation, identity, address: 'bob@example.org' }),
    );
    expect(error).toMatchObject({ status: 403, code: 'directory_suspended' });
    expect(toErrorShape(error)).toEqual({
      code: 'directory_suspended',
      message: 'directory access is suspended for this member',
    });
  });

  it('a gateway error page (502/503/504 without the API body) is unreachable', async () => {
    handler = () => ({ status: 502, headers: { 'Content-Type': 'text/html' }, body: '<h1>Bad Gateway</h1>' });
    expect(await failure(new AdminClient(baseUrl).org())).toMatchObject({ status: 502, code: 'unreachable' });
  });

  it('another status without the API error body is malformed_response', async () => {
    handler = () => ({ status: 404, headers: { 'Content-Type': 'text/html' }, body: '<h1>Not Found</h1>' });
    expect(await failure(new AdminClient(baseUrl).org())).toMatchObject({ status: 404, code: 'malformed_response' });
  });

  it('a network failure (nothing listening) is unreachable, status 0', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await failure(new AdminClient(`http://127.0.0.1:${port}`).org())).toMatchObject({
      status: 0,
      code: 'unreachable',
    });
  });

  it('no answer within the timeout is unreachable', async () => {
    handler = () => 'hang';
    const started = Date.now();
    expect(await failure(new AdminClient(baseUrl, { timeoutMs: 200 }).org())).toMatchObject({
      status: 0,
      code: 'unreachable',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a network error from an injected fetch is unreachable', async () => {
    const failing: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    expect(await failure(new AdminClient(baseUrl, { fetch: failing }).revocationList())).toMatchObject({
      status: 0,
      code: 'unreachable',
    });
  });

  it('a redirect is not followed', async () => {
    handler = () => ({ status: 302, headers: { Location: 'http://elsewhere.invalid/api/v1/org' } });
    expect(await failure(new AdminClient(baseUrl).org())).toMatchObject({ code: 'unreachable' });
  });

  const badAnswers: [string, unknown][] = [
    ['an unknown key', { ...attestationAnswer, extra: 1 }],
    ['a missing field', { ...attestationAnswer, renewAfter: undefined }],
    ['padded base64url', { ...attestationAnswer, deviceId: `${b64(deviceId)}==` }],
    [
      'standard base64',
      { ...attestationAnswer, attestation: Buffer.from(new Uint8Array(30).fill(0xfb)).toString('base64') },
    ],
    ['non-canonical base64url', { ...attestationAnswer, deviceId: b64(deviceId).slice(0, -1) + 'B' }],
    ['a device id of the wrong length', { ...attestationAnswer, deviceId: b64(new Uint8Array(15)) }],
    ['an empty attestation', { ...attestationAnswer, attestation: '' }],
    ['a time that is not an integer', { ...attestationAnswer, issuedAt: 1.5 }],
    ['a time as a string', { ...attestationAnswer, expiresAt: '1764763200' }],
    ['expiry before issue', { ...attestationAnswer, issuedAt: attestationAnswer.expiresAt + 1 }],
    [
      'an unknown key status',
      { ...attestationAnswer, org: { ...orgDocument, keys: [{ ...orgDocument.keys[0], status: 'trusted' }] } },
    ],
    [
      'an org key of the wrong length',
      {
        ...attestationAnswer,
        org: { ...orgDocument, keys: [{ ...orgDocument.keys[0], publicKey: b64(new Uint8Array(31)) }] },
      },
    ],
    ['no org keys', { ...attestationAnswer, org: { ...orgDocument, keys: [] } }],
    ['an array', [attestationAnswer]],
    ['null', null],
  ];

  it.each(badAnswers)('an answer with %s is malformed_response', async (_what, body) => {
    handler = () => json(201, body);
    expect(await failure(new AdminClient(baseUrl).enrol({ code: 'X', identity }))).toMatchObject({
      status: 201,
      code: 'malformed_response',
    });
  });

  it('a success status other than the documented one is malformed_response', async () => {
    handler = () => json(200, attestationAnswer);
    expect(await failure(new AdminClient(baseUrl).enrol({ code: 'X', identity }))).toMatchObject({
      status: 200,
      code: 'malformed_response',
    });
  });

  it('a body that is not JSON, or not labelled JSON, is malformed_response', async () => {
    handler = () => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"orgId": ' });
    expect(await failure(new AdminClient(baseUrl).org())).toMatchObject({ code: 'malformed_response' });
    handler = () => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(orgDocument) });
    expect(await failure(new AdminClient(baseUrl).org())).toMatchObject({ code: 'malformed_response' });
  });

  it('an answer far larger than any the API gives is refused as malformed_response', async () => {
    handler = () => json(200, { ...orgDocument, padding: 'x'.repeat(300 * 1024) });
    expect(await failure(new AdminClient(baseUrl).org())).toMatchObject({ code: 'malformed_response' });
  });

  it('a lookup answer with a bad prekey slot id is malformed_response', async () => {
    handler = () =>
      json(200, {
        address: 'bob@example.org',
        devices: [{ deviceId: b64(deviceId), attestation: b64(attestation), prekeySlotId: 'AAAA' }],
      });
    expect(
      await failure(
        new AdminClient(baseUrl).lookup({ orgId, deviceId, attestation, identity, address: 'bob@example.org' }),
      ),
    ).toMatchObject({
      code: 'malformed_response',
    });
  });

  it('a revocation list that is not application/octet-stream, or empty, is malformed_response', async () => {
    handler = () => json(200, { list: 'nope' });
    expect(await failure(new AdminClient(baseUrl).revocationList())).toMatchObject({ code: 'malformed_response' });
    handler = () => ({ status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(0) });
    expect(await failure(new AdminClient(baseUrl).revocationList())).toMatchObject({ code: 'malformed_response' });
  });
});
