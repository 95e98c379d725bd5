/**
 * Device certificates through the admin API (docs/protocol/admin-api.md §12, user-keys.md §7): a
 * person's first device records their user key with its own certificate; a certificate for a
 * later device, made under that key, is stored, logged and handed out with the device in
 * directory answers; and every refusal by name: another person's device, another user key while
 * a device certified under the recorded one is active, a certificate that does not fit the
 * device, a revoked device, malformed input. A person whose every certified device was revoked
 * re-enrols with a new user key, audited.
 */
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  certifyAnswerSchema,
  decodeAttestation,
  encodeBase64Url,
  logLeafHash,
  lookupAnswerSchema,
  signDeviceCertificate,
} from '@opendescent/protocol';
import { POST as certify } from '../../app/api/v1/device-certificates/route';
import { POST as lookup } from '../../app/api/v1/directory/lookup/route';
import { GET as head } from '../../app/api/v1/log/head/route';
import { GET as inclusion } from '../../app/api/v1/log/inclusion/route';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { adminHeaders as headersOf, enrolledDevice } from '../support/enrolled-device';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { TestDevice, unb64 } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('device certificates on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const adminHeaders = () => headersOf(app, admin);
  const unix = () => Math.floor(app.services.now().getTime() / 1000);

  const enrolled = (address: string) => enrolledDevice(app, admin, address);

  /** What the user key signs for `device` (user-keys.md §2.4). */
  function certificateFor(device: TestDevice, userKey: Ed25519KeyPair, overrides: Record<string, unknown> = {}) {
    const attestation = decodeAttestation(device.attestation).attestation;
    return signDeviceCertificate(
      {
        orgId: attestation.orgId,
        userAddress: attestation.userAddress,
        deviceId: attestation.deviceId,
        signingKey: attestation.signingKey,
        agreementKey: attestation.agreementKey,
        issuedAt: unix(),
        ...overrides,
      },
      userKey.privateKey,
    );
  }

  const upload = async (by: TestDevice, certificate: Uint8Array) => {
    const { status, json } = await call(certify, '/api/v1/device-certificates', await by.certify(certificate));
    return { status, error: json.error, json };
  };

  let userKey: Ed25519KeyPair;
  let first: TestDevice;
  let second: TestDevice;

  test('the first device records the user key; a later device certified under it is stored, logged and looked up', async () => {
    userKey = await generateEd25519KeyPair();
    first = await enrolled('cert@example.org');
    second = await enrolled('cert@example.org');
    const own = await certificateFor(first, userKey);
    const answer = await upload(first, own);
    expect(answer.status).toBe(201);
    certifyAnswerSchema.parse(answer.json);
    const member = await app.database.prisma.member.findUniqueOrThrow({ where: { address: 'cert@example.org' } });
    expect(encodeBase64Url(new Uint8Array(member.userKey as Uint8Array))).toBe(encodeBase64Url(userKey.publicKey));

    // The first device approves the second (the device link) and publishes its certificate.
    const approved = await certificateFor(second, userKey);
    expect((await upload(first, approved)).status).toBe(201);

    const colleague = await enrolled('colleague@example.org');
    const { json } = await call(lookup, '/api/v1/directory/lookup', await colleague.lookup('cert@example.org'));
    const devices = lookupAnswerSchema.parse(json).devices;
    // Two devices enrolled in the same millisecond come in id order: compare as a set.
    expect(devices.map((d) => (d.certificate ? encodeBase64Url(d.certificate) : undefined)).sort()).toEqual(
      [encodeBase64Url(own), encodeBase64Url(approved)].sort(),
    );

    const treeHead = unb64(((await call(head, '/api/v1/log/head')).json as { treeHead: string }).treeHead);
    const treeSize = Number(new DataView(treeHead.buffer, treeHead.byteOffset + 26, 8).getBigUint64(0));
    const leafHash = encodeBase64Url(logLeafHash('device_certificate', approved));
    const proof = await call(inclusion, `/api/v1/log/inclusion?leafHash=${leafHash}&treeSize=${treeSize}`);
    expect(proof.status).toBe(200);
  });

  test('refusals by name, each changing nothing', async () => {
    const stranger = await enrolled('stranger@example.org');
    const before = await app.database.prisma.device.findUniqueOrThrow({
      where: { id: new Uint8Array(second.deviceId as Uint8Array) },
    });
    // Another person's device publishing for this person's device.
    expect(await upload(stranger, await certificateFor(second, userKey))).toMatchObject({
      status: 403,
      error: 'certificate_mismatch',
    });
    // Another user key while devices certified under the recorded one are active.
    expect(await upload(first, await certificateFor(second, await generateEd25519KeyPair()))).toMatchObject({
      status: 409,
      error: 'user_key_mismatch',
    });
    // A certificate whose keys are not the device's.
    const forged = await certificateFor(second, userKey, { signingKey: new Uint8Array(32).fill(7) });
    expect(await upload(first, forged)).toMatchObject({ status: 400, error: 'certificate_mismatch' });
    // Not a certificate at all.
    expect(await upload(first, new Uint8Array(40).fill(1))).toMatchObject({ status: 400, error: 'malformed' });
    const after = await app.database.prisma.device.findUniqueOrThrow({
      where: { id: new Uint8Array(second.deviceId as Uint8Array) },
    });
    expect(encodeBase64Url(new Uint8Array(after.certificate as Uint8Array))).toBe(
      encodeBase64Url(new Uint8Array(before.certificate as Uint8Array)),
    );
  });

  test('a revoked device can neither publish nor be certified; once every certified device is revoked, a new user key is accepted', async () => {
    const third = await enrolled('cert@example.org');
    for (const device of [first, second]) {
      const revoked = await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId: Buffer.from(device.deviceId as Uint8Array).toString('hex'), reason: 'lost_or_stolen' },
        { headers: await adminHeaders() },
      );
      expect(revoked.status).toBe(200);
    }
    expect(await upload(first, await certificateFor(third, userKey))).toMatchObject({
      status: 403,
      error: 'device_revoked',
    });
    expect(await upload(third, await certificateFor(second, userKey))).toMatchObject({
      status: 403,
      error: 'device_revoked',
    });
    // The person lost every device: they re-enrol from scratch with a new user key.
    const fresh = await generateEd25519KeyPair();
    expect((await upload(third, await certificateFor(third, fresh))).status).toBe(201);
    const member = await app.database.prisma.member.findUniqueOrThrow({ where: { address: 'cert@example.org' } });
    expect(encodeBase64Url(new Uint8Array(member.userKey as Uint8Array))).toBe(encodeBase64Url(fresh.publicKey));
    const audit = await app.database.prisma.auditEvent.findMany({ where: { action: 'member.user_key_replaced' } });
    expect(audit).toHaveLength(1);
  });
});
