#!/usr/bin/env node
// `npm test`: every check of every project, then a summary. Steps run in order and all of them
// run even after a failure, so one report shows everything that is wrong; the exit code is
// non-zero when any step failed.
//   npm test                 everything
//   npm test -- --skip-e2e   everything but the whole-system and browser tests
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'test-output');
const skipE2e = process.argv.includes('--skip-e2e');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
mkdirSync(outDir, { recursive: true });

const steps = [];
const totals = { passed: 0, failed: 0, skipped: 0 };

function step(name, command, args, { env = {}, jestReport } = {}) {
  console.log(`\n━━ ${name} ━━ ${[path.basename(command), ...args].join(' ')}`);
  if (jestReport) rmSync(jestReport, { force: true });
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  let ok = result.status === 0;
  let detail = ok ? '' : `exit ${result.status ?? result.signal}`;
  if (jestReport) {
    if (existsSync(jestReport)) {
      const report = JSON.parse(readFileSync(jestReport, 'utf8'));
      totals.passed += report.numPassedTests;
      totals.failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
      totals.skipped += report.numPendingTests + report.numTodoTests;
      detail = `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped in ${report.numTotalTestSuites} suites`;
      if (report.numTotalTests === 0) {
        ok = false;
        detail += ' (no test ran)';
      }
    } else {
      ok = false;
      totals.failed += 1;
      detail = 'jest wrote no report';
    }
  }
  steps.push({ name, ok, detail, seconds: (Date.now() - started) / 1000 });
  return ok;
}

step('prepare: generated code', 'npm', ['run', '--silent', 'prepare:generated']);
// The lint rule for boundaries reads Nx's cached project graph; `nx show projects` computes it.
step('project graph', bin('nx'), ['show', 'projects']);
// --skip-nx-cache: npm test always checks the code as it is now, never a cached verdict.
step('type-check', bin('nx'), [
  'run-many',
  '-t',
  'typecheck',
  '--parallel=2',
  '--outputStyle=static',
  '--skip-nx-cache',
]);
step('type-check: workspace tests', bin('tsc'), ['--noEmit', '-p', 'tests/workspace/tsconfig.json']);
step('type-check: e2e tests', bin('tsc'), ['--noEmit', '-p', 'tests/e2e/tsconfig.json']);
step('lint (boundaries included)', bin('eslint'), ['--max-warnings', '0', '.']);
// Layout is the formatter's: `npm run format` writes it, this step fails on any file it would change.
step('format (Prettier)', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
const unitReport = path.join(outDir, 'jest-unit.json');
// Two workers on these 2-core machines (jest's default is cores - 1 = one): much of the run waits
// on PostgreSQL, relays and timers, so a second file overlaps it. Measured on the four slowest
// admin specs: 150 s with one worker, 103 s with two. Every suite keeps its own database, Redis
// key prefix and ports, so files never share state.
step('jest: every project', bin('jest'), ['--ci', '--maxWorkers=2', '--json', `--outputFile=${unitReport}`], {
  jestReport: unitReport,
});
if (spawnSync('sh', ['-c', 'command -v docker-compose'], { stdio: 'ignore' }).status === 0) {
  // The file demands its secrets (no default secret ships); any value validates it.
  const secrets = ['POSTGRES_PASSWORD', 'ADMIN_DB_APP_PASSWORD', 'ADMIN_MASTER_KEY'];
  const env = Object.fromEntries(secrets.map((name) => [name, process.env[name] || 'validation-only']));
  step('docker-compose.yml is valid', 'docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env });
  // The Sentinel variant, layered over it (docker-compose.sentinel.yml).
  step(
    'docker-compose.yml with docker-compose.sentinel.yml is valid',
    'docker-compose',
    ['-f', 'docker-compose.yml', '-f', 'docker-compose.sentinel.yml', '--profile', 'scale', 'config', '-q'],
    { env },
  );
} else {
  console.log('\n━━ docker-compose.yml ━━ SKIPPED: docker-compose is not installed (.ci/run installs it)');
  steps.push({
    name: 'docker-compose.yml is valid',
    ok: true,
    detail: 'skipped: docker-compose not installed',
    seconds: 0,
  });
}
if (!skipE2e) {
  // The production build (npm run build): start-prod.e2e.ts runs `npm run start:prod` on it, and
  // `npm start` then finds both Next.js builds current and builds nothing.
  step('build: production (npm run build)', process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  const e2eReport = path.join(outDir, 'jest-e2e.json');
  step(
    'jest: whole system and browser',
    bin('jest'),
    ['--ci', '-c', 'tests/e2e/jest.config.cjs', '--runInBand', '--json', `--outputFile=${e2eReport}`],
    {
      jestReport: e2eReport,
    },
  );
  // Direct channels need interfaces Chromium gathers candidates on: a network namespace of the
  // test's own (loopback and a veth pair, nothing that leaves the machine; needs root).
  const directReport = path.join(outDir, 'jest-e2e-direct.json');
  step(
    'jest: direct channels (own netns)',
    path.join(root, 'scripts', 'in-netns.sh'),
    [
      bin('jest'),
      '--ci',
      '-c',
      'tests/e2e/jest.config.cjs',
      '--runInBand',
      '--json',
      `--outputFile=${directReport}`,
      'tests/e2e/web-direct.netns.e2e.ts',
    ],
    { jestReport: directReport },
  );
}

const failed = steps.filter((s) => !s.ok);
console.log('\n━━ summary ━━');
for (const s of steps)
  console.log(`${s.ok ? ' ok ' : 'FAIL'}  ${s.name.padEnd(36)} ${s.seconds.toFixed(1).padStart(6)} s  ${s.detail}`);
console.log(
  failed.length ? `\n${failed.length} step(s) failed: ${failed.map((s) => s.name).join('; ')}` : '\nevery step passed',
);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed.length ? 1 : 0);
