// Completes a Next.js app's standalone output (`output: 'standalone'` in its next.config.ts) into
// dist/<app>/, a folder that runs on its own (issue 17):
//   node dist/<app>/scripts/serve-next.mjs dist/<app>/apps/<app>
// Next.js traces what its server needs into .next/standalone, but not what it leaves to the
// deployment: the browser assets (.next/static, public/) and the server entry of this repository
// (scripts/serve-next.mjs with the app's server-config.mjs, which validate the environment and,
// for the admin app, open the database and apply the migrations; and tools/prisma/migrate.mjs).
// Those are added here; the wasm
// schema engine is named by hand, as schema-engine.mjs reads it through a computed path.
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { copyTraced, root } from './copy-traced.mjs';

const app = process.argv[2];
if (!['admin', 'web'].includes(app)) {
  console.error('usage: node tools/build/standalone.mjs admin|web');
  process.exit(2);
}
const appDir = path.join(root, 'apps', app);
const standalone = path.join(appDir, '.next', 'standalone');
const out = path.join(root, 'dist', app);
if (!existsSync(path.join(standalone, 'apps', app, '.next', 'BUILD_ID'))) {
  console.error(`build ${app}: no standalone output in ${path.relative(root, standalone)}; run next build first`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
cpSync(standalone, out, { recursive: true, verbatimSymlinks: true });
// Next's own entry starts a server without this repository's checks; serve-next.mjs replaces it.
rmSync(path.join(out, 'apps', app, 'server.js'));
// Next traces sharp (native, with libvips: 19 MB) for its image optimiser whatever the app uses.
// Both apps turn optimisation off (`images.unoptimized`), so nothing loads it.
for (const unused of ['node_modules/sharp', 'node_modules/@img'])
  rmSync(path.join(out, unused), { recursive: true, force: true });
cpSync(path.join(appDir, '.next', 'static'), path.join(out, 'apps', app, '.next', 'static'), { recursive: true });
if (existsSync(path.join(appDir, 'public')))
  cpSync(path.join(appDir, 'public'), path.join(out, 'apps', app, 'public'), { recursive: true });

// The admin image also runs the migrations as the schema's owner (docker-compose's admin-migrate).
const entries = ['scripts/serve-next.mjs', `apps/${app}/server-config.mjs`];
if (app === 'admin') entries.push('tools/prisma/migrate.mjs');
const extra = app === 'admin' ? ['node_modules/@prisma/schema-engine-wasm/schema_engine_bg.wasm'] : [];
const copied = await copyTraced(entries, out, {
  // The standalone output already holds the parts of Next.js its server loads.
  ignore: (file) => file.startsWith('node_modules/next/'),
  extra,
});
console.log(`build ${app}: standalone server in ${path.relative(root, out)}/ (+${copied} files for its entry)`);
