/**
 * Encryption at rest for the web client's IndexedDB store ("At rest" in docs/protocol/crypto.md).
 *
 * Storage key: Argon2id (RFC 9106) from @noble/hashes over the NFC-normalised passphrase and a
 * random 16-byte salt. STORAGE_KDF_PARAMS is RFC 9106 §4's second recommended option exactly:
 * m = 64 MiB, t = 3, p = 4 (3.4x OWASP's minimum memory of 19 MiB). In JavaScript the four lanes
 * run one after another, so p = 4 costs what p = 1 does: about 1.3 s in Node 20 on this project's
 * 2-core machines (pure JavaScript, as in a browser Web Worker). The first default was t = 2,
 * p = 1; the web vault upgrades such headers at the next unlock (storage.md §2.2).
 *
 * Record:  version(1) = 0x01 || nonce(24) || ciphertext || tag(16)
 * AD:      "OpenDescent-AtRest-Record" || version(1) || u32be(len(recordId)) || recordId
 * The AD binds each record to its id (and so to its place in the store): a record copied under
 * another id, or with another version byte, fails authentication.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { concatBytes, expectBytes, isBytes, uintBE, utf8Encode } from './bytes';
import { open, SEAL_OVERHEAD, seal } from './aead';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { SecretBytes, type KeyBytes } from './secret';

export interface StorageKdfParams {
  /** Argon2id m, in KiB. */
  readonly memoryKiB: number;
  /** Argon2id t, the number of passes. */
  readonly iterations: number;
  /** Argon2id p, the number of lanes. */
  readonly parallelism: number;
}

export const STORAGE_KDF_PARAMS: StorageKdfParams = Object.freeze({
  memoryKiB: 64 * 1024,
  iterations: 3,
  parallelism: 4,
});
/** RFC 9106 §3.1 recommends 128-bit salts. */
export const STORAGE_SALT_LENGTH = 16;
export const STORAGE_KEY_LENGTH = 32;
export const AT_REST_RECORD_VERSION = 0x01;
const AT_REST_AD_LABEL = 'OpenDescent-AtRest-Record';
/** Bounds that keep a stored (attacker-writable) parameter set from hanging or exhausting a tab. */
const MAX_MEMORY_KIB = 1024 * 1024;
const MAX_ITERATIONS = 64;
const MAX_PARALLELISM = 16;

export function generateStorageSalt(): Uint8Array {
  return randomBytes(STORAGE_SALT_LENGTH);
}

function checkParams(params: StorageKdfParams): void {
  const { memoryKiB, iterations, parallelism } = params;
  const integer = (n: number, min: number, max: number): boolean => Number.isSafeInteger(n) && n >= min && n <= max;
  if (!integer(parallelism, 1, MAX_PARALLELISM) || !integer(iterations, 1, MAX_ITERATIONS)) {
    throw new CryptoError('bad_parameter', 'Argon2id: iterations or parallelism out of range');
  }
  // RFC 9106 §3.1: m >= 8p.
  if (!integer(memoryKiB, 8 * parallelism, MAX_MEMORY_KIB)) {
    throw new CryptoError('bad_parameter', 'Argon2id: memoryKiB out of range');
  }
}

/**
 * Derives the 32-byte storage key. Strings are normalised to NFC first, so that the same
 * passphrase typed on two systems (composed or decomposed accents) gives the same key.
 * Runs asynchronously in slices so a worker stays responsive; `onProgress` gets 0..1.
 */
export async function deriveStorageKey(
  passphrase: string | Uint8Array,
  salt: Uint8Array,
  params: StorageKdfParams = STORAGE_KDF_PARAMS,
  onProgress?: (fraction: number) => void,
): Promise<SecretBytes> {
  let password: Uint8Array;
  if (typeof passphrase === 'string') password = utf8Encode(passphrase.normalize('NFC'));
  else if (isBytes(passphrase)) password = passphrase.slice();
  else throw new TypeError('deriveStorageKey: passphrase must be a string or a Uint8Array');
  expectBytes(salt, 'storage salt', STORAGE_SALT_LENGTH);
  checkParams(params);
  try {
    const key = await argon2idAsync(password, salt, {
      m: params.memoryKiB,
      t: params.iterations,
      p: params.parallelism,
      dkLen: STORAGE_KEY_LENGTH,
      maxmem: MAX_MEMORY_KIB * 1024 + 1024 * 1024,
      asyncTick: 20,
      ...(onProgress ? { onProgress } : {}),
    });
    return new SecretBytes(key, 'storage key');
  } finally {
    password.fill(0);
  }
}

function recordAssociatedData(version: number, recordId: string | Uint8Array): Uint8Array {
  const id = typeof recordId === 'string' ? utf8Encode(recordId) : expectBytes(recordId, 'record id').slice();
  return concatBytes(utf8Encode(AT_REST_AD_LABEL), uintBE(version, 1), uintBE(id.length, 4), id);
}

/** Encrypts one record under the storage key, bound to `recordId`. */
export function sealRecord(key: KeyBytes, record: Uint8Array, recordId: string | Uint8Array): Uint8Array {
  const sealed = seal(key, expectBytes(record, 'record'), recordAssociatedData(AT_REST_RECORD_VERSION, recordId));
  return concatBytes(uintBE(AT_REST_RECORD_VERSION, 1), sealed);
}

/**
 * Decrypts a record sealed by sealRecord under the same key and id. Errors: 'bad_length' (empty
 * or shorter than the overhead), 'unknown_version' (a first byte other than 0x01: version 1 is the
 * first, so nothing is too old yet), 'auth_failed' (wrong key, wrong id, any altered byte).
 */
export function openRecord(key: KeyBytes, sealedRecord: Uint8Array, recordId: string | Uint8Array): Uint8Array {
  expectBytes(sealedRecord, 'sealed record');
  if (sealedRecord.length === 0) throw new CryptoError('bad_length', 'the sealed record is empty');
  const version = sealedRecord[0] as number;
  if (version !== AT_REST_RECORD_VERSION) {
    const code = version < AT_REST_RECORD_VERSION ? 'version_too_old' : 'unknown_version';
    throw new CryptoError(code, `at-rest record version ${version} is not accepted`);
  }
  if (sealedRecord.length < 1 + SEAL_OVERHEAD) {
    throw new CryptoError('bad_length', `a sealed record is at least ${1 + SEAL_OVERHEAD} bytes`);
  }
  return open(key, sealedRecord.subarray(1), recordAssociatedData(version, recordId));
}
