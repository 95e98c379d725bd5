/**
 * The vault: every record of the web client encrypted at rest in a RecordStore, so that a copy of
 * the browser profile shows no plaintext, no address, no conversation id or title and no key.
 * Primitives: docs/protocol/crypto.md §8 (Argon2id storage key, sealRecord) and §1.5 (HMAC, HKDF).
 *
 * Keys
 *   storage key = Argon2id(passphrase, salt, m, t, p)                        deriveStorageKey
 *   vault key   = 32 random bytes, kept only sealed under the storage key in the header
 *   record key  = HKDF-SHA256(vault key, salt = "", "OpenDescent-Vault-v1 record key", 32)
 *   index key   = HKDF-SHA256(vault key, salt = "", "OpenDescent-Vault-v1 index key", 32)
 * The random vault key sits between the passphrase and the data so that changing the passphrase
 * rewrites only the header: entry keys are HMACs of logical addresses the store does not hold, so
 * records could not be re-addressed under a key derived from a new passphrase.
 *
 * Header: entry "meta:vault", in clear, version 1, 102 bytes
 * | offset | size | field                     | why                                                    |
 * | 0      | 1    | version = 0x01            | any other value is unsupported_version                 |
 * | 1      | 4    | m, u32be (KiB)            | the Argon2id costs this header was made with, so the   |
 * | 5      | 4    | t, u32be                  | defaults can change without a migration                |
 * | 9      | 4    | p, u32be                  |                                                        |
 * | 13     | 16   | salt                      | RFC 9106 §3.1                                          |
 * | 29     | 73   | sealRecord(storage key, vault key, id = "OpenDescent-Vault-v1 header" ‖ bytes 0..28) |
 *   The sealed vault key is the check value: it opens only under the right passphrase, and its id
 *   authenticates the version, costs and salt, so a wrong passphrase is found before any record
 *   is read.
 *
 * Record (logical address: table, group, id): entry
 *   "r:" ‖ hex(HMAC(index key, "t" ‖ table ‖ 0x00 ‖ group))[0..32]
 *   ‖ ":" ‖ hex(HMAC(index key, table ‖ 0x00 ‖ group ‖ 0x00 ‖ id))[0..32]
 *   value = sealRecord(record key, encodeRecordValue(value), id = the entry key)
 * Table and group must not contain U+0000, which keeps both HMAC inputs unambiguous. A group's
 * entries share a prefix, so listing a group is one prefix scan; 128-bit truncation keeps keys
 * short with no practical chance of collision. Sealing binds a record to its entry key: one moved
 * or copied elsewhere does not open. A record grows by 41 bytes; no padding.
 *
 * What a copy of the store still shows: how many groups there are and how many records each holds,
 * record sizes, and (across copies) which entries changed.
 */
import {
  constantTimeEqual,
  concatBytes,
  deriveStorageKey,
  generateStorageSalt,
  hkdfSha256,
  hmacSha256,
  isCryptoError,
  openRecord,
  randomBytes,
  sealRecord,
  SEAL_OVERHEAD,
  SecretBytes,
  STORAGE_KDF_PARAMS,
  STORAGE_SALT_LENGTH,
  utf8Encode,
  type StorageKdfParams,
} from '@opendescent/crypto';
import { decodeRecordValue, encodeRecordValue } from './record-codec';
import type { RawWrite, RecordStore } from './record-store';
import { VaultError } from './vault-error';

export const VAULT_FORMAT_VERSION = 1;
export const VAULT_HEADER_KEY = 'meta:vault';
/** Characters (code points after NFC), as people count them. */
export const MIN_PASSPHRASE_LENGTH = 8;
const VAULT_KEY_LENGTH = 32;
const ADDRESS_HEX_LENGTH = 32;
const HEADER_ID_LABEL = 'OpenDescent-Vault-v1 header';
const RECORD_KEY_INFO = 'OpenDescent-Vault-v1 record key';
const INDEX_KEY_INFO = 'OpenDescent-Vault-v1 index key';
const SALT_OFFSET = 13;
const SEALED_KEY_OFFSET = SALT_OFFSET + STORAGE_SALT_LENGTH;
const HEADER_LENGTH = SEALED_KEY_OFFSET + 1 + SEAL_OVERHEAD + VAULT_KEY_LENGTH;

export interface VaultOptions {
  /**
   * Argon2id costs for a new header. The app leaves this unset (STORAGE_KDF_PARAMS); tests pass
   * cheap ones. Unlocking always uses the costs recorded in the header.
   */
  readonly kdfParams?: StorageKdfParams;
  /** Key derivation progress, 0..1 (Argon2id takes about a second). */
  readonly onProgress?: (fraction: number) => void;
}

export type UnlockOptions = Pick<VaultOptions, 'onProgress'>;

interface RecordKeys {
  readonly record: SecretBytes;
  readonly index: SecretBytes;
}

export class Vault {
  readonly #store: RecordStore;
  #keys: RecordKeys | undefined;

  private constructor(store: RecordStore, vaultKey: SecretBytes) {
    this.#store = store;
    this.#keys = { record: deriveSubkey(vaultKey, RECORD_KEY_INFO), index: deriveSubkey(vaultKey, INDEX_KEY_INFO) };
  }

  static async exists(store: RecordStore): Promise<boolean> {
    return (await store.get(VAULT_HEADER_KEY)) !== undefined;
  }

  /** Makes a new vault in an empty store. Refuses weak_passphrase and already_exists. */
  static async create(store: RecordStore, passphrase: string, options: VaultOptions = {}): Promise<Vault> {
    checkPassphraseStrength(passphrase);
    // Check and write are two transactions: the one worker that owns the store must not run two
    // creates at once.
    if (await Vault.exists(store)) throw new VaultError('already_exists', 'this store already holds a vault');
    const vaultKey = new SecretBytes(randomBytes(VAULT_KEY_LENGTH), 'vault key');
    try {
      const header = await sealHeader(vaultKey, passphrase, options);
      await store.apply([{ key: VAULT_HEADER_KEY, value: header }]);
      return new Vault(store, vaultKey);
    } finally {
      vaultKey.wipe();
    }
  }

  /** Refuses not_found, unsupported_version, corrupt_record (header) and wrong_passphrase; writes nothing. */
  static async unlock(store: RecordStore, passphrase: string, options: UnlockOptions = {}): Promise<Vault> {
    const vaultKey = await openHeader(store, passphrase, options);
    try {
      return new Vault(store, vaultKey);
    } finally {
      vaultKey.wipe();
    }
  }

  get isLocked(): boolean {
    return this.#keys === undefined;
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
      seal: (key, value) => {
        const plaintext = encodeRecordValue(value);
        try {
          return sealRecord(this.#requireKeys().record, plaintext, key);
        } finally {
          plaintext.fill(0);
        }
      },
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
    checkPassphraseStrength(newPassphrase);
    this.#requireKeys();
    const vaultKey = await openHeader(this.#store, oldPassphrase, options);
    try {
      // The header must still be this vault's: a header swapped in from another vault would
      // leave every record here unreadable once it is re-sealed.
      const index = deriveSubkey(vaultKey, INDEX_KEY_INFO);
      const sameVault = constantTimeEqual(index.exposeBytes(), this.#requireKeys().index.exposeBytes());
      index.wipe();
      if (!sameVault) throw new VaultError('corrupt_record', 'the stored header belongs to another vault');
      const header = await sealHeader(vaultKey, newPassphrase, options);
      await this.#store.apply([{ key: VAULT_HEADER_KEY, value: header }]);
    } finally {
      vaultKey.wipe();
    }
  }

  /** Zeroes the keys held; every later read or write is refused with 'locked'. Idempotent. */
  lock(): void {
    this.#keys?.record.wipe();
    this.#keys?.index.wipe();
    this.#keys = undefined;
  }

  /** Deletes everything in the store (the header too) and locks. */
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

  #openEntry(key: string, sealed: Uint8Array): unknown {
    // Checked again here: the vault may have been locked while the store was being read.
    const { record } = this.#requireKeys();
    let plaintext: Uint8Array;
    try {
      plaintext = openRecord(record, sealed, key);
    } catch (error) {
      if (isCryptoError(error, 'unknown_version') || isCryptoError(error, 'version_too_old')) {
        throw new VaultError('unsupported_version', 'a record has a version this client does not read');
      }
      throw new VaultError('corrupt_record', 'a record fails authentication: altered, truncated or moved');
    }
    try {
      return decodeRecordValue(plaintext);
    } catch {
      throw new VaultError('corrupt_record', 'a record opens but does not parse');
    } finally {
      plaintext.fill(0);
    }
  }
}

interface BatchSealer {
  entryKey(table: string, group: string, id: string): string;
  groupPrefix(table: string, group: string): string;
  seal(key: string, value: unknown): Uint8Array;
  storedKeys(prefix: string): Promise<string[]>;
}

/**
 * Writes prepared (addressed and sealed) now and stored together by Vault.commit. A later
 * operation on the same record wins. Made by Vault.batch().
 */
export class VaultBatch {
  readonly #writes = new Map<string, Uint8Array | null>();
  readonly #sealer: BatchSealer;

  constructor(
    readonly vault: Vault,
    sealer: BatchSealer,
  ) {
    this.#sealer = sealer;
  }

  /** Refuses (TypeError) a value that is not plain data, before anything is written. */
  put(table: string, group: string, id: string, value: unknown): this {
    const key = this.#sealer.entryKey(table, group, id);
    this.#writes.set(key, this.#sealer.seal(key, value));
    return this;
  }

  delete(table: string, group: string, id: string): this {
    this.#writes.set(this.#sealer.entryKey(table, group, id), null);
    return this;
  }

  /**
   * Deletes every record of the group: those stored when it resolves and those put in this batch
   * so far. Await it before the next operation on the batch.
   */
  async deleteGroup(table: string, group: string): Promise<this> {
    const prefix = this.#sealer.groupPrefix(table, group);
    const stored = await this.#sealer.storedKeys(prefix);
    for (const key of [...this.#writes.keys(), ...stored]) if (key.startsWith(prefix)) this.#writes.set(key, null);
    return this;
  }

  get size(): number {
    return this.#writes.size;
  }

  /** The raw writes (entry keys and sealed values only), for Vault.commit. */
  writes(): RawWrite[] {
    return Array.from(this.#writes, ([key, value]) => ({ key, value }));
  }
}

function checkPassphraseStrength(passphrase: string): void {
  if (typeof passphrase !== 'string') throw new TypeError('vault: the passphrase must be a string');
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) {
    throw new VaultError('weak_passphrase', `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`);
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

/** The id the vault key is sealed under: it authenticates the header's bytes before the sealed key. */
function headerSealId(header: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(HEADER_ID_LABEL), header.subarray(0, SEALED_KEY_OFFSET));
}

async function sealHeader(vaultKey: SecretBytes, passphrase: string, options: VaultOptions): Promise<Uint8Array> {
  const params = options.kdfParams ?? STORAGE_KDF_PARAMS;
  const salt = generateStorageSalt();
  // Derived before the costs are written: deriveStorageKey checks their ranges, so each fits a u32.
  const storageKey = await deriveStorageKey(passphrase, salt, params, options.onProgress);
  try {
    const header = new Uint8Array(HEADER_LENGTH);
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

/** Reads the header and opens the vault key with the passphrase. Reads nothing else, writes nothing. */
async function openHeader(store: RecordStore, passphrase: string, options: UnlockOptions): Promise<SecretBytes> {
  if (typeof passphrase !== 'string') throw new TypeError('vault: the passphrase must be a string');
  const header = await store.get(VAULT_HEADER_KEY);
  if (header === undefined) throw new VaultError('not_found', 'this store holds no vault');
  if (header.length === 0) throw new VaultError('corrupt_record', 'the vault header is empty');
  if (header[0] !== VAULT_FORMAT_VERSION) {
    throw new VaultError('unsupported_version', `vault header version ${header[0]}; this client reads ${VAULT_FORMAT_VERSION}`);
  }
  if (header.length !== HEADER_LENGTH) throw new VaultError('corrupt_record', 'the vault header has the wrong length');
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const params = { memoryKiB: view.getUint32(1), iterations: view.getUint32(5), parallelism: view.getUint32(9) };
  let storageKey: SecretBytes;
  try {
    storageKey = await deriveStorageKey(passphrase, header.slice(SALT_OFFSET, SEALED_KEY_OFFSET), params, options.onProgress);
  } catch (error) {
    // Costs out of range are refused before Argon2id runs, so a tampered header cannot hang the worker.
    if (isCryptoError(error, 'bad_parameter')) throw new VaultError('corrupt_record', 'the vault header has out-of-range costs');
    throw error;
  }
  try {
    return new SecretBytes(openRecord(storageKey, header.subarray(SEALED_KEY_OFFSET), headerSealId(header)), 'vault key');
  } catch {
    throw new VaultError('wrong_passphrase', 'the passphrase does not open this vault');
  } finally {
    storageKey.wipe();
  }
}
