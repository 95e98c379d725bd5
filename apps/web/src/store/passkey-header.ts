/**
 * The passkey header (docs/protocol/storage.md §2.1): entry "meta:vault-passkey", in clear,
 * optional, version 1, 108 + n bytes. Present only while a passkey (WebAuthn PRF extension) can
 * unlock the vault.
 *
 * | offset | size | field                     | why                                                    |
 * | 0      | 1    | version = 0x01            | any other value is unsupported_version                 |
 * | 1      | 2    | n, u16be, 1..1023         | the credential id's length (WebAuthn L3 §4: ≤ 1023)    |
 * | 3      | n    | credential id             | which passkey to ask for (allowCredentials)            |
 * | 3+n    | 32   | PRF salt                  | the input the passkey's PRF (hmac-secret) is evaluated on |
 * | 35+n   | 73   | sealRecord(passkey key, vault key, id = "OpenDescent-Vault-v1 passkey" ‖ bytes 0..34+n) |
 *   passkey key = HKDF-SHA256(PRF output, salt = PRF salt, "OpenDescent-Vault-v1 passkey key", 32)
 *   The same vault key as the passphrase header, sealed a second way: changing the passphrase
 *   leaves it working, and removing it leaves the passphrase. The PRF output must be 32 bytes
 *   (WebAuthn PRF); any other length is a TypeError (a caller's bug, not a wrong passkey).
 */
import {
  concatBytes,
  hkdfSha256,
  openRecord,
  sealRecord,
  SEAL_OVERHEAD,
  SecretBytes,
  utf8Encode,
} from '@opendescent/crypto';
import { VAULT_KEY_LENGTH } from './vault-header';
import { VaultError } from './vault-error';

export const VAULT_PASSKEY_HEADER_KEY = 'meta:vault-passkey';
export const VAULT_PASSKEY_FORMAT_VERSION = 1;
/** WebAuthn PRF results are 32 bytes (the hmac-secret output). */
export const PASSKEY_PRF_OUTPUT_LENGTH = 32;
export const PASSKEY_PRF_SALT_LENGTH = 32;
/** WebAuthn Level 3 §4 (Credential ID): at most 1023 bytes. */
export const MAX_PASSKEY_CREDENTIAL_ID_LENGTH = 1023;
const PASSKEY_ID_LABEL = 'OpenDescent-Vault-v1 passkey';
const PASSKEY_KEY_INFO = 'OpenDescent-Vault-v1 passkey key';
const PASSKEY_CREDENTIAL_OFFSET = 3;
const PASSKEY_SEALED_KEY_LENGTH = 1 + SEAL_OVERHEAD + VAULT_KEY_LENGTH;

export interface PasskeyInfo {
  readonly credentialId: Uint8Array;
  readonly prfSalt: Uint8Array;
}

interface ParsedPasskeyHeader extends PasskeyInfo {
  readonly sealedKeyOffset: number;
  readonly sealedKey: Uint8Array;
}

export function checkPrfOutput(prfOutput: Uint8Array): void {
  if (!(prfOutput instanceof Uint8Array) || prfOutput.length !== PASSKEY_PRF_OUTPUT_LENGTH) {
    throw new TypeError(`vault: a passkey PRF output is ${PASSKEY_PRF_OUTPUT_LENGTH} bytes`);
  }
}

/** The PRF output is already uniformly random; HKDF binds it to this use and to the salt it came from. */
function derivePasskeyKey(prfOutput: Uint8Array, prfSalt: Uint8Array): SecretBytes {
  return new SecretBytes(hkdfSha256(prfOutput, prfSalt, utf8Encode(PASSKEY_KEY_INFO), 32), 'passkey key');
}

/** The id the vault key is sealed under in the passkey header: the header's bytes before the sealed key. */
function passkeySealId(header: Uint8Array, sealedKeyOffset: number): Uint8Array {
  return concatBytes(utf8Encode(PASSKEY_ID_LABEL), header.subarray(0, sealedKeyOffset));
}

/** Checks the passkey header's version and lengths; authenticity is checked when it is opened. */
export function parsePasskeyHeader(header: Uint8Array): ParsedPasskeyHeader {
  if (header.length === 0) throw new VaultError('corrupt_record', 'the passkey header is empty');
  if (header[0] !== VAULT_PASSKEY_FORMAT_VERSION) {
    throw new VaultError(
      'unsupported_version',
      `passkey header version ${header[0]}; this client reads ${VAULT_PASSKEY_FORMAT_VERSION}`,
    );
  }
  if (header.length < PASSKEY_CREDENTIAL_OFFSET)
    throw new VaultError('corrupt_record', 'the passkey header is truncated');
  const idLength = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint16(1);
  const sealedKeyOffset = PASSKEY_CREDENTIAL_OFFSET + idLength + PASSKEY_PRF_SALT_LENGTH;
  if (
    idLength < 1 ||
    idLength > MAX_PASSKEY_CREDENTIAL_ID_LENGTH ||
    header.length !== sealedKeyOffset + PASSKEY_SEALED_KEY_LENGTH
  ) {
    throw new VaultError('corrupt_record', 'the passkey header has the wrong length');
  }
  return {
    credentialId: header.subarray(PASSKEY_CREDENTIAL_OFFSET, PASSKEY_CREDENTIAL_OFFSET + idLength),
    prfSalt: header.subarray(PASSKEY_CREDENTIAL_OFFSET + idLength, sealedKeyOffset),
    sealedKeyOffset,
    sealedKey: header.subarray(sealedKeyOffset),
  };
}

/**
 * A new passkey header sealing `vaultKey` under the key derived from the PRF output for `prfSalt`.
 * Credential id 1..1023 bytes, salt and PRF output 32 bytes, else TypeError.
 */
export function sealPasskeyHeader(
  vaultKey: SecretBytes,
  credentialId: Uint8Array,
  prfSalt: Uint8Array,
  prfOutput: Uint8Array,
): Uint8Array {
  if (
    !(credentialId instanceof Uint8Array) ||
    credentialId.length < 1 ||
    credentialId.length > MAX_PASSKEY_CREDENTIAL_ID_LENGTH
  ) {
    throw new TypeError(`vault: a passkey credential id is 1..${MAX_PASSKEY_CREDENTIAL_ID_LENGTH} bytes`);
  }
  if (!(prfSalt instanceof Uint8Array) || prfSalt.length !== PASSKEY_PRF_SALT_LENGTH) {
    throw new TypeError(`vault: a passkey PRF salt is ${PASSKEY_PRF_SALT_LENGTH} bytes`);
  }
  checkPrfOutput(prfOutput);
  const sealedKeyOffset = PASSKEY_CREDENTIAL_OFFSET + credentialId.length + PASSKEY_PRF_SALT_LENGTH;
  const header = new Uint8Array(sealedKeyOffset + PASSKEY_SEALED_KEY_LENGTH);
  header[0] = VAULT_PASSKEY_FORMAT_VERSION;
  new DataView(header.buffer).setUint16(1, credentialId.length);
  header.set(credentialId, PASSKEY_CREDENTIAL_OFFSET);
  header.set(prfSalt, PASSKEY_CREDENTIAL_OFFSET + credentialId.length);
  const passkeyKey = derivePasskeyKey(prfOutput, prfSalt);
  try {
    header.set(sealRecord(passkeyKey, vaultKey.exposeBytes(), passkeySealId(header, sealedKeyOffset)), sealedKeyOffset);
  } finally {
    passkeyKey.wipe();
  }
  return header;
}

/**
 * Opens the vault key sealed in a passkey header (stored bytes) with the PRF output. Refuses
 * unsupported_version, corrupt_record and wrong_passphrase (another passkey, another salt, an
 * altered header). The caller wipes the key.
 */
export function openPasskeyHeader(header: Uint8Array, prfOutput: Uint8Array): SecretBytes {
  checkPrfOutput(prfOutput);
  const parsed = parsePasskeyHeader(header);
  const passkeyKey = derivePasskeyKey(prfOutput, parsed.prfSalt);
  try {
    return new SecretBytes(
      openRecord(passkeyKey, parsed.sealedKey, passkeySealId(header, parsed.sealedKeyOffset)),
      'vault key',
    );
  } catch {
    throw new VaultError('wrong_passphrase', 'this passkey does not open this vault');
  } finally {
    passkeyKey.wipe();
  }
}
