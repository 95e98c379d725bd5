/**
 * The embedded default, sealed properly (issue 10, item 6): the data folder and the key file are
 * the running user's alone or the app refuses to start; everything the embedded database writes
 * is owner-only whatever the umask; the master key sits beside the data folder, not in it, so a
 * copy of the data folder alone opens nothing; an older installation's key inside it keeps working.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, databaseConfig, loadServerConfig, prepare, type AdminServerConfig } from '../server-config.mjs';
import { openDatabase } from '../src/server/db';
import { createAdminLogger } from '../src/server/log.mjs';
import { OrgKeyUnavailableError } from '../src/server/org/org-key-sealing';
import { activeSigner, ensureOrganisation } from '../src/server/org/organisation';
import { createAdminServices } from '../src/server/services';
import { SLOW } from './support/test-services';

const ROOT = path.resolve(__dirname, '../../..');
const KEY = 'c'.repeat(64);
const quiet = { info: () => undefined, warn: () => undefined };

let root: string;
let umask: number;
let logged: string[];
const log = () =>
  createAdminLogger({ level: 'info', destination: { write: (line: string) => void logged.push(line) } });

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-modes-'));
  // A usual login umask: what the app creates must not depend on it.
  umask = process.umask(0o022);
  logged = [];
});
afterEach(() => {
  process.umask(umask);
  fs.rmSync(root, { recursive: true, force: true });
});

/** Every entry under `dir` whose mode lets group or others in. */
function looseEntries(dir: string): string[] {
  const loose: string[] = [];
  const visit = (where: string) => {
    const stat = fs.lstatSync(where);
    if ((stat.mode & 0o077) !== 0) loose.push(`${where} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(where)) visit(path.join(where, name));
  };
  visit(dir);
  return loose;
}

function countEntries(dir: string): number {
  let count = 1;
  if (fs.lstatSync(dir).isDirectory())
    for (const name of fs.readdirSync(dir)) count += countEntries(path.join(dir, name));
  return count;
}

/** An organisation made the way the app makes it at first start, in the embedded database of `config`. */
async function withServices<T>(
  config: AdminServerConfig,
  work: (s: ReturnType<typeof createAdminServices>) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(databaseConfig(config));
  const services = createAdminServices(database.prisma, config, { log: quiet });
  try {
    return await work(services);
  } finally {
    services.pusher.close();
    await database.close();
  }
}

describe('refusing loose modes at start', () => {
  test('refuses to start when the data folder is group/world readable', async () => {
    const dataDir = path.join(root, 'admin-db');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    const config = loadServerConfig({ ADMIN_DB_DIR: dataDir });
    const refusal = prepare(config, { log: log() });
    await expect(refusal).rejects.toThrow(ConfigError);
    await expect(refusal).rejects.toThrow(
      `ADMIN_DB_DIR: ${dataDir} is open to group or others (mode 0755); it must be this user's alone: chmod -R go-rwx ${dataDir}`,
    );
    // Refused before anything was made: no database, no key.
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(fs.existsSync(`${dataDir}-secrets`)).toBe(false);
  });

  test('refuses a data folder whose files a copy left open to others, naming the first and counting the rest', async () => {
    const dataDir = path.join(root, 'admin-db');
    fs.mkdirSync(path.join(dataDir, 'pgdata'), { recursive: true, mode: 0o700 });
    for (const name of ['PG_VERSION', 'postgresql.conf']) {
      fs.writeFileSync(path.join(dataDir, 'pgdata', name), 'x');
      fs.chmodSync(path.join(dataDir, 'pgdata', name), 0o666);
    }
    await expect(prepare(loadServerConfig({ ADMIN_DB_DIR: dataDir }), { log: log() })).rejects.toThrow(
      `ADMIN_DB_DIR: ${path.join(dataDir, 'pgdata', 'PG_VERSION')} is open to group or others (mode 0666) (and 1 more); it must be this user's alone: chmod -R go-rwx ${dataDir}`,
    );
  });

  test('refuses a world-readable key file', async () => {
    // ADMIN_MASTER_KEY_FILE: refused when the configuration is read.
    const keyFile = path.join(root, 'master-key');
    fs.writeFileSync(keyFile, KEY);
    fs.chmodSync(keyFile, 0o644);
    expect(() => loadServerConfig({ ADMIN_MASTER_KEY_FILE: keyFile })).toThrow(
      `ADMIN_MASTER_KEY_FILE: ${keyFile} is open to group or others (mode 0644); it must be this user's alone: chmod 600 ${keyFile}`,
    );
    // The embedded default's key file, and its folder: refused at start.
    const dataDir = path.join(root, 'admin-db');
    const config = loadServerConfig({ ADMIN_DB_DIR: dataDir });
    config.masterKey.read(); // made as at first start
    const embeddedKey = path.join(`${dataDir}-secrets`, 'master-key');
    fs.chmodSync(embeddedKey, 0o604);
    await expect(prepare(config, { log: log() })).rejects.toThrow(
      `${embeddedKey} is open to group or others (mode 0604)`,
    );
    fs.chmodSync(embeddedKey, 0o600);
    fs.chmodSync(`${dataDir}-secrets`, 0o755);
    await expect(prepare(config, { log: log() })).rejects.toThrow(
      `${dataDir}-secrets is open to group or others (mode 0755); it must be this user's alone: chmod -R go-rwx ${dataDir}-secrets`,
    );
  });

  (process.getuid?.() === 0 ? test : test.skip)('refuses a key file or data folder owned by another user', async () => {
    const keyFile = path.join(root, 'master-key');
    fs.writeFileSync(keyFile, KEY, { mode: 0o600 });
    fs.chownSync(keyFile, 4242, 4242);
    expect(() => loadServerConfig({ ADMIN_MASTER_KEY_FILE: keyFile })).toThrow(
      `${keyFile} is owned by user 4242, not by this process's user 0`,
    );
    const dataDir = path.join(root, 'admin-db');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    fs.chownSync(dataDir, 4242, 4242);
    await expect(prepare(loadServerConfig({ ADMIN_DB_DIR: dataDir }), { log: log() })).rejects.toThrow(
      `${dataDir} is owned by user 4242`,
    );
  });

  test(
    'the server refuses to start in one line naming the path and the fix, exit 1',
    () => {
      const dataDir = path.join(root, 'admin-db');
      fs.mkdirSync(dataDir);
      fs.chmodSync(dataDir, 0o775);
      const run = spawnSync(process.execPath, ['scripts/serve-next.mjs', 'apps/admin'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', ADMIN_DB_DIR: dataDir, ADMIN_PORT: '0' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `admin: cannot start: ADMIN_DB_DIR: ${dataDir} is open to group or others (mode 0775); it must be this user's alone: chmod -R go-rwx ${dataDir}\n`,
      );
      expect(fs.readdirSync(dataDir)).toEqual([]);
    },
    SLOW,
  );
});

describe('what the embedded database writes', () => {
  test(
    'files the embedded database creates are owner-only',
    async () => {
      const dataDir = path.join(root, 'admin-db');
      const config = loadServerConfig({ ADMIN_DB_DIR: dataDir });
      await prepare(config, { log: log() });
      // PGlite's own modes are 0666 and 0777 (owner-only-pglite-fs.mjs): not one may come through.
      process.umask(0o000);
      await withServices(config, async (s) => {
        await ensureOrganisation(s);
        await activeSigner(s);
      });
      expect(countEntries(dataDir)).toBeGreaterThan(500);
      expect(looseEntries(dataDir)).toEqual([]);
      expect(looseEntries(`${dataDir}-secrets`)).toEqual([]);
      // And the next start accepts what the last one left.
      await expect(prepare(config, { log: log() })).resolves.toBeUndefined();
      expect(looseEntries(dataDir)).toEqual([]);
    },
    SLOW,
  );
});

describe('the master key not beside what it opens', () => {
  test(
    'a copy of the data folder alone does not open the organisation key',
    async () => {
      const dataDir = path.join(root, 'site', 'admin-db');
      const config = loadServerConfig({ ADMIN_DB_DIR: dataDir });
      await prepare(config, { log: log() });
      const publicKey = await withServices(config, async (s) => {
        await ensureOrganisation(s);
        return (await activeSigner(s)).privateKey.publicKey;
      });
      expect(config.masterKey.file).toBe(path.join(root, 'site', 'admin-db-secrets', 'master-key'));

      // What a thief of the data folder (or of its backup) holds: no key file anywhere in it.
      const copy = path.join(root, 'stolen', 'admin-db');
      fs.cpSync(dataDir, copy, { recursive: true });
      expect(fs.readdirSync(copy).sort()).toEqual(['pgdata']);
      const copyConfig = loadServerConfig({ ADMIN_DB_DIR: copy });
      await prepare(copyConfig, { log: log() });
      await withServices(copyConfig, async (s) => {
        await expect(activeSigner(s)).rejects.toThrow(OrgKeyUnavailableError);
      });

      // With the key folder as well it opens: the copy is whole, only the key was missing.
      fs.cpSync(`${dataDir}-secrets`, `${copy}-secrets`, { recursive: true, force: true });
      const whole = loadServerConfig({ ADMIN_DB_DIR: copy });
      await withServices(whole, async (s) => {
        expect((await activeSigner(s)).privateKey.publicKey).toEqual(publicKey);
      });
    },
    SLOW,
  );

  test(
    'an existing master-key inside the data folder is still used (no data loss) with a warning',
    async () => {
      const dataDir = path.join(root, 'admin-db');
      const legacyKey = path.join(dataDir, 'master-key');
      // An installation from before issue 10: the key file in the data folder.
      fs.mkdirSync(dataDir, { mode: 0o700 });
      fs.writeFileSync(legacyKey, `${KEY}\n`, { mode: 0o600 });
      const config = loadServerConfig({ ADMIN_DB_DIR: dataDir });
      expect(config.masterKey).toMatchObject({ kind: 'embedded-file', file: legacyKey, insideDataFolder: true });
      await prepare(config, { log: log() });
      const publicKey = await withServices(config, async (s) => {
        await ensureOrganisation(s);
        return (await activeSigner(s)).privateKey.publicKey;
      });
      expect(fs.existsSync(`${dataDir}-secrets`)).toBe(false);

      logged = [];
      await prepare(loadServerConfig({ ADMIN_DB_DIR: dataDir }), { log: log() });
      const warnings = logged
        .map((line) => JSON.parse(line) as { level: number; event?: string; msg: string })
        .filter((line) => line.level === 40);
      expect(warnings).toEqual([
        expect.objectContaining({
          event: 'master_key.inside_data_folder',
          msg: expect.stringContaining(
            `mkdir -m 700 ${dataDir}-secrets && mv ${legacyKey} ${path.join(`${dataDir}-secrets`, 'master-key')}`,
          ),
        }),
      ]);
      await withServices(loadServerConfig({ ADMIN_DB_DIR: dataDir }), async (s) => {
        expect((await activeSigner(s)).privateKey.publicKey).toEqual(publicKey);
      });

      // Following the advice: the key is found in its new place, the organisation key still opens,
      // and the warning is gone.
      fs.mkdirSync(`${dataDir}-secrets`, { mode: 0o700 });
      fs.renameSync(legacyKey, path.join(`${dataDir}-secrets`, 'master-key'));
      const moved = loadServerConfig({ ADMIN_DB_DIR: dataDir });
      expect(moved.masterKey).toMatchObject({
        file: path.join(`${dataDir}-secrets`, 'master-key'),
        insideDataFolder: false,
      });
      logged = [];
      await prepare(moved, { log: log() });
      expect(logged.filter((line) => line.includes('"level":40'))).toEqual([]);
      await withServices(moved, async (s) => {
        expect((await activeSigner(s)).privateKey.publicKey).toEqual(publicKey);
      });
      expect(Buffer.from(moved.masterKey.read()).toString('hex')).toBe(KEY);
    },
    SLOW,
  );
});
