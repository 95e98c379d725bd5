import { Controller, Get, Header } from '@nestjs/common';
import { relayHealth, type RelayHealth } from '@opendescent/protocol';
import { OrgKeyService, type OrgKeysHealth } from '../access/org-keys.service';
import type { RevocationListHealth } from '../revocation/revocation-freshness';
import { RevocationService } from '../revocation/revocation.service';

/** The health document, with the revocation list's freshness (relay.md §7.1): numbers only. */
export interface RelayHealthWithRevocation extends RelayHealth {
  /** null while the relay holds no list. */
  readonly revocationList: RevocationListHealth | null;
  /** The organisation keys followed (relay.md §7.2); null when no organisation is configured. */
  readonly orgKeys: OrgKeysHealth | null;
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly revocation: RevocationService,
    private readonly orgKeys: OrgKeyService,
  ) {}

  /**
   * Liveness for load balancers, `npm start` and the web client (docs/protocol/README.md). A stale
   * revocation list does not make the relay unhealthy (`status` stays `ok`: taking the relay out
   * would help nobody); it is reported beside it for monitoring and operators.
   */
  @Get()
  @Header('Cache-Control', 'no-store')
  health(): RelayHealthWithRevocation {
    return { ...relayHealth(), revocationList: this.revocation.health(), orgKeys: this.orgKeys.health() };
  }
}
