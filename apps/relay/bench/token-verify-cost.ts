/**
 * What redeeming an access token costs a relay (relay.md §3.2), for `npm run bench:relay`: one
 * AccessTokenVerifier.verify of a valid token (RSA-2048 PSS through Web Crypto, with parsing and
 * the origin check), beside one ed25519Verify, the cost of a signed queue command, as the baseline.
 */
import { performance } from 'node:perf_hooks';
import { ed25519Sign, ed25519Verify, type Ed25519KeyPair } from '@opendescent/crypto';
import { AccessTokenVerifier } from '@opendescent/protocol';
import type { TestTokenIssuer } from '@opendescent/protocol/testing';

export interface VerifyCost {
  /** µs per AccessTokenVerifier.verify of a valid token (RSA-2048 PSS, Web Crypto). */
  tokenVerifyMicros: number;
  /** µs per ed25519Verify, the baseline: what one signed queue command costs. */
  ed25519VerifyMicros: number;
}

/** Both measured here, one after the other, sequentially (one core), after a warm-up. */
export async function verifyCost(
  orgId: Uint8Array,
  orgKey: Ed25519KeyPair,
  issuer: TestTokenIssuer,
  rounds: number,
): Promise<VerifyCost> {
  const origin = 'relay.bench:443';
  const verifier = await AccessTokenVerifier.create(orgId, [issuer.key], [origin]);
  const tokens = await Promise.all(Array.from({ length: rounds }, () => issuer.mint(origin)));
  const now = Math.floor(Date.now() / 1000);
  const message = crypto.getRandomValues(new Uint8Array(100));
  const signature = await ed25519Sign(orgKey.privateKey, message);
  const time = async (count: number, once: (i: number) => Promise<boolean>): Promise<number> => {
    for (let i = 0; i < Math.min(200, count); i++) if (!(await once(i))) throw new Error('a verification failed');
    const started = performance.now();
    for (let i = 0; i < count; i++) if (!(await once(i))) throw new Error('a verification failed');
    return ((performance.now() - started) * 1000) / count;
  };
  const tokenVerifyMicros = await time(rounds, async (i) => (await verifier.verify(tokens[i] as Uint8Array, now)).ok);
  const ed25519VerifyMicros = await time(rounds, () => ed25519Verify(orgKey.publicKey, message, signature));
  return { tokenVerifyMicros, ed25519VerifyMicros };
}
