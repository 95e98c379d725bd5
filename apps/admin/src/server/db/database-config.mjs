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
