/**
 * A Double Ratchet message on the wire (docs/protocol/crypto.md §11; Signal's Double Ratchet
 * specification, revision 4, §4.2 HENCRYPT / HDECRYPT and §4.5). On the wire a message is
 *     version(1) = 0x01 || encrypted header(80) || ciphertext(24 + len + 16)
 * and, apart from the version byte and its length, indistinguishable from random bytes: the
 * header (ratchet public key, PN, N) is sealed under a header key, the body under a one-time
 * message key, both with XChaCha20-Poly1305 and fresh random nonces (aead.ts). The body's
 * associated data binds it to the session, the caller's AD and that encrypted header.
 * double-ratchet.ts chooses the keys; this file holds only the bytes.
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import { open, seal, SEAL_OVERHEAD } from './aead';
import { concatBytes, expectBytes, utf8Encode } from './bytes';
import { CryptoError, isCryptoError } from './errors';
import type { SecretBytes } from './secret';
import { X25519_KEY_LENGTH } from './x25519';

export const RATCHET_MESSAGE_VERSION = 1;
/** Header plaintext: DHs public key(32) || u32 PN || u32 N. */
export const HEADER_LENGTH = X25519_KEY_LENGTH + 4 + 4;
export const ENCRYPTED_HEADER_LENGTH = HEADER_LENGTH + SEAL_OVERHEAD;
/** Bytes a ratchet message adds to its plaintext: version, sealed header, nonce and tag. */
export const RATCHET_MESSAGE_OVERHEAD = 1 + ENCRYPTED_HEADER_LENGTH + SEAL_OVERHEAD;

const HEADER_AD = concatBytes(utf8Encode('OpenDescent-DR-Header-v1'), Uint8Array.of(RATCHET_MESSAGE_VERSION));
const MESSAGE_AD_LABEL = utf8Encode('OpenDescent-DR-Message-v1');

/** @internal The plaintext header (§4.2): DHs, PN, N. */
export interface Header {
  readonly ratchetKey: Uint8Array;
  readonly previousChainLength: number;
  readonly index: number;
}

/** @internal HENCRYPT (§4.2): DHs public key(32) || u32 PN || u32 N, sealed under the header key. */
export function sealHeader(headerKey: SecretBytes, header: Header): Uint8Array {
  const plaintext = new ByteWriter()
    .raw(header.ratchetKey, X25519_KEY_LENGTH)
    .u32(header.previousChainLength)
    .u32(header.index)
    .finish();
  return seal(headerKey, plaintext, HEADER_AD);
}

/** @internal HDECRYPT (§4.2): the header, or null when this key does not open it. */
export function tryOpenHeader(headerKey: SecretBytes, encryptedHeader: Uint8Array): Header | null {
  let plaintext: Uint8Array;
  try {
    plaintext = open(headerKey, encryptedHeader, HEADER_AD);
  } catch (error) {
    if (isCryptoError(error, 'auth_failed')) return null;
    throw error;
  }
  const reader = new ByteReader(plaintext, 'ratchet header');
  if (reader.remaining !== HEADER_LENGTH)
    throw new CryptoError('malformed_message', 'the ratchet header has the wrong length');
  const header = { ratchetKey: reader.raw(X25519_KEY_LENGTH), previousChainLength: reader.u32(), index: reader.u32() };
  reader.end();
  return header;
}

/**
 * @internal AD of the body: "OpenDescent-DR-Message-v1" || u32 len(session AD) || session AD
 * || u32 len(ad) || ad || version || encrypted header   (§4.5: ENCRYPT(mk, pt, AD || enc_header)).
 */
export function messageAd(sessionAd: Uint8Array, ad: Uint8Array, encryptedHeader: Uint8Array): Uint8Array {
  return new ByteWriter()
    .raw(MESSAGE_AD_LABEL)
    .bytes32(sessionAd)
    .bytes32(expectBytes(ad, 'associated data'))
    .u8(RATCHET_MESSAGE_VERSION)
    .raw(encryptedHeader, ENCRYPTED_HEADER_LENGTH)
    .finish();
}

/** @internal version || encrypted header || body, the version checked first (unknown_version, bad_length). */
export function parseRatchetMessage(message: Uint8Array): { encryptedHeader: Uint8Array; body: Uint8Array } {
  const reader = new ByteReader(message, 'ratchet message');
  expectVersion(reader, RATCHET_MESSAGE_VERSION);
  if (reader.remaining < ENCRYPTED_HEADER_LENGTH + SEAL_OVERHEAD) {
    throw new CryptoError('bad_length', `a ratchet message is at least ${RATCHET_MESSAGE_OVERHEAD} bytes`);
  }
  return { encryptedHeader: reader.raw(ENCRYPTED_HEADER_LENGTH), body: reader.rest() };
}
