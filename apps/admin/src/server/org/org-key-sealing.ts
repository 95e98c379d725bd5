// The organisation's private keys at rest (docs/decisions/0006-admin-auth.md, "The organisation
// key at rest"): each secret is sealed with XChaCha20-Poly1305 (libs/crypto `seal`) under a key
// derived from the master key with HKDF-SHA256, salted with the org id. The associated data binds
// the box to its kind, its org id and its public key, so a sealed key copied into another row,
// another table or another organisation does not open. Two kinds: the Ed25519 organisation key
// seeds, and the Privacy Pass issuer keys (PKCS#8, src/server/tokens).
import { SecretBytes, concatBytes, hkdfSha256, open, seal, utf8Encode, type KeyBytes } from '@opendescent/crypto';

/** First byte of a sealed key: the format, so that a later change is recognised, not misread. */
export const SEALED_ORG_KEY_FORMAT = 0x01;
const KEK_INFO = utf8Encode('OpenDescent admin org key at rest v1');

/** What a sealed secret is: its associated data's label, so one kind never opens as another. */
export type SealedKind = 'organisation key' | 'token issuer key';
const AD_LABELS: Record<SealedKind, Uint8Array> = {
  'organisation key': utf8Encode('OpenDescent org key v1'),
  'token issuer key': utf8Encode('OpenDescent token issuer key v1'),
};

export class OrgKeyUnavailableError extends Error {
  override readonly name = 'OrgKeyUnavailableError';
}

function keyEncryptionKey(masterKey: KeyBytes, orgId: Uint8Array): SecretBytes {
  const master = masterKey instanceof SecretBytes ? masterKey.exposeBytes() : masterKey;
  return new SecretBytes(hkdfSha256(master, orgId, KEK_INFO, 32), 'org key encryption key');
}

function associatedData(kind: SealedKind, orgId: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return concatBytes(AD_LABELS[kind], new Uint8Array([0]), orgId, publicKey);
}

/** Seals `secret` (the private half of `publicKey`) under the master key. */
export function sealUnderMasterKey(
  kind: SealedKind,
  masterKey: KeyBytes,
  orgId: Uint8Array,
  publicKey: Uint8Array,
  secret: Uint8Array,
): Uint8Array {
  const kek = keyEncryptionKey(masterKey, orgId);
  try {
    return concatBytes(
      new Uint8Array([SEALED_ORG_KEY_FORMAT]),
      seal(kek, secret, associatedData(kind, orgId, publicKey)),
    );
  } finally {
    kek.wipe();
  }
}

export function openUnderMasterKey(
  kind: SealedKind,
  masterKey: KeyBytes,
  orgId: Uint8Array,
  publicKey: Uint8Array,
  sealed: Uint8Array,
): SecretBytes {
  if (sealed[0] !== SEALED_ORG_KEY_FORMAT)
    throw new OrgKeyUnavailableError(`sealed ${kind} of unknown format ${sealed[0]}`);
  const kek = keyEncryptionKey(masterKey, orgId);
  try {
    return new SecretBytes(open(kek, sealed.subarray(1), associatedData(kind, orgId, publicKey)), `${kind} secret`);
  } catch {
    throw new OrgKeyUnavailableError(
      `the master key does not open the ${kind}: ADMIN_MASTER_KEY (or its file) is not the one it was sealed with`,
    );
  } finally {
    kek.wipe();
  }
}

export function sealOrgKeySeed(
  masterKey: KeyBytes,
  orgId: Uint8Array,
  publicKey: Uint8Array,
  seed: Uint8Array,
): Uint8Array {
  return sealUnderMasterKey('organisation key', masterKey, orgId, publicKey, seed);
}

export function openOrgKeySeed(
  masterKey: KeyBytes,
  orgId: Uint8Array,
  publicKey: Uint8Array,
  sealed: Uint8Array,
): SecretBytes {
  return openUnderMasterKey('organisation key', masterKey, orgId, publicKey, sealed);
}
