// Everything the admin app's server code needs, in one object passed to every operation:
// the database, the validated configuration, the clock, the organisation and token issuer key
// caches, and the pushers of the revocation list and the token key set. Route handlers get the process's one instance from adminServices();
// tests build their own with createAdminServices (a fresh database, a fake clock, a fake fetch).
import type { AdminServerConfig } from '../../server-config.mjs';
import { loadServerConfig } from '../../server-config.mjs';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { adminDatabase } from './db/instance';
import { OrgKeyCache } from './org/org-key-cache';
import { REVOCATION_LIST_DOCUMENT, SignedDocumentPusher, TOKEN_KEY_SET_DOCUMENT, type FetchLike } from './relay-push';
import { IssuerKeyCache } from './tokens/issuer-key-cache';
import { TokenIssuanceCounters } from './tokens/token-metrics';

/** The client, or the client of an open transaction (PGlite: inside one, use only it). */
export type Db = PrismaClient | Prisma.TransactionClient;

export interface AdminServices {
  readonly prisma: PrismaClient;
  readonly config: AdminServerConfig;
  /** The clock, passed in so that expiry is testable. */
  now(): Date;
  readonly orgKeys: OrgKeyCache;
  /** Privacy Pass issuer private keys, opened (src/server/tokens). */
  readonly issuerKeys: IssuerKeyCache;
  /** Pushes each new revocation list to the relays. */
  readonly pusher: SignedDocumentPusher;
  /** Pushes each new token key set to the relays. */
  readonly tokenKeyPusher: SignedDocumentPusher;
  /** Tokens issued and requests refused since this process started, for /metrics. */
  readonly tokenCounters: TokenIssuanceCounters;
}

export interface ServiceOptions {
  readonly now?: () => Date;
  readonly fetch?: FetchLike;
  /** Where the pusher logs; default the app's log (src/server/log.mjs). */
  readonly log?: Pick<Console, 'info' | 'warn'>;
}

export function createAdminServices(
  prisma: PrismaClient,
  config: AdminServerConfig,
  options: ServiceOptions = {},
): AdminServices {
  return {
    prisma,
    config,
    now: options.now ?? (() => new Date()),
    orgKeys: new OrgKeyCache(config.masterKey),
    issuerKeys: new IssuerKeyCache(config.masterKey),
    pusher: new SignedDocumentPusher(REVOCATION_LIST_DOCUMENT, config.relayUrls, {
      fetch: options.fetch,
      log: options.log,
    }),
    tokenKeyPusher: new SignedDocumentPusher(TOKEN_KEY_SET_DOCUMENT, config.relayUrls, {
      fetch: options.fetch,
      log: options.log,
    }),
    tokenCounters: new TokenIssuanceCounters(),
  };
}

interface ProcessState {
  adminServices?: Promise<AdminServices>;
  __opendescentShutdownHooks?: Array<() => Promise<void>>;
}

const state = globalThis as typeof globalThis & ProcessState;

/**
 * Next.js bundles the instrumentation hook and each route separately, each with its own copy of
 * the libraries, so an Ed25519PrivateKey made by one copy fails `instanceof` in another. What is
 * shared through globalThis is therefore plain state (the database client, the configuration,
 * the pushers' queues); the opened organisation keys are cached per module copy, here. The
 * issuer key cache is shared: its KeyObjects are node:crypto's, the same in every copy, and its
 * own code only ever meets the objects it made.
 */
let localServices: { shared: AdminServices; local: AdminServices } | undefined;

function withLocalKeyCache(shared: AdminServices): AdminServices {
  if (localServices?.shared !== shared) {
    localServices = { shared, local: { ...shared, orgKeys: new OrgKeyCache(shared.config.masterKey) } };
  }
  return localServices.local;
}

/** The process's services, made on first use (kept on globalThis across module reloads). */
export async function adminServices(): Promise<AdminServices> {
  if (!state.adminServices) {
    const making = (async () => {
      const db = await adminDatabase();
      const services = createAdminServices(db.prisma, loadServerConfig(process.env));
      (state.__opendescentShutdownHooks ??= []).push(async () => {
        services.pusher.close();
        services.tokenKeyPusher.close();
      });
      return services;
    })();
    state.adminServices = making;
    making.catch(() => {
      if (state.adminServices === making) delete state.adminServices;
    });
  }
  return withLocalKeyCache(await state.adminServices);
}

/** Tests: make route handlers use these services. */
export function useAdminServicesForTests(services: AdminServices | undefined): void {
  if (services) state.adminServices = Promise.resolve(services);
  else delete state.adminServices;
  localServices = services ? { shared: services, local: services } : undefined;
}
