// @ts-check
// The web client's server settings, validated at start by scripts/serve-next.mjs and read by its
// server components. Everything here is public: the browser is told the relay's address.
import { z } from 'zod';

export class ConfigError extends Error {
  /** @override */
  name = 'ConfigError';
}

/** @param {number} fallback */
const port = (fallback) =>
  z.coerce
    .number({ message: 'expected a TCP port number (0-65535, 0 picks a free one)' })
    .int('expected a TCP port number (0-65535, 0 picks a free one)')
    .min(0, 'expected a TCP port number (0-65535, 0 picks a free one)')
    .max(65_535, 'expected a TCP port number (0-65535, 0 picks a free one)')
    .default(fallback);

/** @param {string} fallback */
const baseUrl = (fallback) =>
  z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL such as http://127.0.0.1:3002' })
    .transform((value) => value.replace(/\/+$/, ''))
    .default(fallback);

const webEnvironment = z.object({
  WEB_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
  WEB_PORT: port(3000),
  /** The relay as browsers reach it (not necessarily as this server reaches it). */
  WEB_RELAY_URL: baseUrl('http://127.0.0.1:3002'),
  /** The admin app as browsers reach it: enrolment, renewal, directory, revocation list. */
  WEB_ADMIN_URL: baseUrl('http://127.0.0.1:3001'),
});

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ host: string, port: number, relayUrl: string, adminUrl: string }}
 */
export function loadServerConfig(env) {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = webEnvironment.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
  }
  const { WEB_HOST, WEB_PORT, WEB_RELAY_URL, WEB_ADMIN_URL } = result.data;
  return { host: WEB_HOST, port: WEB_PORT, relayUrl: WEB_RELAY_URL, adminUrl: WEB_ADMIN_URL };
}
