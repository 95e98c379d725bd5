import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { RelayConfig } from './config/relay-config';
import { RelayIoAdapter } from './gateway/relay-io.adapter';
import { RelayModule } from './relay.module';

export interface RunningRelay {
  readonly app: INestApplication;
  /** The base URL it listens on, e.g. http://127.0.0.1:3002 (the real port when 0 was asked). */
  readonly url: string;
}

export async function startRelay(config: RelayConfig, logLevels: LogLevel[] = ['error', 'warn']): Promise<RunningRelay> {
  const app = await NestFactory.create(RelayModule.forConfig(config), { logger: logLevels });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  app.enableCors({ origin: config.RELAY_ALLOWED_ORIGINS, methods: ['GET'] });
  app.useWebSocketAdapter(new RelayIoAdapter(app, config));
  app.enableShutdownHooks();
  await app.listen(config.RELAY_PORT, config.RELAY_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.RELAY_PORT;
  const host = config.RELAY_HOST.includes(':') ? `[${config.RELAY_HOST}]` : config.RELAY_HOST;
  return { app, url: `http://${host}:${port}` };
}
