import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedDatabaseInUseError, migrateToLatest, openDatabase } from '../../src/server/db';
import { adminDatabaseSuite, MIGRATIONS_DIR, SLOW } from './admin-database-suite';

function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'admin-db-test-'));
}

describe('embedded database (PGlite in a temporary directory)', () => {
  adminDatabaseSuite(async () => {
    const dir = freshDir();
    return {
      config: { kind: 'embedded', dir },
      dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  });
});

describe('embedded database on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = freshDir();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test(
    'data survives closing and reopening the directory, and nothing is migrated twice',
    async () => {
      expect(
        (await migrateToLatest({ kind: 'embedded', dir }, { migrationsDir: MIGRATIONS_DIR })).applied.length,
      ).toBeGreaterThan(0);
      const first = await openDatabase({ kind: 'embedded', dir });
      await first.prisma.admin.create({ data: { displayName: 'Grace Hopper' } });
      await first.close();

      const second = await openDatabase({ kind: 'embedded', dir });
      try {
        expect(await second.migrateToLatest({ migrationsDir: MIGRATIONS_DIR })).toEqual({ applied: [] });
        expect((await second.prisma.admin.findMany()).map((admin) => admin.displayName)).toEqual(['Grace Hopper']);
      } finally {
        await second.close();
      }
    },
    SLOW,
  );

  test(
    'a second open of a directory already open is refused with the holder named, until the first closes',
    async () => {
      const first = await openDatabase({ kind: 'embedded', dir });
      try {
        const refused = openDatabase({ kind: 'embedded', dir });
        await expect(refused).rejects.toBeInstanceOf(EmbeddedDatabaseInUseError);
        await expect(refused).rejects.toThrow(`process ${process.pid}`);
      } finally {
        await first.close();
      }
      const again = await openDatabase({ kind: 'embedded', dir });
      await again.close();
    },
    SLOW,
  );

  test(
    'a lock left by a process that no longer exists is taken over',
    async () => {
      // PIDs are below 2^22 on Linux: this one cannot be running.
      const stale = { pid: 2 ** 22 + 1, host: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z' };
      fs.writeFileSync(path.join(dir, 'lock'), JSON.stringify(stale), { mode: 0o600 }); // anything looser is refused (owner-only-files.mjs)
      const db = await openDatabase({ kind: 'embedded', dir });
      await db.close();
      expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
    },
    SLOW,
  );
});
