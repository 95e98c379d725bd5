/**
 * The vault: every record of the web client encrypted at rest in a RecordStore, so that a copy of
 * the browser profile shows no plaintext, no address, no conversation id or title and no key.
 * Primitives: docs/protocol/crypto.md §8 (Argon2id storage key, sealRecord) and §1.5 (HMAC, HKDF).
 *
 * Keys
 *   storage key = Argon2id(passphrase, salt, m, t, p)                        deriveStorageKey
 *   vault key   = 32 random bytes, stored only sealed: under the storage key in the header, and
 *                 under a passkey's key in the optional passkey header; in memory while unlocked
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
 * Passkey header: entry "meta:vault-passkey", in clear, optional, version 1, 108 + n bytes
 * (docs/protocol/storage.md §2.1)
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
 *
 * What a copy of the store still shows: how many groups there are and how many records each holds,
 * record sizes, (across copies) which entries changed, and whether a passkey can unlock the vault
 * (its credential id and PRF salt).
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
export const VAULT_PASSKEY_HEADER_KEY = 'meta:vault-passkey';
export const VAULT_PASSKEY_FORMAT_VERSION = 1;
/** WebAuthn PRF results are 32 bytes (the hmac-secret output). */
export const PASSKEY_PRF_OUTPUT_LENGTH = 32;
export const PASSKEY_PRF_SALT_LENGTH = 32;
/** WebAuthn Level 3 §4 (Credential ID): at most 1023 bytes. */
export const MAX_PASSKEY_CREDENTIAL_ID_LENGTH = 1023;
/** Characters (code points after NFC), as people count them. */
export const MIN_PASSPHRASE_LENGTH = 8;
const VAULT_KEY_LENGTH = 32;
const ADDRESS_HEX_LENGTH = 32;
const HEADER_ID_LABEL = 'OpenDescent-Vault-v1 header';
const RECORD_KEY_INFO = 'OpenDescent-Vault-v1 record key';
const INDEX_KEY_INFO = 'OpenDescent-Vault-v1 index key';
const PASSKEY_ID_LABEL = 'OpenDescent-Vault-v1 passkey';
const PASSKEY_KEY_INFO = 'OpenDescent-Vault-v1 passkey key';
const PASSKEY_CREDENTIAL_OFFSET = 3;
const PASSKEY_SEALED_KEY_LENGTH = 1 + SEAL_OVERHEAD + VAULT_KEY_LENGTH;
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
  /** Kept while unlocked only to seal it under a new passkey (addPasskey). */
  readonly vault: SecretBytes;
  readonly record: SecretBytes;
  readonly index: SecretBytes;
}

export interface PasskeyInfo {
  readonly credentialId: Uint8Array;
  readonly prfSalt: Uint8Array;
}

export class Vault {
  readonly #store: RecordStore;
  #keys: RecordKeys | undefined;

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

  /**
   * Opens the vault with a passkey's PRF output instead of the passphrase. Refuses not_found (no
   * vault, or no passkey header), unsupported_version, corrupt_record (passkey header) and
   * wrong_passphrase (the output does not open it: another passkey, another salt, an altered
   * header); writes nothing. A PRF output that is not 32 bytes is a TypeError.
   */
  static async unlockWithPasskey(store: RecordStore, prfOutput: Uint8Array): Promise<Vault> {
    checkPrfOutput(prfOutput);
    if (!(await Vault.exists(store))) throw new VaultError('not_found', 'this store holds no vault');
    const header = await store.get(VAULT_PASSKEY_HEADER_KEY);
    if (header === undefined) throw new VaultError('not_found', 'no passkey can unlock this vault');
    const parsed = parsePasskeyHeader(header);
    const passkeyKey = derivePasskeyKey(prfOutput, parsed.prfSalt);
    let vaultKey: SecretBytes;
    try {
      vaultKey = new SecretBytes(openRecord(passkeyKey, parsed.sealedKey, passkeySealId(header, parsed.sealedKeyOffset)), 'vault key');
    } catch {
      throw new VaultError('wrong_passphrase', 'this passkey does not open this vault');
    } finally {
      passkeyKey.wipe();
    }
    try {
      return new Vault(store, vaultKey);
    } finally {
      vaultKey.wipe();
    }
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

  /**
   * Lets a passkey unlock this vault: seals the vault key under a key derived from the passkey's
   * PRF output for `prfSalt` (one header write; an earlier passkey is replaced). Needs the vault
   * unlocked. Credential id 1..1023 bytes, salt and PRF output 32 bytes, else TypeError.
   */
  async addPasskey(credentialId: Uint8Array, prfSalt: Uint8Array, prfOutput: Uint8Array): Promise<void> {
    if (!(credentialId instanceof Uint8Array) || credentialId.length < 1 || credentialId.length > MAX_PASSKEY_CREDENTIAL_ID_LENGTH) {
      throw new TypeError(`vault: a passkey credential id is 1..${MAX_PASSKEY_CREDENTIAL_ID_LENGTH} bytes`);
    }
    if (!(prfSalt instanceof Uint8Array) || prfSalt.length !== PASSKEY_PRF_SALT_LENGTH) {
      throw new TypeError(`vault: a passkey PRF salt is ${PASSKEY_PRF_SALT_LENGTH} bytes`);
    }
    checkPrfOutput(prfOutput);
    const { vault: vaultKey } = this.#requireKeys();
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
    this.#keys?.vault.wipe();
    this.#keys?.record.wipe();
    this.#keys?.index.wipe();
    this.#keys = undefined;
  }

  /** Deletes everything in the store (both headers too) and locks. */
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

function checkPrfOutput(prfOutput: Uint8Array): void {
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

interface ParsedPasskeyHeader extends PasskeyInfo {
  readonly sealedKeyOffset: number;
  readonly sealedKey: Uint8Array;
}

/** Checks the passkey header's version and lengths (storage.md §2.1); authenticity is checked when it is opened. */
function parsePasskeyHeader(header: Uint8Array): ParsedPasskeyHeader {
  if (header.length === 0) throw new VaultError('corrupt_record', 'the passkey header is empty');
  if (header[0] !== VAULT_PASSKEY_FORMAT_VERSION) {
    throw new VaultError(
      'unsupported_version',
      `passkey header version ${header[0]}; this client reads ${VAULT_PASSKEY_FORMAT_VERSION}`,
    );
  }
  if (header.length < PASSKEY_CREDENTIAL_OFFSET) throw new VaultError('corrupt_record', 'the passkey header is truncated');
  const idLength = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint16(1);
  const sealedKeyOffset = PASSKEY_CREDENTIAL_OFFSET + idLength + PASSKEY_PRF_SALT_LENGTH;
  if (idLength < 1 || idLength > MAX_PASSKEY_CREDENTIAL_ID_LENGTH || header.length !== sealedKeyOffset + PASSKEY_SEALED_KEY_LENGTH) {
    throw new VaultError('corrupt_record', 'the passkey header has the wrong length');
  }
  return {
    credentialId: header.subarray(PASSKEY_CREDENTIAL_OFFSET, PASSKEY_CREDENTIAL_OFFSET + idLength),
    prfSalt: header.subarray(PASSKEY_CREDENTIAL_OFFSET + idLength, sealedKeyOffset),
    sealedKeyOffset,
    sealedKey: header.subarray(sealedKeyOffset),
  };
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
