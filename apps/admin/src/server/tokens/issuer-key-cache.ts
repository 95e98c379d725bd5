// The Privacy Pass issuer private keys: sealed under the master key in token_issuer_keys (the
// organisation keys' sealing, org-key-sealing.ts, with its own associated-data label), opened
// into node:crypto KeyObjects once per process and kept in memory only, never logged.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { SecretBytes } from '@opendescent/crypto';
import { encodeHex } from '@opendescent/protocol';
import type { MasterKeySource } from '../org/master-key.mjs';
import { OrgKeyUnavailableError, openUnderMasterKey, sealUnderMasterKey } from '../org/org-key-sealing';
import type { IssuerKeyPair } from './blind-sign';

export interface SealedIssuerKeyRow {
  readonly tokenKeyId: Uint8Array;
  readonly spki: Uint8Array;
  readonly sealedPrivateKey: Uint8Array | null;
}

export class IssuerKeyCache {
  #master: SecretBytes | undefined;
  readonly #opened = new Map<string, IssuerKeyPair>();

  constructor(private readonly source: MasterKeySource) {}

  private masterKey(): SecretBytes {
    this.#master ??= new SecretBytes(this.source.read(), 'admin master key');
    return this.#master;
  }

  /** Seals a PKCS#8 private key, bound to the org id and its public key (SPKI). */
  seal(orgId: Uint8Array, spki: Uint8Array, pkcs8: Uint8Array): Uint8Array {
    return sealUnderMasterKey('token issuer key', this.masterKey(), orgId, spki, pkcs8);
  }

  /** The opened key pair (from this process's cache after the first use). */
  open(orgId: Uint8Array, row: SealedIssuerKeyRow): IssuerKeyPair {
    const id = encodeHex(row.tokenKeyId);
    const cached = this.#opened.get(id);
    if (cached) return cached;
    if (!row.sealedPrivateKey)
      throw new OrgKeyUnavailableError('this token issuer key no longer issues: its private key was erased');
    const pkcs8 = openUnderMasterKey('token issuer key', this.masterKey(), orgId, row.spki, row.sealedPrivateKey);
    try {
      const bytes = pkcs8.exposeBytes();
      // A view, not a copy, so that wipe() below leaves no clear copy behind in this heap.
      const privateKey = createPrivateKey({
        key: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        format: 'der',
        type: 'pkcs8',
      });
      const pair = { privateKey, publicKey: createPublicKey(privateKey) };
      this.#opened.set(id, pair);
      return pair;
    } finally {
      pkcs8.wipe();
    }
  }

  /** After a key's private half is erased: drop it here too. */
  forget(tokenKeyId: Uint8Array): void {
    this.#opened.delete(encodeHex(tokenKeyId));
  }
}
