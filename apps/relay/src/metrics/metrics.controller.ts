import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Registry } from 'prom-client';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  /** Prometheus text exposition: counts and latencies only (relay.md §10). */
  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    return this.runtime.metrics.registry.metrics();
  }
}
