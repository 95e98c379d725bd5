/**
 * The relay's stable error codes (docs/protocol/relay.md §4.2). The numbers are what travels;
 * the names are what code and people use. A code is never reused for another meaning: 9-15
 * belong to the attested hello this relay no longer takes (relay.md §4.2) and are never sent.
 */
export const RELAY_ERRORS = {
  malformed: 1,
  version_too_old: 2,
  version_unknown: 3,
  oversized: 4,
  unknown_command: 5,
  rate_limited: 6,
  not_authenticated: 7,
  already_authenticated: 8,
  attestation_malformed: 9,
  attestation_expired: 10,
  attestation_not_yet_valid: 11,
  attestation_unknown_signer: 12,
  attestation_bad_signature: 13,
  device_revoked: 14,
  challenge_signature_invalid: 15,
  hello_timeout: 16,
  auth: 17,
  quota_exceeded: 18,
  store_full: 19,
  too_many_subscriptions: 20,
  not_found: 21,
  revocation_list_invalid: 22,
  revocation_list_stale: 23,
  unavailable: 24,
  shutting_down: 25,
  token_malformed: 26,
  token_unknown_key: 27,
  token_wrong_origin: 28,
  token_invalid: 29,
  token_expired: 30,
  token_spent: 31,
} as const;

export type RelayErrorName = keyof typeof RELAY_ERRORS;

const NAMES_BY_CODE = new Map<number, RelayErrorName>(
  Object.entries(RELAY_ERRORS).map(([name, code]) => [code, name as RelayErrorName]),
);

/** The name of a code, or undefined for a code this version does not define. */
export function relayErrorName(code: number): RelayErrorName | undefined {
  return NAMES_BY_CODE.get(code);
}

export function isRelayErrorName(value: unknown): value is RelayErrorName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RELAY_ERRORS, value);
}
