// Opened organisation private keys, kept in this process's memory only (never written back in the
// clear, never logged: Ed25519PrivateKey is a SecretBytes). The master key is read once.
import { Ed25519PrivateKey, SecretBytes, ed25519KeyPairFromSeed } from '@opendescent/crypto';
import { encodeHex } from '@opendescent/protocol';
import type { MasterKeySource } from './master-key.mjs';
import { OrgKeyUnavailableError, openOrgKeySeed, sealOrgKeySeed } from './org-key-sealing';

export interface SealedOrgKeyRow {
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly sealedPrivateKey: Uint8Array | null;
}

export class OrgKeyCache {
  #master: SecretBytes | undefined;
  readonly #opened = new Map<string, Ed25519PrivateKey>();

  constructor(private readonly source: MasterKeySource) {}

  private masterKey(): SecretBytes {
    this.#master ??= new SecretBytes(this.source.read(), 'admin master key');
    return this.#master;
  }

  seal(orgId: Uint8Array, privateKey: Ed25519PrivateKey): Uint8Array {
    return sealOrgKeySeed(this.masterKey(), orgId, privateKey.publicKey, privateKey.exposeBytes());
  }

  async privateKey(orgId: Uint8Array, row: SealedOrgKeyRow): Promise<Ed25519PrivateKey> {
    const id = encodeHex(row.keyId);
    const cached = this.#opened.get(id);
    if (cached) return cached;
    if (!row.sealedPrivateKey)
      throw new OrgKeyUnavailableError('this organisation key is retired: its private key was erased');
    const seed = openOrgKeySeed(this.masterKey(), orgId, row.publicKey, row.sealedPrivateKey);
    try {
      const { privateKey } = await ed25519KeyPairFromSeed(seed.exposeBytes());
      this.#opened.set(id, privateKey);
      return privateKey;
    } finally {
      seed.wipe();
    }
  }

  /** After a key is retired: forget it here too. */
  forget(keyId: Uint8Array): void {
    const id = encodeHex(keyId);
    this.#opened.get(id)?.wipe();
    this.#opened.delete(id);
  }
}
