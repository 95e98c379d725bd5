// Token issuance in GET /metrics (docs/protocol/admin-api.md §10): counts since this process
// started (Prometheus counters; a restart resets them, which rate() expects), never per device
// or member: a per-device series would be the relay-access timeline the audit log does not keep
// either (admin-api.md §11.2).
import type { AdminServices } from '../services';

/** Every refusal code of POST /api/v1/tokens, so that each series exists from the start (at 0). */
export const TOKEN_REFUSALS = [
  'malformed',
  'unsupported_version',
  'wrong_organisation',
  'stale_request',
  'unknown_device',
  'bad_signature',
  'device_revoked',
  'attestation_expired',
  'rate_limited',
  'replayed',
  'unknown_token_key',
  'token_key_not_issuing',
] as const;
export type TokenRefusal = (typeof TOKEN_REFUSALS)[number];

export class TokenIssuanceCounters {
  #issued = 0;
  #answered = 0;
  readonly #refused = new Map<TokenRefusal, number>(TOKEN_REFUSALS.map((code) => [code, 0]));

  issued(tokens: number): void {
    this.#issued += tokens;
    this.#answered += 1;
  }

  refused(code: string): void {
    const known = TOKEN_REFUSALS.find((candidate) => candidate === code);
    if (known) this.#refused.set(known, (this.#refused.get(known) ?? 0) + 1);
  }

  snapshot(): { issued: number; answered: number; refused: ReadonlyMap<TokenRefusal, number> } {
    return { issued: this.#issued, answered: this.#answered, refused: new Map(this.#refused) };
  }
}

/** The token lines of /metrics: counters, and the current key set's version. */
export async function tokenMetrics(s: AdminServices): Promise<string> {
  const { issued, answered, refused } = s.tokenCounters.snapshot();
  const latest = await s.prisma.signedTokenKeySet.findFirst({
    orderBy: { version: 'desc' },
    select: { version: true },
  });
  const lines = [
    '# HELP opendescent_tokens_issued_total Relay access tokens signed (blind) by this process.',
    '# TYPE opendescent_tokens_issued_total counter',
    `opendescent_tokens_issued_total ${issued}`,
    '# HELP opendescent_token_requests_answered_total Token issuance requests answered with signatures by this process.',
    '# TYPE opendescent_token_requests_answered_total counter',
    `opendescent_token_requests_answered_total ${answered}`,
    '# HELP opendescent_token_requests_refused_total Token issuance requests refused by this process, by error code.',
    '# TYPE opendescent_token_requests_refused_total counter',
    ...[...refused].map(([code, count]) => `opendescent_token_requests_refused_total{error="${code}"} ${count}`),
    '# HELP opendescent_token_key_set_version Version of the newest signed token key set (0: none yet).',
    '# TYPE opendescent_token_key_set_version gauge',
    `opendescent_token_key_set_version ${latest?.version ?? 0}`,
  ];
  return `${lines.join('\n')}\n`;
}
