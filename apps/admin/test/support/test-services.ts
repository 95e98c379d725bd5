// A fresh admin app for one test file: an in-memory embedded database migrated from empty, a
// clock the test moves, a fetch that records revocation pushes, and the route handlers wired
// to all of it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { loadServerConfig } from '../../server-config.mjs';
import { openDatabase, type AdminDatabase, type DatabaseConfig } from '../../src/server/db';
import { createAdminServices, useAdminServicesForTests, type AdminServices } from '../../src/server/services';
import type { FetchLike } from '../../src/server/revocation/relay-push';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../../prisma/migrations');
export const PUBLIC_URL = 'http://localhost:3001';
export const SLOW = 120_000;

export interface Push {
  readonly url: string;
  readonly body: Uint8Array;
}

export interface TestApp {
  readonly services: AdminServices;
  readonly database: AdminDatabase;
  readonly pushes: Push[];
  /** Moves the clock by `seconds`. */
  advance(seconds: number): void;
  /** What the fake relays answer: 200 by default. */
  relayAnswer: (url: string) => { status: number; body: unknown };
  close(): Promise<void>;
}

export type DatabaseKind = 'embedded' | 'postgres';

const serverUrl = process.env.DATABASE_URL?.trim();

/** The embedded database always; PostgreSQL too when DATABASE_URL names a server (CI does). */
export const DATABASE_KINDS: DatabaseKind[] = serverUrl ? ['embedded', 'postgres'] : ['embedded'];

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database migrated from empty: in memory, or a throwaway database on the PostgreSQL server. */
async function freshDatabase(kind: DatabaseKind): Promise<{ config: DatabaseConfig; dispose(): Promise<void> }> {
  if (kind === 'embedded') return { config: { kind: 'embedded', dir: null }, dispose: async () => undefined };
  if (!serverUrl) throw new Error('the PostgreSQL kind needs DATABASE_URL');
  const name = `admin_api_test_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { config: { kind: 'postgres', url: url.toString() }, dispose: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function startTestApp(env: Record<string, string> = {}, kind: DatabaseKind = 'embedded'): Promise<TestApp> {
  const target = await freshDatabase(kind);
  const database = await openDatabase(target.config);
  await database.migrateToLatest({ migrationsDir: MIGRATIONS_DIR });
  const config = loadServerConfig({
    ADMIN_MASTER_KEY: randomBytes(32).toString('hex'),
    ADMIN_PUBLIC_URL: PUBLIC_URL,
    ADMIN_RELAY_URLS: 'http://relay-a.test,http://relay-b.test',
    ...env,
  });
  let now = Date.parse('2026-11-26T12:00:00Z');
  const pushes: Push[] = [];
  const app: TestApp = {
    services: undefined as unknown as AdminServices,
    database,
    pushes,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    relayAnswer: () => ({ status: 200, body: { listVersion: 0 } }),
    close: async () => {
      app.services.pusher.close();
      useAdminServicesForTests(undefined);
      await database.close();
      await target.dispose();
    },
  };
  const fakeFetch: FetchLike = async (url, init) => {
    pushes.push({ url, body: init.body });
    const answer = app.relayAnswer(url);
    return { status: answer.status, json: async () => answer.body };
  };
  const services = createAdminServices(database.prisma, config, {
    now: () => new Date(now),
    fetch: fakeFetch,
    log: { info: () => undefined, warn: () => undefined },
  });
  (app as { services: AdminServices }).services = services;
  useAdminServicesForTests(services);
  return app;
}

type Handler = (request: Request) => Promise<Response> | Response;

export interface CallOptions {
  readonly headers?: Record<string, string>;
  readonly method?: string;
  readonly rawBody?: string;
}

/** Calls a route handler as Next.js would, with a JSON body. */
export async function call(handler: Handler, pathname: string, body?: unknown, options: CallOptions = {}): Promise<{ status: number; json: Record<string, unknown>; response: Response }> {
  const hasBody = body !== undefined || options.rawBody !== undefined;
  const request = new Request(`${PUBLIC_URL}${pathname}`, {
    method: options.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const response = await handler(request);
  const text = await response.clone().text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a download): the test reads the response itself.
  }
  return { status: response.status, json, response };
}
