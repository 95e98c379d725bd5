import { Controller, Get, Header } from '@nestjs/common';
import { relayHealth, type RelayHealth } from '@opendescent/protocol';
import type { RevocationListHealth } from '../revocation/revocation-freshness';
import { RevocationService } from '../revocation/revocation.service';

/** The health document, with the revocation list's freshness (relay.md §7.1): numbers only. */
export interface RelayHealthWithRevocation extends RelayHealth {
  /** null while the relay holds no list. */
  readonly revocationList: RevocationListHealth | null;
}

@Controller('health')
export class HealthController {
  constructor(private readonly revocation: RevocationService) {}

  /**
   * Liveness for load balancers, `npm start` and the web client (docs/protocol/README.md). A stale
   * revocation list does not make the relay unhealthy (`status` stays `ok`: taking the relay out
   * would help nobody); it is reported beside it for monitoring and operators.
   */
  @Get()
  @Header('Cache-Control', 'no-store')
  health(): RelayHealthWithRevocation {
    return { ...relayHealth(), revocationList: this.revocation.health() };
  }
}
