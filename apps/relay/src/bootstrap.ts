import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { relayCorsOptions } from './attachments/attachment-cors';
import { attachmentStoreSettings, openAttachmentStore } from './attachments/open-attachment-store';
import type { RelayConfig } from './config/relay-config';
import { RelayIoAdapter } from './gateway/relay-io.adapter';
import { PinoNestLogger, createRelayLogger } from './logging/relay-logger';
import { RelayMetrics } from './metrics/relay-metrics';
import { RelayModule } from './relay.module';
import type { Clock, RelayRuntime } from './runtime/relay-runtime';
import { MemoryRelayStore } from './store/memory-relay-store';
import { RedisRelayStore } from './store/redis-relay-store';
import { newRedis, redisTargetOf } from './store/redis-target';
import { TokenKeyService } from './tokens/token-key.service';
import { RedisLiveBus } from './gateway/live-bus';
import type { RelayStore, StoreLimits } from './store/relay-store';
import { MAX_ONE_TIME_PREKEYS_PER_SLOT } from '@opendescent/protocol';

export interface RunningRelay {
  readonly app: INestApplication;
  /** The base URL it listens on, e.g. http://127.0.0.1:3002 (the real port when 0 was asked). */
  readonly url: string;
}

export interface RelayOptions {
  /** The wall clock in Unix milliseconds (tests inject one to expire TTLs). */
  readonly clock?: Clock;
  /** Where the JSON log lines go (default: stdout). */
  readonly logDestination?: DestinationStream;
  /** A store to use instead of the configured one (tests: a failing store). */
  readonly store?: RelayStore;
}

export function storeLimits(config: RelayConfig): StoreLimits {
  return {
    queueMaxMessages: config.RELAY_QUEUE_MAX_MESSAGES,
    queueMaxBytes: config.RELAY_QUEUE_MAX_BYTES,
    queueIdleTtlMs: config.RELAY_QUEUE_IDLE_TTL_SECONDS * 1000,
    prekeyTtlMs: config.RELAY_PREKEY_TTL_SECONDS * 1000,
    maxOneTimePrekeysPerSlot: MAX_ONE_TIME_PREKEYS_PER_SLOT,
    memoryMaxBytes: config.RELAY_MEMORY_MAX_BYTES,
    sharedMaxBytes: config.RELAY_SHARED_MAX_BYTES,
  };
}

type OpenedStore = Pick<RelayRuntime, 'store' | 'pubSub' | 'liveBus'>;

async function openStore(config: RelayConfig): Promise<OpenedStore> {
  const target = redisTargetOf(config);
  if (!target) return { store: new MemoryRelayStore(storeLimits(config)), pubSub: undefined, liveBus: undefined };
  const store = await RedisRelayStore.connect(target, config.RELAY_REDIS_PREFIX, storeLimits(config));
  const pub = newRedis(target, { enableAutoPipelining: true });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on('error', () => undefined); // reconnects on its own; never crashes the relay
  // socket.io's adapter never waits for a publish: one that fails (Redis away past the retries, a
  // failover, shutdown) would be an unhandled rejection, which ends a Node.js process. The live
  // delivery is lost; the message is in its queue for the next fetch (relay.md §9.1).
  const publish = pub.publish.bind(pub);
  pub.publish = ((...args: Parameters<typeof publish>) => {
    const published = publish(...args);
    published.catch(() => undefined);
    return published;
  }) as typeof pub.publish;
  const liveBus = await RedisLiveBus.connect(pub, sub, `${config.RELAY_REDIS_PREFIX}deliver`);
  return { store, pubSub: { pub, sub }, liveBus };
}

export async function startRelay(config: RelayConfig, options: RelayOptions = {}): Promise<RunningRelay> {
  const logger = createRelayLogger(config.RELAY_LOG_LEVEL, options.logDestination);
  const { store, pubSub, liveBus } = options.store
    ? { store: options.store, pubSub: undefined, liveBus: undefined }
    : await openStore(config);
  const attachments = await openAttachmentStore(attachmentStoreSettings(config));
  const runtime: RelayRuntime = {
    config,
    clock: options.clock ?? Date.now,
    store,
    attachments,
    logger,
    metrics: new RelayMetrics(),
    pubSub,
    liveBus,
  };
  const app = await NestFactory.create(RelayModule.forRuntime(runtime), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  app.enableCors(relayCorsOptions(config.RELAY_ALLOWED_ORIGINS));
  app.useWebSocketAdapter(new RelayIoAdapter(app, config, pubSub));
  app.enableShutdownHooks();
  await app.listen(config.RELAY_PORT, config.RELAY_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.RELAY_PORT;
  app.get(TokenKeyService).listeningOn(port);
  const host = config.RELAY_HOST.includes(':') ? `[${config.RELAY_HOST}]` : config.RELAY_HOST;
  logger.info({ event: 'listening', port, store: config.RELAY_STORE }, 'relay listening');
  return { app, url: `http://${host}:${port}` };
}
