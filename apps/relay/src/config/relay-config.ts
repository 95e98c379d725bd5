import { z } from 'zod';

/**
 * The relay's settings, all from environment variables (documented in .env.example). They are
 * validated once at start; a bad value stops the relay with one line naming the variable.
 */
const port = (fallback: number) =>
  z.coerce
    .number({ message: 'expected a TCP port number (0-65535, 0 picks a free one)' })
    .int('expected a TCP port number (0-65535, 0 picks a free one)')
    .min(0, 'expected a TCP port number (0-65535, 0 picks a free one)')
    .max(65_535, 'expected a TCP port number (0-65535, 0 picks a free one)')
    .default(fallback);

/** `a, b,,c` → ['a', 'b', 'c']. */
const commaSeparated = (value: string): string[] =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

const origins = z
  .string()
  .transform(commaSeparated)
  .pipe(
    z.array(
      z
        .url({ message: 'expected a comma-separated list of origins such as http://127.0.0.1:3000' })
        .refine(
          (origin) => URL.canParse(origin) && new URL(origin).origin === origin,
          'expected origins only (scheme://host[:port]), with no path or trailing slash',
        ),
    ),
  );

const integer = (min: number, max: number, fallback: number, what: string) => {
  const message = `expected ${what} between ${min} and ${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message).default(fallback);
};

const DAY = 24 * 3600;

const hexBytes = (length: number, message: string) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${2 * length}}$`), message)
    .transform((hex) => new Uint8Array(Buffer.from(hex, 'hex')));

const orgPublicKeys = z
  .string()
  .transform(commaSeparated)
  .pipe(
    z
      .array(hexBytes(32, 'expected Ed25519 public keys of 64 hexadecimal characters each, comma-separated'))
      .min(1, 'expected at least one key'),
  );

const relayEnvironment = z
  .object({
    RELAY_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
    RELAY_PORT: port(3002),
    RELAY_ALLOWED_ORIGINS: origins.default(['http://127.0.0.1:3000', 'http://localhost:3000']),
    RELAY_MAX_FRAME_BYTES: z.coerce
      .number({ message: 'expected a byte count between 1024 and 16777216' })
      .int('expected a byte count between 1024 and 16777216')
      .min(1024, 'expected a byte count between 1024 and 16777216')
      .max(16 * 1024 * 1024, 'expected a byte count between 1024 and 16777216')
      .default(256 * 1024),
    // Anonymous access (docs/protocol/relay.md §3.2, access-tokens.md) and revocation (§7): the
    // organisation's key signs the token key set and the revocation list. Unset: nobody can connect.
    RELAY_ORG_ID: hexBytes(16, 'expected the organisation id: 32 hexadecimal characters').optional(),
    RELAY_ORG_PUBLIC_KEYS: orgPublicKeys.optional(),
    // The organisation document (admin-api.md §9.1): the key statements a rotation is followed by.
    RELAY_ORG_URL: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    RELAY_ORG_REFRESH_SECONDS: integer(5, DAY, 1800, 'a number of seconds'),
    RELAY_REVOCATION_LIST_URL: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    RELAY_REVOCATION_REFRESH_SECONDS: integer(5, DAY, 60, 'a number of seconds'),
    RELAY_TOKEN_KEYS_URL: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    RELAY_TOKEN_KEYS_REFRESH_SECONDS: integer(5, DAY, 600, 'a number of seconds'),
    // The names clients dial this relay by (host[:port]); tokens are bound to one of them. Unset:
    // 127.0.0.1:<port> and localhost:<port>, the embedded default's.
    RELAY_TOKEN_ORIGINS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/,
                'expected host names with an optional port, comma-separated (relay.example:8443)',
              ),
          )
          .min(1, 'expected at least one host name'),
      )
      .optional(),
    // Storage (relay.md §9).
    RELAY_STORE: z.enum(['memory', 'redis'], { message: 'expected "memory" or "redis"' }).default('memory'),
    REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'expected a redis:// or rediss:// URL' }).optional(),
    RELAY_REDIS_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_:.-]')
      .default('odr:'),
    // Redis Sentinel instead of REDIS_URL (relay.md §9.1): the sentinels' host:port list and the name
    // they monitor the primary under; the relay follows the primary they name through a failover.
    RELAY_REDIS_SENTINELS: z
      .string()
      .transform(commaSeparated)
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^[a-z0-9.-]+:\d{1,5}$|^\[[0-9a-f:.]+\]:\d{1,5}$/i,
                'expected host:port entries, comma-separated (10.0.0.5:26379)',
              ),
          )
          .min(1, 'expected at least one host:port'),
      )
      .optional(),
    RELAY_REDIS_SENTINEL_NAME: z
      .string()
      .regex(/^[\w.-]{1,64}$/, "expected the primary's name as the sentinels know it (1-64 of [A-Za-z0-9_.-])")
      .optional(),
    // Passwords of the primary and replicas (Sentinel mode; REDIS_URL carries its own) and of the sentinels.
    RELAY_REDIS_PASSWORD: z.string().optional(),
    RELAY_REDIS_SENTINEL_PASSWORD: z.string().optional(),
    // A write is acknowledged to a client only once this many replicas hold it (Redis WAIT), so a
    // failover cannot lose it (relay.md §9.1). 0: as soon as the primary has it.
    RELAY_REDIS_MIN_REPLICAS: integer(0, 16, 0, 'a count of replicas'),
    // Lifetimes and quotas (relay.md §8).
    RELAY_BLOB_TTL_SECONDS: integer(1, 365 * DAY, 3 * DAY, 'a number of seconds'),
    RELAY_BLOB_MAX_TTL_SECONDS: integer(1, 365 * DAY, 14 * DAY, 'a number of seconds'),
    RELAY_QUEUE_IDLE_TTL_SECONDS: integer(1, 365 * DAY, 35 * DAY, 'a number of seconds'),
    RELAY_PREKEY_TTL_SECONDS: integer(1, 365 * DAY, 35 * DAY, 'a number of seconds'),
    RELAY_QUEUE_MAX_MESSAGES: integer(1, 1_000_000, 1_000, 'a count'),
    RELAY_QUEUE_MAX_BYTES: integer(1_024, 1024 ** 3, 4 * 1024 ** 2, 'a byte count'),
    RELAY_MEMORY_MAX_BYTES: integer(1024 ** 2, 64 * 1024 ** 3, 256 * 1024 ** 2, 'a byte count'),
    // Live shared blobs (relay.md §3.13), in either store: at least one whole blob.
    RELAY_SHARED_MAX_BYTES: integer(64 * 1024, 64 * 1024 ** 3, 256 * 1024 ** 2, 'a byte count'),
    // Attachments (relay.md §3.15): the bytes go to files under RELAY_ATTACHMENT_DIR (unset: a fresh
    // private folder under the system's temporary directory), the largest *file* (before padding and
    // tags), the bytes all live uploads may reserve, and their TTLs (as the blob TTLs, §8.2).
    RELAY_ATTACHMENT_DIR: z.string().min(1, 'expected a directory path').optional(),
    RELAY_ATTACHMENT_MAX_BYTES: integer(1024, 4 * 1024 ** 3, 100 * 1024 ** 2, 'a byte count'),
    RELAY_ATTACHMENT_STORE_MAX_BYTES: integer(1024 ** 2, 1024 ** 5, 10 * 1024 ** 3, 'a byte count'),
    RELAY_ATTACHMENT_TTL_SECONDS: integer(1, 365 * DAY, 3 * DAY, 'a number of seconds'),
    RELAY_ATTACHMENT_MAX_TTL_SECONDS: integer(1, 365 * DAY, 14 * DAY, 'a number of seconds'),
    // Where the attachment bytes go (attachments.md §4.5): files (the default) or an S3-compatible
    // object store. Its credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID and
    // AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from these settings.
    RELAY_ATTACHMENT_STORE: z
      .enum(['filesystem', 's3'], { message: 'expected "filesystem" or "s3"' })
      .default('filesystem'),
    RELAY_S3_ENDPOINT: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    RELAY_S3_REGION: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, 'expected a region name such as us-east-1')
      .default('us-east-1'),
    RELAY_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected a bucket name: 3-63 characters of [a-z0-9.-]')
      .optional(),
    RELAY_S3_PREFIX: z
      .string()
      .regex(/^[\w./-]{1,256}$/, 'expected 1-256 characters of [A-Za-z0-9_./-]')
      .default('opendescent-attachments/'),
    // Unset: path style with an endpoint (MinIO, Ceph, Garage), virtual-hosted style on AWS.
    RELAY_S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'], { message: 'expected "true" or "false"' })
      .transform((value) => value === 'true')
      .optional(),
    // The organisation's TURN server for direct channels (relay.md §3.16, direct.md §8): its
    // turn:/turns: URLs and the shared secret of coturn's `use-auth-secret`. Unset: none is handed out.
    RELAY_TURN_URLS: z
      .string()
      .transform((value) => value.split(',').map((url) => url.trim()))
      .pipe(
        z
          .array(z.string().regex(/^turns?:[^\s]{1,250}$/, 'expected turn: or turns: URLs, comma-separated'))
          .min(1)
          .max(4, 'expected at most 4 TURN URLs'),
      )
      .optional(),
    RELAY_TURN_SECRET: z.string().min(16, 'expected a shared secret of at least 16 characters').optional(),
    RELAY_TURN_CREDENTIAL_SECONDS: integer(60, 86_400, 3_600, 'a number of seconds'),
    RELAY_RATE_PER_SECOND: integer(1, 1_000_000, 50, 'a number of frames per second'),
    RELAY_RATE_BURST: integer(1, 1_000_000, 200, 'a number of frames'),
    RELAY_HELLO_TIMEOUT_SECONDS: integer(1, 600, 10, 'a number of seconds'),
    RELAY_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  })
  .superRefine((env, context) => {
    if ((env.RELAY_ORG_ID === undefined) !== (env.RELAY_ORG_PUBLIC_KEYS === undefined)) {
      const missing = env.RELAY_ORG_ID === undefined ? 'RELAY_ORG_ID' : 'RELAY_ORG_PUBLIC_KEYS';
      context.addIssue({
        code: 'custom',
        path: [missing],
        message: 'expected RELAY_ORG_ID and RELAY_ORG_PUBLIC_KEYS to be set together',
      });
    }
    if ((env.RELAY_TURN_URLS === undefined) !== (env.RELAY_TURN_SECRET === undefined)) {
      const missing = env.RELAY_TURN_URLS === undefined ? 'RELAY_TURN_URLS' : 'RELAY_TURN_SECRET';
      context.addIssue({
        code: 'custom',
        path: [missing],
        message: 'expected RELAY_TURN_URLS and RELAY_TURN_SECRET to be set together',
      });
    }
    if (env.RELAY_STORE === 'redis' && env.REDIS_URL === undefined && env.RELAY_REDIS_SENTINELS === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'expected a redis:// URL (or RELAY_REDIS_SENTINELS) when RELAY_STORE=redis',
      });
    }
    if (env.REDIS_URL !== undefined && env.RELAY_REDIS_SENTINELS !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['RELAY_REDIS_SENTINELS'],
        message: 'expected either REDIS_URL or RELAY_REDIS_SENTINELS, not both',
      });
    }
    if ((env.RELAY_REDIS_SENTINELS === undefined) !== (env.RELAY_REDIS_SENTINEL_NAME === undefined)) {
      const missing = env.RELAY_REDIS_SENTINELS === undefined ? 'RELAY_REDIS_SENTINELS' : 'RELAY_REDIS_SENTINEL_NAME';
      context.addIssue({
        code: 'custom',
        path: [missing],
        message: 'expected RELAY_REDIS_SENTINELS and RELAY_REDIS_SENTINEL_NAME to be set together',
      });
    }
    if (env.RELAY_ATTACHMENT_STORE === 's3' && env.RELAY_S3_BUCKET === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['RELAY_S3_BUCKET'],
        message: 'expected a bucket name when RELAY_ATTACHMENT_STORE=s3',
      });
    }
    if (env.RELAY_BLOB_TTL_SECONDS > env.RELAY_BLOB_MAX_TTL_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['RELAY_BLOB_TTL_SECONDS'],
        message: 'expected at most RELAY_BLOB_MAX_TTL_SECONDS',
      });
    }
    if (env.RELAY_ATTACHMENT_TTL_SECONDS > env.RELAY_ATTACHMENT_MAX_TTL_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['RELAY_ATTACHMENT_TTL_SECONDS'],
        message: 'expected at most RELAY_ATTACHMENT_MAX_TTL_SECONDS',
      });
    }
  });

export type RelayConfig = z.output<typeof relayEnvironment>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the relay's environment; throws a ConfigError naming the first bad variable. */
export function loadRelayConfig(env: Record<string, string | undefined>): RelayConfig {
  const result = relayEnvironment.safeParse(withoutEmptyValues(env));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
}

/** An empty variable (`RELAY_PORT=`) means "use the default", as in most shells' .env files. */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}
