// The admin app's log: pino JSON lines on stdout, as the relay writes (apps/relay
// src/logging/relay-logger.ts). Lines carry events, ids of rows and error names, never a token,
// code, key, challenge or looked-up address; the redaction below is a second line of defence
// should such a field or `name=value` ever reach a log call by mistake.
//
// The one secret the admin app shows, the first-start setup link, is not logged: startup.ts
// prints it on stdout as a plain line, once (scripts/start.mjs picks it from there).
//
// Plain ESM JavaScript (log.d.mts beside it) because server-config.mjs logs from plain `node`
// before the app starts; the logger lives on globalThis so that the code Next.js bundles writes
// through the same one.

import pino from 'pino';

export const LOG_LEVELS = /** @type {const} */ (['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Field names whose values never reach the log, at the top level or one level down. */
export const REDACTED_FIELDS = [
  'token',
  'code',
  'secret',
  'key',
  'masterKey',
  'privateKey',
  'seed',
  'password',
  'link',
  'setupLink',
  'challenge',
  'credential',
  'signature',
  'attestation',
  'address',
  'handle',
  'cookie',
  'authorization',
  'session',
  'ip',
];

const CENSOR = '[redacted]';
/** `token=…` (a link's query or fragment), `code=…`, `Bearer …` and the like inside a message. */
const SECRET_IN_TEXT = /\b(token|code|secret|key|password|challenge|session)=[^\s&#"',;)]*|\b(bearer)\s+[^\s"',;)]+/gi;

/** @param {string} text */
export function scrubSecrets(text) {
  return text.replace(SECRET_IN_TEXT, (_match, name, bearer) => (bearer ? `${bearer} ${CENSOR}` : `${name}=${CENSOR}`));
}

/**
 * @param {{ level?: string, destination?: import('pino').DestinationStream }} [options]
 * @returns {import('pino').Logger}
 */
export function createAdminLogger({ level = 'info', destination } = {}) {
  /** @type {import('pino').LoggerOptions} */
  const options = {
    level,
    base: { service: 'opendescent-admin' },
    redact: { paths: [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((field) => `*.${field}`)], censor: CENSOR },
    serializers: { err: errorSummary },
    hooks: {
      logMethod(args, method) {
        method.apply(this, /** @type {any} */ (args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg))));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * What an unexpected error may show in a log line: its name, a driver's error code (as errorCode,
 * since `code` is a redacted field), and the last line of its message (Prisma puts the query,
 * with its values, in the lines before), scrubbed.
 * @param {unknown} error
 */
export function errorSummary(error) {
  if (!(error instanceof Error)) return { message: scrubSecrets(String(error)).slice(0, 200) };
  const lines = error.message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const code = /** @type {{ code?: unknown }} */ (error).code;
  return {
    name: error.name,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    message: scrubSecrets(lines.at(-1) ?? '').slice(0, 200),
  };
}

const state = /** @type {typeof globalThis & { __opendescentAdminLog?: import('pino').Logger }} */ (globalThis);

/** The process's logger: the one prepare() installed, else one at level info. */
export function adminLog() {
  state.__opendescentAdminLog ??= createAdminLogger();
  return state.__opendescentAdminLog;
}

/** Makes `logger` the process's logger (prepare() at start; tests, to read what is logged). */
export function useAdminLogger(/** @type {import('pino').Logger | undefined} */ logger) {
  if (logger) state.__opendescentAdminLog = logger;
  else delete state.__opendescentAdminLog;
}
