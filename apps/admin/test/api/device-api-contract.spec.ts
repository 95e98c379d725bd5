/**
 * One JSON contract for both sides (docs/protocol/admin-api.md, @opendescent/protocol's
 * admin-api schemas): what the admin app answers parses with the schemas the web client reads
 * with, and what a device sends parses with the schemas the admin app reads with. A change to
 * one side that the other would refuse fails here.
 */
import {
  attestationAnswerSchema,
  enrolPayloadSchema,
  lookupAnswerSchema,
  lookupPayloadSchema,
  orgDocumentSchema,
  renewPayloadSchema,
  signedRequestBodySchema,
} from '@opendescent/protocol';
import { POST as renew } from '../../app/api/v1/renew/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { signedInAdmin } from '../support/test-admin';
import { TestDevice } from '../support/test-device';
import { testMembers, type TestMembers } from '../support/test-members';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const [kind] = DATABASE_KINDS;

describe(`the device API's JSON against the shared schemas (${kind})`, () => {
  let app: TestApp;
  let m: TestMembers;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    m = testMembers(app, (await signedInAdmin(app.services)).id);
  }, SLOW);
  afterAll(async () => {
    await app?.close();
  }, SLOW);

  test('GET /api/v1/org answers the §9.1 document the client parses', async () => {
    const { status, json } = await call(orgConfig, '/api/v1/org');
    expect(status).toBe(200);
    const parsed = orgDocumentSchema.parse(json);
    expect(parsed.keys.length).toBeGreaterThan(0);
    expect(parsed.orgId).toHaveLength(16);
  });

  test('enrolment and renewal answer the §4.3 attestation answer the client parses', async () => {
    const device = await m.enrolledDevice('contract@example.org', 'Contract Test');
    const body = await device.renewal();
    const { status, json } = await call(renew, '/api/v1/renew', body);
    expect(status).toBe(200);
    const parsed = attestationAnswerSchema.parse(json);
    expect(parsed.deviceId).toEqual(device.deviceId);
    expect(parsed.renewAfter).toBeGreaterThan(parsed.issuedAt);
  });

  test('a look-up answers the §7.3 document the client parses, for a member and for an unknown address alike', async () => {
    const asker = await m.enrolledDevice('asker@example.org');
    await m.enrolledDevice('target@example.org');
    const found = await m.look(asker, 'target@example.org');
    expect(found.status).toBe(200);
    expect(lookupAnswerSchema.parse(found.json).devices).toHaveLength(1);
    const unknown = await m.look(asker, 'nobody@example.org');
    expect(unknown.status).toBe(200);
    expect(lookupAnswerSchema.parse(unknown.json)).toEqual({ address: 'nobody@example.org', devices: [] });
  });

  test("a device's signed requests parse with the schemas the admin app reads them with", async () => {
    const device = await TestDevice.create(() => app.services.now());
    const enrolment = await device.enrolment('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01');
    expect(signedRequestBodySchema().parse(enrolment).signature).toHaveLength(64);
    expect(enrolPayloadSchema.parse(JSON.parse(enrolment.payload)).signingKey).toEqual(device.signing.publicKey);
    const enrolled = await m.enrolledDevice('requests@example.org');
    expect(renewPayloadSchema.parse(JSON.parse((await enrolled.renewal()).payload)).deviceId).toEqual(
      enrolled.deviceId,
    );
    const lookup = await enrolled.lookup('someone@example.org');
    expect(signedRequestBodySchema().parse(lookup).attestation).toEqual(enrolled.attestation);
    expect(lookupPayloadSchema.parse(JSON.parse(lookup.payload)).address).toBe('someone@example.org');
  });
});
