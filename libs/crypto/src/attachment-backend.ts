/**
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, for the attachment cipher
 * (attachment-cipher.ts; docs/protocol/attachments.md §2). Two backends give the same bytes: Web
 * Crypto, the default, is native (AES-NI) in browsers and Node; @noble/ciphers is pure JavaScript,
 * for a runtime without crypto.subtle and as an independent implementation to test against. The
 * backend is chosen per encryptor or decryptor, so a benchmark can run both side by side.
 *
 * Internal: callers of the public API never see a nonce; the cipher derives it from the chunk index.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { expectBytes } from './bytes';
import { CryptoError } from './errors';
import { bufferSource, subtleCrypto } from './webcrypto';

export type AttachmentCipherBackend = 'webcrypto' | 'noble';
export const ATTACHMENT_CIPHER_BACKENDS: readonly AttachmentCipherBackend[] = ['webcrypto', 'noble'];

/** AES-256 only: the attachment key is 32 bytes, and Web Crypto would silently accept 16 or 24. */
export const AES_256_KEY_BYTES = 32;
/** SP 800-38D §8.2.1: the 96-bit deterministic nonce, which the STREAM nonce fills exactly. */
export const AES_GCM_NONCE_BYTES = 12;
export const AES_GCM_TAG_BYTES = 16;

/** One imported key that seals and opens many chunks (Web Crypto's importKey is async and costly). */
export interface AesGcmKey {
  /** Returns ciphertext ‖ tag. */
  seal(nonce: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Refuses a wrong tag, key, nonce or associated data with CryptoError('auth_failed'). */
  open(nonce: Uint8Array, associatedData: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>;
}

export interface AesGcmBackend {
  readonly name: AttachmentCipherBackend;
  importKey(key: Uint8Array): Promise<AesGcmKey>;
  /** One-shot forms, for the Wycheproof tests. */
  seal(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  open(key: Uint8Array, nonce: Uint8Array, associatedData: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>;
}

/** @internal The AES-256-GCM backend of that name; an unknown name is CryptoError('bad_parameter'). */
export function aesGcmBackend(name: AttachmentCipherBackend): AesGcmBackend {
  if (!Object.hasOwn(IMPORTERS, name))
    throw new CryptoError('bad_parameter', `unknown attachment cipher backend ${String(name)}`);
  const importKey = IMPORTERS[name];
  return {
    name,
    importKey: (key) => importKey(expectBytes(key, 'AES-256-GCM key', AES_256_KEY_BYTES)),
    seal: async (key, nonce, associatedData, plaintext) =>
      (await importKey(expectBytes(key, 'AES-256-GCM key', AES_256_KEY_BYTES))).seal(nonce, associatedData, plaintext),
    open: async (key, nonce, associatedData, sealed) =>
      (await importKey(expectBytes(key, 'AES-256-GCM key', AES_256_KEY_BYTES))).open(nonce, associatedData, sealed),
  };
}

/** The checks both backends run first, so that both refuse the same inputs with the same codes. */
function checkInputs(nonce: Uint8Array, associatedData: Uint8Array, text: Uint8Array, sealed: boolean): void {
  expectBytes(nonce, 'AES-GCM nonce', AES_GCM_NONCE_BYTES);
  expectBytes(associatedData, 'AES-GCM associated data');
  expectBytes(text, sealed ? 'AES-GCM ciphertext' : 'AES-GCM plaintext');
  if (sealed && text.length < AES_GCM_TAG_BYTES)
    throw new CryptoError('bad_length', `an AES-GCM ciphertext is at least ${AES_GCM_TAG_BYTES} bytes`);
}

function authFailed(): CryptoError {
  return new CryptoError('auth_failed', 'the chunk, its tag, index or final flag, or the key is wrong');
}

const IMPORTERS: Record<AttachmentCipherBackend, (key: Uint8Array) => Promise<AesGcmKey>> = {
  async webcrypto(key) {
    const subtle = subtleCrypto();
    // Not extractable: the raw key stays with the caller (it travels in the message), never here.
    const cryptoKey = await subtle.importKey('raw', bufferSource(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
    const params = (nonce: Uint8Array, associatedData: Uint8Array): AesGcmParams => ({
      name: 'AES-GCM',
      iv: bufferSource(nonce),
      additionalData: bufferSource(associatedData),
      tagLength: AES_GCM_TAG_BYTES * 8,
    });
    return {
      async seal(nonce, associatedData, plaintext) {
        checkInputs(nonce, associatedData, plaintext, false);
        return new Uint8Array(await subtle.encrypt(params(nonce, associatedData), cryptoKey, bufferSource(plaintext)));
      },
      async open(nonce, associatedData, sealed) {
        checkInputs(nonce, associatedData, sealed, true);
        try {
          return new Uint8Array(await subtle.decrypt(params(nonce, associatedData), cryptoKey, bufferSource(sealed)));
        } catch (error) {
          // WebCrypto §27.4 (AES-GCM decrypt): a tag mismatch is an OperationError, and nothing else is.
          if ((error as { name?: unknown } | null)?.name === 'OperationError') throw authFailed();
          throw error;
        }
      },
    };
  },

  async noble(key) {
    const ownKey = key.slice();
    return {
      async seal(nonce, associatedData, plaintext) {
        checkInputs(nonce, associatedData, plaintext, false);
        return gcm(ownKey, nonce, associatedData).encrypt(plaintext);
      },
      async open(nonce, associatedData, sealed) {
        checkInputs(nonce, associatedData, sealed, true);
        try {
          // noble compares the GHASH tag in constant time before it releases any plaintext.
          return gcm(ownKey, nonce, associatedData).decrypt(sealed);
        } catch {
          throw authFailed();
        }
      },
    };
  },
};
