#!/usr/bin/env node
// Serves one of the Next.js apps (apps/web, apps/admin) in production mode from its build:
//   node scripts/serve-next.mjs apps/web
// The app's own `server-config.mjs` validates its environment first (one line naming a bad
// variable, then exit 1) and may prepare what the app needs before it serves (the admin app
// applies its database migrations). `npm start` and the Docker images use this same path.
// An app may also export `responseHeaders(config)`: headers set on every response, computed from
// the runtime configuration (the web client's Content-Security-Policy names the relays).
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setPeerAddress } from './peer-address.mjs';

const appDir = path.resolve(process.argv[2] ?? '');
const appName = path.basename(appDir);
const serverConfig = await import(pathToFileURL(path.join(appDir, 'server-config.mjs')).href);

let config;
try {
  config = serverConfig.loadServerConfig(process.env);
} catch (error) {
  if (error?.name !== 'ConfigError') throw error;
  console.error(`${appName}: invalid configuration: ${error.message}`);
  process.exit(1);
}

process.env.NEXT_TELEMETRY_DISABLED = '1';
// A standalone build (dist/<app>, tools/build/standalone.mjs) carries no next.config.ts: Next.js
// then takes the settings the build recorded, as its own standalone server.js does.
if (!existsSync(path.join(appDir, 'next.config.ts'))) {
  const recorded = path.join(appDir, '.next', 'required-server-files.json');
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(readFileSync(recorded, 'utf8')).config);
}
const { default: next } = await import('next');
const app = next({ dev: false, dir: appDir, hostname: config.host, port: config.port });
let prepared;
try {
  prepared = await serverConfig.prepare?.(config);
} catch (error) {
  // Such as the admin app's data folder open to other users: one line naming the fix, exit 1.
  if (error?.name !== 'ConfigError') throw error;
  console.error(`${appName}: cannot start: ${error.message}`);
  process.exit(1);
}
await app.prepare();
const handle = app.getRequestHandler();
const headers = Object.entries(serverConfig.responseHeaders?.(config) ?? {});
const server = http.createServer((request, response) => {
  // The TCP peer, for per-source limits; a client's own header of that name is overwritten.
  setPeerAddress(request);
  for (const [name, value] of headers) response.setHeader(name, value);
  return handle(request, response);
});

server.listen(config.port, config.host, () => {
  const { port } = server.address();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`${appName}: listening on http://${host}:${port}`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      // Resources the app opened lazily (the admin app's database) register a hook here.
      const hooks = globalThis.__opendescentShutdownHooks ?? [];
      Promise.allSettled([prepared?.close?.(), ...hooks.map((hook) => hook())])
        .then(() => app.close?.())
        .finally(() => process.exit(0));
    });
    server.closeAllConnections();
  });
}
