// A fresh admin app for one test file: an in-memory embedded database migrated from empty, a
// clock the test moves, a fetch that records revocation pushes, and the route handlers wired
// to all of it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { loadServerConfig } from '../../server-config.mjs';
import { migrateToLatest, openDatabase, type AdminDatabase, type DatabaseConfig } from '../../src/server/db';
import { setUpAppRoleFromUrls } from '../../src/server/db/database-roles.mjs';
import { createAdminServices, useAdminServicesForTests, type AdminServices } from '../../src/server/services';
import type { FetchLike } from '../../src/server/relay-push';

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
  /**
   * PostgreSQL only: the throwaway database's owner (ran the migrations) and the app's role (what
   * `database` and the route handlers connect as), both trust-authenticated URLs.
   */
  readonly roles?: { readonly ownerUrl: string; readonly appUrl: string };
  close(): Promise<void>;
}

export type DatabaseKind = 'embedded' | 'postgres';

const serverUrl = process.env.DATABASE_URL?.trim();

/** The embedded database always; PostgreSQL too when DATABASE_URL names a server (CI does). */
export const DATABASE_KINDS: DatabaseKind[] = serverUrl ? ['embedded', 'postgres'] : ['embedded'];

async function onServer(...statements: string[]): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

interface FreshDatabase {
  /** What the app opens. */
  readonly config: DatabaseConfig;
  readonly roles?: { readonly ownerUrl: string; readonly appUrl: string };
  dispose(): Promise<void>;
}

/**
 * A database migrated from empty: in memory, or a throwaway database on the PostgreSQL server
 * with two throwaway roles as in production (docs/decisions/0008-audit-log.md): an owner that
 * runs the migrations, and the app's role, which owns nothing.
 */
async function freshDatabase(kind: DatabaseKind): Promise<FreshDatabase> {
  if (kind === 'embedded') return { config: { kind: 'embedded', dir: null }, dispose: async () => undefined };
  if (!serverUrl) throw new Error('the PostgreSQL kind needs DATABASE_URL');
  const suffix = randomBytes(6).toString('hex');
  const name = `admin_api_test_${suffix}`;
  const owner = `od_owner_${suffix}`;
  const appRole = `od_app_${suffix}`;
  await onServer(
    `CREATE ROLE "${owner}" LOGIN`,
    `CREATE ROLE "${appRole}" LOGIN`,
    `CREATE DATABASE "${name}" OWNER "${owner}"`,
  );
  const dispose = () =>
    onServer(
      `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
      `DROP ROLE IF EXISTS "${appRole}"`,
      `DROP ROLE IF EXISTS "${owner}"`,
    );
  const urlAs = (user: string) => {
    const url = new URL(serverUrl);
    url.username = user;
    url.password = '';
    url.pathname = `/${name}`;
    return url.toString();
  };
  const roles = { ownerUrl: urlAs(owner), appUrl: urlAs(appRole) };
  try {
    await migrateToLatest({ kind: 'postgres', url: roles.ownerUrl }, { migrationsDir: MIGRATIONS_DIR });
    await setUpAppRoleFromUrls(roles.ownerUrl, roles.appUrl);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { config: { kind: 'postgres', url: roles.appUrl }, roles, dispose };
}

export async function startTestApp(
  env: Record<string, string> = {},
  kind: DatabaseKind = 'embedded',
): Promise<TestApp> {
  const target = await freshDatabase(kind);
  const database = await openDatabase(target.config);
  // PostgreSQL was migrated by its owner; the in-memory database exists only once opened.
  if (kind === 'embedded') await database.migrateToLatest({ migrationsDir: MIGRATIONS_DIR });
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
    roles: target.roles,
    close: async () => {
      app.services.pusher.close();
      app.services.tokenKeyPusher.close();
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
export async function call(
  handler: Handler,
  pathname: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<{ status: number; json: Record<string, unknown>; response: Response }> {
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
