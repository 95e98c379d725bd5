// The web client's local store: the raw RecordStore interface, its two implementations, and the
// Vault that encrypts everything at rest on top of one (docs/protocol/storage.md; vault.ts and the
// files it imports hold the formats).
export { STORE_NAMES, type RawWrite, type RecordStore } from './record-store';
export { MemoryRecordStore } from './memory-record-store';
export { IndexedDbRecordStore, MIGRATIONS, SCHEMA_VERSION } from './indexeddb-record-store';
export { Vault, type UnlockBackoffView, type UnlockOptions, type VaultOptions } from './vault';
export { VaultBatch } from './vault-batch';
export {
  AttachmentChunks,
  ATTACHMENT_CHUNK_KEY_PREFIX,
  newAttachmentLocalId,
  type AttachmentChunksOptions,
} from './attachment-chunks';
export { MIN_PASSPHRASE_LENGTH, VAULT_FORMAT_VERSION, VAULT_HEADER_KEY, VAULT_KDF_PARAMS } from './vault-header';
export { VAULT_PASSKEY_HEADER_KEY, type PasskeyInfo } from './passkey-header';
export { UNLOCK_BACKOFF_KEY, unlockDelayMs } from './unlock-backoff';
export { VaultError, isVaultError, type VaultErrorCode } from './vault-error';
