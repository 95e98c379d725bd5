import type { DatabaseServer } from './database-server.mjs';

export interface MigrationStatus {
  readonly database: string;
  readonly hasMigrationsTable: boolean;
  /** Migration folder names on disk, in order. */
  readonly migrations: string[];
  readonly applied: string[];
  readonly pending: string[];
  /** Recorded in `_prisma_migrations` but absent from the folder. */
  readonly missingFromDisk: string[];
  readonly failed: string[];
  /** Changed on disk after they were applied (checksum mismatch). */
  readonly edited: string[];
  /** SQL from the migrated schema to the database's actual schema; null when none (or not checked). */
  readonly drift: string | null;
  readonly upToDate: boolean;
}

export declare function readMigrationsList(migrationsDir: string): unknown;
export declare function applyPendingMigrations(
  server: DatabaseServer,
  options: { migrationsDir: string },
): Promise<{ applied: string[] }>;
export declare function readMigrationStatus(
  server: DatabaseServer,
  options: { migrationsDir: string },
): Promise<MigrationStatus>;
export declare function createMigration(
  server: DatabaseServer,
  options: { migrationsDir: string; schemaPath: string; name: string; now?: Date },
): Promise<{ created: string | null }>;
export declare function resolveMigration(
  server: DatabaseServer,
  options: { migrationsDir: string; migrationName: string; as: 'rolledBack' | 'applied' },
): Promise<void>;
