#!/usr/bin/env node
// `npm run build`: the production build of the whole system (issue 17), then `npm run start:prod`
// runs it. One after another, as each Next.js build alone fills these 2-core machines:
//   the admin app's Prisma client (generated code); the admin app and the web client (next build,
//   standalone output, completed into dist/admin and dist/web by tools/build/standalone.mjs); the
//   relay as plain JavaScript in dist/relay (tools/build/relay.mjs). Each dist/<app> folder runs on
//   its own, with only the packages it loads: it is what that app's image holds.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const next = path.join(root, 'node_modules/next/dist/bin/next');
const steps = [
  ['the Prisma client', 'npm', ['run', '--silent', 'prepare:generated']],
  ['apps/admin', process.execPath, [next, 'build', path.join(root, 'apps/admin')]],
  ['dist/admin', process.execPath, [path.join(root, 'tools/build/standalone.mjs'), 'admin']],
  ['apps/web', process.execPath, [next, 'build', path.join(root, 'apps/web')]],
  ['dist/web', process.execPath, [path.join(root, 'tools/build/standalone.mjs'), 'web']],
  ['the relay', process.execPath, [path.join(root, 'tools/build/relay.mjs')]],
];

for (const [name, command, args] of steps) {
  console.log(`build: ${name}…`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    console.error(`build: ${name} failed (${result.signal ?? `exit code ${result.status}`}); see its output above.`);
    process.exit(1);
  }
  console.log(`build: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log('build: done. `npm run start:prod` runs it.');
