// The only public surface of @opendescent/crypto. Everything here runs unchanged in the browser
// and in Node: no I/O, no Node or DOM globals (eslint.config.mjs enforces it).
// docs/protocol/crypto.md specifies every construction exported here.
export { randomBytes } from './random';
export { CryptoError, isCryptoError, type CryptoErrorCode } from './errors';
export { SecretBytes, type KeyBytes } from './secret';
export { constantTimeEqual, concatBytes, utf8Encode, utf8Decode } from './bytes';
// The one byte reader/writer of every binary format (protocol's too, with its own errors).
export { ByteReader, ByteWriter, type ByteCodecFault, type ByteCodecFaults } from './byte-codec';
export { sha256, sha512, hmacSha256, verifyHmacSha256, hkdfSha256, SHA256_LENGTH, HKDF_SHA256_MAX_LENGTH } from './kdf';
export { seal, open, AEAD_KEY_LENGTH, SEAL_OVERHEAD } from './aead';
export {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_TAG_BYTES,
  ATTACHMENT_SEALED_CHUNK_BYTES,
  MAX_ATTACHMENT_FILE_BYTES,
  paddedAttachmentLength,
  attachmentChunkCount,
  attachmentCiphertextLength,
  isAttachmentCiphertextLength,
} from './attachment-length';
// The attachment cipher: padded 64 KiB chunks under AES-256-GCM with STREAM nonces (attachments.md §2).
export {
  AttachmentEncryptor,
  AttachmentDecryptor,
  attachmentChunkLengths,
  ATTACHMENT_FORMAT_VERSION,
  ATTACHMENT_KEY_BYTES,
  ATTACHMENT_DIGEST_BYTES,
  type AttachmentCipherOptions,
  type AttachmentEncryptorOptions,
  type AttachmentDecryptParams,
  type AttachmentChunkLengths,
} from './attachment-cipher';
export { encryptAttachment, decryptAttachment, EncryptedAttachment } from './attachment-stream';
export { ATTACHMENT_CIPHER_BACKENDS, type AttachmentCipherBackend } from './attachment-backend';
export { ATTACHMENT_FORMAT_VERSIONS, type AttachmentFormatVersion } from './attachment-digest';
// The transparency log's Merkle tree (docs/protocol/crypto.md §14; RFC 9162 §2.1).
export {
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  merkleInclusionProof,
  merkleConsistencyProof,
  verifyMerkleInclusion,
  verifyMerkleConsistency,
  MERKLE_HASH_LENGTH,
  MAX_MERKLE_PROOF_LENGTH,
  type MerkleInclusionCheck,
  type MerkleConsistencyCheck,
} from './merkle-tree';
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
// The per-person fingerprint and safety number, over user keys (docs/protocol/crypto.md §2.3).
export {
  personFingerprint,
  personFingerprintBytes,
  personSafetyNumber,
  PERSON_FINGERPRINT_LENGTH,
  PERSON_FINGERPRINT_VERSION,
  type PersonFingerprintSubject,
} from './person-fingerprint';
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
// Protocol modules (docs/protocol/crypto.md §9-§12): prekeys, the hybrid handshake, the Double
// Ratchet with header encryption and Sender Keys. Pure functions over plain versioned state.
export type { SkippedMessageKey } from './chain-key';
export {
  createPrekeyState,
  rotateSignedPrekeys,
  addOneTimePrekeys,
  expirePrekeys,
  prekeySignatureInput,
  DEFAULT_PREKEY_POLICY,
  PREKEY_STATE_VERSION,
  PREKEY_SIGNATURE_LABEL,
  PREKEY_KIND_BYTE,
  MAX_ONE_TIME_PREKEYS,
  MAX_ONE_TIME_KEM_PREKEYS,
  MAX_SEEN_HANDSHAKES,
  type PrekeyKind,
  type OneTimePrekeyKind,
  type PublicPrekey,
  type PublishedPrekeys,
  type PrekeyBundle,
  type PrekeyState,
  type PrekeyPolicy,
  type PrekeyGenerationOptions,
  type OneTimePrekeyOptions,
  type X25519PrekeyRecord,
  type KemPrekeyRecord,
  type ConsumedPrekey,
  type SeenHandshake,
} from './prekeys';
export { publishedPrekeys, claimPrekeyBundle, verifyPrekeyBundle } from './prekey-bundle';
export type { HandshakePrekeyIds } from './prekey-claim';
export { serializePrekeyState, deserializePrekeyState } from './prekey-state-codec';
export {
  initiateHandshake,
  respondToHandshake,
  handshakeAssociatedData,
  ourInitiationWins,
  HANDSHAKE_VERSION,
  PQXDH_INFO,
  SHARED_SECRET_LENGTH,
  type HandshakeInitiation,
  type HandshakeOutcome,
  type InitiatorHandshake,
  type ResponderHandshake,
  type InitiateHandshakeInput,
  type RespondToHandshakeInput,
} from './handshake';
export {
  startInitiatorSession,
  startResponderSession,
  ratchetEncrypt,
  ratchetDecrypt,
  SESSION_STATE_VERSION,
  MAX_SKIP,
  MAX_SKIPPED_MESSAGE_KEYS,
  MAX_PAST_RECEIVING_CHAINS,
  type SessionState,
  type SendingChain,
  type ReceivingChain,
  type PastReceivingChain,
  type InitiatorSessionInput,
  type ResponderSessionInput,
  type RatchetEncryptResult,
  type RatchetDecryptResult,
} from './double-ratchet';
export {
  RATCHET_MESSAGE_VERSION,
  HEADER_LENGTH,
  ENCRYPTED_HEADER_LENGTH,
  RATCHET_MESSAGE_OVERHEAD,
} from './ratchet-message';
export { serializeSession, deserializeSession } from './ratchet-state-codec';
export {
  SessionCipher,
  MAX_SESSIONS_PER_PEER,
  type StoredSession,
  type SessionStore,
  type PrekeyStore,
  type SessionCiphertext,
  type AcceptInitiationInput,
} from './session-cipher';
export {
  createSenderKey,
  rotateSenderKey,
  senderKeyDistribution,
  processSenderKeyDistribution,
  groupEncrypt,
  groupDecrypt,
  readSenderKeyMessageIds,
  serializeSenderKeyState,
  deserializeSenderKeyState,
  serializeSenderKeyReceiverState,
  deserializeSenderKeyReceiverState,
  SENDER_KEY_MESSAGE_VERSION,
  SENDER_KEY_DISTRIBUTION_VERSION,
  SENDER_KEY_STATE_VERSION,
  SENDER_KEY_MESSAGE_OVERHEAD,
  DISTRIBUTION_ID_LENGTH,
  MAX_SENDER_KEY_SKIP,
  MAX_SENDER_KEY_SKIPPED,
  SENDER_KEY_RECEIVER_STATE_VERSION,
  MAX_PREVIOUS_SENDER_CHAINS,
  PREVIOUS_CHAIN_LIFETIME_MS,
  SKIPPED_KEY_LIFETIME_MS,
  type SenderKeyState,
  type SenderKeyReceiverState,
  type SenderKeyChain,
  type PreviousSenderKeyChain,
  type StoredSkippedKey,
  type SenderKeyMessageIds,
  type GroupEncryptResult,
  type GroupDecryptResult,
} from './sender-keys';
