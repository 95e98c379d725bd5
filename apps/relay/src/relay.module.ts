import { type DynamicModule, Module } from '@nestjs/common';
import { AccessService } from './access/access.service';
import { AttachmentController } from './attachments/attachment.controller';
import { AttachmentService } from './attachments/attachment.service';
import { OrgKeyService } from './access/org-keys.service';
import { RelayGateway } from './gateway/relay.gateway';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { PrekeyService } from './prekeys/prekey.service';
import { QueueService } from './queues/queue.service';
import { RevocationController } from './revocation/revocation.controller';
import { RevocationService } from './revocation/revocation.service';
import { RelayResources } from './runtime/relay-resources';
import { SharedBlobService } from './shared/shared-blob.service';
import { TokenKeyController } from './tokens/token-key.controller';
import { TokenKeyService } from './tokens/token-key.service';
import { TurnService } from './turn/turn.service';
import { RELAY_RUNTIME, type RelayRuntime } from './runtime/relay-runtime';

@Module({})
export class RelayModule {
  static forRuntime(runtime: RelayRuntime): DynamicModule {
    return {
      module: RelayModule,
      controllers: [
        HealthController,
        MetricsController,
        RevocationController,
        TokenKeyController,
        AttachmentController,
      ],
      providers: [
        { provide: RELAY_RUNTIME, useValue: runtime },
        RelayResources,
        OrgKeyService,
        RevocationService,
        TokenKeyService,
        AccessService,
        QueueService,
        PrekeyService,
        SharedBlobService,
        AttachmentService,
        TurnService,
        RelayGateway,
      ],
    };
  }
}
