/**
 * The passphrase header (docs/protocol/storage.md §2): entry "meta:vault", in clear, version 1,
 * 102 bytes. It holds the vault key sealed under the storage key, and the Argon2id costs and salt
 * that key was derived with.
 *
 * | offset | size | field                     | why                                                    |
 * | 0      | 1    | version = 0x01            | any other value is unsupported_version                 |
 * | 1      | 4    | m, u32be (KiB)            | the Argon2id costs this header was made with, so the   |
 * | 5      | 4    | t, u32be                  | defaults can change without a migration                |
 * | 9      | 4    | p, u32be                  |                                                        |
 * | 13     | 16   | salt                      | RFC 9106 §3.1                                          |
 * | 29     | 73   | sealRecord(storage key, vault key, id = "OpenDescent-Vault-v1 header" ‖ bytes 0..28) |
 *   storage key = Argon2id(NFC(passphrase), salt, m, t, p), docs/protocol/crypto.md §8.1.
 *   The sealed vault key is the check value: it opens only under the right passphrase, and its id
 *   authenticates the version, costs and salt, so a wrong passphrase is found before any record
 *   is read.
 */
import {
  concatBytes,
  deriveStorageKey,
  generateStorageSalt,
  isCryptoError,
  openRecord,
  sealRecord,
  SEAL_OVERHEAD,
  SecretBytes,
  STORAGE_SALT_LENGTH,
  utf8Encode,
  STORAGE_KDF_PARAMS,
  type StorageKdfParams,
} from '@opendescent/crypto';
import type { RecordStore } from './record-store';
import { VaultError } from './vault-error';

export const VAULT_FORMAT_VERSION = 1;
export const VAULT_HEADER_KEY = 'meta:vault';
export const VAULT_KEY_LENGTH = 32;
/** Characters (code points after NFC), as people count them. The UI asks for more (a strength estimate). */
export const MIN_PASSPHRASE_LENGTH = 8;

/**
 * Argon2id costs of a new header: RFC 9106 §4's second recommended option, t = 3, p = 4,
 * m = 2^16 KiB (64 MiB). In JavaScript the lanes run one after another, so p = 4 costs the same
 * time as p = 1 (about 1.3 s here, crypto.md §8.1) and matches the RFC's option exactly.
 */
export const VAULT_KDF_PARAMS: StorageKdfParams = STORAGE_KDF_PARAMS;

/**
 * Costs of earlier defaults, which a passphrase unlock replaces with the current ones (storage.md
 * §2.2). Only these: costs a caller chose on purpose (tests) are left as they are.
 */
export const SUPERSEDED_KDF_PARAMS: readonly StorageKdfParams[] = Object.freeze([
  // The first default (STORAGE_KDF_PARAMS until December 2026): two passes, one lane.
  Object.freeze({ memoryKiB: 65_536, iterations: 2, parallelism: 1 }),
]);

const HEADER_ID_LABEL = 'OpenDescent-Vault-v1 header';
const SALT_OFFSET = 13;
const SEALED_KEY_OFFSET = SALT_OFFSET + STORAGE_SALT_LENGTH;
export const VAULT_HEADER_LENGTH = SEALED_KEY_OFFSET + 1 + SEAL_OVERHEAD + VAULT_KEY_LENGTH;

export interface OpenedHeader {
  /** The caller wipes it. */
  readonly vaultKey: SecretBytes;
  /** The costs the header was made with. */
  readonly params: StorageKdfParams;
}

/** Refuses (weak_passphrase) a passphrase under MIN_PASSPHRASE_LENGTH characters; TypeError for a non-string. */
export function checkNewPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string') throw new TypeError('vault: the passphrase must be a string');
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) {
    throw new VaultError('weak_passphrase', `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
}

export function isSupersededKdf(params: StorageKdfParams): boolean {
  return SUPERSEDED_KDF_PARAMS.some(
    (old) =>
      old.memoryKiB === params.memoryKiB &&
      old.iterations === params.iterations &&
      old.parallelism === params.parallelism,
  );
}

/** The id the vault key is sealed under: it authenticates the header's bytes before the sealed key. */
function headerSealId(header: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(HEADER_ID_LABEL), header.subarray(0, SEALED_KEY_OFFSET));
}

/** A new header: the vault key sealed under Argon2id(passphrase) with `params` and a fresh salt. */
export async function sealHeader(
  vaultKey: SecretBytes,
  passphrase: string,
  params: StorageKdfParams,
  onProgress?: (fraction: number) => void,
): Promise<Uint8Array> {
  const salt = generateStorageSalt();
  // Derived before the costs are written: deriveStorageKey checks their ranges, so each fits a u32.
  const storageKey = await deriveStorageKey(passphrase, salt, params, onProgress);
  try {
    const header = new Uint8Array(VAULT_HEADER_LENGTH);
    const view = new DataView(header.buffer);
    header[0] = VAULT_FORMAT_VERSION;
    view.setUint32(1, params.memoryKiB);
    view.setUint32(5, params.iterations);
    view.setUint32(9, params.parallelism);
    header.set(salt, SALT_OFFSET);
    header.set(sealRecord(storageKey, vaultKey.exposeBytes(), headerSealId(header)), SEALED_KEY_OFFSET);
    return header;
  } finally {
    storageKey.wipe();
  }
}

/**
 * Reads the header and opens the vault key with the passphrase. Reads nothing else, writes nothing.
 * Refuses not_found, unsupported_version, corrupt_record and wrong_passphrase.
 */
export async function openHeader(
  store: RecordStore,
  passphrase: string,
  onProgress?: (fraction: number) => void,
): Promise<OpenedHeader> {
  if (typeof passphrase !== 'string') throw new TypeError('vault: the passphrase must be a string');
  const header = await store.get(VAULT_HEADER_KEY);
  if (header === undefined) throw new VaultError('not_found', 'this store holds no vault');
  if (header.length === 0) throw new VaultError('corrupt_record', 'the vault header is empty');
  if (header[0] !== VAULT_FORMAT_VERSION) {
    throw new VaultError(
      'unsupported_version',
      `vault header version ${header[0]}; this client reads ${VAULT_FORMAT_VERSION}`,
    );
  }
  if (header.length !== VAULT_HEADER_LENGTH)
    throw new VaultError('corrupt_record', 'the vault header has the wrong length');
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const params = { memoryKiB: view.getUint32(1), iterations: view.getUint32(5), parallelism: view.getUint32(9) };
  let storageKey: SecretBytes;
  try {
    storageKey = await deriveStorageKey(passphrase, header.slice(SALT_OFFSET, SEALED_KEY_OFFSET), params, onProgress);
  } catch (error) {
    // Costs out of range are refused before Argon2id runs, so a tampered header cannot hang the worker.
    if (isCryptoError(error, 'bad_parameter'))
      throw new VaultError('corrupt_record', 'the vault header has out-of-range costs');
    throw error;
  }
  try {
    const vaultKey = new SecretBytes(
      openRecord(storageKey, header.subarray(SEALED_KEY_OFFSET), headerSealId(header)),
      'vault key',
    );
    return { vaultKey, params };
  } catch {
    throw new VaultError('wrong_passphrase', 'the passphrase does not open this vault');
  } finally {
    storageKey.wipe();
  }
}
