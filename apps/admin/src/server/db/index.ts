// The admin app's database: a PrismaClient bound to PostgreSQL (DATABASE_URL) or to the embedded
// PGlite database, and the migrations that bring either to the current schema. Both kinds speak
// PostgreSQL through @prisma/adapter-pg: one schema (prisma/schema.prisma), one migration history
// (prisma/migrations). Why: docs/decisions/0002-embedded-database.md.
//
// The Prisma client is generated code: run `npm run prisma:generate` before typecheck, tests or
// a build.
//
//   const config = databaseConfigFromEnv(process.env, { baseDir: repoRoot });
//   const db = await openDatabase(config);
//   await db.migrateToLatest({ migrationsDir: path.join(repoRoot, 'prisma/migrations') });
//   await db.prisma.admin.findMany();
//   await db.close();

import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';
import type { DatabaseConfig } from './database-config.mjs';
import { openDatabaseServer } from './database-server.mjs';
import { applyPendingMigrations, readMigrationStatus, type MigrationStatus } from './migrations.mjs';

export type { DatabaseConfig } from './database-config.mjs';
export { databaseConfigFromEnv, DEFAULT_EMBEDDED_DIR } from './database-config.mjs';
export { EmbeddedDatabaseInUseError } from './embedded-postgres.mjs';
export type { MigrationStatus } from './migrations.mjs';
export { PrismaClient };

export interface MigrationsLocation {
  /** The `prisma/migrations` folder (absolute, or relative to the working directory). */
  readonly migrationsDir: string;
}

export interface AdminDatabase {
  readonly prisma: PrismaClient;
  readonly kind: DatabaseConfig['kind'];
  /** Where the database is, for logs; never includes a password. */
  readonly description: string;
  /** Applies pending migrations (`prisma migrate deploy`); returns the names applied. */
  migrateToLatest(location: MigrationsLocation): Promise<{ applied: string[] }>;
  /** Compares the database with the migrations (`prisma migrate status`, plus a drift check). */
  migrationStatus(location: MigrationsLocation): Promise<MigrationStatus>;
  /** Disconnects the client and, for the embedded database, closes it and releases its lock. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Connections to a PostgreSQL server (default 10). The embedded database always has one. */
  readonly poolSize?: number;
}

/**
 * Opens the database `config` names. The embedded database may be open in one process at a
 * time: a second open (in this process or another) throws EmbeddedDatabaseInUseError, so keep
 * one AdminDatabase per process (e.g. on globalThis across Next.js dev reloads).
 */
export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<AdminDatabase> {
  const server = await openDatabaseServer(config);
  const lease = server.openPool({ max: options.poolSize ?? 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(lease.pool) });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    kind: server.kind,
    description: server.description,
    migrateToLatest: ({ migrationsDir }) => applyPendingMigrations(server, { migrationsDir }),
    migrationStatus: ({ migrationsDir }) => readMigrationStatus(server, { migrationsDir }),
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
          await lease.release();
        } finally {
          await server.close();
        }
      })();
      return closing;
    },
  };
}

/**
 * Applies pending migrations and closes the database again: for a start-up step that runs before
 * the server opens the database itself (see tools/prisma/migrate.mjs deploy for the same from a
 * shell).
 */
export async function migrateToLatest(
  config: DatabaseConfig,
  location: MigrationsLocation,
): Promise<{ applied: string[] }> {
  const server = await openDatabaseServer(config);
  try {
    return await applyPendingMigrations(server, location);
  } finally {
    await server.close();
  }
}
