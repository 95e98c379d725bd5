// Migration 20261205030348_drop_admin_recovery_codes on a database the earlier migrations made and
// the app used: the dead recovery-code table and the challenge column pointing into it go, and
// nothing else does (docs/decisions/0006-admin-auth.md, "Recovery").
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase, type AdminDatabase, type DatabaseConfig } from '../../src/server/db';
import { MIGRATIONS_DIR, SLOW } from './admin-database-suite';

const MIGRATION = '20261205030348_drop_admin_recovery_codes';
const serverUrl = process.env.DATABASE_URL?.trim();

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The embedded database always; a throwaway database on the PostgreSQL server when DATABASE_URL is set. */
async function freshDatabase(
  kind: 'embedded' | 'postgres',
): Promise<{ config: DatabaseConfig; dispose(): Promise<void> }> {
  if (kind === 'embedded') return { config: { kind: 'embedded', dir: null }, dispose: async () => undefined };
  const name = `admin_migration_test_${crypto.randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl as string);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString() },
    dispose: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/**
 * A copy of the checked-in migrations up to MIGRATION, without it or with it: later migrations
 * stay out, so this test keeps testing this one step.
 */
function migrationsUpTo(work: string, withIt: boolean): string {
  const names = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d{14}_/.test(name))
    .sort();
  expect(names).toContain(MIGRATION);
  const copy = path.join(work, withIt ? 'through' : 'before');
  fs.mkdirSync(copy);
  fs.copyFileSync(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), path.join(copy, 'migration_lock.toml'));
  for (const name of names.filter((name) => name < MIGRATION || (withIt && name === MIGRATION))) {
    fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(copy, name), { recursive: true });
  }
  return copy;
}

async function tablesOf(db: AdminDatabase): Promise<string[]> {
  const rows = await db.prisma.$queryRaw<{ tablename: string }[]>`
    SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`;
  return rows.map((row) => row.tablename);
}

async function columnsOf(db: AdminDatabase, table: string): Promise<string[]> {
  const rows = await db.prisma.$queryRaw<{ column_name: string }[]>`
    SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}
    ORDER BY column_name`;
  return rows.map((row) => row.column_name);
}

const KINDS: ('embedded' | 'postgres')[] = serverUrl ? ['embedded', 'postgres'] : ['embedded'];

describe.each(KINDS)(`${MIGRATION} on the %s database`, (kind) => {
  let work: string;
  let target: { config: DatabaseConfig; dispose(): Promise<void> };
  let db: AdminDatabase | undefined;

  beforeEach(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-migration-test-'));
    target = await freshDatabase(kind);
    db = await openDatabase(target.config);
  }, SLOW);
  afterEach(async () => {
    await db?.close();
    await target?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }, SLOW);

  test(
    'a database in use under the previous migrations upgrades: that table and the column go, every other table and row stays',
    async () => {
      if (!db) throw new Error('the database did not open');
      expect((await db.migrateToLatest({ migrationsDir: migrationsUpTo(work, false) })).applied).not.toContain(
        MIGRATION,
      );
      // Rows as the first version could have left them: a code for an admin, a challenge naming it.
      const adminId = crypto.randomUUID();
      const codeId = crypto.randomUUID();
      const challengeId = crypto.randomUUID();
      await db.prisma.$executeRaw`INSERT INTO "admins" ("id", "display_name") VALUES (${adminId}::uuid, 'Ada Admin')`;
      await db.prisma.$executeRaw`INSERT INTO "admin_recovery_codes" ("id", "admin_id", "code_hash")
      VALUES (${codeId}::uuid, ${adminId}::uuid, ${new Uint8Array(32).fill(7)})`;
      await db.prisma
        .$executeRaw`INSERT INTO "webauthn_challenges" ("id", "challenge", "purpose", "admin_id", "recovery_code_id", "expires_at")
      VALUES (${challengeId}::uuid, 'challenge-1', 'register', ${adminId}::uuid, ${codeId}::uuid, now() + interval '5 minutes')`;
      expect(await columnsOf(db, 'webauthn_challenges')).toContain('recovery_code_id');
      const tablesBefore = await tablesOf(db);
      expect(tablesBefore).toContain('admin_recovery_codes');

      const through = migrationsUpTo(work, true);
      expect(await db.migrateToLatest({ migrationsDir: through })).toEqual({ applied: [MIGRATION] });

      expect(await tablesOf(db)).toEqual(tablesBefore.filter((table) => table !== 'admin_recovery_codes'));
      expect(await columnsOf(db, 'webauthn_challenges')).not.toContain('recovery_code_id');
      expect(await db.prisma.admin.findMany({ select: { id: true, displayName: true } })).toEqual([
        { id: adminId, displayName: 'Ada Admin' },
      ]);
      expect(await db.prisma.webAuthnChallenge.findMany({ select: { id: true, adminId: true } })).toEqual([
        { id: challengeId, adminId },
      ]);
      const status = await db.migrationStatus({ migrationsDir: through });
      expect(status).toMatchObject({ pending: [], failed: [], edited: [], drift: null, upToDate: true });
    },
    SLOW,
  );
});
