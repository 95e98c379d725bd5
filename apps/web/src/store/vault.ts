/**
 * The vault: every record of the web client encrypted at rest in a RecordStore, so that a copy of
 * the browser profile shows no plaintext, no address, no conversation id or title and no key.
 * docs/protocol/storage.md is the authority; primitives: docs/protocol/crypto.md §8 (Argon2id
 * storage key, sealRecord) and §1.5 (HMAC, HKDF).
 *
 * Keys
 *   storage key = Argon2id(passphrase, salt, m, t, p)               vault-header.ts
 *   vault key   = 32 random bytes, stored only sealed: under the storage key in the header, and
 *                 under a passkey's key in the optional passkey header (passkey-header.ts); in
 *                 memory while unlocked
 *   record key  = HKDF-SHA256(vault key, salt = "", "OpenDescent-Vault-v1 record key", 32)
 *   index key   = HKDF-SHA256(vault key, salt = "", "OpenDescent-Vault-v1 index key", 32)
 * The random vault key sits between the passphrase and the data so that changing the passphrase
 * rewrites only the header: entry keys are HMACs of logical addresses the store does not hold, so
 * records could not be re-addressed under a key derived from a new passphrase.
 *
 * Record (logical address: table, group, id): entry
 *   "r:" ‖ hex(HMAC(index key, "t" ‖ table ‖ 0x00 ‖ group))[0..32]
 *   ‖ ":" ‖ hex(HMAC(index key, table ‖ 0x00 ‖ group ‖ 0x00 ‖ id))[0..32]
 *   value = sealRecord(record key, padRecordPlaintext(encodeRecordValue(value)), id = the entry key)
 * Table and group must not contain U+0000, which keeps both HMAC inputs unambiguous. A group's
 * entries share a prefix, so listing a group is one prefix scan; 128-bit truncation keeps keys
 * short with no practical chance of collision. Sealing binds a record to its entry key: one moved
 * or copied elsewhere does not open. Plaintexts are padded to a size bucket (record-padding.ts).
 *
 * Unlocking: wrong passphrases in a row are slowed down (unlock-backoff.ts); a header made with
 * superseded Argon2id costs is re-sealed with the current ones at the next passphrase unlock.
 */
import {
  constantTimeEqual,
  hkdfSha256,
  hmacSha256,
  isCryptoError,
  openRecord,
  randomBytes,
  sealRecord,
  SecretBytes,
  utf8Encode,
  type StorageKdfParams,
} from '@opendescent/crypto';
import { AttachmentChunks } from './attachment-chunks';
import { decodeRecordValue, encodeRecordValue } from './record-codec';
import { padRecordPlaintext, unpadRecordPlaintext } from './record-padding';
import type { RecordStore } from './record-store';
import {
  checkPrfOutput,
  openPasskeyHeader,
  parsePasskeyHeader,
  sealPasskeyHeader,
  VAULT_PASSKEY_HEADER_KEY,
  type PasskeyInfo,
} from './passkey-header';
import {
  checkUnlockAllowed,
  clearUnlockBackoffWrites,
  inUnlockTurn,
  readUnlockBackoff,
  recordWrongPassphrase,
  unlockRetryAt,
} from './unlock-backoff';
import { VaultBatch } from './vault-batch';
import { isVaultError, VaultError } from './vault-error';
import {
  checkNewPassphrase,
  isSupersededKdf,
  openHeader,
  sealHeader,
  VAULT_HEADER_KEY,
  VAULT_KDF_PARAMS,
  VAULT_KEY_LENGTH,
  type OpenedHeader,
} from './vault-header';

const ADDRESS_HEX_LENGTH = 32;
const RECORD_KEY_INFO = 'OpenDescent-Vault-v1 record key';
const INDEX_KEY_INFO = 'OpenDescent-Vault-v1 index key';

export interface VaultOptions {
  /**
   * Argon2id costs for a new header (create, changePassphrase, and the upgrade of a header with
   * superseded costs at unlock). The app leaves this unset (VAULT_KDF_PARAMS); tests pass cheap
   * ones. Unlocking always derives with the costs recorded in the header.
   */
  readonly kdfParams?: StorageKdfParams;
  /**
   * Key derivation progress, 0..1 (Argon2id takes about a second). An unlock that upgrades the
   * header runs a second derivation, reported 0..1 again.
   */
  readonly onProgress?: (fraction: number) => void;
  /** The clock of the unlock back-off, ms since the epoch (Date.now unless given). */
  readonly now?: () => number;
}

export type UnlockOptions = VaultOptions;

/** Where the unlock back-off stands (storage.md §5). */
export interface UnlockBackoffView {
  /** Wrong passphrases in a row since the last unlock. */
  readonly failures: number;
  /** Present while the next passphrase must wait: when it is tried (ms since the epoch). */
  readonly retryAt?: number;
}

interface RecordKeys {
  /** Kept while unlocked only to seal it under a new passkey (addPasskey). */
  readonly vault: SecretBytes;
  readonly record: SecretBytes;
  readonly index: SecretBytes;
}

export class Vault {
  readonly #store: RecordStore;
  #keys: RecordKeys | undefined;
  #attachmentChunks: AttachmentChunks | undefined;

  private constructor(store: RecordStore, vaultKey: SecretBytes) {
    this.#store = store;
    this.#keys = {
      vault: SecretBytes.copyOf(vaultKey.exposeBytes(), 'vault key'),
      record: deriveSubkey(vaultKey, RECORD_KEY_INFO),
      index: deriveSubkey(vaultKey, INDEX_KEY_INFO),
    };
  }

  static async exists(store: RecordStore): Promise<boolean> {
    return (await store.get(VAULT_HEADER_KEY)) !== undefined;
  }

  /** Makes a new vault in an empty store. Refuses weak_passphrase and already_exists. */
  static async create(store: RecordStore, passphrase: string, options: VaultOptions = {}): Promise<Vault> {
    checkNewPassphrase(passphrase);
    // Check and write are two transactions: the one worker that owns the store must not run two
    // creates at once.
    if (await Vault.exists(store)) throw new VaultError('already_exists', 'this store already holds a vault');
    const vaultKey = new SecretBytes(randomBytes(VAULT_KEY_LENGTH), 'vault key');
    try {
      const header = await sealHeader(vaultKey, passphrase, options.kdfParams ?? VAULT_KDF_PARAMS, options.onProgress);
      await store.apply([{ key: VAULT_HEADER_KEY, value: header }]);
      return new Vault(store, vaultKey);
    } finally {
      vaultKey.wipe();
    }
  }

  /**
   * Opens the vault with the passphrase. Refuses unlock_delayed (too many wrong passphrases in a
   * row: nothing is tried, nothing written), not_found, unsupported_version, corrupt_record
   * (header) and wrong_passphrase (which counts one more failure and writes nothing else). On
   * success clears the failure count and re-seals a header with superseded costs, in one write:
   * a crash before it leaves the old header, which still opens.
   */
  static async unlock(store: RecordStore, passphrase: string, options: UnlockOptions = {}): Promise<Vault> {
    const now = options.now ?? Date.now;
    return inUnlockTurn(store, async () => {
      await checkUnlockAllowed(store, now());
      let opened: OpenedHeader;
      try {
        opened = await openHeader(store, passphrase, options.onProgress);
      } catch (error) {
        if (isVaultError(error, 'wrong_passphrase')) await recordWrongPassphrase(store, now());
        throw error;
      }
      try {
        const writes = await clearUnlockBackoffWrites(store);
        if (isSupersededKdf(opened.params)) {
          const params = options.kdfParams ?? VAULT_KDF_PARAMS;
          writes.push({
            key: VAULT_HEADER_KEY,
            value: await sealHeader(opened.vaultKey, passphrase, params, options.onProgress),
          });
        }
        if (writes.length > 0) await store.apply(writes);
        return new Vault(store, opened.vaultKey);
      } finally {
        opened.vaultKey.wipe();
      }
    });
  }

  /**
   * Opens the vault with a passkey's PRF output instead of the passphrase. Refuses not_found (no
   * vault, or no passkey header), unsupported_version, corrupt_record (passkey header) and
   * wrong_passphrase (the output does not open it: another passkey, another salt, an altered
   * header); writes nothing then. A PRF output that is not 32 bytes is a TypeError. Not slowed by
   * the passphrase back-off; on success clears its count.
   */
  static async unlockWithPasskey(store: RecordStore, prfOutput: Uint8Array): Promise<Vault> {
    checkPrfOutput(prfOutput);
    return inUnlockTurn(store, async () => {
      if (!(await Vault.exists(store))) throw new VaultError('not_found', 'this store holds no vault');
      const header = await store.get(VAULT_PASSKEY_HEADER_KEY);
      if (header === undefined) throw new VaultError('not_found', 'no passkey can unlock this vault');
      const vaultKey = openPasskeyHeader(header, prfOutput);
      try {
        const writes = await clearUnlockBackoffWrites(store);
        if (writes.length > 0) await store.apply(writes);
        return new Vault(store, vaultKey);
      } finally {
        vaultKey.wipe();
      }
    });
  }

  /**
   * The passkey that can unlock this vault (public: which credential to ask for and the PRF salt),
   * or undefined. Refuses unsupported_version and corrupt_record for a header it cannot read.
   */
  static async passkeyInfo(store: RecordStore): Promise<PasskeyInfo | undefined> {
    const header = await store.get(VAULT_PASSKEY_HEADER_KEY);
    if (header === undefined) return undefined;
    const { credentialId, prfSalt } = parsePasskeyHeader(header);
    return { credentialId: credentialId.slice(), prfSalt: prfSalt.slice() };
  }

  /** The unlock back-off (public: a count and a time), or undefined when no passphrase failed since the last unlock. */
  static async unlockBackoff(store: RecordStore, now: number = Date.now()): Promise<UnlockBackoffView | undefined> {
    const backoff = await readUnlockBackoff(store);
    if (backoff === undefined) return undefined;
    const retryAt = unlockRetryAt(backoff, now);
    return retryAt === undefined ? { failures: backoff.failures } : { failures: backoff.failures, retryAt };
  }

  /**
   * Lets a passkey unlock this vault: seals the vault key under a key derived from the passkey's
   * PRF output for `prfSalt` (one header write; an earlier passkey is replaced). Needs the vault
   * unlocked. Credential id 1..1023 bytes, salt and PRF output 32 bytes, else TypeError.
   */
  async addPasskey(credentialId: Uint8Array, prfSalt: Uint8Array, prfOutput: Uint8Array): Promise<void> {
    const header = sealPasskeyHeader(this.#requireKeys().vault, credentialId, prfSalt, prfOutput);
    await this.#store.apply([{ key: VAULT_PASSKEY_HEADER_KEY, value: header }]);
  }

  /** Stops the passkey unlocking this vault (deletes its header); the passphrase stays. Needs the vault unlocked. */
  async removePasskey(): Promise<void> {
    this.#requireKeys();
    await this.#store.apply([{ key: VAULT_PASSKEY_HEADER_KEY, value: null }]);
  }

  get isLocked(): boolean {
    return this.#keys === undefined;
  }

  /**
   * The attachment files' sealed chunks, kept beside the records in this store but not sealed by
   * the vault (attachment-chunks.ts says why). One instance per vault, refused with 'locked' from
   * the moment the vault locks, like every other access; a wipe clears the chunks with the store.
   */
  get attachmentChunks(): AttachmentChunks {
    this.#requireKeys();
    this.#attachmentChunks ??= new AttachmentChunks(this.#store, { assertUsable: () => void this.#requireKeys() });
    return this.#attachmentChunks;
  }

  async get<T>(table: string, group: string, id: string): Promise<T | undefined> {
    const key = this.#entryKey(table, group, id);
    const sealed = await this.#store.get(key);
    return sealed === undefined ? undefined : (this.#openEntry(key, sealed) as T);
  }

  /**
   * Every record of a group, in no meaningful order (entry keys are HMACs): records that need an
   * order or their id carry it in their value. One record that fails to open fails the whole list.
   */
  async list<T>(table: string, group: string): Promise<T[]> {
    const entries = await this.#store.list(this.#groupPrefix(table, group));
    return entries.map(({ key, value }) => this.#openEntry(key, value) as T);
  }

  batch(): VaultBatch {
    this.#requireKeys();
    return new VaultBatch(this, {
      entryKey: (table, group, id) => this.#entryKey(table, group, id),
      groupPrefix: (table, group) => this.#groupPrefix(table, group),
      seal: (key, value) => this.#seal(key, value),
      storedKeys: async (prefix) => (await this.#store.list(prefix)).map((entry) => entry.key),
    });
  }

  /** Writes the whole batch in one RecordStore.apply: all of it or none of it. */
  async commit(batch: VaultBatch): Promise<void> {
    if (batch.vault !== this) throw new TypeError('Vault.commit: the batch was made by another vault');
    this.#requireKeys();
    await this.#store.apply(batch.writes());
  }

  /** Re-seals the vault key under a new passphrase: one header write, records untouched. */
  async changePassphrase(oldPassphrase: string, newPassphrase: string, options: VaultOptions = {}): Promise<void> {
    checkNewPassphrase(newPassphrase);
    this.#requireKeys();
    const { vaultKey } = await openHeader(this.#store, oldPassphrase, options.onProgress);
    try {
      // The header must still be this vault's: a header swapped in from another vault would
      // leave every record here unreadable once it is re-sealed.
      const index = deriveSubkey(vaultKey, INDEX_KEY_INFO);
      const sameVault = constantTimeEqual(index.exposeBytes(), this.#requireKeys().index.exposeBytes());
      index.wipe();
      if (!sameVault) throw new VaultError('corrupt_record', 'the stored header belongs to another vault');
      const header = await sealHeader(
        vaultKey,
        newPassphrase,
        options.kdfParams ?? VAULT_KDF_PARAMS,
        options.onProgress,
      );
      await this.#store.apply([{ key: VAULT_HEADER_KEY, value: header }]);
    } finally {
      vaultKey.wipe();
    }
  }

  /**
   * Zeroes the keys held (vault, record and index keys: raw bytes, no CryptoKey) and drops them;
   * every later read or write is refused with 'locked'. The vault caches no plaintext. Idempotent.
   */
  lock(): void {
    this.#keys?.vault.wipe();
    this.#keys?.record.wipe();
    this.#keys?.index.wipe();
    this.#keys = undefined;
  }

  /** Deletes everything in the store (both headers and the back-off count too) and locks. */
  async wipe(): Promise<void> {
    this.lock();
    await this.#store.clear();
  }

  #requireKeys(): RecordKeys {
    if (this.#keys === undefined) throw new VaultError('locked', 'the vault is locked');
    return this.#keys;
  }

  #groupPrefix(table: string, group: string): string {
    checkName(table, 'table', false);
    checkName(group, 'group', false);
    return `r:${this.#address(`t${table}\0${group}`)}:`;
  }

  #entryKey(table: string, group: string, id: string): string {
    checkName(id, 'id', true);
    return this.#groupPrefix(table, group) + this.#address(`${table}\0${group}\0${id}`);
  }

  #address(name: string): string {
    const mac = hmacSha256(this.#requireKeys().index, utf8Encode(name));
    return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0'))
      .join('')
      .slice(0, ADDRESS_HEX_LENGTH);
  }

  /** Refuses (TypeError) a value that is not plain data. Every plaintext copy is zeroed once sealed. */
  #seal(key: string, value: unknown): Uint8Array {
    const content = encodeRecordValue(value);
    const framed = padRecordPlaintext(content);
    content.fill(0);
    try {
      return sealRecord(this.#requireKeys().record, framed, key);
    } finally {
      framed.fill(0);
    }
  }

  #openEntry(key: string, sealed: Uint8Array): unknown {
    // Checked again here: the vault may have been locked while the store was being read.
    const { record } = this.#requireKeys();
    let framed: Uint8Array;
    try {
      framed = openRecord(record, sealed, key);
    } catch (error) {
      if (isCryptoError(error, 'unknown_version') || isCryptoError(error, 'version_too_old')) {
        throw new VaultError('unsupported_version', 'a record has a version this client does not read');
      }
      throw new VaultError('corrupt_record', 'a record fails authentication: altered, truncated or moved');
    }
    try {
      const content = unpadRecordPlaintext(framed);
      try {
        return decodeRecordValue(content);
      } catch {
        throw new VaultError('corrupt_record', 'a record opens but does not parse');
      }
    } finally {
      framed.fill(0);
    }
  }
}

/**
 * Names are hashed as UTF-8, which cannot encode a lone surrogate (TextEncoder would turn two
 * different ones into the same U+FFFD); U+0000 separates table from group in the HMAC inputs.
 */
function checkName(name: string, what: string, nulAllowed: boolean): void {
  if (typeof name !== 'string') throw new TypeError(`vault: the ${what} must be a string`);
  if (!nulAllowed && name.includes('\0')) throw new TypeError(`vault: the ${what} must not contain U+0000`);
  if (/\p{Cs}/u.test(name)) throw new TypeError(`vault: the ${what} contains a lone surrogate`);
}

function deriveSubkey(vaultKey: SecretBytes, info: string): SecretBytes {
  return new SecretBytes(hkdfSha256(vaultKey, new Uint8Array(0), utf8Encode(info), 32), info);
}
