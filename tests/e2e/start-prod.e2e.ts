/**
 * `npm run start:prod`, the production build's code path (issue 17): what `npm run build` made
 * (scripts/test.mjs runs it before this suite) passes the same checks as `npm start`
 * (support/start-checks.ts).
 *
 * It runs from a copy of dist/ outside the repository, as an image holds it: Node.js finds a
 * package only in the node_modules of the file's own folders, so there a server that loaded
 * anything not traced into its dist/<app> folder would not start. The relay runs as plain
 * JavaScript, with no compiler loaded (no @swc module mapped into its process, where `npm start`'s
 * relay has one). And no server writes into its build, so each image's root filesystem can be
 * read-only (docker-compose.yml).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeStartedSystem } from './support/start-checks';
import { relayProcess, startSystem, systemProcesses } from './support/system';

const repoRoot = path.resolve(__dirname, '../..');
const copyRoot = mkdtempSync(path.join(os.tmpdir(), 'opendescent-build-'));
const buildCopy = path.join(copyRoot, 'dist');

/** Every file of a folder with its size and modification time, to see whether a server wrote. */
function snapshot(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const { size, mtimeMs } = statSync(file, { throwIfNoEntry: false }) ?? { size: -1, mtimeMs: -1 };
    files.set(path.relative(folder, file), `${size}:${mtimeMs}`);
  }
  return files;
}

let before: Map<string, string>;

afterAll(() => rmSync(copyRoot, { recursive: true, force: true }));

describeStartedSystem(
  'npm run start:prod',
  () => {
    cpSync(path.join(repoRoot, 'dist'), buildCopy, { recursive: true, verbatimSymlinks: true });
    before = snapshot(buildCopy);
    return startSystem({ OPENDESCENT_BUILD_DIR: buildCopy, NODE_PATH: '' }, 180_000, ['--prod']);
  },
  {
    screenshotPrefix: 'prod-',
    more: (system) => {
      it('runs the three servers from the copy of dist/ outside the repository', () => {
        expect(path.relative(repoRoot, buildCopy)).toMatch(/^\.\./);
        expect(system().output()).toContain('OpenDescent is running (production build');
        const servers = systemProcesses(system())
          .map(({ commandLine }) => commandLine)
          .filter((commandLine) => /main\.js$|serve-next\.mjs/.test(commandLine));
        expect(servers).toEqual(
          expect.arrayContaining([
            `${process.execPath} ${buildCopy}/relay/apps/relay/src/main.js`,
            `${process.execPath} ${buildCopy}/admin/scripts/serve-next.mjs ${buildCopy}/admin/apps/admin`,
            `${process.execPath} ${buildCopy}/web/scripts/serve-next.mjs ${buildCopy}/web/apps/web`,
          ]),
        );
        for (const { mapped } of systemProcesses(system())) expect(mapped).not.toContain(`${repoRoot}/node_modules`);
      });

      it('runs the relay as plain JavaScript, with no compiler loaded', () => {
        const relay = relayProcess(system());
        expect(relay.commandLine).not.toContain('register');
        expect(relay.mapped).not.toMatch(/swc/);
      });

      it('writes nothing into its build (each image can keep its root filesystem read-only)', () => {
        const after = snapshot(buildCopy);
        const changed = [...after].filter(([file, stamp]) => before.get(file) !== stamp).map(([file]) => file);
        expect(changed).toEqual([]);
        expect(after.size).toBe(before.size);
      });
    },
  },
);

describe('npm run start:prod with a server that cannot start', () => {
  it('stops everything and exits 1, without printing the banner', async () => {
    // The relay refuses its configuration after the admin app is already up. Before, the failed
    // start and the relay's exit both stopped everything, and the second went on to print
    // "OpenDescent is running" while the first was stopping.
    const started = startSystem({ RELAY_ALLOWED_ORIGINS: 'nope' }, 120_000, ['--prod']);
    const error = (await started.then(
      (system) => system.stop().then(() => new Error('started')),
      (failure: unknown) => failure,
    )) as Error;
    expect(error.message).toMatch(/start\.mjs exited with 1 before its banner/);
    expect(error.message).toContain('relay: invalid configuration: RELAY_ALLOWED_ORIGINS');
    expect(error.message).not.toContain('OpenDescent is running');
  }, 150_000);
});
