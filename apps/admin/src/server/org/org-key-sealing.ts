// The organisation's private keys at rest (docs/decisions/0006-admin-auth.md, "The organisation
// key at rest"): each 32-byte Ed25519 seed is sealed with XChaCha20-Poly1305 (libs/crypto `seal`)
// under a key derived from the master key with HKDF-SHA256, salted with the org id. The
// associated data binds the box to its org id and public key, so a sealed key copied into another
// row or another organisation does not open.
import { SecretBytes, concatBytes, hkdfSha256, open, seal, utf8Encode, type KeyBytes } from '@opendescent/crypto';

/** First byte of a sealed key: the format, so that a later change is recognised, not misread. */
export const SEALED_ORG_KEY_FORMAT = 0x01;
const KEK_INFO = utf8Encode('OpenDescent admin org key at rest v1');
const AD_LABEL = utf8Encode('OpenDescent org key v1');

export class OrgKeyUnavailableError extends Error {
  override readonly name = 'OrgKeyUnavailableError';
}

function keyEncryptionKey(masterKey: KeyBytes, orgId: Uint8Array): SecretBytes {
  const master = masterKey instanceof SecretBytes ? masterKey.exposeBytes() : masterKey;
  return new SecretBytes(hkdfSha256(master, orgId, KEK_INFO, 32), 'org key encryption key');
}

function associatedData(orgId: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return concatBytes(AD_LABEL, new Uint8Array([0]), orgId, publicKey);
}

export function sealOrgKeySeed(masterKey: KeyBytes, orgId: Uint8Array, publicKey: Uint8Array, seed: Uint8Array): Uint8Array {
  const kek = keyEncryptionKey(masterKey, orgId);
  try {
    return concatBytes(new Uint8Array([SEALED_ORG_KEY_FORMAT]), seal(kek, seed, associatedData(orgId, publicKey)));
  } finally {
    kek.wipe();
  }
}

export function openOrgKeySeed(masterKey: KeyBytes, orgId: Uint8Array, publicKey: Uint8Array, sealed: Uint8Array): SecretBytes {
  if (sealed[0] !== SEALED_ORG_KEY_FORMAT) throw new OrgKeyUnavailableError(`sealed organisation key of unknown format ${sealed[0]}`);
  const kek = keyEncryptionKey(masterKey, orgId);
  try {
    return new SecretBytes(open(kek, sealed.subarray(1), associatedData(orgId, publicKey)), 'organisation key seed');
  } catch {
    throw new OrgKeyUnavailableError(
      'the master key does not open the organisation key: ADMIN_MASTER_KEY (or its file) is not the one it was sealed with',
    );
  } finally {
    kek.wipe();
  }
}
