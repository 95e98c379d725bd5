/**
 * The messenger's Web Worker: every key, session and plaintext lives here, never on the page.
 * The page (src/ui/messenger-client.ts) starts it, sends the public configuration as the first
 * message, then talks to it through the protocol in ./rpc.ts.
 */
import { z } from 'zod';
import { createMessengerService, type MessengerConfig } from '../messenger/service';
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
  return { relayUrls: [...parsed.data.relayUrls], adminUrl: parsed.data.adminUrl, revocationPollSeconds: parsed.data.revocationPollSeconds };
}

// In a dedicated worker, `self` is the worker's global scope: a message port to the page.
serveMessengerWorker(self as unknown as RpcPort, parseConfig, createMessengerService);
