// The relay as plain JavaScript (issue 17): its sources and those of the libraries it imports
// (protocol, crypto) compiled by SWC into dist/relay/, in the repository's own layout, so that a
// production node runs `node dist/relay/apps/relay/src/main.js` with no compiler loaded.
//
// SWC is the transformer the relay runs under in development (apps/relay/register.cjs): the same
// decorator metadata NestJS's injection reads, the same class fields. `@opendescent/*` imports are
// rewritten to relative paths into the copied libraries; the build fails if one is left, or if a
// compiled file still names a `.ts` module.
//
// The packages it loads are then copied beside it (dist/relay/node_modules, traced by
// copy-traced.mjs), so dist/relay runs on its own: the relay image is that folder and Node.js.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transformFileSync } from '@swc/core';
import { copyTraced } from './copy-traced.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'dist', 'relay');
const SOURCES = ['apps/relay/src', 'libs/protocol/src', 'libs/crypto/src'];
const base = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;

/** The `.ts` files of a folder, tests and test helpers left out. */
function sources(folder) {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes('testing'));
}

function compile(file) {
  const { code, map } = transformFileSync(path.join(root, file), {
    swcrc: false,
    sourceMaps: true,
    module: { type: 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: base.paths,
    },
  });
  const target = path.join(out, file.replace(/\.ts$/, '.js'));
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
  if (map) writeFileSync(`${target}.map`, map);
  return { file, code };
}

rmSync(out, { recursive: true, force: true });
const compiled = SOURCES.flatMap(sources).map(compile);
const unresolved = compiled.filter(({ code }) => /require\("@opendescent\/|require\("[^"]+\.ts"\)/.test(code));
if (unresolved.length > 0) {
  console.error(`build relay: imports left unresolved in ${unresolved.map((c) => c.file).join(', ')}`);
  process.exit(1);
}
const packages = await copyTraced([path.relative(root, path.join(out, 'apps/relay/src/main.js'))], out);
console.log(
  `build relay: ${compiled.length} files -> ${path.relative(root, out)}/ (+${packages} files of the packages it loads)`,
);
