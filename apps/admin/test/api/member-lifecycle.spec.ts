/**
 * The member lifecycle (issue 10, item 3; docs/protocol/admin-api.md §10): disabling a member
 * revokes every device and cancels every pending code in one transaction with one revocation
 * list; a disabled member gets no code and their old codes enrol nothing; enabling is audited and
 * needs a new code. Revoking all of a member's devices also cancels their pending codes.
 */
import { isRevoked, verifyRevocationList } from '@opendescent/protocol';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { GET as revocationList } from '../../app/api/v1/revocation-list/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { POST as disableMember } from '../../app/api/admin/members/disable/route';
import { POST as enableMember } from '../../app/api/admin/members/enable/route';
import { memberDetail, memberRows } from '../../src/server/views';
import { sessionFor, signedInAdmin, type TestAdmin } from '../support/test-admin';
import { TestDevice, unb64 } from '../support/test-device';
import { DATABASE_KINDS, PUBLIC_URL, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(DATABASE_KINDS)('the member lifecycle on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;
  const headers = async () => (await sessionFor(app.services, admin.id)).headers;
  const prisma = () => app.database.prisma;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services, 'Lifecycle Admin');
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  // Enrolment redemption is rate limited as a whole: each test starts in a fresh minute.
  beforeEach(() => app.advance(61));

  async function newCode(
    address: string,
    displayName = 'Staff Member',
  ): Promise<{ code: string; id: string; memberId: string }> {
    const { status, json } = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address, displayName },
      { headers: await headers() },
    );
    expect(status).toBe(201);
    return { code: json.code as string, id: json.id as string, memberId: (json.member as { id: string }).id };
  }

  async function redeem(code: string) {
    const device = await TestDevice.create(() => app.services.now());
    const answer = await call(enrol, '/api/v1/enrol', await device.enrolment(code));
    if (answer.status === 201) device.adopt(answer.json);
    return { device, answer };
  }

  async function enrolledDevice(address: string): Promise<TestDevice> {
    const { answer, device } = await redeem((await newCode(address)).code);
    expect(answer.status).toBe(201);
    return device;
  }

  async function trusted() {
    const { json } = await call(orgConfig, '/api/v1/org');
    const orgId = unb64(json.orgId);
    return (json.keys as { publicKey: string; status: string }[])
      .filter((k) => k.status !== 'pending')
      .map((k) => ({ orgId, publicKey: unb64(k.publicKey) }));
  }

  const latestListVersion = async () =>
    (await prisma().revocationList.findFirstOrThrow({ orderBy: { version: 'desc' } })).version;
  const memberOf = (address: string) => prisma().member.findUniqueOrThrow({ where: { address } });
  const disable = async (memberId: unknown, reason: unknown = 'left_organisation') =>
    call(disableMember, '/api/admin/members/disable', { memberId, reason }, { headers: await headers() });
  const enable = async (memberId: unknown) =>
    call(enableMember, '/api/admin/members/enable', { memberId }, { headers: await headers() });

  test('disabling a member revokes every device, cancels pending codes and issues one revocation list', async () => {
    const phone = await enrolledDevice('leaver@example.org');
    const laptop = await enrolledDevice('leaver@example.org');
    const pending = [await newCode('leaver@example.org'), await newCode('leaver@example.org')];
    const bystander = await enrolledDevice('stayer@example.org');
    const member = await memberOf('leaver@example.org');
    const before = await latestListVersion();
    await app.services.pusher.settled();
    app.pushes.length = 0;

    const disabled = await disable(member.id, 'left_organisation');
    expect(disabled).toMatchObject({ status: 200, json: { revoked: 2, codesCancelled: 2, listVersion: before + 1 } });

    expect(await latestListVersion()).toBe(before + 1);
    expect(await prisma().member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({
      status: 'disabled',
      disabledAt: app.services.now(),
    });
    const devices = await prisma().device.findMany({ where: { memberId: member.id } });
    expect(devices.map((d) => [d.status, d.revocationReason])).toEqual([
      ['revoked', 'left_organisation'],
      ['revoked', 'left_organisation'],
    ]);
    for (const code of pending)
      expect(await prisma().enrolmentCode.findUniqueOrThrow({ where: { id: code.id } })).toMatchObject({
        cancelledAt: app.services.now(),
        usedAt: null,
      });
    // Someone else's device is untouched.
    expect(
      await prisma().device.findUniqueOrThrow({ where: { id: new Uint8Array(bystander.deviceId as Uint8Array) } }),
    ).toMatchObject({ status: 'active' });

    // The signed list names both devices, and it was pushed to every relay, once.
    const served = await call(revocationList, '/api/v1/revocation-list');
    const list = await verifyRevocationList(new Uint8Array(await served.response.arrayBuffer()), await trusted());
    expect(list.listVersion).toBe(before + 1);
    expect(isRevoked(list, phone.deviceId as Uint8Array)).toBe(true);
    expect(isRevoked(list, laptop.deviceId as Uint8Array)).toBe(true);
    await app.services.pusher.settled();
    expect(app.pushes.map((p) => p.url).sort()).toEqual([
      'http://relay-a.test/revocation-list',
      'http://relay-b.test/revocation-list',
    ]);

    // Audited: the disabling, each device, each code.
    const audit = await prisma().auditEvent.findFirstOrThrow({
      where: { action: 'member.disabled' },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({
      actor: `admin:${admin.id}`,
      detail: {
        memberId: member.id,
        address: 'leaver@example.org',
        reason: 'left_organisation',
        devicesRevoked: 2,
        codesCancelled: 2,
        listVersion: before + 1,
      },
    });
    const cancelledAudits = await prisma().auditEvent.findMany({ where: { action: 'enrolment_code.cancelled' } });
    expect(
      cancelledAudits
        .filter((e) => (e.detail as { memberId?: string; why?: string }).memberId === member.id)
        .map((e) => (e.detail as { why: string }).why),
    ).toEqual(['member_disabled', 'member_disabled']);

    // The pages show it.
    expect((await memberRows(app.services)).find((m) => m.id === member.id)).toMatchObject({
      status: 'disabled',
      active: 0,
      revoked: 2,
    });
    expect((await memberDetail(app.services, member.id))?.member).toMatchObject({
      status: 'disabled',
      disabledAt: app.services.now(),
    });
  });

  test('disabling a member with a bad reason is refused and changes nothing', async () => {
    await enrolledDevice('undecided@example.org');
    const code = await newCode('undecided@example.org');
    const member = await memberOf('undecided@example.org');
    const before = await latestListVersion();
    expect(await disable(member.id, 'bored')).toMatchObject({ status: 400, json: { error: 'invalid_reason' } });
    expect(await memberOf('undecided@example.org')).toMatchObject({ status: 'active', disabledAt: null });
    expect(await prisma().device.count({ where: { memberId: member.id, status: 'active' } })).toBe(1);
    expect(await prisma().enrolmentCode.findUniqueOrThrow({ where: { id: code.id } })).toMatchObject({
      cancelledAt: null,
    });
    expect(await latestListVersion()).toBe(before);
  });

  test('an old code of a disabled member cannot enrol a device', async () => {
    const old = await newCode('gone@example.org');
    const member = await memberOf('gone@example.org');
    expect((await disable(member.id)).status).toBe(200);
    const { answer } = await redeem(old.code);
    expect(answer).toMatchObject({ status: 410, json: { error: 'code_cancelled' } });
    expect(await prisma().device.count({ where: { memberId: member.id } })).toBe(0);
  });

  test('no code for a disabled member', async () => {
    await newCode('nocode@example.org');
    const member = await memberOf('nocode@example.org');
    expect((await disable(member.id)).status).toBe(200);
    const codesBefore = await prisma().enrolmentCode.count({ where: { memberId: member.id } });
    const refused = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address: 'nocode@example.org', displayName: 'Someone Else' },
      { headers: await headers() },
    );
    expect(refused).toMatchObject({ status: 409, json: { error: 'member_disabled' } });
    expect(refused.json.message).toMatch(/disabled/);
    // Nothing was written: no code, and no rename either.
    expect(await prisma().enrolmentCode.count({ where: { memberId: member.id } })).toBe(codesBefore);
    expect(await memberOf('nocode@example.org')).toMatchObject({ displayName: 'Staff Member' });
  });

  test('re-enabling is audited and needs a new code', async () => {
    const device = await enrolledDevice('returner@example.org');
    const old = await newCode('returner@example.org');
    const member = await memberOf('returner@example.org');
    expect((await disable(member.id, 'unspecified')).status).toBe(200);

    expect(await enable(member.id)).toMatchObject({ status: 200, json: { enabled: true } });
    expect(await memberOf('returner@example.org')).toMatchObject({ status: 'active', disabledAt: null });
    expect(
      await prisma().auditEvent.findFirstOrThrow({ where: { action: 'member.enabled' }, orderBy: { id: 'desc' } }),
    ).toMatchObject({
      actor: `admin:${admin.id}`,
      detail: { memberId: member.id, address: 'returner@example.org' },
    });
    // The old device stays revoked, the old code stays cancelled.
    expect(
      await prisma().device.findUniqueOrThrow({ where: { id: new Uint8Array(device.deviceId as Uint8Array) } }),
    ).toMatchObject({ status: 'revoked' });
    expect((await redeem(old.code)).answer).toMatchObject({ status: 410, json: { error: 'code_cancelled' } });
    // A new code works.
    app.advance(61);
    expect((await redeem((await newCode('returner@example.org')).code)).answer.status).toBe(201);
    // Enabling an active member, or disabling a disabled one, is refused.
    expect(await enable(member.id)).toMatchObject({ status: 409, json: { error: 'member_active' } });
    expect((await disable(member.id)).status).toBe(200);
    expect(await disable(member.id)).toMatchObject({ status: 409, json: { error: 'member_disabled' } });
  });

  test('revoking all of a member’s devices also cancels their pending codes', async () => {
    await enrolledDevice('revoked-all@example.org');
    const pending = await newCode('revoked-all@example.org');
    const member = await memberOf('revoked-all@example.org');
    expect(
      await call(
        revoke,
        '/api/admin/devices/revoke',
        { memberId: member.id, reason: 'compromised' },
        { headers: await headers() },
      ),
    ).toMatchObject({ status: 200, json: { revoked: 1 } });
    expect(await prisma().enrolmentCode.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({
      cancelledAt: app.services.now(),
    });
    const audit = await prisma().auditEvent.findFirstOrThrow({
      where: { action: 'enrolment_code.cancelled' },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({
      actor: `admin:${admin.id}`,
      detail: { codeId: pending.id, memberId: member.id, why: 'devices_revoked' },
    });
    expect((await redeem(pending.code)).answer).toMatchObject({ status: 410, json: { error: 'code_cancelled' } });
    // Revoking all devices is not disabling: the member may be given a new code.
    expect(await memberOf('revoked-all@example.org')).toMatchObject({ status: 'active' });
  });

  test.each([
    ['disable', { memberId: 'not-a-uuid', reason: 'left_organisation' }, 400, 'malformed'],
    ['disable', { memberId: 'ABCDEF00-0000-4000-8000-000000000000', reason: 'left_organisation' }, 400, 'malformed'],
    ['disable', { reason: 'left_organisation' }, 400, 'malformed'],
    ['disable', { memberId: UNKNOWN_ID, reason: 'left_organisation' }, 404, 'not_found'],
    ['enable', { memberId: 'not-a-uuid' }, 400, 'malformed'],
    ['enable', { memberId: 7 }, 400, 'malformed'],
    ['enable', { memberId: UNKNOWN_ID }, 404, 'not_found'],
  ])('%s with %p: %i %s', async (action, body, status, error) => {
    const handler = action === 'disable' ? disableMember : enableMember;
    expect(await call(handler, `/api/admin/members/${action}`, body, { headers: await headers() })).toMatchObject({
      status,
      json: { error },
    });
  });

  test('disabling and enabling need a session and the CSRF token', async () => {
    const member = await memberOf('stayer@example.org');
    for (const handler of [disableMember, enableMember]) {
      expect(
        await call(
          handler,
          '/api/admin/members/x',
          { memberId: member.id, reason: 'left_organisation' },
          { headers: { origin: PUBLIC_URL } },
        ),
      ).toMatchObject({ status: 401 });
      const { cookie } = await sessionFor(app.services, admin.id);
      expect(
        await call(
          handler,
          '/api/admin/members/x',
          { memberId: member.id, reason: 'left_organisation' },
          { headers: { cookie, origin: PUBLIC_URL } },
        ),
      ).toMatchObject({ status: 403, json: { error: 'csrf' } });
    }
    expect(await memberOf('stayer@example.org')).toMatchObject({ status: 'active' });
  });

  test(
    'an enrolment racing the disabling ends refused or revoked, never active',
    async () => {
      for (let round = 0; round < 4; round++) {
        app.advance(61);
        const address = `racer${round}@example.org`;
        const { code, memberId } = await newCode(address);
        const device = await TestDevice.create(() => app.services.now());
        const body = await device.enrolment(code);
        const [enrolled, disabled] = await Promise.all([call(enrol, '/api/v1/enrol', body), disable(memberId)]);
        expect(disabled.status).toBe(200);
        expect([201, 410]).toContain(enrolled.status);
        expect(await prisma().device.count({ where: { memberId, status: 'active' } })).toBe(0);
        expect(disabled.json.revoked).toBe(enrolled.status === 201 ? 1 : 0);
      }
    },
    SLOW,
  );
});
