/**
 * The bench build of the web client and the normal one must never be taken for each other.
 * scripts/start.mjs rebuilds apps/web only when apps/web/.next/BUILD_ID is missing or older than
 * the sources, and passes its environment to `next build`. So the bench
 *  1. deletes BUILD_ID, and start.mjs builds with NEXT_PUBLIC_OPENDESCENT_BENCH=1 (inlined by Next);
 *  2. once its servers run, dates BUILD_ID back to 1970 (the running server reads the file, so it
 *     stays): start.mjs sees sources newer than the build, and no later `npm start` serves it;
 *  3. at the end rebuilds apps/web exactly as start.mjs does with no flag, and searches that build
 *     for the bench hooks' global name: the normal build must hold none of them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../tests/e2e/support/system';

export const BENCH_BUILD_ENV = { NEXT_PUBLIC_OPENDESCENT_BENCH: '1' } as const;
/** The name the bench hooks are installed under in the worker (apps/web/src/worker/bench-seed.ts BENCH_GLOBAL). */
const HOOKS_MARKER = '__opendescentBench';
const webDir = path.join(repoRoot, 'apps/web');
const buildIdFile = path.join(webDir, '.next', 'BUILD_ID');

/** Step 1: makes start.mjs see no build of apps/web. */
export function forgetWebBuild(): void {
  rmSync(buildIdFile, { force: true });
}

/** Step 2: makes start.mjs see the build as older than the sources, while the running server still reads it. */
export function outdateWebBuild(): void {
  if (existsSync(buildIdFile)) utimesSync(buildIdFile, 0, 0);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (/\.(js|mjs|cjs|ts|json|html)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** The files of a build of apps/web (client chunks and server output, not the build cache) that name the hooks. */
export function buildFilesWithHooks(): string[] {
  const roots = ['static', 'server'].map((dir) => path.join(webDir, '.next', dir));
  return roots
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    .flatMap(filesUnder)
    .filter((file) => readFileSync(file, 'latin1').includes(HOOKS_MARKER))
    .map((file) => path.relative(repoRoot, file));
}

export interface NormalBuildCheck {
  readonly built: boolean;
  readonly seconds: number;
  /** Files of the normal build that hold bench code (expected: none). */
  readonly filesWithHooks: readonly string[];
  readonly output?: string;
}

/** Step 3: `next build apps/web` as start.mjs runs it, without the bench flag, then the search. */
export function rebuildNormalAndCheck(): NormalBuildCheck {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env['NEXT_PUBLIC_OPENDESCENT_BENCH'];
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'build', webDir], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
  });
  const seconds = (Date.now() - started) / 1000;
  if (build.status !== 0) {
    forgetWebBuild();
    return { built: false, seconds, filesWithHooks: [], output: `${build.stdout}\n${build.stderr}`.slice(-2000) };
  }
  return { built: true, seconds, filesWithHooks: buildFilesWithHooks() };
}
