// @ts-check
// The web client's server settings, validated at start by scripts/serve-next.mjs and read per
// request by the page (pages/index.tsx hands the public part to the browser as page props).
// Everything here is public: the browser is told the relays' and the admin app's addresses.
import { z } from 'zod';

export class ConfigError extends Error {
  /** @override */
  name = 'ConfigError';
}

const portMessage = 'expected a TCP port number (0-65535, 0 picks a free one)';
const urlMessage = 'expected an http(s) URL such as http://127.0.0.1:3002';
const MAX_RELAYS = 16;

const baseUrl = z.url({ protocol: /^https?$/, message: urlMessage }).transform((value) => value.replace(/\/+$/, ''));

const relayUrlList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.url({ protocol: /^https?$/, message: 'expected comma-separated http(s) URLs such as http://127.0.0.1:3002' }),
      )
      .min(1, 'expected at least one http(s) URL')
      .max(MAX_RELAYS, `expected at most ${MAX_RELAYS} relays`),
  )
  .transform((urls) => [...new Set(urls.map((url) => url.replace(/\/+$/, '')))]);

const webEnvironment = z.object({
  WEB_HOST: z.string().min(1, 'expected a host name or address to listen on').default('127.0.0.1'),
  WEB_PORT: z.coerce
    .number({ message: portMessage })
    .int(portMessage)
    .min(0, portMessage)
    .max(65_535, portMessage)
    .default(3000),
  /** The relays as browsers reach them (not necessarily as this server reaches them). Wins over WEB_RELAY_URL. */
  WEB_RELAY_URLS: relayUrlList.optional(),
  /** One relay; kept for existing deployments. */
  WEB_RELAY_URL: baseUrl.default('http://127.0.0.1:3002'),
  /** The admin app as browsers reach it: enrolment, renewal, directory, revocation list. */
  WEB_ADMIN_URL: baseUrl.default('http://127.0.0.1:3001'),
  /** How often an unlocked client fetches the signed revocation list. */
  WEB_REVOCATION_POLL_SECONDS: z.coerce
    .number({ message: 'expected a number of seconds, at least 1' })
    .int('expected a whole number of seconds, at least 1')
    .min(1, 'expected a number of seconds, at least 1')
    .max(86_400, 'expected a number of seconds, at most 86400 (one day)')
    .default(30),
});

/**
 * @typedef {object} WebServerConfig
 * @property {string} host
 * @property {number} port
 * @property {string[]} relayUrls
 * @property {string} adminUrl
 * @property {number} revocationPollSeconds
 */

/**
 * What the browser is given: the messenger's configuration (src/messenger/service.ts).
 * @typedef {object} WebClientConfig
 * @property {string[]} relayUrls
 * @property {string} adminUrl
 * @property {number} revocationPollSeconds
 */

/**
 * @param {Record<string, string | undefined>} env
 * @returns {WebServerConfig}
 */
export function loadServerConfig(env) {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = webEnvironment.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
  }
  const { WEB_HOST, WEB_PORT, WEB_RELAY_URLS, WEB_RELAY_URL, WEB_ADMIN_URL, WEB_REVOCATION_POLL_SECONDS } = result.data;
  return {
    host: WEB_HOST,
    port: WEB_PORT,
    relayUrls: WEB_RELAY_URLS ?? [WEB_RELAY_URL],
    adminUrl: WEB_ADMIN_URL,
    revocationPollSeconds: WEB_REVOCATION_POLL_SECONDS,
  };
}

/**
 * @param {WebServerConfig} config
 * @returns {WebClientConfig}
 */
export function clientConfig(config) {
  return {
    relayUrls: [...config.relayUrls],
    adminUrl: config.adminUrl,
    revocationPollSeconds: config.revocationPollSeconds,
  };
}

/**
 * The Content-Security-Policy of every response. Scripts, workers, styles and fonts come from
 * this origin only, with no inline script or style (which is why the app uses the Pages Router:
 * the App Router's RSC payload is inline script; pages/_document.tsx says more). The
 * page and its worker may connect to the relays (HTTP long-polling and WebSocket) and the admin app.
 * @param {Pick<WebServerConfig, 'relayUrls' | 'adminUrl'>} config
 * @returns {string}
 */
export function contentSecurityPolicy(config) {
  const connect = new Set(["'self'"]);
  for (const url of config.relayUrls) {
    const { origin } = new URL(url);
    connect.add(origin);
    connect.add(origin.replace(/^http/, 'ws')); // http → ws, https → wss
  }
  connect.add(new URL(config.adminUrl).origin);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    `connect-src ${[...connect].join(' ')}`,
    "img-src 'self' data: blob:",
    "style-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Headers scripts/serve-next.mjs sets on every response (documented there), computed from the
 * runtime configuration so that one build serves any deployment.
 * @param {WebServerConfig} config
 * @returns {Record<string, string>}
 */
export function responseHeaders(config) {
  return { 'Content-Security-Policy': contentSecurityPolicy(config) };
}
