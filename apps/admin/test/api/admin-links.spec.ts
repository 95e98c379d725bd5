/**
 * Administrator links and the last administrator (issue 10, item 2; docs/protocol/admin-api.md
 * §10): disabling an administrator cancels the links they made and the resets made for them,
 * pending links are listed (names, never tokens) and cancellable, and the organisation always
 * keeps one enabled administrator with a passkey, even when two disable each other at once.
 */
import { randomBytes } from 'node:crypto';
import { POST as registerOptions } from '../../app/api/auth/register/options/route';
import { POST as invite } from '../../app/api/admin/admins/invite/route';
import { POST as reset } from '../../app/api/admin/admins/reset/route';
import { POST as disable } from '../../app/api/admin/admins/disable/route';
import { POST as cancelLink } from '../../app/api/admin/admins/links/cancel/route';
import { pendingLinkRows } from '../../src/server/views';
import type { AdminServices } from '../../src/server/services';
import { sessionFor, signedInAdmin, type TestAdmin } from '../support/test-admin';
import { DATABASE_KINDS, PUBLIC_URL, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const ORIGIN = { origin: PUBLIC_URL };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** A signed-in administrator who has registered a passkey (the credential row is what counts). */
async function adminWithPasskey(s: AdminServices, displayName: string): Promise<TestAdmin> {
  const admin = await signedInAdmin(s, displayName);
  await s.prisma.adminCredential.create({
    data: {
      id: randomBytes(16).toString('base64url'),
      adminId: admin.id,
      publicKey: new Uint8Array(randomBytes(77)),
      deviceType: 'singleDevice',
      backedUp: false,
    },
  });
  return admin;
}

const tokenOf = (link: unknown) => new URL(String(link)).hash.replace('#token=', '');

/** Headers of a fresh session of `admin`: one test moves the clock past a session's life. */
const as = async (admin: TestAdmin) => (await sessionFor(current.services, admin.id)).headers;

async function makeInvitation(by: TestAdmin): Promise<{ link: string; id: string }> {
  const made = await call(invite, '/api/admin/admins/invite', undefined, { headers: await as(by), method: 'POST' });
  expect(made.status).toBe(201);
  return { link: made.json.link as string, id: await newestLinkId() };
}

async function makeReset(by: TestAdmin, forAdmin: TestAdmin): Promise<{ link: string; id: string }> {
  const made = await call(reset, '/api/admin/admins/reset', { adminId: forAdmin.id }, { headers: await as(by) });
  expect(made.status).toBe(201);
  return { link: made.json.link as string, id: await newestLinkId() };
}

let current: TestApp;
async function newestLinkId(): Promise<string> {
  return (await current.database.prisma.adminInvitation.findFirstOrThrow({ orderBy: { id: 'desc' } })).id;
}

const enabledWithPasskey = (app: TestApp) =>
  app.database.prisma.admin.count({ where: { disabledAt: null, credentials: { some: {} } } });

describe.each(DATABASE_KINDS)('administrator links on the %s database', (kind) => {
  let app: TestApp;
  let ann: TestAdmin;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    current = app;
    ann = await adminWithPasskey(app.services, 'Ann Admin');
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  beforeEach(() => {
    current = app;
  });

  test('disabling an admin cancels the links they made', async () => {
    const bob = await adminWithPasskey(app.services, 'Bob Admin');
    const cleo = await adminWithPasskey(app.services, 'Cleo Admin');
    const bobsInvitation = await makeInvitation(bob);
    const bobsResetForCleo = await makeReset(bob, cleo);
    const resetForBob = await makeReset(ann, bob);
    const annsInvitation = await makeInvitation(ann);

    const disabled = await call(disable, '/api/admin/admins/disable', { adminId: bob.id }, { headers: await as(ann) });
    expect(disabled).toMatchObject({ status: 200, json: { disabled: true, linksCancelled: 3 } });

    for (const link of [bobsInvitation, bobsResetForCleo, resetForBob]) {
      const row = await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: link.id } });
      expect(row).toMatchObject({ cancelledAt: app.services.now(), cancelledBy: 'system', usedAt: null });
      // Redeeming it now is refused, whoever holds it.
      expect(
        await call(
          registerOptions,
          '/api/auth/register/options',
          { token: tokenOf(link.link), displayName: 'Mallory' },
          { headers: ORIGIN },
        ),
      ).toMatchObject({
        status: 403,
        json: { error: 'invitation_invalid' },
      });
    }
    // Another administrator's links are not touched.
    expect(
      await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: annsInvitation.id } }),
    ).toMatchObject({ cancelledAt: null });
    const audit = await app.database.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'admin.disabled' },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({ actor: `admin:${ann.id}`, detail: { adminId: bob.id, linksCancelled: 3 } });
    expect(((audit.detail as { cancelledLinkIds: string[] }).cancelledLinkIds ?? []).sort()).toEqual(
      [bobsInvitation.id, bobsResetForCleo.id, resetForBob.id].sort(),
    );
    // Their session ended with them.
    expect(
      await call(invite, '/api/admin/admins/invite', undefined, { headers: bob.headers, method: 'POST' }),
    ).toMatchObject({ status: 401, json: { error: 'not_signed_in' } });
  });

  test('pending links are listed without tokens and can be cancelled', async () => {
    const dora = await adminWithPasskey(app.services, 'Dora Admin');
    await app.database.prisma.adminInvitation.updateMany({
      where: { cancelledAt: null },
      data: { cancelledAt: app.services.now(), cancelledBy: 'system' },
    });
    const invitation = await makeInvitation(ann);
    const resetForDora = await makeReset(ann, dora);

    const rows = await pendingLinkRows(app.services);
    expect(rows.map((row) => row.id).sort()).toEqual([invitation.id, resetForDora.id].sort());
    expect(rows.find((row) => row.id === invitation.id)).toMatchObject({
      purpose: 'invite',
      forName: null,
      madeBy: { kind: 'admin', name: 'Ann Admin' },
    });
    expect(rows.find((row) => row.id === resetForDora.id)).toMatchObject({
      purpose: 'reset',
      forName: 'Dora Admin',
      madeBy: { kind: 'admin', name: 'Ann Admin' },
    });
    // Names, not ids; and no token or hash of one (only the hash is stored, and it stays in the database).
    const shown = JSON.stringify(rows);
    for (const secret of [tokenOf(invitation.link), tokenOf(resetForDora.link), ann.id, dora.id])
      expect(shown).not.toContain(secret);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['createdAt', 'expiresAt', 'forName', 'id', 'madeBy', 'purpose']);

    expect(
      await call(cancelLink, '/api/admin/admins/links/cancel', { id: invitation.id }, { headers: await as(ann) }),
    ).toMatchObject({ status: 200, json: { cancelled: true } });
    expect(await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: invitation.id } })).toMatchObject(
      { cancelledBy: `admin:${ann.id}` },
    );
    const audit = await app.database.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'admin.link_cancelled' },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({
      actor: `admin:${ann.id}`,
      detail: { invitationId: invitation.id, purpose: 'invite' },
    });
    expect(
      await call(
        registerOptions,
        '/api/auth/register/options',
        { token: tokenOf(invitation.link), displayName: 'Eve' },
        { headers: ORIGIN },
      ),
    ).toMatchObject({
      status: 403,
      json: { error: 'invitation_invalid' },
    });
    expect((await pendingLinkRows(app.services)).map((row) => row.id)).toEqual([resetForDora.id]);
  });

  test('cancelling an already cancelled, used or expired link is 404, and changes nothing', async () => {
    const cancelled = await makeInvitation(ann);
    await call(cancelLink, '/api/admin/admins/links/cancel', { id: cancelled.id }, { headers: await as(ann) });
    expect(
      await call(cancelLink, '/api/admin/admins/links/cancel', { id: cancelled.id }, { headers: await as(ann) }),
    ).toMatchObject({ status: 404, json: { error: 'not_found' } });

    const used = await makeInvitation(ann);
    await app.database.prisma.adminInvitation.update({ where: { id: used.id }, data: { usedAt: app.services.now() } });
    expect(
      await call(cancelLink, '/api/admin/admins/links/cancel', { id: used.id }, { headers: await as(ann) }),
    ).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: used.id } })).toMatchObject({
      cancelledAt: null,
      cancelledBy: null,
    });

    const expired = await makeInvitation(ann);
    app.advance(24 * 3600 + 1);
    expect(
      await call(cancelLink, '/api/admin/admins/links/cancel', { id: expired.id }, { headers: await as(ann) }),
    ).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: expired.id } })).toMatchObject({
      cancelledAt: null,
    });
    expect((await pendingLinkRows(app.services)).map((row) => row.id)).not.toContain(expired.id);
  });

  test.each([
    [{ id: 'not-a-uuid' }, 400, 'malformed'],
    [{ id: '0000000G-0000-4000-8000-000000000000' }, 400, 'malformed'],
    [{ id: 42 }, 400, 'malformed'],
    [{}, 400, 'malformed'],
    [{ id: UNKNOWN_ID }, 404, 'not_found'],
  ])('cancelling link %p: %i %s', async (body, status, error) => {
    expect(await call(cancelLink, '/api/admin/admins/links/cancel', body, { headers: await as(ann) })).toMatchObject({
      status,
      json: { error },
    });
  });

  test.each([
    [{ adminId: 'not-a-uuid' }, 400, 'malformed'],
    [{ adminId: 'FFFFFFFF-0000-4000-8000-000000000000' }, 400, 'malformed'],
    [{ adminId: UNKNOWN_ID }, 404, 'not_found'],
  ])('disabling admin %p: %i %s', async (body, status, error) => {
    expect(await call(disable, '/api/admin/admins/disable', body, { headers: await as(ann) })).toMatchObject({
      status,
      json: { error },
    });
  });

  test('cancelling a link needs a session and the CSRF token', async () => {
    const link = await makeInvitation(ann);
    expect(
      await call(cancelLink, '/api/admin/admins/links/cancel', { id: link.id }, { headers: ORIGIN }),
    ).toMatchObject({ status: 401, json: { error: 'not_signed_in' } });
    expect(
      await call(
        cancelLink,
        '/api/admin/admins/links/cancel',
        { id: link.id },
        { headers: { cookie: (await sessionFor(app.services, ann.id)).cookie, ...ORIGIN } },
      ),
    ).toMatchObject({ status: 403, json: { error: 'csrf' } });
    expect(await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: link.id } })).toMatchObject({
      cancelledAt: null,
    });
  });
});

describe.each(DATABASE_KINDS)('the last administrator on the %s database', (kind) => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({}, kind);
    current = app;
  }, SLOW);

  afterEach(async () => {
    await app?.close();
  }, SLOW);

  test('the last enabled administrator cannot be disabled', async () => {
    // A session without a passkey (made directly in the database) acts; the target is the only
    // administrator who could still sign in.
    const acting = await signedInAdmin(app.services, 'Session Only');
    const last = await adminWithPasskey(app.services, 'Last Admin');
    const link = await makeInvitation(last);
    const sessions = await app.database.prisma.adminSession.count({ where: { adminId: last.id } });
    expect(
      await call(disable, '/api/admin/admins/disable', { adminId: last.id }, { headers: acting.headers }),
    ).toMatchObject({ status: 409, json: { error: 'last_admin' } });
    // Nothing changed: still enabled, still signed in, the link still pending, nothing audited.
    expect(await app.database.prisma.admin.findUniqueOrThrow({ where: { id: last.id } })).toMatchObject({
      disabledAt: null,
    });
    expect(await app.database.prisma.adminSession.count({ where: { adminId: last.id } })).toBe(sessions);
    expect(await app.database.prisma.adminInvitation.findUniqueOrThrow({ where: { id: link.id } })).toMatchObject({
      cancelledAt: null,
    });
    expect(await app.database.prisma.auditEvent.count({ where: { action: 'admin.disabled' } })).toBe(0);
    // A disabled administrator does not count either, nor does one who has no passkey.
    const formerly = await adminWithPasskey(app.services, 'Former Admin');
    await app.database.prisma.admin.update({ where: { id: formerly.id }, data: { disabledAt: app.services.now() } });
    expect(
      (await call(disable, '/api/admin/admins/disable', { adminId: last.id }, { headers: acting.headers })).status,
    ).toBe(409);
    // Once another administrator can sign in, it may go.
    await adminWithPasskey(app.services, 'Second Admin');
    expect(
      (await call(disable, '/api/admin/admins/disable', { adminId: last.id }, { headers: acting.headers })).status,
    ).toBe(200);
    expect(await enabledWithPasskey(app)).toBe(1);
  });

  test(
    'two administrators disabling each other at once leave one enabled',
    async () => {
      // Several rounds: without the lock, two concurrent transactions each count the other as
      // remaining and both commit (on PostgreSQL, where the pool gives them separate connections).
      for (let round = 0; round < 5; round++) {
        const one = await adminWithPasskey(app.services, `One ${round}`);
        const two = await adminWithPasskey(app.services, `Two ${round}`);
        const results = await Promise.all([
          call(disable, '/api/admin/admins/disable', { adminId: two.id }, { headers: one.headers }),
          call(disable, '/api/admin/admins/disable', { adminId: one.id }, { headers: two.headers }),
        ]);
        const statuses = results.map((r) => r.status).sort();
        expect(statuses[0]).toBe(200);
        // The loser was disabled first: its session ended or it is refused inside the lock.
        expect([401, 409]).toContain(statuses[1]);
        const left = await app.database.prisma.admin.count({
          where: { id: { in: [one.id, two.id] }, disabledAt: null },
        });
        expect(left).toBe(1);
        expect(await enabledWithPasskey(app)).toBe(1);
        // Next round starts from no enabled administrator with a passkey.
        await app.database.prisma.admin.updateMany({
          where: { disabledAt: null },
          data: { disabledAt: app.services.now() },
        });
      }
      expect(await app.database.prisma.auditEvent.count({ where: { action: 'admin.disabled' } })).toBe(5);
    },
    SLOW,
  );
});
