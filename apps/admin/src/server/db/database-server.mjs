// One way to reach "the admin database" whichever kind it is: a PostgreSQL server named by a
// URL, or the embedded PGlite. Both end up as node-postgres pools, so the Prisma client and the
// schema engine use @prisma/adapter-pg for both, with one schema and one migration history.

import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';

const CHAR_OID = 18; // PostgreSQL's internal one-byte "char" (pg_class.relkind, pg_constraint.contype…)
const TEXT_OID = 25;

/**
 * Indexes of the "char" columns of a result, attached to its `rows` array (which
 * @prisma/adapter-pg passes through unchanged) so the schema engine's adapter can type them.
 */
export const CHAR_COLUMNS = Symbol('opendescent.charColumns');

/**
 * @prisma/adapter-pg 7.10.0 rejects columns of type "char" (UnsupportedNativeDataType), and the
 * schema engine selects such catalog columns when it describes a database. node-postgres returns
 * them as one-character strings; labelled `text` here, they pass the adapter, and CHAR_COLUMNS
 * lets schema-engine.mjs report them as the `Character` column type the engine expects.
 */
class CharAsTextClient extends pg.Client {
  query(config, values, callback) {
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (typeof callback === 'function') {
      return super.query(config, values, (error, result) => callback(error, error ? result : relabelChar(result)));
    }
    const pending = super.query(config, values);
    return pending && typeof pending.then === 'function' ? pending.then(relabelChar) : pending;
  }
}

function relabelChar(result) {
  for (const one of Array.isArray(result) ? result : [result]) {
    const charColumns = [];
    (one?.fields ?? []).forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      charColumns.push(index);
    });
    if (charColumns.length > 0 && Array.isArray(one.rows)) {
      Object.defineProperty(one.rows, CHAR_COLUMNS, { value: charColumns });
    }
  }
  return result;
}

/** @param {import('pg').PoolConfig} connection */
export function createPool(connection, { max }) {
  const pool = new pg.Pool({ ...connection, max, Client: CharAsTextClient });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}

/**
 * Opens the database server described by `config`.
 * @param {import('./database-config.mjs').DatabaseConfig} config
 */
export async function openDatabaseServer(config) {
  if (config.kind === 'postgres') return openPostgresServer(config.url);
  if (config.kind === 'embedded') return openEmbeddedServer(config.dir);
  throw new Error(`Unknown database kind ${JSON.stringify(config?.kind)}: expected "postgres" or "embedded".`);
}

function openPostgresServer(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgresql://user@host:port/database).');
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//).`);
  }
  return {
    kind: 'postgres',
    /** Where it is, for messages; never includes the password. */
    description: `PostgreSQL ${parsed.hostname || 'socket'}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`,
    /**
     * A throwaway database on the same server for the schema engine's shadow database. Created
     * and dropped here because adapter-pg's own shadow database, given a connection string,
     * is the main database itself.
     */
    async createShadowDatabase() {
      const name = `prisma_shadow_${crypto.randomBytes(8).toString('hex')}`;
      await runOnce(url, `CREATE DATABASE "${name}"`);
      const shadowUrl = new URL(url);
      shadowUrl.pathname = `/${name}`;
      return {
        connection: { connectionString: shadowUrl.toString() },
        drop: () => runOnce(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      };
    },
    /** A pool of its own; `release` ends it. */
    openPool({ max }) {
      const pool = createPool({ connectionString: url }, { max });
      return { pool, release: () => pool.end() };
    },
    async close() {},
  };
}

async function openEmbeddedServer(dir) {
  const embedded = await startEmbeddedPostgres({ dir: dir === null ? null : path.resolve(dir) });
  // The embedded server takes one connection, so everything in this process shares one
  // one-connection pool; it ends when the server closes.
  const shared = createPool(embedded.connection, { max: 1 });
  return {
    kind: 'embedded',
    description: dir === null ? 'embedded PGlite (in memory)' : `embedded PGlite in ${path.resolve(dir)}`,
    /** A separate in-memory PGlite: nothing is created in, or left behind next to, the real one. */
    async createShadowDatabase() {
      const shadow = await startEmbeddedPostgres({ dir: null });
      return { connection: shadow.connection, drop: () => shadow.stop() };
    },
    openPool() {
      return { pool: shared, release: async () => {} };
    },
    async close() {
      try {
        await shared.end();
      } finally {
        await embedded.stop();
      }
    },
  };
}

async function runOnce(connectionString, sql) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
