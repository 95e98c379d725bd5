import { constantTimeEqual, ed25519Sign, ed25519Verify, sha256, type Ed25519PrivateKey } from '@opendescent/crypto';
import { ProtocolError } from './errors';
import { domainSeparated } from './signing-input';

/**
 * The organisation key signs the two organisation documents (device attestations and the
 * revocation list; docs/protocol/attestations.md). Relays and clients pin the organisation id and
 * the public key(s) it may sign with; rotation adds a key, and attestations signed by the previous
 * key stay valid until they expire.
 */
export const ORG_ID_LENGTH = 16;
export const ORG_KEY_ID_LENGTH = 8;

export interface TrustedOrgKey {
  readonly orgId: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The org key id: the first 8 bytes of SHA-256 of its public key (attestations.md §1). */
export function orgKeyId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, ORG_KEY_ID_LENGTH);
}

export async function signWithOrgKey(label: string, body: Uint8Array, key: Ed25519PrivateKey): Promise<Uint8Array> {
  return ed25519Sign(key, domainSeparated(label, body));
}

/** Finds the trusted key the document names and checks its signature; throws ProtocolError. */
export async function verifyOrgSignature(
  what: string,
  label: string,
  body: Uint8Array,
  signature: Uint8Array,
  orgId: Uint8Array,
  keyId: Uint8Array,
  trusted: readonly TrustedOrgKey[],
): Promise<void> {
  const key = trusted.find(
    (candidate) => constantTimeEqual(candidate.orgId, orgId) && constantTimeEqual(orgKeyId(candidate.publicKey), keyId),
  );
  if (!key)
    throw new ProtocolError('unknown_signer', `${what}: signed by an organisation key this verifier does not trust`);
  if (!(await ed25519Verify(key.publicKey, domainSeparated(label, body), signature))) {
    throw new ProtocolError('bad_signature', `${what}: the organisation signature does not verify`);
  }
}
