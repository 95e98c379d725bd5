/**
 * `npm run admin:reset-link -- <admin>` as an operator runs it: a separate process that opens the
 * embedded database named by ADMIN_DB_DIR, prints a one-time passkey reset link once and records
 * it in the audit log (decision 0006, "Recovery"). The link itself is exercised end to end, through
 * a passkey registration, in api/admin-auth.spec.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invitationHash } from '../src/server/auth/one-time-secrets';
import type { AdminDatabase } from '../src/server/db';
import { runAdminCommand, withEmbeddedDatabase } from './support/admin-command';
import { MIGRATIONS_DIR, SLOW } from './support/test-services';

const runCommand = (dir: string, ...args: string[]) =>
  runAdminCommand('admin:reset-link', dir, args, { ADMIN_PUBLIC_URL: 'http://localhost:3001' });

describe('npm run admin:reset-link', () => {
  let dir: string;
  let adminId: string;

  const withDatabase = <T>(use: (db: AdminDatabase) => Promise<T>) => withEmbeddedDatabase(dir, use);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-reset-link-'));
    adminId = await withDatabase(async (db) => {
      await db.migrateToLatest({ migrationsDir: MIGRATIONS_DIR });
      return (await db.prisma.admin.create({ data: { displayName: 'Ada Admin' } })).id;
    });
  }, SLOW);

  afterAll(() => {
    for (const made of [dir, `${dir}-secrets`]) fs.rmSync(made, { recursive: true, force: true }); // and its master key
  });

  test(
    'prints a one-time reset link for an existing admin, stores only its hash and audits it as system:cli',
    async () => {
      const run = runCommand(dir, 'Ada Admin');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const match = /^http:\/\/localhost:3001\/setup#token=([A-Za-z0-9_-]{43})$/m.exec(run.stdout);
      expect(match).not.toBeNull();
      const token = (match as RegExpExecArray)[1] as string;
      await withDatabase(async (db) => {
        const invitation = await db.prisma.adminInvitation.findUniqueOrThrow({
          where: { tokenHash: invitationHash(token) },
        });
        expect(invitation).toMatchObject({
          purpose: 'reset',
          adminId,
          createdBy: 'system:cli',
          usedAt: null,
          cancelledAt: null,
        });
        const audit = await db.prisma.auditEvent.findMany({ where: { action: 'admin.passkey_reset_link_created' } });
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ actor: 'system:cli', detail: { adminId, invitationId: invitation.id } });
      });
    },
    SLOW,
  );

  test(
    'refuses an unknown admin with one clear line and a non-zero exit, creating nothing',
    async () => {
      const run = runCommand(dir, 'Nobody Here');
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe('admin:reset-link: no administrator with the id or display name "Nobody Here"\n');
      await withDatabase(async (db) => {
        expect(await db.prisma.adminInvitation.count()).toBe(1);
      });
    },
    SLOW,
  );

  test(
    'says to stop the admin app when the embedded database is open elsewhere',
    async () => {
      await withDatabase(async () => {
        const run = runCommand(dir, 'Ada Admin');
        expect(run.status).toBe(1);
        expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(run.stderr).toMatch(
          /^admin:reset-link: stop the admin app first: The embedded database in .* is already open/,
        );
      });
    },
    SLOW,
  );
});
