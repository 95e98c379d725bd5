// @ts-check
// The admin app's server settings, validated at start by scripts/serve-next.mjs.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { openDatabaseServer } from './src/server/db/database-server.mjs';
import { applyPendingMigrations } from './src/server/db/migrations.mjs';
import { roleOfUrl, setUpAppRoleFromUrls } from './src/server/db/database-roles.mjs';
import { MasterKeyError, masterKeySourceFrom } from './src/server/org/master-key.mjs';
import { LOG_LEVELS, adminLog, createAdminLogger, useAdminLogger } from './src/server/log.mjs';
import { LooseFileModesError, assertOwnerOnly } from './src/server/owner-only-files.mjs';

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
  .refine(
    (value) => URL.canParse(value) && new URL(value).origin === value,
    'expected an origin only (scheme://host[:port]), with no path',
  );

const relayUrls = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((url) => url.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.url({
        protocol: /^https?$/,
        message: 'expected comma-separated http(s) base URLs of relays, such as http://127.0.0.1:3002',
      }),
    ),
  );

const adminEnvironment = z.object({
  ADMIN_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
  ADMIN_PORT: z.coerce
    .number({ message: portMessage })
    .int(portMessage)
    .min(0, portMessage)
    .max(65_535, portMessage)
    .default(3001),
  /** PostgreSQL in production; when unset, the embedded database in ADMIN_DB_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, message: 'expected a postgresql:// connection URL' }).optional(),
  /**
   * The role that owns the schema and runs the migrations (docs/decisions/0008-audit-log.md);
   * DATABASE_URL is then the app's role, granted only what the app needs at every start.
   * Unset: DATABASE_URL runs the migrations too (one role, as before).
   */
  ADMIN_MIGRATION_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, message: 'expected a postgresql:// connection URL' })
    .optional(),
  /** Relative to the working directory (the repository root under `npm start` and in the image). */
  ADMIN_DB_DIR: z.string().min(1).default(path.join('.data', 'admin-db')),
  /** pino's levels, as the relay's RELAY_LOG_LEVEL. */
  ADMIN_LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /**
   * The admin app's origin as browsers reach it: the WebAuthn origin, the setup link, the relay
   * configuration's revocation list URL. Default http://localhost:<ADMIN_PORT>: passkeys need a
   * domain name (WebAuthn refuses an IP address as relying party id), and localhost is one.
   */
  ADMIN_PUBLIC_URL: origin.optional(),
  /** WebAuthn relying party id; default: the host name of ADMIN_PUBLIC_URL. */
  ADMIN_RP_ID: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'expected a domain name such as admin.example.org')
    .optional(),
  /** Relays to push every new revocation list to (docs/protocol/relay.md §7). */
  ADMIN_RELAY_URLS: relayUrls.default([]),
  /** How long an attestation is valid; devices renew before then (attestations.md §2.2: at most 31 days). */
  ADMIN_ATTESTATION_LIFETIME_HOURS: integer(1, 744, 168, 'a number of hours'),
  ADMIN_ENROLMENT_CODE_LIFETIME_HOURS: integer(1, 168, 24, 'a number of hours'),
  /**
   * How long each signed revocation list announces itself valid (its next update, attestations.md
   * §3.5); the app signs the next one at half-life (admin-api.md §6.4). At most 7 days (the format's
   * bound); at least 2 minutes, so that a test can watch a list go stale.
   */
  ADMIN_REVOCATION_LIST_VALIDITY_SECONDS: integer(120, 7 * 86_400, 86_400, 'a number of seconds'),
  /**
   * How long each Privacy Pass issuer key signs token requests (docs/protocol/admin-api.md §11.1);
   * its tokens are accepted 7 days more. At least 2: with 1-day keys, a week of still-accepted keys
   * plus the current and the next one would not fit the token key set (MAX_TOKEN_KEYS = 8).
   */
  ADMIN_TOKEN_KEY_ISSUE_DAYS: integer(2, 30, 7, 'a number of days'),
  /**
   * Directory limits (docs/protocol/admin-api.md §8), sliding windows, all counted together. Sized
   * so that one compromised member, whatever number of devices they hold, learns at most 100
   * addresses a day (73,000 would take two years), while a member who looks up a handful of new
   * colleagues a day, or creates a large group in one sitting, never meets one. Per device per hour:
   */
  ADMIN_DIRECTORY_LOOKUPS_PER_HOUR: integer(1, 10_000, 20, 'a number of look-ups'),
  /** Per member, all their devices together, per hour and per 24 hours (the daily cap). */
  ADMIN_DIRECTORY_MEMBER_LOOKUPS_PER_HOUR: integer(1, 10_000, 30, 'a number of look-ups'),
  ADMIN_DIRECTORY_MEMBER_LOOKUPS_PER_DAY: integer(1, 100_000, 100, 'a number of look-ups'),
  /** Organisation-wide ceilings: several compromised members together. Raise for large organisations. */
  ADMIN_DIRECTORY_ORG_LOOKUPS_PER_HOUR: integer(1, 1_000_000, 1000, 'a number of look-ups'),
  ADMIN_DIRECTORY_ORG_LOOKUPS_PER_DAY: integer(1, 10_000_000, 5000, 'a number of look-ups'),
  /** Refused look-ups of one member within 24 hours past which their directory access is suspended. */
  ADMIN_DIRECTORY_SUSPEND_AFTER_REFUSED: integer(1, 10_000, 20, 'a number of refused look-ups'),
  /**
   * No directory answer leaves before this many milliseconds after the request began, so that
   * existing and unknown addresses take the same time (bench-results/directory.md measures it).
   */
  ADMIN_DIRECTORY_ANSWER_FLOOR_MS: integer(0, 5000, 100, 'a number of milliseconds'),
  /**
   * GET /metrics is served to loopback peers only, unless this bearer token (at least 32
   * characters: openssl rand -hex 32) is set: then to whoever presents it.
   */
  ADMIN_METRICS_TOKEN: z.string().min(32, 'expected at least 32 characters (openssl rand -hex 32)').optional(),
  /**
   * Behind a reverse proxy: the request header that carries the client's address (such as
   * X-Forwarded-For or X-Real-IP). Off by default: the TCP peer is the client. Believed only when
   * the peer is one of ADMIN_TRUSTED_PROXIES.
   */
  ADMIN_TRUSTED_PROXY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'expected a header name such as X-Forwarded-For')
    .transform((v) => v.toLowerCase())
    .optional(),
  /** The proxies whose ADMIN_TRUSTED_PROXY_HEADER is believed: comma-separated IP addresses. */
  ADMIN_TRUSTED_PROXIES: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.union([z.ipv4(), z.ipv6()], { message: 'expected comma-separated IP addresses of the reverse proxies' }),
      ),
    )
    .default(['127.0.0.1', '::1']),
});

/**
 * @typedef {object} AdminServerConfig
 * @property {string} host
 * @property {number} port
 * @property {string | undefined} databaseUrl
 * @property {string | undefined} migrationDatabaseUrl the owner's connection, when not DATABASE_URL's
 * @property {string} embeddedDatabaseDir
 * @property {string} logLevel
 * @property {string} publicUrl
 * @property {string} rpId
 * @property {import('./src/server/org/master-key.mjs').MasterKeySource} masterKey
 * @property {string[]} relayUrls
 * @property {number} attestationLifetimeSeconds
 * @property {number} enrolmentCodeLifetimeSeconds
 * @property {number} revocationListValiditySeconds next update minus issue time of each signed revocation list
 * @property {number} tokenKeyIssueSeconds how long each token issuer key issues (ADMIN_TOKEN_KEY_ISSUE_DAYS)
 * @property {number} directoryLookupsPerHour
 * @property {{ memberPerHour: number, memberPerDay: number, orgPerHour: number, orgPerDay: number, suspendAfterRefused: number, answerFloorMs: number }} directory
 * @property {Uint8Array | undefined} metricsTokenDigest SHA-256 of ADMIN_METRICS_TOKEN (the token itself is not kept)
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
    migrationDatabaseUrl: data.DATABASE_URL ? data.ADMIN_MIGRATION_DATABASE_URL : undefined,
    logLevel: data.ADMIN_LOG_LEVEL,
    publicUrl,
    rpId: data.ADMIN_RP_ID ?? new URL(publicUrl).hostname,
    masterKey,
    relayUrls: data.ADMIN_RELAY_URLS,
    attestationLifetimeSeconds: data.ADMIN_ATTESTATION_LIFETIME_HOURS * 3600,
    enrolmentCodeLifetimeSeconds: data.ADMIN_ENROLMENT_CODE_LIFETIME_HOURS * 3600,
    revocationListValiditySeconds: data.ADMIN_REVOCATION_LIST_VALIDITY_SECONDS,
    tokenKeyIssueSeconds: data.ADMIN_TOKEN_KEY_ISSUE_DAYS * 86_400,
    directoryLookupsPerHour: data.ADMIN_DIRECTORY_LOOKUPS_PER_HOUR,
    directory: {
      memberPerHour: data.ADMIN_DIRECTORY_MEMBER_LOOKUPS_PER_HOUR,
      memberPerDay: data.ADMIN_DIRECTORY_MEMBER_LOOKUPS_PER_DAY,
      orgPerHour: data.ADMIN_DIRECTORY_ORG_LOOKUPS_PER_HOUR,
      orgPerDay: data.ADMIN_DIRECTORY_ORG_LOOKUPS_PER_DAY,
      suspendAfterRefused: data.ADMIN_DIRECTORY_SUSPEND_AFTER_REFUSED,
      answerFloorMs: data.ADMIN_DIRECTORY_ANSWER_FLOOR_MS,
    },
    metricsTokenDigest:
      data.ADMIN_METRICS_TOKEN === undefined
        ? undefined
        : new Uint8Array(createHash('sha256').update(data.ADMIN_METRICS_TOKEN).digest()),
    trustedProxyHeader: data.ADMIN_TRUSTED_PROXY_HEADER,
    trustedProxies: data.ADMIN_TRUSTED_PROXIES,
  };
}

/**
 * @param {{ databaseUrl: string | undefined, embeddedDatabaseDir: string }} config
 * @returns {import('./src/server/db/database-config.mjs').DatabaseConfig}
 */
export function databaseConfig(config) {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'embedded', dir: config.embeddedDatabaseDir };
}

/**
 * Run by scripts/serve-next.mjs before the app serves: refuses a data folder or key file that is
 * not this user's alone, makes the embedded default's key, brings the database to the current
 * schema (prisma migrate deploy), then lets it go; the app opens it on first use
 * (src/server/db/instance.ts). Throws ConfigError (one line, naming the path and the fix).
 * @param {AdminServerConfig} config
 * @param {{ log?: import('pino').Logger }} [options] the process's logger (default: pino on stdout)
 */
export async function prepare(config, options = {}) {
  useAdminLogger(options.log ?? createAdminLogger({ level: config.logLevel }));
  const log = adminLog();
  // Whatever this process creates from here on (the database, its key, Next.js's caches) is its
  // user's alone, whatever umask it was started with.
  process.umask(0o077);
  try {
    // Before anything is created or opened: a loose folder may already have been read or changed.
    if (!config.databaseUrl) assertOwnerOnly(config.embeddedDatabaseDir, { variable: 'ADMIN_DB_DIR' });
    if (config.masterKey.kind !== 'env') config.masterKey.read();
  } catch (error) {
    if (error instanceof LooseFileModesError || error instanceof MasterKeyError)
      throw new ConfigError(`${error.variable}: ${error.message}`);
    throw error;
  }
  if (config.masterKey.kind === 'embedded-file') {
    const advice = config.masterKey.movingAdvice();
    if (advice) log.warn({ event: 'master_key.inside_data_folder' }, advice);
    else
      log.info(
        { event: 'master_key.embedded' },
        `organisation keys are sealed under the master key in ${config.masterKey.file} (set ADMIN_MASTER_KEY_FILE on another volume in production)`,
      );
  }
  // Only ever run unbundled, by node itself, so import.meta.dirname is the file's folder.
  const migrationsDir = path.resolve(import.meta.dirname, '../../prisma/migrations');
  const migrationConfig = config.migrationDatabaseUrl
    ? { kind: 'postgres', url: config.migrationDatabaseUrl }
    : databaseConfig(config);
  const server = await openDatabaseServer(
    /** @type {import('./src/server/db/database-config.mjs').DatabaseConfig} */ (migrationConfig),
  );
  try {
    const { applied } = await applyPendingMigrations(server, { migrationsDir });
    log.info(
      { event: 'database.ready', applied },
      `database ${server.description} is up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`,
    );
  } finally {
    await server.close();
  }
  // Two roles: the owner (re-)grants the app's role, so that tables a migration just made are
  // covered and nothing more was granted meanwhile (docs/decisions/0008-audit-log.md).
  if (
    config.migrationDatabaseUrl &&
    config.databaseUrl &&
    roleOfUrl(config.migrationDatabaseUrl) !== roleOfUrl(config.databaseUrl)
  ) {
    const done = await setUpAppRoleFromUrls(config.migrationDatabaseUrl, config.databaseUrl);
    log.info(
      { event: 'database.app_role', created: done.created, tables: done.tables },
      `database role ${roleOfUrl(config.databaseUrl)} may use the rows of ${done.tables} tables; the audit tables insert and select only`,
    );
  }
}

/**
 * Headers scripts/serve-next.mjs sets on every response, from the runtime configuration: HSTS
 * (RFC 6797, two years) only when the public URL is https, since browsers that reach the app
 * over plain http (localhost) must not be told to refuse it. The page CSP needs a nonce per
 * response, so proxy.ts sets it; the fixed headers are in next.config.ts.
 * @param {Pick<AdminServerConfig, 'publicUrl'>} config
 * @returns {Record<string, string>}
 */
export function responseHeaders(config) {
  return new URL(config.publicUrl).protocol === 'https:'
    ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' }
    : {};
}
