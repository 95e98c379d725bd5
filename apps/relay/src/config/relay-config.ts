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

const origins = z
  .string()
  .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
  .pipe(
    z.array(
      z.url({ message: 'expected a comma-separated list of origins such as http://127.0.0.1:3000' }).refine(
        (origin) => URL.canParse(origin) && new URL(origin).origin === origin,
        'expected origins only (scheme://host[:port]), with no path or trailing slash',
      ),
    ),
  );

const relayEnvironment = z.object({
  RELAY_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
  RELAY_PORT: port(3002),
  RELAY_ALLOWED_ORIGINS: origins.default(['http://127.0.0.1:3000', 'http://localhost:3000']),
  RELAY_MAX_FRAME_BYTES: z.coerce
    .number({ message: 'expected a byte count between 1024 and 16777216' })
    .int('expected a byte count between 1024 and 16777216')
    .min(1024, 'expected a byte count between 1024 and 16777216')
    .max(16 * 1024 * 1024, 'expected a byte count between 1024 and 16777216')
    .default(256 * 1024),
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
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
