/**
 * AdminClient's access token calls (access-tokens.md §3, §5) against a local HTTP server playing
 * the admin app: the signed token key set as bytes, and blind issuance as a signed device request
 * answered with one blind signature per token request. Every answer is checked before use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { generateDeviceIdentity, type DeviceIdentity } from '@opendescent/crypto';
import {
  MAX_TOKEN_KEY_SET_BYTES,
  TOKEN_REQUEST_LENGTH,
  TOKEN_RESPONSE_LENGTH,
  verifyDeviceRequest,
} from '@opendescent/protocol';
import { AdminClient, AdminRequestError } from '../../src/net/admin-client';

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

let server: Server;
let baseUrl: string;
let handler: (request: { method: string; url: string; body: string }) => Reply | Promise<Reply>;
const received: { method: string; url: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      const reply = await handler(entry);
      response.writeHead(reply.status, reply.headers ?? {});
      response.end(reply.body === undefined ? undefined : Buffer.from(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const octets = (body: Uint8Array, type = 'application/octet-stream'): Reply => ({
  status: 200,
  headers: { 'Content-Type': type },
  body,
});

const orgId = new Uint8Array(randomBytes(16));
const deviceId = new Uint8Array(randomBytes(16));
const tokenKeyId = new Uint8Array(randomBytes(32));
const requests = [new Uint8Array(TOKEN_REQUEST_LENGTH).fill(1), new Uint8Array(TOKEN_REQUEST_LENGTH).fill(2)];
const responses = [new Uint8Array(TOKEN_RESPONSE_LENGTH).fill(3), new Uint8Array(TOKEN_RESPONSE_LENGTH).fill(4)];

let identity: DeviceIdentity;
beforeAll(async () => {
  identity = await generateDeviceIdentity();
});

async function failure(promise: Promise<unknown>): Promise<AdminRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdminRequestError) return error;
    throw error;
  }
  throw new Error('expected an AdminRequestError');
}

const tokens = (client = new AdminClient(baseUrl)) =>
  client.tokens({ orgId, deviceId, identity, tokenKeyId, requests });

describe('AdminClient: token key set', () => {
  it('tokenKeys(): GET /api/v1/token-keys, the signed set as raw bytes', async () => {
    const set = new Uint8Array(randomBytes(500));
    handler = () => octets(set);
    expect(await new AdminClient(baseUrl).tokenKeys()).toEqual(set);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/v1/token-keys']);
  });

  it('a set that is not application/octet-stream, empty, or larger than any set can be is malformed_response', async () => {
    for (const reply of [
      octets(new Uint8Array(10), 'text/html'),
      octets(new Uint8Array(0)),
      octets(new Uint8Array(MAX_TOKEN_KEY_SET_BYTES + 1)),
    ]) {
      handler = () => reply;
      expect((await failure(new AdminClient(baseUrl).tokenKeys())).code).toBe('malformed_response');
    }
  });
});

describe('AdminClient: token issuance', () => {
  it('tokens(): a signed device request of type "tokens" (like renew), answered with one response per request', async () => {
    let payload: Record<string, unknown> = {};
    handler = async (request) => {
      const body = JSON.parse(request.body) as { payload: string; signature: string };
      expect(Object.keys(body).sort()).toEqual(['payload', 'signature']);
      expect(await verifyDeviceRequest(body.payload, unb64(body.signature), identity.signing.publicKey)).toBe(true);
      payload = JSON.parse(body.payload) as Record<string, unknown>;
      return json(200, { tokenKeyId: b64(tokenKeyId), responses: responses.map(b64) });
    };
    const answer = await tokens();
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/v1/tokens']);
    expect(Object.keys(payload).sort()).toEqual([
      'deviceId',
      'nonce',
      'orgId',
      'requests',
      'timestamp',
      'tokenKeyId',
      'type',
      'v',
    ]);
    expect(payload['type']).toBe('tokens');
    expect(unb64(payload['orgId'] as string)).toEqual(orgId);
    expect(unb64(payload['deviceId'] as string)).toEqual(deviceId);
    expect(unb64(payload['tokenKeyId'] as string)).toEqual(tokenKeyId);
    expect((payload['requests'] as string[]).map(unb64)).toEqual(requests);
    expect(answer).toEqual({ tokenKeyId, responses });
  });

  it('an answer for another key, with a response missing or too many, of the wrong size, or with unknown fields is malformed_response', async () => {
    const answers = [
      { tokenKeyId: b64(new Uint8Array(32).fill(9)), responses: responses.map(b64) },
      { tokenKeyId: b64(tokenKeyId), responses: [b64(responses[0] as Uint8Array)] },
      { tokenKeyId: b64(tokenKeyId), responses: [...responses, ...responses].map(b64) },
      { tokenKeyId: b64(tokenKeyId), responses: [b64(new Uint8Array(255)), b64(responses[1] as Uint8Array)] },
      { tokenKeyId: b64(tokenKeyId), responses: responses.map(b64), tokens: [] },
      { tokenKeyId: b64(tokenKeyId), responses: [] },
    ];
    for (const answer of answers) {
      handler = () => json(200, answer);
      expect((await failure(tokens())).code).toBe('malformed_response');
    }
  });

  it('the refusals a device meets carry their code: device_revoked, attestation_expired, unknown_token_key, token_key_not_issuing, rate_limited with Retry-After', async () => {
    const cases: [number, string][] = [
      [403, 'device_revoked'],
      [403, 'attestation_expired'],
      [409, 'unknown_token_key'],
      [409, 'token_key_not_issuing'],
      [400, 'malformed'],
    ];
    for (const [status, error] of cases) {
      handler = () => json(status, { error, message: 'no' });
      const refused = await failure(tokens());
      expect([refused.status, refused.code]).toEqual([status, error]);
    }
    handler = () => json(429, { error: 'rate_limited' }, { 'Retry-After': '42' });
    const limited = await failure(tokens());
    expect([limited.code, limited.retryAfterSeconds]).toEqual(['rate_limited', 42]);
  });

  it('a request this client would not make (no request, more than 20, a request of the wrong size, a bad key id) is refused before anything is sent', async () => {
    handler = () => json(500, {});
    const client = new AdminClient(baseUrl);
    const bad = [
      { tokenKeyId, requests: [] },
      { tokenKeyId, requests: Array.from({ length: 21 }, () => requests[0] as Uint8Array) },
      { tokenKeyId, requests: [new Uint8Array(TOKEN_REQUEST_LENGTH - 1)] },
      { tokenKeyId: new Uint8Array(31), requests },
    ];
    for (const fields of bad)
      await expect(client.tokens({ orgId, deviceId, identity, ...fields })).rejects.toThrow(TypeError);
    expect(received).toEqual([]);
  });
});
