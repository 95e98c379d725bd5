// One suite for every kind of admin database (embedded PGlite, PostgreSQL server): the same
// migrations and the same client code must behave the same on both.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type AdminDatabase, type DatabaseConfig } from '../../src/server/db';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../../prisma/migrations');
export const SCHEMA_PATH = path.resolve(__dirname, '../../../../prisma/schema.prisma');

/** Starting an embedded database and replaying migrations takes seconds, not milliseconds. */
export const SLOW = 120_000;

export interface DatabaseUnderTest {
  readonly config: DatabaseConfig;
  /** Removes whatever the database left behind (its directory, the throwaway database). */
  dispose(): Promise<void>;
}

export function adminDatabaseSuite(makeDatabase: () => Promise<DatabaseUnderTest>): void {
  let target: DatabaseUnderTest;
  let opened: AdminDatabase | undefined;
  const db = (): AdminDatabase => {
    if (!opened) throw new Error('the first test opens the database; run the suite as a whole');
    return opened;
  };

  beforeAll(async () => {
    target = await makeDatabase();
  }, SLOW);

  afterAll(async () => {
    await opened?.close();
    await target?.dispose();
  }, SLOW);

  test(
    'an empty database reports the initial migration as pending',
    async () => {
      opened = await openDatabase(target.config);
      const status = await db().migrationStatus({ migrationsDir: MIGRATIONS_DIR });
      expect(status.hasMigrationsTable).toBe(false);
      expect(status.migrations.length).toBeGreaterThan(0);
      expect(status.pending).toEqual(status.migrations);
      expect(status.upToDate).toBe(false);
    },
    SLOW,
  );

  test(
    'migrateToLatest applies every migration from empty, in order',
    async () => {
      const status = await db().migrationStatus({ migrationsDir: MIGRATIONS_DIR });
      const { applied } = await db().migrateToLatest({ migrationsDir: MIGRATIONS_DIR });
      expect(applied).toEqual(status.migrations);
    },
    SLOW,
  );

  test(
    'status is up to date after migrating, with no drift',
    async () => {
      const status = await db().migrationStatus({ migrationsDir: MIGRATIONS_DIR });
      expect(status).toMatchObject({
        hasMigrationsTable: true,
        pending: [],
        failed: [],
        edited: [],
        drift: null,
        upToDate: true,
      });
      expect(status.applied).toEqual(status.migrations);
    },
    SLOW,
  );

  test(
    'migrateToLatest on an up-to-date database applies nothing',
    async () => {
      expect(await db().migrateToLatest({ migrationsDir: MIGRATIONS_DIR })).toEqual({ applied: [] });
    },
    SLOW,
  );

  test(
    '_prisma_migrations is kept as native Prisma keeps it (sha256 checksum, finished, one step)',
    async () => {
      const rows = await db().prisma.$queryRaw<
        {
          migration_name: string;
          checksum: string;
          finished: boolean;
          applied_steps_count: number;
          rolled_back_at: Date | null;
        }[]
      >`SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count, rolled_back_at
      FROM _prisma_migrations ORDER BY migration_name`;
      const status = await db().migrationStatus({ migrationsDir: MIGRATIONS_DIR });
      expect(rows.map((row) => row.migration_name)).toEqual(status.migrations);
      for (const row of rows) {
        const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(crypto.createHash('sha256').update(sql).digest('hex'));
        expect(row).toMatchObject({ finished: true, applied_steps_count: 1, rolled_back_at: null });
      }
    },
    SLOW,
  );

  test(
    'an admin and an audit event round-trip through the generated client',
    async () => {
      const admin = await db().prisma.admin.create({ data: { displayName: 'Ada Lovelace' } });
      expect(admin.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(admin.createdAt).toBeInstanceOf(Date);

      const detail = { enrolmentCode: 'redacted', nested: { devices: 2, tags: ['a', 'b'] } };
      await db().prisma.auditEvent.create({ data: { actor: `admin:${admin.id}`, action: 'admin.created', detail } });

      const found = await db().prisma.admin.findUniqueOrThrow({ where: { id: admin.id } });
      expect(found).toEqual(admin);
      const events = await db().prisma.auditEvent.findMany({ where: { actor: `admin:${admin.id}` } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'admin.created', detail });
    },
    SLOW,
  );

  test(
    'a failed statement leaves the connection usable for the next query',
    async () => {
      const admin = await db().prisma.admin.create({ data: { displayName: 'Duplicate' } });
      await expect(db().prisma.admin.create({ data: { id: admin.id, displayName: 'Again' } })).rejects.toMatchObject({
        code: 'P2002',
      });
      await expect(db().prisma.admin.count({ where: { id: admin.id } })).resolves.toBe(1);
    },
    SLOW,
  );

  test(
    'a transaction that throws stores nothing',
    async () => {
      const before = await db().prisma.auditEvent.count();
      await expect(
        db().prisma.$transaction(async (tx) => {
          await tx.auditEvent.create({ data: { actor: 'system', action: 'test.rolled_back', detail: {} } });
          throw new Error('abort on purpose');
        }),
      ).rejects.toThrow('abort on purpose');
      expect(await db().prisma.auditEvent.count()).toBe(before);
    },
    SLOW,
  );

  test(
    'the audit log is append-only: the database refuses UPDATE, DELETE and TRUNCATE',
    async () => {
      const event = await db().prisma.auditEvent.create({
        data: { actor: 'system', action: 'test.append_only', detail: {} },
      });
      await expect(
        db().prisma.auditEvent.update({ where: { id: event.id }, data: { action: 'test.rewritten' } }),
      ).rejects.toThrow(/append-only/);
      await expect(db().prisma.auditEvent.delete({ where: { id: event.id } })).rejects.toThrow(/append-only/);
      await expect(db().prisma.$executeRawUnsafe('TRUNCATE "audit_events"')).rejects.toThrow(/append-only/);
      expect(await db().prisma.auditEvent.findUnique({ where: { id: event.id } })).toMatchObject({
        action: 'test.append_only',
      });
    },
    SLOW,
  );

  test(
    'revocation list versions only go up, and a stored list is never rewritten',
    async () => {
      const list = (version: number) => ({
        version,
        issuedAt: new Date(),
        orgKeyId: new Uint8Array(8),
        bytes: new Uint8Array([version]),
      });
      await db().prisma.revocationList.create({ data: list(5) });
      await expect(db().prisma.revocationList.create({ data: list(4) })).rejects.toThrow(/does not go up/);
      await expect(
        db().prisma.revocationList.update({ where: { version: 5 }, data: { bytes: new Uint8Array([9]) } }),
      ).rejects.toThrow(/never rewritten/);
      await db().prisma.revocationList.create({ data: list(6) });
      expect(
        (await db().prisma.revocationList.findMany({ orderBy: { version: 'asc' } })).map((row) => row.version),
      ).toEqual([5, 6]);
    },
    SLOW,
  );

  test(
    'there is one organisation row at most',
    async () => {
      await expect(db().prisma.organisation.create({ data: { id: 2, orgId: new Uint8Array(16) } })).rejects.toThrow(
        /organisation_single_row/,
      );
    },
    SLOW,
  );

  test(
    'drift made outside the migrations is reported by status',
    async () => {
      await db().prisma.$executeRawUnsafe('ALTER TABLE "admins" ADD COLUMN "unmigrated" TEXT');
      try {
        const status = await db().migrationStatus({ migrationsDir: MIGRATIONS_DIR });
        expect(status.upToDate).toBe(false);
        expect(status.pending).toEqual([]);
        expect(status.drift).toContain('"unmigrated"');
      } finally {
        await db().prisma.$executeRawUnsafe('ALTER TABLE "admins" DROP COLUMN "unmigrated"');
      }
    },
    SLOW,
  );
}
