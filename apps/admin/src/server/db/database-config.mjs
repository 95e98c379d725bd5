// Which database the admin app uses, as plain data. The environment is read by the caller (the
// app's entry point or the CLI) and handed in; nothing below reaches for process.env.

import path from 'node:path';

/** Where the embedded database lives when nothing says otherwise, relative to the repository root. */
export const DEFAULT_EMBEDDED_DIR = '.data/admin-db';

/**
 * DATABASE_URL set and non-empty: that PostgreSQL server. Otherwise the embedded database in
 * ADMIN_DB_DIR (default `.data/admin-db`), a relative path being taken from `baseDir`.
 * @param {{ DATABASE_URL?: string, ADMIN_DB_DIR?: string }} env
 * @param {{ baseDir: string }} options
 */
export function databaseConfigFromEnv(env, { baseDir }) {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: 'postgres', url };
  const dir = env.ADMIN_DB_DIR?.trim() || DEFAULT_EMBEDDED_DIR;
  return { kind: 'embedded', dir: path.resolve(baseDir, dir) };
}

/**
 * The connection that runs migrations: ADMIN_MIGRATION_DATABASE_URL, the role that owns the
 * schema (docs/decisions/0008-audit-log.md), falling back to DATABASE_URL for deployments that
 * use one role for both; otherwise as databaseConfigFromEnv.
 * @param {{ DATABASE_URL?: string, ADMIN_MIGRATION_DATABASE_URL?: string, ADMIN_DB_DIR?: string }} env
 * @param {{ baseDir: string }} options
 */
export function migrationDatabaseConfigFromEnv(env, options) {
  const owner = env.ADMIN_MIGRATION_DATABASE_URL?.trim();
  if (owner) return { kind: 'postgres', url: owner };
  return databaseConfigFromEnv(env, options);
}
