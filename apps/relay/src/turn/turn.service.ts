import { Inject, Injectable } from '@nestjs/common';
import type { TurnCredentials } from '@opendescent/protocol';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { turnCredential } from './turn-credentials';

/**
 * relay.md §3.16: the organisation's TURN URLs with a fresh credential, for a connection admitted
 * by an anonymous access token. The credential names nobody (turn-credentials.ts) and nothing of
 * it is kept, logged or counted but the count.
 */
@Injectable()
export class TurnService {
  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  issue(): TurnCredentials {
    const {
      RELAY_TURN_URLS: urls,
      RELAY_TURN_SECRET: secret,
      RELAY_TURN_CREDENTIAL_SECONDS: life,
    } = this.runtime.config;
    if (!urls || !secret) throw new RelayRefusal('not_found', 'this relay hands out no TURN server');
    const issued = turnCredential(secret, Math.floor(this.runtime.clock() / 1000), life);
    this.runtime.metrics.turnCredentialsIssued.inc();
    return { urls, username: issued.username, credential: issued.credential, expiresAt: issued.expiresAt };
  }
}
