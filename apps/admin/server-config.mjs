// @ts-check
// The admin app's server settings, validated at start by scripts/serve-next.mjs.
import path from 'node:path';
import { z } from 'zod';
import { openDatabaseServer } from './src/server/db/database-server.mjs';
import { applyPendingMigrations } from './src/server/db/migrations.mjs';

export class ConfigError extends Error {
  /** @override */
  name = 'ConfigError';
}

const portMessage = 'expected a TCP port number (0-65535, 0 picks a free one)';

const adminEnvironment = z.object({
  ADMIN_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number({ message: portMessage }).int(portMessage).min(0, portMessage).max(65_535, portMessage).default(3001),
  /** PostgreSQL in production; when unset, the embedded database in ADMIN_DB_DIR. */
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, message: 'expected a postgresql:// connection URL' })
    .optional(),
  /** Relative to the working directory (the repository root under `npm start` and in the image). */
  ADMIN_DB_DIR: z.string().min(1).default(path.join('.data', 'admin-db')),
});

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ host: string, port: number, databaseUrl: string | undefined, embeddedDatabaseDir: string }}
 */
export function loadServerConfig(env) {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = adminEnvironment.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
  }
  const { ADMIN_HOST, ADMIN_PORT, DATABASE_URL, ADMIN_DB_DIR } = result.data;
  return {
    host: ADMIN_HOST,
    port: ADMIN_PORT,
    databaseUrl: DATABASE_URL,
    embeddedDatabaseDir: path.resolve(ADMIN_DB_DIR),
  };
}

/**
 * @param {{ databaseUrl: string | undefined, embeddedDatabaseDir: string }} config
 * @returns {import('./src/server/db/database-config.mjs').DatabaseConfig}
 */
export function databaseConfig(config) {
  return config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'embedded', dir: config.embeddedDatabaseDir };
}

/**
 * Run by scripts/serve-next.mjs before the app serves: brings the database to the current schema
 * (prisma migrate deploy), then lets it go; the app opens it on first use (src/server/db/instance.ts).
 * @param {ReturnType<typeof loadServerConfig>} config
 */
export async function prepare(config) {
  // Only ever run unbundled, by node itself, so import.meta.dirname is the file's folder.
  const migrationsDir = path.resolve(import.meta.dirname, '../../prisma/migrations');
  const server = await openDatabaseServer(databaseConfig(config));
  try {
    const { applied } = await applyPendingMigrations(server, { migrationsDir });
    console.log(`admin: database ${server.description} is up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);
  } finally {
    await server.close();
  }
}
