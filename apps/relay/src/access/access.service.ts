import { Inject, Injectable } from '@nestjs/common';
import type { RelayCommandOf } from '@opendescent/protocol';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { TokenKeyService } from '../tokens/token-key.service';

/**
 * Anonymous access (relay.md §3.2): a hello redeems one Privacy Pass token. The relay checks it
 * offline against the pinned issuer keys and this relay's names, then records it as spent in the
 * store, shared by every node, so each token opens one connection on one relay, once. Nothing
 * here learns, or could learn, which device the token was issued to.
 */
@Injectable()
export class AccessService {
  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly tokenKeys: TokenKeyService,
  ) {}

  /** Resolves with the moment (Unix ms) this token's key stops being accepted; refuses with a RelayRefusal. */
  async redeem(frame: RelayCommandOf<'hello'>): Promise<number> {
    const verifier = await this.tokenKeys.verifier();
    if (verifier === undefined) throw new RelayRefusal('token_unknown_key', 'this relay holds no token key set yet');
    const now = this.runtime.clock();
    const check = await verifier.verify(frame.token, Math.floor(now / 1000));
    if (!check.ok) throw new RelayRefusal(check.refusal, check.detail);
    const expiresAt = check.acceptUntil * 1000;
    if (!(await this.runtime.store.spendToken(check.spendId, expiresAt, now)))
      throw new RelayRefusal('token_spent', 'this token was already used');
    return expiresAt;
  }
}
