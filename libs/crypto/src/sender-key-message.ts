/**
 * The bytes Sender Keys put on the wire (docs/protocol/crypto.md §12.1, §12.2): the distribution
 * message, the group message's header, its AEAD associated data and its signature input. Shared by
 * the sending side (sender-keys.ts) and the receiving side (sender-key-receiver.ts).
 *
 * Message:  version(1) || distributionId(16) || u32 chainId || u32 iteration
 *           || sealed(nonce 24 || ciphertext || tag 16) || signature(64)
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import { SEAL_OVERHEAD } from './aead';
import { utf8Encode } from './bytes';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from './ed25519';
import { CryptoError } from './errors';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';

export const SENDER_KEY_MESSAGE_VERSION = 1;
export const SENDER_KEY_DISTRIBUTION_VERSION = 1;
/** The sending member's state and its record (§12.5). */
export const SENDER_KEY_STATE_VERSION = 1;
export const DISTRIBUTION_ID_LENGTH = 16;
/** @internal A chain key, a message key, an Ed25519 seed. */
export const KEY_LENGTH = 32;
/** @internal version || distributionId || chainId || iteration. */
export const MESSAGE_HEADER_LENGTH = 1 + DISTRIBUTION_ID_LENGTH + 4 + 4;
/** Bytes a group message adds to its plaintext. */
export const SENDER_KEY_MESSAGE_OVERHEAD = MESSAGE_HEADER_LENGTH + SEAL_OVERHEAD + ED25519_SIGNATURE_LENGTH;
const DISTRIBUTION_LENGTH = 1 + DISTRIBUTION_ID_LENGTH + 4 + 4 + KEY_LENGTH + ED25519_PUBLIC_KEY_LENGTH;
const MESSAGE_AD_LABEL = utf8Encode('OpenDescent-SenderKey-Message-v1');
const SIGNATURE_LABEL = utf8Encode('OpenDescent-SenderKey-Signature-v1');

/** @internal What a distribution message carries: one sender's chain, readable from `iteration` on. */
export interface DistributedChain {
  readonly distributionId: Uint8Array;
  readonly chainId: number;
  readonly iteration: number;
  readonly chainKey: SecretBytes;
  /** The sender's Ed25519 public key for this chain. */
  readonly signingKey: Uint8Array;
}

/**
 * @internal §12.1:
 *   version(1) || distributionId(16) || u32 chainId || u32 iteration || chainKey(32) || signingKey(32)
 */
export function writeDistribution(chain: DistributedChain): SecretBytes {
  const bytes = new ByteWriter()
    .u8(SENDER_KEY_DISTRIBUTION_VERSION)
    .raw(chain.distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(chain.chainId)
    .u32(chain.iteration)
    .raw(chain.chainKey.exposeBytes(), KEY_LENGTH)
    .raw(chain.signingKey, ED25519_PUBLIC_KEY_LENGTH)
    .finish();
  return new SecretBytes(bytes, 'sender key distribution');
}

/** @internal Exactly DISTRIBUTION_LENGTH bytes, else 'bad_length'. */
export function readDistribution(distribution: KeyBytes): DistributedChain {
  const bytes = keyBytes(distribution, 'sender key distribution');
  const r = new ByteReader(bytes, 'sender key distribution');
  expectVersion(r, SENDER_KEY_DISTRIBUTION_VERSION);
  if (bytes.length !== DISTRIBUTION_LENGTH) {
    throw new CryptoError(
      'bad_length',
      `a sender key distribution is ${DISTRIBUTION_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  const chain: DistributedChain = {
    distributionId: r.raw(DISTRIBUTION_ID_LENGTH),
    chainId: r.u32(),
    iteration: r.u32(),
    chainKey: new SecretBytes(r.raw(KEY_LENGTH), 'sender chain key'),
    signingKey: r.raw(ED25519_PUBLIC_KEY_LENGTH),
  };
  r.end();
  return chain;
}

/** @internal */
export function messageHeader(distributionId: Uint8Array, chainId: number, iteration: number): Uint8Array {
  return new ByteWriter()
    .u8(SENDER_KEY_MESSAGE_VERSION)
    .raw(distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(chainId)
    .u32(iteration)
    .finish();
}

/** @internal "OpenDescent-SenderKey-Message-v1" || header || u32 len(ad) || ad. */
export function aeadAd(header: Uint8Array, ad: Uint8Array): Uint8Array {
  return new ByteWriter().raw(MESSAGE_AD_LABEL).raw(header, MESSAGE_HEADER_LENGTH).bytes32(ad).finish();
}

/** @internal "OpenDescent-SenderKey-Signature-v1" || u32 len(ad) || ad || message without its signature. */
export function signatureInput(ad: Uint8Array, unsigned: Uint8Array): Uint8Array {
  return new ByteWriter().raw(SIGNATURE_LABEL).bytes32(ad).raw(unsigned).finish();
}

/** The routing fields of a group message, UNAUTHENTICATED: use them only to pick a receiver state. */
export interface SenderKeyMessageIds {
  readonly distributionId: Uint8Array;
  readonly chainId: number;
  readonly iteration: number;
}

export function readSenderKeyMessageIds(message: Uint8Array): SenderKeyMessageIds {
  const r = new ByteReader(message, 'sender key message');
  expectVersion(r, SENDER_KEY_MESSAGE_VERSION);
  if (message.length < SENDER_KEY_MESSAGE_OVERHEAD) {
    throw new CryptoError('bad_length', `a sender key message is at least ${SENDER_KEY_MESSAGE_OVERHEAD} bytes`);
  }
  return { distributionId: r.raw(DISTRIBUTION_ID_LENGTH), chainId: r.u32(), iteration: r.u32() };
}

/** @internal A state object of another version than `expected` is 'unknown_version'. */
export function checkVersion(version: unknown, expected: number, what: string): void {
  if (version !== expected) throw new CryptoError('unknown_version', `${what} version ${String(version)} is not known`);
}
