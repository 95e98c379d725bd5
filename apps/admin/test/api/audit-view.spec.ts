/**
 * The audit page's read model (src/server/audit/audit-view.ts): actors a person recognises. An
 * administrator by name; a device by its member's name and address and a short device id; the
 * server and its command in words; an actor that no longer exists, or was never valid, says so
 * without failing the page. The page's time cells are tested in test/local-time.spec.ts.
 */
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { recordAudit, type Actor } from '../../src/server/audit/audit-log';
import { auditView } from '../../src/server/audit/audit-view';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { TestDevice } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('the audit view on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;
  let deviceHex: string;
  let memberId: string;

  /** The view of the newest event whose stored actor is `actor`. */
  const viewOf = async (actor: string) =>
    (await auditView(app.services, { limit: 500 })).events.find((e) => e.actor === actor)?.actorView;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services, 'Ada Lovelace');
    const code = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address: 'grace@example.org', displayName: 'Grace Hopper' },
      { headers: admin.headers },
    );
    memberId = (code.json.member as { id: string }).id;
    const device = await TestDevice.create(() => app.services.now());
    const enrolled = await call(enrol, '/api/v1/enrol', await device.enrolment(code.json.code as string));
    expect(enrolled.status).toBe(201);
    deviceHex = Buffer.from(enrolled.json.deviceId as string, 'base64url').toString('hex');
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  test('an administrator is shown by name', async () => {
    expect(await viewOf(`admin:${admin.id}`)).toEqual({ kind: 'admin', id: admin.id, name: 'Ada Lovelace' });
  });

  test("a device is shown as its member's name and address with a short device id", async () => {
    expect(await viewOf(`device:${deviceHex}`)).toEqual({
      kind: 'device',
      shortId: deviceHex.slice(0, 8),
      member: { id: memberId, displayName: 'Grace Hopper', address: 'grace@example.org' },
    });
  });

  test('the server and a command run on it are named in words', async () => {
    await recordAudit(app.services.prisma, 'system', 'test.by_server');
    await recordAudit(app.services.prisma, 'system:cli', 'test.by_command');
    expect(await viewOf('system')).toEqual({ kind: 'system' });
    expect(await viewOf('system:cli')).toEqual({ kind: 'command' });
  });

  test('an administrator or device that no longer exists is shown as such, with its id', async () => {
    const goneAdmin = '0190b3c2-7d4e-7a00-8000-00000000dead';
    await recordAudit(app.services.prisma, `admin:${goneAdmin}`, 'test.by_gone_admin');
    await recordAudit(app.services.prisma, `device:${'ab'.repeat(16)}`, 'test.by_gone_device');
    expect(await viewOf(`admin:${goneAdmin}`)).toEqual({ kind: 'admin', id: goneAdmin, name: undefined });
    expect(await viewOf(`device:${'ab'.repeat(16)}`)).toEqual({
      kind: 'device',
      shortId: 'abababab',
      member: undefined,
    });
  });

  test.each(['admin:not-a-uuid', 'device:XYZ', 'device:', 'robot', ''])(
    'a malformed stored actor %p is "unknown", not a failed page',
    async (actor) => {
      await recordAudit(app.services.prisma, actor as Actor, 'test.malformed_actor');
      expect(await viewOf(actor)).toEqual({ kind: 'unknown' });
    },
  );

  test('pages go back in time by `before`, newest first, with no event twice', async () => {
    const first = await auditView(app.services, { limit: 3 });
    const second = await auditView(app.services, { before: first.nextBefore, limit: 3 });
    expect(first.events).toHaveLength(3);
    const ids = [...first.events, ...second.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
  });
});
