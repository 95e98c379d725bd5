#!/usr/bin/env node
// `npm start`: the whole system on embedded defaults, on loopback.
//   relay  (in-memory store)           RELAY_HOST / RELAY_PORT  (127.0.0.1:3002)
//   admin  (embedded database)         ADMIN_HOST / ADMIN_PORT  (127.0.0.1:3001)
//   web    (the client staff open)     WEB_HOST   / WEB_PORT    (127.0.0.1:3000)
//   turn   (only with TURN_SECRET)      TURN_HOST  / TURN_PORT   (the relay's host:3478): Debian's
//          coturn for direct channels (docs/protocol/direct.md §8); the relay hands out credentials
// A port of 0 picks a free one. It builds the two Next.js apps when their build is missing or
// older than their sources, starts the three servers, prints one banner with the URLs, and on
// Ctrl-C (or SIGTERM) stops every process it started, children's children included.
//
// `npm run start:prod` (--prod) runs what `npm run build` made instead, and builds nothing: the
// relay as plain JavaScript from dist/relay (no compiler loaded), the Next.js apps' standalone
// servers from dist/admin and dist/web, each folder with only the packages it loads. It refuses
// to start when a build is missing. OPENDESCENT_BUILD_DIR names another copy of dist/ to run (the
// smoke test runs one outside the repository, where no package of its node_modules can be found).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const root = path.resolve(import.meta.dirname, '..');
const env = process.env;
const prod = process.argv.includes('--prod');
/** What `npm run build` makes (scripts/build.mjs). */
const buildDir = path.resolve(env.OPENDESCENT_BUILD_DIR || path.join(root, 'dist'));
const relayBuild = path.join(buildDir, 'relay', 'apps', 'relay', 'src', 'main.js');
/** The command line of a Next.js app's server: its standalone build, or its sources' build. */
const nextServerArgs = (app) =>
  prod
    ? [path.join(buildDir, app, 'scripts', 'serve-next.mjs'), path.join(buildDir, app, 'apps', app)]
    : [path.join(root, 'scripts', 'serve-next.mjs'), `apps/${app}`];
const children = new Map(); // name -> ChildProcess (each the leader of its own process group)
let stopping = false;

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}

function portFrom(name, fallback) {
  const raw = env[name] === undefined || env[name] === '' ? String(fallback) : env[name];
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535)
    fail(`${name}: expected a TCP port number (0-65535, 0 picks a free one), got "${raw}"`);
  return port;
}

async function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function endpoint(app, defaultPort) {
  const upper = app.toUpperCase();
  const host = env[`${upper}_HOST`] || '127.0.0.1';
  let port = portFrom(`${upper}_PORT`, defaultPort);
  if (port === 0) port = await freePort(host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { host, port, url: `http://${urlHost}:${port}` };
}

/** Newest modification time under a folder, skipping build output and dependencies. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.next', 'dist', 'test', 'generated'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsCurrent(appDir) {
  const buildId = path.join(appDir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const shared = ['libs/crypto/src', 'libs/protocol/src', 'libs/relay-client/src', 'libs/i18n/src', 'prisma'];
  const sources = Math.max(newestMtime(appDir), ...shared.map((d) => newestMtime(path.join(root, d))));
  return statSync(buildId).mtimeMs >= sources;
}

function run(name, command, args, extraEnv = {}, { server = true } = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopping it reaches everything it spawned
  });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      const out = stream === child.stderr ? process.stderr : process.stdout;
      out.write(`[${name}] ${line}\n`);
      child.emit('line', line);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (server && !stopping) {
      console.error(`start: ${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the rest.`);
      void stopAll(1);
    }
  });
  return child;
}

function finished(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function waitForLine(child, pattern) {
  return new Promise((resolve, reject) => {
    child.on('line', (line) => pattern.test(line) && resolve(line));
    child.once('exit', (code) => reject(new Error(`exited with code ${code} before it was ready`)));
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Stops every child, then exits. Called again while stopping (a child's exit and a failed start
 * both call it), it returns a promise that never settles, so no caller goes on to print the banner.
 */
async function stopAll(exitCode) {
  if (stopping) return new Promise(() => undefined);
  stopping = true;
  const running = [...children.values()];
  for (const child of running) killGroup(child, 'SIGTERM');
  const timeout = setTimeout(() => {
    for (const child of running) killGroup(child, 'SIGKILL');
  }, 5_000);
  await Promise.all(running.map(finished));
  // Stragglers a child left in its group (none expected) do not outlive us either.
  for (const child of running) killGroup(child, 'SIGKILL');
  clearTimeout(timeout);
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stopAll(0));
process.on('exit', () => {
  for (const child of children.values()) killGroup(child, 'SIGKILL');
});

const relay = await endpoint('relay', 3002);
const admin = await endpoint('admin', 3001);
const web = await endpoint('web', 3000);

if (prod) {
  const missing = [
    relayBuild,
    ...['admin', 'web'].map((app) => path.join(buildDir, app, 'apps', app, '.next', 'BUILD_ID')),
  ];
  const absent = missing.filter((file) => !existsSync(file)).map((file) => path.relative(root, file));
  if (absent.length > 0) fail(`no production build (${absent.join(', ')} missing): run \`npm run build\` first`);
} else {
  // The admin app's Prisma client is generated code (offline: tools/prisma/generate.mjs).
  const generate = run('generate', 'npm', ['run', '--silent', 'prepare:generated'], {}, { server: false });
  if ((await new Promise((resolve) => generate.once('exit', resolve))) !== 0) {
    console.error('start: generating the Prisma client failed; see its output above.');
    await stopAll(1);
  }
}

for (const app of prod ? [] : ['admin', 'web']) {
  const appDir = path.join(root, 'apps', app);
  if (buildIsCurrent(appDir)) continue;
  console.log(`start: building apps/${app} (its sources changed since the last build)…`);
  const build = run(
    `build ${app}`,
    process.execPath,
    [path.join(root, 'node_modules/next/dist/bin/next'), 'build', appDir],
    {},
    { server: false },
  );
  const [code] = await new Promise((resolve) => build.once('exit', (...result) => resolve(result)));
  if (code !== 0) {
    console.error(`start: the build of apps/${app} failed; see its output above.`);
    await stopAll(1);
  }
}

// Passkeys need a domain name, so people reach the admin app at localhost, not 127.0.0.1.
const adminLocalUrl = admin.url.replace('127.0.0.1', 'localhost');
const adminPublicUrl = env.ADMIN_PUBLIC_URL || adminLocalUrl;
let setupLink;

// The admin app first: it makes the organisation key at its first start, and the relay pins it.
const adminServer = run('admin', process.execPath, nextServerArgs('admin'), {
  ADMIN_HOST: admin.host,
  ADMIN_PORT: String(admin.port),
  ADMIN_PUBLIC_URL: adminPublicUrl,
  ADMIN_RELAY_URLS: env.ADMIN_RELAY_URLS || relay.url,
});
adminServer.on('line', (line) => {
  const link = /one-time setup link .*?: (\S+)$/.exec(line);
  if (link) setupLink = link[1];
});
try {
  await waitForLine(adminServer, /listening on /);
} catch (error) {
  console.error(`start: the admin app did not start: ${error.message}`);
  await stopAll(1);
}
const org = await pinnedOrganisation(admin.url);

const turn = await startTurn();

const servers = [
  adminServer,
  run('relay', process.execPath, prod ? [relayBuild] : ['-r', './apps/relay/register.cjs', 'apps/relay/src/main.ts'], {
    RELAY_HOST: relay.host,
    RELAY_PORT: String(relay.port),
    RELAY_ALLOWED_ORIGINS: env.RELAY_ALLOWED_ORIGINS || [web.url, web.url.replace('127.0.0.1', 'localhost')].join(','),
    RELAY_ORG_ID: env.RELAY_ORG_ID || org.orgId,
    RELAY_ORG_PUBLIC_KEYS: env.RELAY_ORG_PUBLIC_KEYS || org.publicKeys,
    RELAY_ORG_URL: env.RELAY_ORG_URL || `${admin.url}/api/v1/org`,
    RELAY_REVOCATION_LIST_URL: env.RELAY_REVOCATION_LIST_URL || `${admin.url}/api/v1/revocation-list`,
    RELAY_TOKEN_KEYS_URL: env.RELAY_TOKEN_KEYS_URL || `${admin.url}/api/v1/token-keys`,
    ...(turn ? { RELAY_TURN_URLS: turn.url, RELAY_TURN_SECRET: env.TURN_SECRET } : {}),
  }),
  run('web', process.execPath, nextServerArgs('web'), {
    WEB_HOST: web.host,
    WEB_PORT: String(web.port),
    WEB_RELAY_URL: env.WEB_RELAY_URL || relay.url,
    WEB_ADMIN_URL: env.WEB_ADMIN_URL || adminPublicUrl,
  }),
];

try {
  await Promise.all(servers.slice(1).map((child) => waitForLine(child, /listening on /)));
} catch (error) {
  console.error(`start: a server did not start: ${error.message}`);
  await stopAll(1);
}

/**
 * The organisation's TURN server, only when TURN_SECRET is set (at least 16 characters): Debian's
 * coturn in shared-secret mode, the secret in a private file rather than on its command line, so
 * the relay can hand out credentials (relay.md §3.16). Unset: no TURN server, nothing contacted.
 */
async function startTurn() {
  if (!env.TURN_SECRET) return undefined;
  if (env.TURN_SECRET.length < 16) fail('TURN_SECRET: expected a shared secret of at least 16 characters');
  const binary = env.TURN_SERVER_BINARY || '/usr/sbin/turnserver';
  const found = [binary, '/usr/bin/turnserver'].find((candidate) => existsSync(candidate));
  if (!found) fail('TURN_SECRET is set but coturn is not installed (apt-get install -y coturn)');
  const host = env.TURN_HOST || relay.host;
  let port = portFrom('TURN_PORT', 3478);
  if (port === 0) port = await freePort(host);
  const secretDir = mkdtempSync(path.join(os.tmpdir(), 'opendescent-turn-'));
  const config = path.join(secretDir, 'turnserver.conf');
  writeFileSync(config, `static-auth-secret=${env.TURN_SECRET}\n`, { mode: 0o600 });
  process.on('exit', () => rmSync(secretDir, { recursive: true, force: true }));
  // prettier-ignore
  run('turn', found, ['-c', config, '--use-auth-secret', `--listening-ip=${host}`, `--listening-port=${port}`,
    `--relay-ip=${host}`, '--realm=opendescent', '--fingerprint', '--no-cli', '--no-tls', '--no-dtls',
    '--no-multicast-peers', '--log-file=stdout']);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `turn:${urlHost}:${port}?transport=udp` };
}

/** The organisation id and every key to pin now, from the admin app (admin-api.md §9.1), as the relay wants them. */
async function pinnedOrganisation(adminUrl) {
  const hex = (base64url) => Buffer.from(base64url, 'base64url').toString('hex');
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${adminUrl}/api/v1/org`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { orgId, keys } = await response.json();
      return { orgId: hex(orgId), publicKeys: keys.map((key) => hex(key.publicKey)).join(',') };
    } catch (error) {
      if (attempt === 20) {
        console.error(`start: could not read the organisation from the admin app (${error.message})`);
        await stopAll(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const relayStore =
  env.RELAY_STORE === 'redis'
    ? `Redis (${env.RELAY_REDIS_SENTINELS ? `sentinels ${env.RELAY_REDIS_SENTINELS}` : 'REDIS_URL'})`
    : 'in memory';
const database = env.DATABASE_URL
  ? 'PostgreSQL (DATABASE_URL)'
  : `embedded, in ${path.relative(root, env.ADMIN_DB_DIR || path.join(root, '.data/admin-db'))}/`;
console.log(`
  ┌──────────────────────────────────────────────────────────────
  │ OpenDescent is running${prod ? ' (production build: npm run build)' : ''}.
  │
  │   Web client  ${web.url}/      <- staff open this
  │   Admin app   ${adminPublicUrl}/${adminPublicUrl === adminLocalUrl ? '' : `   (on this host: ${admin.url}/)`}
  │   Relay       ${relay.url}/health
  │
  │   Relay store: ${relayStore}. Admin database: ${database}
  │   TURN server: ${turn ? `${turn.url} (coturn)` : 'none (set TURN_SECRET to start coturn)'}
  │   The relay pins organisation ${org.orgId}.${setupLink ? `\n  │\n  │   First start: register the first administrator's passkey at\n  │   ${setupLink}` : ''}
  │   Press Ctrl-C to stop everything.
  └──────────────────────────────────────────────────────────────
`);
