// The web client's local store: the raw RecordStore interface, its two implementations, and the
// Vault that encrypts everything at rest on top of one (vault.ts documents the formats).
export { STORE_NAMES, type RawWrite, type RecordStore } from './record-store';
export { MemoryRecordStore } from './memory-record-store';
export { IndexedDbRecordStore, MIGRATIONS, SCHEMA_VERSION } from './indexeddb-record-store';
export {
  Vault,
  VaultBatch,
  MIN_PASSPHRASE_LENGTH,
  VAULT_FORMAT_VERSION,
  VAULT_HEADER_KEY,
  VAULT_PASSKEY_HEADER_KEY,
  type PasskeyInfo,
  type UnlockOptions,
  type VaultOptions,
} from './vault';
export { VaultError, isVaultError, type VaultErrorCode } from './vault-error';
