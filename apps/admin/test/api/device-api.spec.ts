/**
 * The device API through its route handlers (docs/protocol/admin-api.md §3-§6): enrolment,
 * renewal and the revocation list, with every refusal the spec lists. The directory (§7) is in
 * directory.spec.ts.
 */
import { decodeAttestation, verifyAttestation, verifyRevocationList, isRevoked } from '@opendescent/protocol';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { POST as renew } from '../../app/api/v1/renew/route';
import { POST as lookup, OPTIONS as lookupPreflight } from '../../app/api/v1/directory/lookup/route';
import { GET as revocationList } from '../../app/api/v1/revocation-list/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { POST as cancelCode } from '../../app/api/admin/enrolment-codes/cancel/route';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { activateNextOrgKey, prepareNextOrgKey } from '../../src/server/org/organisation';
import { sessionFor, signedInAdmin, type TestAdmin } from '../support/test-admin';
import { TestDevice, b64, unb64 } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('the device API on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;
  /** The clock moves by days in these tests: each admin call gets a fresh session. */
  const adminHeaders = async () => (await sessionFor(app.services, admin.id)).headers;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const now = () => app.services.now();
  const unix = () => Math.floor(now().getTime() / 1000);

  async function newCode(address: string, displayName = 'Staff Member'): Promise<string> {
    const { status, json } = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address, displayName },
      { headers: await adminHeaders() },
    );
    expect(status).toBe(201);
    return json.code as string;
  }

  async function trusted() {
    const { json } = await call(orgConfig, '/api/v1/org');
    const orgId = unb64(json.orgId);
    return (json.keys as { publicKey: string; status: string }[])
      .filter((k) => k.status !== 'pending')
      .map((k) => ({ orgId, publicKey: unb64(k.publicKey) }));
  }

  async function enrolledDevice(address: string, displayName = 'Staff Member'): Promise<TestDevice> {
    const device = await TestDevice.create(now);
    const { status, json } = await call(
      enrol,
      '/api/v1/enrol',
      await device.enrolment(await newCode(address, displayName)),
    );
    expect(status).toBe(201);
    device.adopt(json);
    return device;
  }

  describe('enrolment', () => {
    test('a device redeems a fresh code and gets a short-lived attestation of its keys, signed by the org key', async () => {
      const code = await newCode('Alice@Example.ORG', 'Alice Martin');
      const device = await TestDevice.create(now);
      const { status, json } = await call(enrol, '/api/v1/enrol', await device.enrolment(code));
      expect(status).toBe(201);
      const attestation = await verifyAttestation(unb64(json.attestation), { trusted: await trusted(), now: unix() });
      expect(attestation).toMatchObject({
        userAddress: 'alice@example.org',
        displayName: 'Alice Martin',
        issuedAt: unix(),
        expiresAt: unix() + 7 * 24 * 3600,
      });
      expect(attestation.signingKey).toEqual(device.signing.publicKey);
      expect(attestation.agreementKey).toEqual(device.agreement.publicKey);
      expect(b64(attestation.deviceId)).toBe(json.deviceId);
      expect(json).toMatchObject({
        issuedAt: unix(),
        renewAfter: unix() + 3.5 * 24 * 3600,
        org: { revocationListVersion: 1 },
      });
      expect((json.org as { keys: unknown[] }).keys).toHaveLength(1);
      const audit = await app.database.prisma.auditEvent.findFirst({
        where: { action: 'device.enrolled' },
        orderBy: { id: 'desc' },
      });
      expect(audit?.detail).toMatchObject({
        address: 'alice@example.org',
        deviceId: Buffer.from(attestation.deviceId).toString('hex'),
      });
    });

    test('a user may enrol several devices, each with its own id', async () => {
      const first = await enrolledDevice('several@example.org');
      const second = await enrolledDevice('several@example.org');
      expect(b64(first.deviceId as Uint8Array)).not.toBe(b64(second.deviceId as Uint8Array));
      const member = await app.database.prisma.member.findUnique({
        where: { address: 'several@example.org' },
        include: { devices: true },
      });
      expect(member?.devices).toHaveLength(2);
    });

    test('a reused code is refused (code_used) and enrols nothing', async () => {
      const code = await newCode('reuse@example.org');
      const first = await TestDevice.create(now);
      expect((await call(enrol, '/api/v1/enrol', await first.enrolment(code))).status).toBe(201);
      const second = await TestDevice.create(now);
      const again = await call(enrol, '/api/v1/enrol', await second.enrolment(code));
      expect(again).toMatchObject({ status: 410, json: { error: 'code_used' } });
      expect(
        await app.database.prisma.device.count({ where: { signingKey: new Uint8Array(second.signing.publicKey) } }),
      ).toBe(0);
    });

    test('an expired code is refused (code_expired)', async () => {
      const code = await newCode('late@example.org');
      app.advance(24 * 3600 + 1);
      const device = await TestDevice.create(now);
      expect(await call(enrol, '/api/v1/enrol', await device.enrolment(code))).toMatchObject({
        status: 410,
        json: { error: 'code_expired' },
      });
    });

    test('a cancelled code is refused (code_cancelled)', async () => {
      const created = await call(
        createCode,
        '/api/admin/enrolment-codes',
        { address: 'cancel@example.org', displayName: 'C' },
        { headers: await adminHeaders() },
      );
      expect(
        (
          await call(
            cancelCode,
            '/api/admin/enrolment-codes/cancel',
            { id: created.json.id },
            { headers: await adminHeaders() },
          )
        ).status,
      ).toBe(200);
      const device = await TestDevice.create(now);
      expect(await call(enrol, '/api/v1/enrol', await device.enrolment(created.json.code as string))).toMatchObject({
        status: 410,
        json: { error: 'code_cancelled' },
      });
    });

    test('wrong secrets are refused alike with unknown codes, and lock the code after five', async () => {
      const code = await newCode('guess@example.org');
      const handle = code.slice(0, 9);
      const device = await TestDevice.create(now);
      expect(await call(enrol, '/api/v1/enrol', await device.enrolment('ZZZZ-ZZZZ-0000-0000-0000-0000'))).toMatchObject(
        { status: 403, json: { error: 'code_invalid' } },
      );
      for (let i = 0; i < 5; i++) {
        expect(
          await call(enrol, '/api/v1/enrol', await device.enrolment(`${handle}0000-0000-0000-000${i}`)),
        ).toMatchObject({ status: 403, json: { error: 'code_invalid' } });
      }
      // The right secret no longer helps: the code is locked.
      expect(await call(enrol, '/api/v1/enrol', await device.enrolment(code))).toMatchObject({
        status: 410,
        json: { error: 'code_locked' },
      });
    });

    test('codes are read case-insensitively, without dashes, with O/0 and I/L/1 confused', async () => {
      const code = await newCode('typed@example.org');
      const typed = code.replace(/-/g, ' ').toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
      const device = await TestDevice.create(now);
      expect((await call(enrol, '/api/v1/enrol', await device.enrolment(typed))).status).toBe(201);
    });

    test('a request not signed by the key it enrols is refused (bad_signature), and the code stays usable', async () => {
      const code = await newCode('forged@example.org');
      const device = await TestDevice.create(now);
      const other = await TestDevice.create(now);
      const forged = await device.sign(
        {
          type: 'enrol',
          code,
          signingKey: b64(device.signing.publicKey),
          agreementKey: b64(device.agreement.publicKey),
        },
        { key: other.signing },
      );
      expect(await call(enrol, '/api/v1/enrol', forged)).toMatchObject({
        status: 401,
        json: { error: 'bad_signature' },
      });
      expect((await call(enrol, '/api/v1/enrol', await device.enrolment(code))).status).toBe(201);
    });

    test('a payload altered after signing is refused (bad_signature)', async () => {
      const code = await newCode('altered@example.org');
      const device = await TestDevice.create(now);
      const body = await device.enrolment(code);
      const altered = { ...body, payload: body.payload.replace('"enrol"', '"enrol" ') };
      expect(await call(enrol, '/api/v1/enrol', altered)).toMatchObject({
        status: 401,
        json: { error: 'bad_signature' },
      });
    });

    test('a replayed request is refused: same nonce (replayed) or old timestamp (stale_request)', async () => {
      const device = await enrolledDevice('replay@example.org');
      const body = await device.renewal();
      expect((await call(renew, '/api/v1/renew', body)).status).toBe(200);
      expect(await call(renew, '/api/v1/renew', body)).toMatchObject({ status: 409, json: { error: 'replayed' } });
      app.advance(301);
      expect(await call(renew, '/api/v1/renew', body)).toMatchObject({ status: 401, json: { error: 'stale_request' } });
    });

    test('an identity key already enrolled is refused (key_in_use)', async () => {
      const device = await enrolledDevice('twice@example.org');
      const { json, status } = await call(
        enrol,
        '/api/v1/enrol',
        await device.enrolment(await newCode('twice@example.org')),
      );
      expect({ status, error: json.error }).toEqual({ status: 409, error: 'key_in_use' });
    });

    test.each([
      ['not JSON', undefined, '{', 400, 'malformed'],
      ['unknown envelope keys', { payload: '{}', signature: 'AA', extra: 1 }, undefined, 400, 'malformed'],
      ['a short signature', { payload: '{"v":1}', signature: 'AAAA' }, undefined, 400, 'malformed'],
    ])('a malformed body (%s) is refused with a clear code', async (_name, body, raw, status, error) => {
      expect(await call(enrol, '/api/v1/enrol', body, raw === undefined ? {} : { rawBody: raw })).toMatchObject({
        status,
        json: { error },
      });
    });

    test('an unknown payload version is refused (unsupported_version), an unknown payload key as malformed', async () => {
      const device = await TestDevice.create(now);
      expect(await call(enrol, '/api/v1/enrol', await device.sign({ v: 2, type: 'enrol' }))).toMatchObject({
        status: 400,
        json: { error: 'unsupported_version' },
      });
      const code = await newCode('extra@example.org');
      expect(await call(enrol, '/api/v1/enrol', await device.enrolment(code, { admin: true }))).toMatchObject({
        status: 400,
        json: { error: 'malformed' },
      });
    });

    test('an oversized body is refused before parsing (too_large), and a non-JSON type (unsupported_media_type)', async () => {
      expect(
        await call(enrol, '/api/v1/enrol', undefined, { rawBody: `{"payload":"${'a'.repeat(9000)}"}` }),
      ).toMatchObject({ status: 413, json: { error: 'too_large' } });
      const request = new Request('http://localhost:3001/api/v1/enrol', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{}',
      });
      expect((await enrol(request)).status).toBe(415);
    });

    test('answers carry CORS headers for the web client, with no credentials', async () => {
      const { response } = await call(enrol, '/api/v1/enrol', {});
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(lookupPreflight().status).toBe(204);
    });
  });

  describe('renewal', () => {
    test('a device proving its key gets a fresh attestation', async () => {
      const device = await enrolledDevice('renew@example.org');
      app.advance(3 * 24 * 3600);
      const { status, json } = await call(renew, '/api/v1/renew', await device.renewal());
      expect(status).toBe(200);
      const fresh = await verifyAttestation(unb64(json.attestation), { trusted: await trusted(), now: unix() });
      expect(fresh.issuedAt).toBe(unix());
      expect(b64(fresh.deviceId)).toBe(b64(device.deviceId as Uint8Array));
    });

    test('a revoked device renewing is refused (device_revoked)', async () => {
      const device = await enrolledDevice('revoked-renew@example.org');
      const deviceId = Buffer.from(device.deviceId as Uint8Array).toString('hex');
      expect(
        (
          await call(
            revoke,
            '/api/admin/devices/revoke',
            { deviceId, reason: 'lost_or_stolen' },
            { headers: await adminHeaders() },
          )
        ).status,
      ).toBe(200);
      expect(await call(renew, '/api/v1/renew', await device.renewal())).toMatchObject({
        status: 403,
        json: { error: 'device_revoked' },
      });
    });

    test('a renewal signed by another key is refused (bad_signature)', async () => {
      const device = await enrolledDevice('renew-forged@example.org');
      const thief = await TestDevice.create(now);
      const forged = await device.sign(
        { type: 'renew', orgId: b64(device.orgId as Uint8Array), deviceId: b64(device.deviceId as Uint8Array) },
        { key: thief.signing },
      );
      expect(await call(renew, '/api/v1/renew', forged)).toMatchObject({
        status: 401,
        json: { error: 'bad_signature' },
      });
    });

    test('an unknown device and another organisation are refused', async () => {
      const device = await enrolledDevice('renew-unknown@example.org');
      expect(
        await call(renew, '/api/v1/renew', await device.renewal({ deviceId: b64(new Uint8Array(16)) })),
      ).toMatchObject({ status: 404, json: { error: 'unknown_device' } });
      expect(
        await call(renew, '/api/v1/renew', await device.renewal({ orgId: b64(new Uint8Array(16)) })),
      ).toMatchObject({ status: 403, json: { error: 'wrong_organisation' } });
    });
  });

  describe('revocation list', () => {
    test('is served signed, and its version goes up with each revocation, naming the revoked devices', async () => {
      const before = await call(revocationList, '/api/v1/revocation-list');
      const beforeVersion = Number(before.response.headers.get('x-revocation-list-version'));
      const device = await enrolledDevice('listed@example.org');
      const other = await enrolledDevice('listed@example.org');
      const member = await app.database.prisma.member.findUniqueOrThrow({ where: { address: 'listed@example.org' } });
      const { json } = await call(
        revoke,
        '/api/admin/devices/revoke',
        { memberId: member.id, reason: 'left_organisation' },
        { headers: await adminHeaders() },
      );
      expect(json).toEqual({ revoked: 2, listVersion: beforeVersion + 1 });
      const after = await call(revocationList, '/api/v1/revocation-list');
      expect(after.response.headers.get('content-type')).toBe('application/octet-stream');
      const list = await verifyRevocationList(new Uint8Array(await after.response.arrayBuffer()), await trusted());
      expect(list.listVersion).toBe(beforeVersion + 1);
      expect(isRevoked(list, device.deviceId as Uint8Array)).toBe(true);
      expect(isRevoked(list, other.deviceId as Uint8Array)).toBe(true);
      expect(list.revoked.find((entry) => b64(entry.deviceId) === b64(device.deviceId as Uint8Array))?.reason).toBe(
        'left_organisation',
      );
    });

    test('revoking an already revoked device changes nothing (no new version)', async () => {
      const device = await enrolledDevice('again@example.org');
      const deviceId = Buffer.from(device.deviceId as Uint8Array).toString('hex');
      const first = await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId, reason: 'compromised' },
        { headers: await adminHeaders() },
      );
      const second = await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId, reason: 'compromised' },
        { headers: await adminHeaders() },
      );
      expect(second.json).toEqual({ revoked: 0, listVersion: first.json.listVersion });
    });

    test('each new list is pushed to every configured relay, and a failing relay is retried without blocking', async () => {
      app.pushes.length = 0;
      let failures = 2;
      app.relayAnswer = (url) =>
        url.startsWith('http://relay-b') && failures-- > 0
          ? { status: 503, body: {} }
          : { status: 200, body: { listVersion: 1 } };
      const device = await enrolledDevice('pushed@example.org');
      const deviceId = Buffer.from(device.deviceId as Uint8Array).toString('hex');
      const { json } = await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId, reason: 'lost_or_stolen' },
        { headers: await adminHeaders() },
      );
      await app.services.pusher.settled();
      // relay-b failed twice: retried after 1 s, then 2 s.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      await app.services.pusher.settled();
      const status = app.services.pusher.status();
      expect(status.map((s) => [s.relayUrl, s.confirmedVersion])).toEqual([
        ['http://relay-a.test', json.listVersion],
        ['http://relay-b.test', json.listVersion],
      ]);
      expect(app.pushes.filter((p) => p.url === 'http://relay-b.test/revocation-list')).toHaveLength(3);
      const pushed = await verifyRevocationList(app.pushes[0]?.body, await trusted());
      expect(pushed.listVersion).toBe(json.listVersion);
      app.relayAnswer = () => ({ status: 200, body: { listVersion: 0 } });
    }, 20_000);

    test('a revocation reason outside the list format is refused (invalid_reason)', async () => {
      const device = await enrolledDevice('reason@example.org');
      const deviceId = Buffer.from(device.deviceId as Uint8Array).toString('hex');
      expect(
        await call(
          revoke,
          '/api/admin/devices/revoke',
          { deviceId, reason: 'bored' },
          { headers: await adminHeaders() },
        ),
      ).toMatchObject({ status: 400, json: { error: 'invalid_reason' } });
    });
  });

  describe('organisation key rotation', () => {
    test('after rotation new attestations name the new key, the old ones stay valid until they expire, and the list is re-signed', async () => {
      const old = await enrolledDevice('rotate@example.org');
      const oldKeyId = decodeAttestation(old.attestation).attestation.orgKeyId;
      await prepareNextOrgKey(app.services, `admin:${admin.id}`);
      const pinnedBefore = (await call(orgConfig, '/api/v1/org')).json.keys as { status: string }[];
      expect(pinnedBefore.map((k) => k.status)).toEqual(['active', 'pending']);
      const { listVersion } = await activateNextOrgKey(app.services, `admin:${admin.id}`);
      const keys = (await call(orgConfig, '/api/v1/org')).json.keys as {
        status: string;
        keyId: string;
        pinnedUntil?: number;
      }[];
      expect(keys.map((k) => k.status)).toEqual(['retired', 'active']);
      expect(keys[0]?.pinnedUntil).toBeGreaterThanOrEqual(decodeAttestation(old.attestation).attestation.expiresAt);

      const fresh = await enrolledDevice('rotate@example.org');
      expect(b64(decodeAttestation(fresh.attestation).attestation.orgKeyId)).not.toBe(b64(oldKeyId));
      // The old device still looks colleagues up with its old-key attestation.
      expect((await call(lookup, '/api/v1/directory/lookup', await old.lookup('bob@example.org'))).status).toBe(200);
      const list = await call(revocationList, '/api/v1/revocation-list');
      expect(Number(list.response.headers.get('x-revocation-list-version'))).toBe(listVersion);
      const retired = await app.database.prisma.orgKey.findMany({ where: { retiredAt: { not: null } } });
      expect(retired.every((key) => key.sealedPrivateKey === null)).toBe(true);
    });
  });
});
