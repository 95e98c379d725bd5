/**
 * `npm run admin:audit-verify` as an operator runs it: a separate process that opens the embedded
 * database named by ADMIN_DB_DIR, exits 0 with one summary line on an intact log and 1 naming the
 * first problem after a change made behind the app's back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordAudit } from '../../src/server/audit/audit-log';
import type { AdminDatabase } from '../../src/server/db';
import { runAdminCommand, withEmbeddedDatabase } from '../support/admin-command';
import { MIGRATIONS_DIR, SLOW } from '../support/test-services';

const runVerify = (dir: string, ...args: string[]) => runAdminCommand('admin:audit-verify', dir, args);

describe('npm run admin:audit-verify', () => {
  let dir: string;

  const withDatabase = <T>(use: (db: AdminDatabase) => Promise<T>) => withEmbeddedDatabase(dir, use);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-audit-verify-'));
    await withDatabase(async (db) => {
      await db.migrateToLatest({ migrationsDir: MIGRATIONS_DIR });
      for (let n = 1; n <= 5; n++) await recordAudit(db.prisma, 'system', 'test.event', { n });
    });
  }, SLOW);

  afterAll(() => {
    for (const made of [dir, `${dir}-secrets`]) fs.rmSync(made, { recursive: true, force: true }); // and its master key
  });

  test(
    'exits 0 with a one-line summary on an intact log',
    () => {
      const run = runVerify(dir);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(
        'audit log intact: 5 events (seq 1 to 5), 0 signed checkpoint(s), no checkpoint yet; the 5 newest event(s) are covered by the chain only\n',
      );
    },
    SLOW,
  );

  test(
    'refuses malformed pinned keys with a usage error (exit 2)',
    () => {
      const run = runVerify(dir, '--org-keys', 'not-hex');
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/--org-keys: expected comma-separated 64-character hexadecimal Ed25519 public keys/);
    },
    SLOW,
  );

  test(
    'exits 1 naming the changed event and its seq',
    async () => {
      await withDatabase(async (db) => {
        await db.prisma.$executeRawUnsafe('ALTER TABLE "audit_events" DISABLE TRIGGER USER');
        await db.prisma.$executeRawUnsafe(`UPDATE "audit_events" SET "action" = 'test.nothing_to_see' WHERE "seq" = 3`);
        await db.prisma.$executeRawUnsafe('ALTER TABLE "audit_events" ENABLE TRIGGER USER');
      });
      const run = runVerify(dir);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^admin:audit-verify: changed at seq 3: hash mismatch at seq 3 \([0-9a-f-]{36}\): the event was changed after it was recorded\n$/,
      );
    },
    SLOW,
  );
});
