/**
 * The messenger's Web Worker: every key, session and plaintext lives here, never on the page.
 * The page (src/ui/messenger-client.ts) starts it, sends the public configuration as the first
 * message, then talks to it through the protocol in ./rpc.ts.
 */
import { z } from 'zod';
import type { MessengerEvent } from '../messenger/api';
import { browserDependencies, createMessengerService, type MessengerConfig } from '../messenger/service';
import { createDirectBridge } from './direct-bridge';
import { serveMessengerWorker, type RpcPort } from './rpc';

const httpUrl = z.url({ protocol: /^https?$/ });

const messengerConfig = z.object({
  relayUrls: z.array(httpUrl).min(1).max(16),
  adminUrl: httpUrl,
  revocationPollSeconds: z.number().int().min(1).max(86_400),
});

function parseConfig(config: unknown): MessengerConfig {
  const parsed = messengerConfig.safeParse(config);
  if (!parsed.success) throw { code: 'internal', message: 'invalid messenger configuration' };
  return {
    relayUrls: [...parsed.data.relayUrls],
    adminUrl: parsed.data.adminUrl,
    revocationPollSeconds: parsed.data.revocationPollSeconds,
  };
}

/**
 * Only `npm run bench:web` builds with this set (Next inlines it, so elsewhere the branches below
 * are dead code and ./bench-seed.ts is not in the bundle): the bench's seeding and commit marks.
 */
const BENCH_BUILD = process.env.NEXT_PUBLIC_OPENDESCENT_BENCH === '1';
let observeForBench: ((event: MessengerEvent) => void) | undefined;

// The page runs the peer connections of direct channels for this worker (./direct-bridge.ts).
const dependencies = { ...browserDependencies(), direct: createDirectBridge(self as unknown as RpcPort) };

const createService = (config: MessengerConfig, emit: (event: MessengerEvent) => void) =>
  createMessengerService(
    config,
    BENCH_BUILD
      ? (event) => {
          observeForBench?.(event);
          emit(event);
        }
      : emit,
    dependencies,
  );

// In a dedicated worker, `self` is the worker's global scope: a message port to the page.
serveMessengerWorker(self as unknown as RpcPort, parseConfig, createService);

if (BENCH_BUILD) {
  void import('./bench-seed').then(({ installBenchHooks }) => {
    observeForBench = installBenchHooks(self);
  });
}
