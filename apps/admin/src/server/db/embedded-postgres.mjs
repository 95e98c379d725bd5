// The embedded database: PGlite (PostgreSQL compiled to WebAssembly) in this process, served
// over the PostgreSQL wire protocol on a Unix socket so that node-postgres, @prisma/adapter-pg
// and the Prisma schema engine talk to it exactly as they talk to a PostgreSQL server.
// Why PGlite and what it costs: docs/decisions/0002-embedded-database.md.
//
// Plain ESM JavaScript (with embedded-postgres.d.mts beside it) so that the migration CLI in
// tools/prisma runs it with plain `node`, and Next.js and Jest compile it like any other file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { OWNER_ONLY_DIR_MODE, assertOwnerOnly } from '../owner-only-files.mjs';
import { OwnerOnlyNodeFS } from './owner-only-pglite-fs.mjs';

/** node-postgres looks for `<host>/.s.PGSQL.<port>` when `host` is a directory. */
const SOCKET_PORT = 5432;
const LOCK_FILE = 'lock';
const PGDATA_DIR = 'pgdata';

/**
 * Thrown when another process (or an earlier open in this one) holds the embedded database.
 * PGlite itself takes no lock: two processes writing one data directory would corrupt it.
 */
export class EmbeddedDatabaseInUseError extends Error {
  constructor(dir, holder) {
    super(
      `The embedded database in ${dir} is already open (process ${holder.pid} on ${holder.host}, ` +
        `since ${holder.startedAt}). Only one process may open it at a time: stop the admin app ` +
        `before running migrations by hand, or set DATABASE_URL to use a PostgreSQL server. If ` +
        `that process is gone, delete ${path.join(dir, LOCK_FILE)}.`,
    );
    this.name = 'EmbeddedDatabaseInUseError';
    this.holder = holder;
  }
}

/**
 * Starts the embedded PostgreSQL.
 * @param {{ dir: string | null }} options `dir` holds `pgdata/` and a `lock` file and is created
 *   when missing; `null` keeps the whole database in memory (shadow databases, tests). A `dir`
 *   that is not this user's alone is refused (LooseFileModesError), and all it gets is owner-only.
 */
export async function startEmbeddedPostgres({ dir }) {
  if (dir !== null) assertOwnerOnly(dir, { variable: 'ADMIN_DB_DIR' });
  const releaseLock = dir === null ? () => {} : acquireLock(dir);
  let db;
  let server;
  let socketDir;
  try {
    db =
      dir === null
        ? await PGlite.create({ loadDataDir: await emptyClusterTemplate() })
        : await PGlite.create({ fs: new OwnerOnlyNodeFS(path.join(dir, PGDATA_DIR)) });
    // A fresh 0700 directory: PGlite has no authentication, so the socket's directory
    // permissions are what keeps other local users out (a TCP port would not).
    socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendescent-pg-'));
    // PGlite is one PostgreSQL session: the socket server multiplexes connections onto it message
    // by message, so two clients' unnamed prepared statements could clobber each other. Callers
    // therefore share ONE pool of size 1 (database-server.mjs). The server still accepts a few
    // connections: node-postgres's pool destroys a connection after any failed query and opens
    // the next one before this server has noticed the close; with a limit of 1 that next query
    // would be refused ("write EPIPE").
    server = new PGLiteSocketServer({
      db,
      path: path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections: 4,
    });
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    if (socketDir) fs.rmSync(socketDir, { recursive: true, force: true });
    releaseLock();
    throw error;
  }

  let stopped = false;
  return {
    /** node-postgres connection settings for this database. */
    connection: { host: socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
    /** Closes connections, flushes and closes the database, releases the lock. Idempotent. */
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
        await db.close();
      } finally {
        fs.rmSync(socketDir, { recursive: true, force: true });
        releaseLock();
      }
    },
  };
}

let template;

/**
 * For tests: the dump of a freshly initialised cluster, made once for the whole test run
 * (test/support/pglite-template.cjs), so that each test file, which loads this module afresh,
 * does not run initdb again. Nothing else calls it.
 * @param {Blob} dump what PGlite's dumpDataDir('none') gave for a cluster nobody has used
 */
export function useEmptyClusterTemplate(dump) {
  template = Promise.resolve(dump);
}

/**
 * A freshly initialised cluster, dumped once per process: initdb takes about 3 s, loading the
 * dump well under 1 s, and in-memory databases (shadow databases, tests) come in series.
 */
function emptyClusterTemplate() {
  template ??= (async () => {
    const pristine = await PGlite.create();
    try {
      return await pristine.dumpDataDir('none');
    } finally {
      await pristine.close();
    }
  })();
  template.catch(() => {
    template = undefined; // let the next caller try again
  });
  return template;
}

/** Creates `<dir>/lock` exclusively, or explains who holds it. Returns the release function. */
function acquireLock(dir) {
  fs.mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  const lockPath = path.join(dir, LOCK_FILE);
  const me = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      const releaseOnExit = () => removeLockIfMine(lockPath, me);
      process.once('exit', releaseOnExit);
      return () => {
        process.removeListener('exit', releaseOnExit);
        removeLockIfMine(lockPath, me);
      };
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = readLock(lockPath);
      if (holder && isAlive(holder)) throw new EmbeddedDatabaseInUseError(dir, holder);
      // Left behind by a process that died: take it over once.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new EmbeddedDatabaseInUseError(dir, readLock(lockPath) ?? { pid: '?', host: '?', startedAt: '?' });
}

function readLock(lockPath) {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8'));
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function isAlive(holder) {
  if (holder.host !== os.hostname()) return true; // cannot tell: assume it is (shared disk)
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function removeLockIfMine(lockPath, me) {
  const holder = readLock(lockPath);
  if (holder && holder.pid === me.pid && holder.startedAt === me.startedAt) {
    fs.rmSync(lockPath, { force: true });
  }
}
