/**
 * The symmetric-key ratchet step shared by the Double Ratchet's sending and receiving chains and
 * by Sender Key chains (docs/protocol/crypto.md §11.2).
 *
 * Double Ratchet §5.2 (recommended algorithms): KDF_CK(ck) uses HMAC-SHA256 keyed with the chain
 * key, with the single byte 0x01 as input for the message key and 0x02 for the next chain key.
 * The two outputs are independent PRF values, so a message key reveals nothing about later
 * chain keys (§2.2).
 */
import { hmacSha256 } from './kdf';
import { SecretBytes } from './secret';

const MESSAGE_KEY_INPUT = Uint8Array.of(0x01);
const CHAIN_KEY_INPUT = Uint8Array.of(0x02);

/** The highest index a chain may reach: counters travel as u32 on the wire. */
export const MAX_CHAIN_INDEX = 0xffff_ffff;

export interface ChainStep {
  /** The chain key for the next index. */
  readonly chainKey: SecretBytes;
  /** The message key for the current index; used for exactly one message. */
  readonly messageKey: SecretBytes;
}

/** KDF_CK: never modifies `chainKey` (the caller's state stays valid if it discards the result). */
export function advanceChainKey(chainKey: SecretBytes): ChainStep {
  return {
    chainKey: new SecretBytes(hmacSha256(chainKey, CHAIN_KEY_INPUT), 'chain key'),
    messageKey: new SecretBytes(hmacSha256(chainKey, MESSAGE_KEY_INPUT), 'message key'),
  };
}

/** One message key kept for a message that has not arrived yet (Double Ratchet §2.6). */
export interface SkippedMessageKey {
  readonly index: number;
  readonly messageKey: SecretBytes;
}
