// `prisma generate` for the admin app without network access: the Prisma CLI insists on a
// schema engine binary it would download, but generating the client never runs it, so it is
// pointed at a stand-in (schema-engine-unavailable.mjs). Output: apps/admin/src/generated/prisma
// (see the generator block in prisma/schema.prisma; gitignored by apps/admin/.gitignore).
//
// Usage: node tools/prisma/generate.mjs   (npm run prisma:generate)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const prismaCli = require.resolve('prisma/build/index.js');

const configured = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
const engineBinary =
  configured && fs.existsSync(configured) ? configured : path.join(here, 'schema-engine-unavailable.mjs');

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', path.join('prisma', 'schema.prisma')], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: engineBinary,
    CHECKPOINT_DISABLE: '1', // no version check call to Prisma's servers
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
