/**
 * PostgreSQL only: the app's role (DATABASE_URL) cannot rewrite the audit log, because it owns no
 * table and holds only INSERT and SELECT there (docs/decisions/0008-audit-log.md). The test app
 * itself runs as that role (test/support/test-services.ts), so every PostgreSQL test of the admin
 * app also shows that the app works with no more than these grants.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { recordAudit } from '../../src/server/audit/audit-log';
import { setUpAppRole } from '../../src/server/db/database-roles.mjs';
import { runHousekeeping } from '../../src/server/housekeeping';
import { takeRateLimit } from '../../src/server/http/rate-limit';
import { ensureOrganisation } from '../../src/server/org/organisation';
import { SLOW, startTestApp, type TestApp } from '../support/test-services';

const serverUrl = process.env.DATABASE_URL?.trim();
if (!serverUrl)
  console.warn('SKIPPED: the database role tests need DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test).');

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

(serverUrl ? describe : describe.skip)(
  'PostgreSQL roles: the owner runs migrations, the app role only uses rows',
  () => {
    let app: TestApp;
    let asApp: Client;

    beforeAll(async () => {
      app = await startTestApp({}, 'postgres');
      await ensureOrganisation(app.services);
      await recordAudit(app.services.prisma, 'system', 'test.event', {});
      asApp = await connect(app.roles?.appUrl ?? '');
    }, SLOW);

    afterAll(async () => {
      await asApp?.end();
      await app?.close();
    }, SLOW);

    test.each([
      ['disable the audit trigger', 'ALTER TABLE "audit_events" DISABLE TRIGGER USER', /must be owner/],
      ['drop the chain trigger', 'DROP TRIGGER "audit_events_chain" ON "audit_events"', /must be owner/],
      ['update an event', `UPDATE "audit_events" SET "action" = 'rewritten'`, /permission denied/],
      ['delete an event', 'DELETE FROM "audit_events"', /permission denied/],
      ['truncate the log', 'TRUNCATE "audit_events"', /permission denied/],
      ['delete a checkpoint', 'DELETE FROM "audit_checkpoints"', /permission denied/],
      ['truncate the checkpoints', 'TRUNCATE "audit_checkpoints"', /permission denied/],
      ['truncate another table', 'TRUNCATE "admins"', /permission denied/],
      ['drop a table', 'DROP TABLE "admins"', /must be owner/],
      ['alter a table', 'ALTER TABLE "members" ADD COLUMN "x" TEXT', /must be owner/],
      ['create a table', 'CREATE TABLE "shadow_log" (id INT)', /permission denied/],
      ['rewrite the migration history', `DELETE FROM "_prisma_migrations"`, /permission denied/],
    ])(
      "the app's role cannot disable the audit trigger, update, delete or truncate: %s",
      async (_what, sql, refusal) => {
        // Refused by the privilege system (the error names it), not merely by a trigger the owner could lift.
        await expect(asApp.query(sql)).rejects.toThrow(refusal);
        expect((await asApp.query('SELECT count(*)::int AS n FROM "audit_events"')).rows[0].n).toBeGreaterThan(0);
      },
    );

    test(
      'the app still works as the app role: not a superuser, owns nothing, and reads, writes, counts and checkpoints',
      async () => {
        const [who] = await app.database.prisma.$queryRaw<{ user: string; superuser: boolean; owned: number }[]>`
      SELECT current_user AS "user", r.rolsuper AS superuser,
             (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
      FROM pg_roles r WHERE r.rolname = current_user`;
        expect(who).toEqual({ user: expect.stringMatching(/^od_app_/), superuser: false, owned: 0 });
        const admin = await app.services.prisma.admin.create({ data: { displayName: 'Role check' } });
        await app.services.prisma.admin.update({ where: { id: admin.id }, data: { disabledAt: app.services.now() } });
        expect(
          (
            await takeRateLimit(
              app.services,
              [{ key: 'role-check', rule: { limit: 1, windowSeconds: 60 } }],
              app.services.now(),
            )
          ).allowed,
        ).toBe(true);
        await recordAudit(app.services.prisma, `admin:${admin.id}`, 'test.as_app_role', {});
        await runHousekeeping(app.services);
        expect(await app.services.prisma.auditCheckpoint.count()).toBe(1);
      },
      SLOW,
    );

    test(
      'setting up the app role again changes nothing and passes its own checks (idempotent)',
      async () => {
        const owner = await connect(app.roles?.ownerUrl ?? '');
        try {
          const appRole = new URL(app.roles?.appUrl ?? '').username;
          const result = await setUpAppRole(owner, { appRole });
          expect(result).toMatchObject({ schema: 'public', created: false });
          expect(result.tables).toBeGreaterThan(10);
        } finally {
          await owner.end();
        }
      },
      SLOW,
    );

    test(
      'an app role with more power than it should is refused: a superuser, or the owner itself',
      async () => {
        const owner = await connect(app.roles?.ownerUrl ?? '');
        const superuser = `od_super_${randomBytes(4).toString('hex')}`;
        const admin = await connect(serverUrl ?? '');
        try {
          await admin.query(`CREATE ROLE "${superuser}" LOGIN SUPERUSER`);
          await expect(setUpAppRole(owner, { appRole: superuser })).rejects.toThrow(
            /more power than it should: it is a superuser/,
          );
          await expect(setUpAppRole(owner, { appRole: new URL(app.roles?.ownerUrl ?? '').username })).rejects.toThrow(
            /not as the app role/,
          );
          await expect(setUpAppRole(owner, { appRole: 'no_such_role_here' })).rejects.toThrow(
            /does not exist: create it first/,
          );
          await expect(setUpAppRole(owner, { appRole: 'Robert"); DROP TABLE x; --' })).rejects.toThrow(
            /plain lower-case PostgreSQL name/,
          );
        } finally {
          await owner.end();
          await admin.query(`DROP ROLE IF EXISTS "${superuser}"`);
          await admin.end();
        }
      },
      SLOW,
    );
  },
);
