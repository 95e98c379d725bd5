/**
 * POST /api/v1/tokens (docs/protocol/admin-api.md §11.2) through its route handler, on the
 * embedded database and on PostgreSQL: a real client blinds token requests, the admin app signs
 * them, the client unblinds tokens that a relay's verifier accepts; every refusal by name, in the
 * order the spec gives; and the admin app's stored data holds neither the tokens nor their nonces.
 */
import { randomBytes } from 'node:crypto';
import { generateEd25519KeyPair } from '@opendescent/crypto';
import {
  ACCESS_TOKEN_LENGTH,
  AccessTokenVerifier,
  MAX_TOKENS_PER_REQUEST,
  TOKEN_RESPONSE_LENGTH,
  blindAccessTokenRequest,
  issuingTokenKey,
  verifyTokenKeySet,
  type TokenKey,
  type TokenKeySet,
} from '@opendescent/protocol';
import { POST as tokens, OPTIONS as tokensPreflight } from '../../app/api/v1/tokens/route';
import { GET as tokenKeys } from '../../app/api/v1/token-keys/route';
import { POST as renew } from '../../app/api/v1/renew/route';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { POST as disableMember } from '../../app/api/admin/members/disable/route';
import { GET as metrics } from '../../app/metrics/route';
import { PEER_ADDRESS_HEADER } from '../../src/server/http/client-address';
import { maintainTokenKeys } from '../../src/server/tokens/token-keys';
import { signedInAdmin } from '../support/test-admin';
import { TestDevice, b64, unb64 } from '../support/test-device';
import { testMembers, type TestMembers } from '../support/test-members';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const ORIGIN = 'relay.example:443';
const PATH = '/api/v1/tokens';
const DAY = 86_400;

describe.each(DATABASE_KINDS)('token issuance on the %s database', (kind) => {
  let app: TestApp;
  let m: TestMembers;
  let set: TokenKeySet;
  let key: TokenKey;

  beforeAll(async () => {
    // Attestations last 31 days here, so that the clock can move to the next key's week.
    app = await startTestApp({ ADMIN_ATTESTATION_LIFETIME_HOURS: '744' }, kind);
    m = testMembers(app, (await signedInAdmin(app.services)).id);
    set = await currentSet();
    key = issuingTokenKey(set, unix()) as TokenKey;
  }, SLOW);
  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const unix = () => Math.floor(app.services.now().getTime() / 1000);
  const prisma = () => app.database.prisma;
  const ask = (body: unknown) => call(tokens, PATH, body);
  const orgId = () => set.orgId;

  async function currentSet(): Promise<TokenKeySet> {
    const { response } = await call(tokenKeys, '/api/v1/token-keys');
    return verifyTokenKeySet(new Uint8Array(await response.arrayBuffer()), await m.trusted());
  }

  /** A request the issuer can sign, without a client's blinding (for limits and layout tests): m < n. */
  function unblindedRequest(forKey: TokenKey = key): Uint8Array {
    const bytes = new Uint8Array(259);
    bytes.set([0x00, 0x02, forKey.tokenKeyId[31] as number, 0x00]);
    bytes.set(randomBytes(255), 4);
    return bytes;
  }
  const batch = (n: number, forKey: TokenKey = key) => Array.from({ length: n }, () => unblindedRequest(forKey));

  async function deviceOf(address: string): Promise<TestDevice> {
    return m.enrolledDevice(address);
  }

  describe('issuance end to end', () => {
    test(
      'a device gets blind signatures that its client turns into tokens a relay accepts',
      async () => {
        const device = await deviceOf('tokens@example.org');
        const pending = await Promise.all([1, 2, 3].map(() => blindAccessTokenRequest(key, orgId(), ORIGIN)));
        const { status, json, response } = await ask(
          await device.tokens(
            key.tokenKeyId,
            pending.map((p) => p.request),
          ),
        );
        expect(status).toBe(200);
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(json.tokenKeyId).toBe(b64(key.tokenKeyId));
        const responses = (json.responses as string[]).map(unb64);
        expect(responses.map((r) => r.length)).toEqual([
          TOKEN_RESPONSE_LENGTH,
          TOKEN_RESPONSE_LENGTH,
          TOKEN_RESPONSE_LENGTH,
        ]);
        const minted = await Promise.all(pending.map((p, i) => p.finish(responses[i] as Uint8Array)));
        const verifier = await AccessTokenVerifier.create(orgId(), set.keys, [ORIGIN]);
        for (const token of minted) {
          expect(token).toHaveLength(ACCESS_TOKEN_LENGTH);
          expect(await verifier.verify(token, unix())).toMatchObject({ ok: true, acceptUntil: key.acceptUntil });
        }
        // Another relay refuses them: the origin is in the token.
        const elsewhere = await AccessTokenVerifier.create(orgId(), set.keys, ['other.example:443']);
        expect(await elsewhere.verify(minted[0] as Uint8Array, unix())).toMatchObject({
          ok: false,
          refusal: 'token_wrong_origin',
        });

        // The unlinkability claim: nothing the admin app stores contains a token or its nonce.
        const stored = await everyStoredRow();
        // The search finds what is stored (the device's public key), so its silence below means something.
        expect(stored.includes(Buffer.from(device.signing.publicKey).toString('hex'))).toBe(true);
        for (const token of minted) {
          const nonce = token.subarray(2, 34);
          const authenticator = token.subarray(ACCESS_TOKEN_LENGTH - 256);
          for (const needle of [nonce, authenticator, token]) {
            expect(stored.includes(Buffer.from(needle).toString('hex'))).toBe(false);
            expect(stored.includes(Buffer.from(needle).toString('base64url'))).toBe(false);
          }
        }
        // ... and no audit line per issuance.
        expect(await prisma().auditEvent.count({ where: { action: { contains: 'token' } } })).toBe(0);
      },
      SLOW,
    );

    test(
      'a full batch of MAX_TOKENS_PER_REQUEST is signed, in request order',
      async () => {
        const device = await deviceOf('full-batch@example.org');
        const pending = await Promise.all(
          Array.from({ length: MAX_TOKENS_PER_REQUEST }, () => blindAccessTokenRequest(key, orgId(), ORIGIN)),
        );
        const { status, json } = await ask(
          await device.tokens(
            key.tokenKeyId,
            pending.map((p) => p.request),
          ),
        );
        expect(status).toBe(200);
        const responses = (json.responses as string[]).map(unb64);
        // Each response unblinds only with its own request's secrets: the order is kept.
        await Promise.all(
          pending.map((p, i) =>
            expect(p.finish(responses[i] as Uint8Array)).resolves.toHaveLength(ACCESS_TOKEN_LENGTH),
          ),
        );
      },
      SLOW,
    );

    test('OPTIONS answers the CORS preflight', () => {
      const response = tokensPreflight();
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    });
  });

  /** Every row of every table of the admin schema, as PostgreSQL prints it (bytea as hex). */
  async function everyStoredRow(): Promise<string> {
    const tables = await prisma().$queryRaw<
      { name: string }[]
    >`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`;
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'token_issuer_keys',
        'token_key_sets',
        'device_request_nonces',
        'rate_limit_hits',
        'audit_events',
      ]),
    );
    const parts: string[] = [];
    for (const { name } of tables) {
      const rows = await prisma().$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${name}" t`);
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n').toLowerCase();
  }

  describe('refusals, by name', () => {
    let device: TestDevice;
    beforeAll(async () => {
      device = await deviceOf('refused@example.org');
    }, SLOW);

    test('malformed: not a signed request, a request of the wrong size or encoding, an empty batch', async () => {
      expect(await ask({ payload: 'x' })).toMatchObject({ status: 400, json: { error: 'malformed' } });
      const short = await device.sign({
        type: 'tokens',
        orgId: b64(orgId()),
        deviceId: b64(device.deviceId as Uint8Array),
        tokenKeyId: b64(key.tokenKeyId),
        requests: [b64(new Uint8Array(258))],
      });
      expect(await ask(short)).toMatchObject({
        status: 400,
        json: { error: 'malformed', message: expect.stringContaining('requests.0') },
      });
      const padded = await device.sign({
        type: 'tokens',
        orgId: b64(orgId()),
        deviceId: b64(device.deviceId as Uint8Array),
        tokenKeyId: b64(key.tokenKeyId),
        requests: [`${b64(unblindedRequest())}=`],
      });
      expect(await ask(padded)).toMatchObject({ status: 400, json: { error: 'malformed' } });
      expect(await ask(await device.tokens(key.tokenKeyId, []))).toMatchObject({
        status: 400,
        json: { error: 'malformed' },
      });
      expect(await ask(await device.tokens(key.tokenKeyId, batch(1), { extra: true }))).toMatchObject({
        status: 400,
        json: { error: 'malformed' },
      });
      const withAttestation = await device.sign(
        {
          type: 'tokens',
          orgId: b64(orgId()),
          deviceId: b64(device.deviceId as Uint8Array),
          tokenKeyId: b64(key.tokenKeyId),
          requests: [b64(unblindedRequest())],
        },
        { attestation: device.attestation as Uint8Array },
      );
      expect(await ask(withAttestation)).toMatchObject({ status: 400, json: { error: 'malformed' } });
    });

    test('oversized: a batch of 21 is malformed; a body over 16 KiB is too_large', async () => {
      expect(await ask(await device.tokens(key.tokenKeyId, batch(MAX_TOKENS_PER_REQUEST + 1)))).toMatchObject({
        status: 400,
        json: { error: 'malformed', message: expect.stringContaining('requests') },
      });
      expect(
        await call(tokens, PATH, undefined, {
          rawBody: JSON.stringify({ payload: 'x'.repeat(17 * 1024), signature: '' }),
          headers: { 'content-type': 'application/json' },
        }),
      ).toMatchObject({ status: 413, json: { error: 'too_large' } });
      expect(await ask({ payload: 'x'.repeat(13 * 1024), signature: b64(new Uint8Array(64)) })).toMatchObject({
        status: 400,
        json: { error: 'malformed' },
      });
    });

    test('wrong_organisation, stale_request, unknown_device, bad_signature', async () => {
      expect(
        await ask(await device.tokens(key.tokenKeyId, batch(1), { orgId: b64(new Uint8Array(16).fill(9)) })),
      ).toMatchObject({ status: 403, json: { error: 'wrong_organisation' } });
      expect(await ask(await device.tokens(key.tokenKeyId, batch(1), { timestamp: unix() - 3600 }))).toMatchObject({
        status: 401,
        json: { error: 'stale_request' },
      });
      expect(
        await ask(await device.tokens(key.tokenKeyId, batch(1), { deviceId: b64(randomBytes(16)) })),
      ).toMatchObject({ status: 404, json: { error: 'unknown_device' } });
      const stranger = await generateEd25519KeyPair();
      const forged = await device.sign(
        {
          type: 'tokens',
          orgId: b64(orgId()),
          deviceId: b64(device.deviceId as Uint8Array),
          tokenKeyId: b64(key.tokenKeyId),
          requests: [b64(unblindedRequest())],
        },
        { key: stranger },
      );
      expect(await ask(forged)).toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    });

    test('replayed: the same signed request twice is refused the second time', async () => {
      const body = await device.tokens(key.tokenKeyId, batch(1));
      expect((await ask(body)).status).toBe(200);
      expect(await ask(body)).toMatchObject({ status: 409, json: { error: 'replayed' } });
    });

    test(
      'unknown_token_key and token_key_not_issuing (the next key, pinned but not issuing yet)',
      async () => {
        expect(await ask(await device.tokens(randomBytes(32), batch(1)))).toMatchObject({
          status: 409,
          json: { error: 'unknown_token_key' },
        });
        app.advance(key.issueUntil - 2 * DAY - unix());
        await maintainTokenKeys(app.services);
        const newer = await currentSet();
        const next = newer.keys.find((k) => k.issueFrom === key.issueUntil) as TokenKey;
        expect(next).toBeDefined();
        expect(await ask(await device.tokens(next.tokenKeyId, batch(1, next)))).toMatchObject({
          status: 409,
          json: { error: 'token_key_not_issuing' },
        });
        // The current key still issues.
        expect((await ask(await device.tokens(key.tokenKeyId, batch(1)))).status).toBe(200);
      },
      SLOW,
    );

    test('a request naming another key (wrong truncated key id) or above the modulus is malformed, with its index', async () => {
      const wrongKeyByte = unblindedRequest();
      wrongKeyByte[2] = (wrongKeyByte[2] as number) ^ 1;
      expect(await ask(await device.tokens(key.tokenKeyId, [unblindedRequest(), wrongKeyByte]))).toMatchObject({
        status: 400,
        json: { error: 'malformed', message: expect.stringContaining('requests.1') },
      });
      const wrongType = unblindedRequest();
      wrongType[1] = 0x01;
      expect(await ask(await device.tokens(key.tokenKeyId, [wrongType]))).toMatchObject({
        status: 400,
        json: { error: 'malformed', message: expect.stringContaining('requests.0') },
      });
      const aboveModulus = unblindedRequest();
      aboveModulus.fill(0xff, 3);
      expect(
        await ask(await device.tokens(key.tokenKeyId, [unblindedRequest(), unblindedRequest(), aboveModulus])),
      ).toMatchObject({ status: 400, json: { error: 'malformed', message: expect.stringContaining('requests.2') } });
    });

    test('attestation_expired: a device whose newest attestation has expired must renew first', async () => {
      const lapsed = await deviceOf('lapsed@example.org');
      await prisma().attestation.updateMany({
        where: { deviceId: new Uint8Array(lapsed.deviceId as Uint8Array) },
        data: { expiresAt: new Date(app.services.now().getTime() - 1000) },
      });
      expect(await ask(await lapsed.tokens(key.tokenKeyId, batch(1)))).toMatchObject({
        status: 403,
        json: { error: 'attestation_expired' },
      });
      expect((await call(renew, '/api/v1/renew', await lapsed.renewal())).status).toBe(200);
      expect((await ask(await lapsed.tokens(key.tokenKeyId, batch(1)))).status).toBe(200);
    });

    test('device_revoked: issuance stops the moment the revocation commits', async () => {
      const lost = await deviceOf('lost@example.org');
      expect((await ask(await lost.tokens(key.tokenKeyId, batch(1)))).status).toBe(200);
      const deviceId = Buffer.from(lost.deviceId as Uint8Array).toString('hex');
      expect(
        (
          await call(
            revoke,
            '/api/admin/devices/revoke',
            { deviceId, reason: 'lost_or_stolen' },
            { headers: await m.adminHeaders() },
          )
        ).status,
      ).toBe(200);
      expect(await ask(await lost.tokens(key.tokenKeyId, batch(1)))).toMatchObject({
        status: 403,
        json: { error: 'device_revoked' },
      });
    });

    test("device_revoked: a disabled member's devices get no tokens", async () => {
      const leaver = await deviceOf('leaver@example.org');
      expect((await ask(await leaver.tokens(key.tokenKeyId, batch(1)))).status).toBe(200);
      const member = await prisma().member.findUniqueOrThrow({ where: { address: 'leaver@example.org' } });
      expect(
        (
          await call(
            disableMember,
            '/api/admin/members/disable',
            { memberId: member.id, reason: 'left_organisation' },
            { headers: await m.adminHeaders() },
          )
        ).status,
      ).toBe(200);
      expect(await ask(await leaver.tokens(key.tokenKeyId, batch(1)))).toMatchObject({
        status: 403,
        json: { error: 'device_revoked' },
      });
    });
  });

  describe('limits, counted per token', () => {
    test(
      'over the device limit: 60 tokens an hour, then 429 rate_limited with Retry-After; 240 a day',
      async () => {
        const device = await deviceOf('device-limit@example.org');
        for (let i = 0; i < 3; i++)
          expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
        const refused = await ask(await device.tokens(key.tokenKeyId, batch(1)));
        expect(refused).toMatchObject({
          status: 429,
          json: { error: 'rate_limited', message: expect.stringContaining('this device') },
        });
        expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(refused.response.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
        // A refused batch counted nothing: an hour later the device has a full hour's budget again.
        for (let hour = 1; hour < 4; hour++) {
          app.advance(3600);
          expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
          expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
          expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
        }
        app.advance(3600);
        expect(await ask(await device.tokens(key.tokenKeyId, batch(1)))).toMatchObject({
          status: 429,
          json: { error: 'rate_limited' },
        });
        // A batch that does not fit is refused whole, even when part of it would.
        app.advance(DAY);
        expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
        expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
        expect((await ask(await device.tokens(key.tokenKeyId, batch(19)))).status).toBe(200);
        expect((await ask(await device.tokens(key.tokenKeyId, batch(2)))).status).toBe(429);
        expect((await ask(await device.tokens(key.tokenKeyId, batch(1)))).status).toBe(200);
      },
      SLOW,
    );

    test(
      "over the member limit: 120 tokens an hour for all of a member's devices together",
      async () => {
        const devices = await m.devicesOf('member-limit@example.org', 3);
        for (const device of devices.slice(0, 2)) {
          for (let i = 0; i < 3; i++)
            expect((await ask(await device.tokens(key.tokenKeyId, batch(20)))).status).toBe(200);
        }
        expect(await ask(await (devices[2] as TestDevice).tokens(key.tokenKeyId, batch(1)))).toMatchObject({
          status: 429,
          json: { error: 'rate_limited', message: expect.stringContaining('this member') },
        });
      },
      SLOW,
    );
  });

  test('/metrics counts issued tokens and refusals by code, with no device or member in it', async () => {
    const { status, response } = await call(metrics, '/metrics', undefined, {
      headers: { [PEER_ADDRESS_HEADER]: '127.0.0.1' },
    });
    expect(status).toBe(200);
    const text = await response.text();
    const issued = Number(/^opendescent_tokens_issued_total (\d+)$/m.exec(text)?.[1]);
    expect(issued).toBeGreaterThan(3 + MAX_TOKENS_PER_REQUEST);
    expect(text).toMatch(/^opendescent_token_requests_refused_total\{error="rate_limited"\} [1-9]\d*$/m);
    expect(text).toMatch(/^opendescent_token_requests_refused_total\{error="replayed"\} 1$/m);
    expect(text).toMatch(/^opendescent_token_key_set_version [1-9]\d*$/m);
    const devices = await prisma().device.findMany({ select: { id: true, memberId: true } });
    for (const device of devices) {
      expect(text).not.toContain(Buffer.from(device.id).toString('hex'));
      expect(text).not.toContain(device.memberId);
    }
  });
});
