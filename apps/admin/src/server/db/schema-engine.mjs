// Prisma's schema engine (migrations, diffs, history checks) as WebAssembly, driven through the
// PostgreSQL driver adapter. The Prisma CLI would download a native engine from Prisma's servers
// for the same work; this needs nothing but the npm packages.
// Pinned: @prisma/schema-engine-wasm 7.10.0-4.0edf323efd1d98336f3f0a68684b56f689b900d3 goes with
// prisma, @prisma/adapter-pg and @prisma/driver-adapter-utils 7.10.0 (/work/shared/ENVIRONMENT.md).

import fs from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
// ESM-only: Jest (CommonJS) must transform it, see transformIgnorePatterns in the Jest config.
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { CHAR_COLUMNS, createPool } from './database-server.mjs';

/**
 * The engine wants a schema even to apply or check migrations (it panics on none); the datasource
 * block alone names the dialect, so deploy and status need only the migrations folder.
 */
export const DATASOURCE_ONLY = { path: 'schema.prisma', content: 'datasource db {\n  provider = "postgresql"\n}\n' };

let loaded;
let lastPanic = null;

/** Instantiates the wasm once per process; the glue module keeps a single instance. */
function loadSchemaEngine() {
  loaded ??= (async () => {
    // wasm-bindgen reports Rust panics here before throwing a bare "unreachable".
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(message) {
        lastPanic = message;
      },
    };
    const wasmPath = path.join(
      path.dirname(resolveOnDisk('@prisma/schema-engine-wasm/schema_engine_bg')),
      'schema_engine_bg.wasm',
    );
    const imports = { ...engineGlue };
    // The engine arms a 10 s timer (its advisory-lock timeout) and never clears it; unreferenced,
    // it no longer keeps a finished CLI or test run alive.
    for (const name of Object.keys(imports)) {
      if (name.startsWith('__wbg_setTimeout_')) {
        imports[name] = (callback, ms) => {
          const timer = setTimeout(callback, ms >>> 0);
          timer.unref?.();
          return timer;
        };
      }
    }
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {
      './schema_engine_bg.js': imports,
    });
    engineGlue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return engineGlue.SchemaEngine;
  })();
  return loaded;
}

/**
 * Node's own resolution, at run time. Bundlers (Next.js's Turbopack) replace a visible
 * `require.resolve` with a module id, but the .wasm file has to be read from node_modules.
 */
function resolveOnDisk(specifier) {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(import.meta.url).resolve(specifier);
}

/**
 * Runs `work(engine)` with a schema engine connected to `server` (from openDatabaseServer).
 * Shadow databases the engine asks for are made by the server and always removed afterwards.
 * @param {{ server: any, schemaFiles?: { path: string, content: string }[] }} options
 * @param {(engine: import('@prisma/schema-engine-wasm').SchemaEngine) => Promise<T>} work
 * @template T
 */
export async function withSchemaEngine({ server, schemaFiles = [DATASOURCE_ONLY] }, work) {
  const SchemaEngine = await loadSchemaEngine();
  // Size 1: the engine's session-level advisory lock must be taken and released on one connection.
  const main = server.openPool({ max: 1 });
  const mainPool = main.pool;
  const shadows = [];
  const factory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => forSchemaEngine(await new PrismaPg(mainPool).connect(), mainPool),
    async connectToShadowDb() {
      const shadow = await server.createShadowDatabase();
      const pool = createPool(shadow.connection, { max: 1 });
      const entry = { pool, shadow, closed: false };
      shadows.push(entry);
      const adapter = forSchemaEngine(await new PrismaPg(pool).connect(), pool);
      adapter.dispose = () => closeShadow(entry);
      return adapter;
    },
  };
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  let engine;
  try {
    engine = await SchemaEngine.new(
      { datamodels: schemaFiles.map((file) => [file.path, file.content]) },
      () => {}, // the engine's own log lines (JSON); nothing in them is needed here
      bound,
    );
    return await work(engine);
  } catch (error) {
    throw explainEngineError(error, bound.errorRegistry);
  } finally {
    engine?.free();
    for (const entry of shadows) await closeShadow(entry);
    await main.release();
  }
}

async function closeShadow(entry) {
  if (entry.closed) return;
  entry.closed = true;
  await entry.pool.end();
  await entry.shadow.drop();
}

/**
 * Two changes to adapter-pg for the schema engine:
 * - executeScript: adapter-pg splits scripts on every `;`, which breaks statements holding a `;`
 *   in a string or a function body. Native Prisma sends a migration as one simple-protocol
 *   query (so PostgreSQL runs it as one implicit transaction); so does this.
 * - queryRaw: catalog columns of type "char" are reported as `Character`, which the engine's
 *   schema describer reads with get_char (see CHAR_COLUMNS in database-server.mjs).
 */
function forSchemaEngine(adapter, pool) {
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      adapter.onError(error); // throws the adapter's mapped error (codes, messages)
    }
  };
  typeCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => typeCharColumns(await startTransaction(...args));
  return adapter;
}

function typeCharColumns(queryable) {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of result.rows[CHAR_COLUMNS] ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

/**
 * Errors raised in JavaScript (connection refused, a failed statement) reach the caller from the
 * engine as "External error id#N"; the original is kept in the adapter's error registry.
 */
function explainEngineError(error, errorRegistry) {
  if (error instanceof WebAssembly.RuntimeError && lastPanic) {
    const wrapped = new Error(`Prisma schema engine panicked: ${lastPanic}`, { cause: error });
    lastPanic = null;
    return wrapped;
  }
  const external = /External error id#(\d+)/.exec(error?.message ?? '');
  const original = external ? errorRegistry.consumeError(Number(external[1]))?.error : undefined;
  if (original === undefined) return error;
  const cause = original?.cause ?? original; // DriverAdapterError keeps the driver's error as cause
  const detail = cause?.originalMessage ?? cause?.message ?? original?.message ?? String(original);
  return new Error(`${error.message.split('\n')[0].replace(external[0], 'database error')}: ${detail}`, {
    cause: original,
  });
}
