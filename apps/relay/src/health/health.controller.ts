import { Controller, Get, Header } from '@nestjs/common';
import { relayHealth, type RelayHealth } from '@opendescent/protocol';

@Controller('health')
export class HealthController {
  /** Liveness for load balancers, `npm start` and the web client (docs/protocol/README.md). */
  @Get()
  @Header('Cache-Control', 'no-store')
  health(): RelayHealth {
    return relayHealth();
  }
}
