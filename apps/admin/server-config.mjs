// @ts-check
// The admin app's server settings, validated at start by scripts/serve-next.mjs.
import path from 'node:path';
import { z } from 'zod';
import { openDatabaseServer } from './src/server/db/database-server.mjs';
import { applyPendingMigrations } from './src/server/db/migrations.mjs';
import { MasterKeyError, masterKeySourceFrom } from './src/server/org/master-key.mjs';

export class ConfigError extends Error {
  /** @override */
  name = 'ConfigError';
}

const portMessage = 'expected a TCP port number (0-65535, 0 picks a free one)';

/** @param {number} min  @param {number} max  @param {number} fallback  @param {string} what */
const integer = (min, max, fallback, what) => {
  const message = `expected ${what} between ${min} and ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message).default(fallback);
};

const origin = z
  .url({ protocol: /^https?$/, message: 'expected an http(s) origin such as https://admin.example.org' })
  .transform((value) => value.replace(/\/+$/, ''))
  .refine((value) => URL.canParse(value) && new URL(value).origin === value, 'expected an origin only (scheme://host[:port]), with no path');

const relayUrls = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim().replace(/\/+$/, '')).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/, message: 'expected comma-separated http(s) base URLs of relays, such as http://127.0.0.1:3002' })));

const adminEnvironment = z.object({
  ADMIN_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number({ message: portMessage }).int(portMessage).min(0, portMessage).max(65_535, portMessage).default(3001),
  /** PostgreSQL in production; when unset, the embedded database in ADMIN_DB_DIR. */
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, message: 'expected a postgresql:// connection URL' })
    .optional(),
  /** Relative to the working directory (the repository root under `npm start` and in the image). */
  ADMIN_DB_DIR: z.string().min(1).default(path.join('.data', 'admin-db')),
  /**
   * The admin app's origin as browsers reach it: the WebAuthn origin, the setup link, the relay
   * configuration's revocation list URL. Default http://localhost:<ADMIN_PORT>: passkeys need a
   * domain name (WebAuthn refuses an IP address as relying party id), and localhost is one.
   */
  ADMIN_PUBLIC_URL: origin.optional(),
  /** WebAuthn relying party id; default: the host name of ADMIN_PUBLIC_URL. */
  ADMIN_RP_ID: z.string().regex(/^[a-z0-9.-]+$/i, 'expected a domain name such as admin.example.org').optional(),
  /** Relays to push every new revocation list to (docs/protocol/relay.md §7). */
  ADMIN_RELAY_URLS: relayUrls.default([]),
  /** How long an attestation is valid; devices renew before then (attestations.md §2.2: at most 31 days). */
  ADMIN_ATTESTATION_LIFETIME_HOURS: integer(1, 744, 168, 'a number of hours'),
  ADMIN_ENROLMENT_CODE_LIFETIME_HOURS: integer(1, 168, 24, 'a number of hours'),
  /** Per device: the directory answers exact addresses only, and only this many per hour. */
  ADMIN_DIRECTORY_LOOKUPS_PER_HOUR: integer(1, 10_000, 30, 'a number of look-ups'),
  /**
   * Behind a reverse proxy: the request header that carries the client's address (such as
   * X-Forwarded-For or X-Real-IP). Off by default: the TCP peer is the client. Believed only when
   * the peer is one of ADMIN_TRUSTED_PROXIES.
   */
  ADMIN_TRUSTED_PROXY_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a header name such as X-Forwarded-For').transform((v) => v.toLowerCase()).optional(),
  /** The proxies whose ADMIN_TRUSTED_PROXY_HEADER is believed: comma-separated IP addresses. */
  ADMIN_TRUSTED_PROXIES: z
    .string()
    .transform((value) => value.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.union([z.ipv4(), z.ipv6()], { message: 'expected comma-separated IP addresses of the reverse proxies' })))
    .default(['127.0.0.1', '::1']),
});

/**
 * @typedef {object} AdminServerConfig
 * @property {string} host
 * @property {number} port
 * @property {string | undefined} databaseUrl
 * @property {string} embeddedDatabaseDir
 * @property {string} publicUrl
 * @property {string} rpId
 * @property {import('./src/server/org/master-key.mjs').MasterKeySource} masterKey
 * @property {string[]} relayUrls
 * @property {number} attestationLifetimeSeconds
 * @property {number} enrolmentCodeLifetimeSeconds
 * @property {number} directoryLookupsPerHour
 * @property {string | undefined} trustedProxyHeader
 * @property {string[]} trustedProxies
 */

/**
 * @param {Record<string, string | undefined>} env
 * @returns {AdminServerConfig}
 */
export function loadServerConfig(env) {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = adminEnvironment.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
  }
  const data = result.data;
  const database = { databaseUrl: data.DATABASE_URL, embeddedDatabaseDir: path.resolve(data.ADMIN_DB_DIR) };
  let masterKey;
  try {
    masterKey = masterKeySourceFrom(present, database);
  } catch (error) {
    if (error instanceof MasterKeyError) throw new ConfigError(`${error.variable}: ${error.message}`);
    throw error;
  }
  const publicUrl = data.ADMIN_PUBLIC_URL ?? `http://localhost:${data.ADMIN_PORT}`;
  return {
    host: data.ADMIN_HOST,
    port: data.ADMIN_PORT,
    ...database,
    publicUrl,
    rpId: data.ADMIN_RP_ID ?? new URL(publicUrl).hostname,
    masterKey,
    relayUrls: data.ADMIN_RELAY_URLS,
    attestationLifetimeSeconds: data.ADMIN_ATTESTATION_LIFETIME_HOURS * 3600,
    enrolmentCodeLifetimeSeconds: data.ADMIN_ENROLMENT_CODE_LIFETIME_HOURS * 3600,
    directoryLookupsPerHour: data.ADMIN_DIRECTORY_LOOKUPS_PER_HOUR,
    trustedProxyHeader: data.ADMIN_TRUSTED_PROXY_HEADER,
    trustedProxies: data.ADMIN_TRUSTED_PROXIES,
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
 * @param {AdminServerConfig} config
 */
export async function prepare(config) {
  // The embedded default makes its master key file now, so that the first start says where it is.
  if (config.masterKey.kind === 'embedded-file') {
    config.masterKey.read();
    console.log(`admin: organisation keys are sealed under the master key in ${config.masterKey.file} (set ADMIN_MASTER_KEY in production)`);
  }
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
