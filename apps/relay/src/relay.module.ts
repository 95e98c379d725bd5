import { type DynamicModule, Module } from '@nestjs/common';
import type { RelayConfig } from './config/relay-config';
import { RELAY_CONFIG } from './config/relay-config.provider';
import { RelayGateway } from './gateway/relay.gateway';
import { HealthController } from './health/health.controller';

@Module({})
export class RelayModule {
  static forConfig(config: RelayConfig): DynamicModule {
    return {
      module: RelayModule,
      controllers: [HealthController],
      providers: [{ provide: RELAY_CONFIG, useValue: config }, RelayGateway],
    };
  }
}
