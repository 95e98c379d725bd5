// The only public surface of @opendescent/crypto. Everything here runs unchanged in the browser
// and in Node: no I/O, no Node or DOM globals (eslint.config.mjs enforces it).
// docs/protocol/crypto.md specifies every construction exported here.
export { randomBytes } from './random';
export { CryptoError, isCryptoError, type CryptoErrorCode } from './errors';
export { SecretBytes, type KeyBytes } from './secret';
export { constantTimeEqual, concatBytes, utf8Encode, utf8Decode } from './bytes';
export {
  sha256,
  sha512,
  hmacSha256,
  verifyHmacSha256,
  hkdfSha256,
  SHA256_LENGTH,
  HKDF_SHA256_MAX_LENGTH,
} from './kdf';
export { seal, open, AEAD_KEY_LENGTH, SEAL_OVERHEAD } from './aead';
export {
  setCurveBackend,
  activeCurveBackends,
  type CurveBackendName,
  type CurveBackendChoice,
  type CurveFamily,
} from './curve-backend';
export {
  X25519PrivateKey,
  generateX25519KeyPair,
  x25519KeyPairFromPrivateKey,
  x25519SharedSecret,
  X25519_KEY_LENGTH,
  type X25519KeyPair,
} from './x25519';
export {
  Ed25519PrivateKey,
  generateEd25519KeyPair,
  ed25519KeyPairFromSeed,
  ed25519Sign,
  ed25519Verify,
  ed25519VerifyOrThrow,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  type Ed25519KeyPair,
} from './ed25519';
export {
  generateMlKem768KeyPair,
  mlKem768Encapsulate,
  mlKem768Decapsulate,
  MLKEM768_ENCAPSULATION_KEY_LENGTH,
  MLKEM768_DECAPSULATION_KEY_LENGTH,
  MLKEM768_CIPHERTEXT_LENGTH,
  MLKEM768_SHARED_SECRET_LENGTH,
  type MlKem768KeyPair,
  type MlKem768Encapsulation,
} from './mlkem';
export {
  generateDeviceIdentity,
  publicDeviceIdentity,
  exportDeviceIdentity,
  importDeviceIdentity,
  fingerprint,
  safetyNumber,
  formatSafetyNumber,
  DEVICE_IDENTITY_RECORD_VERSION,
  FINGERPRINT_VERSION,
  FINGERPRINT_ITERATIONS,
  type DeviceIdentity,
  type PublicDeviceIdentity,
  type FingerprintSubject,
} from './identity';
export {
  deriveStorageKey,
  generateStorageSalt,
  sealRecord,
  openRecord,
  STORAGE_KDF_PARAMS,
  STORAGE_SALT_LENGTH,
  STORAGE_KEY_LENGTH,
  AT_REST_RECORD_VERSION,
  type StorageKdfParams,
} from './at-rest';
