import {
  concatBytes,
  constantTimeEqual,
  hmacSha256,
  isCryptoError,
  open,
  seal,
  SEAL_OVERHEAD,
} from '@opendescent/crypto';
import { FANOUT_KEY_LENGTH } from './envelope';
import { ProtocolError } from './errors';

/**
 * Fan-out pointers (docs/protocol/envelopes.md §7): what a member device finds in its pairwise
 * queue when a group message was stored once on the relay as a shared blob (a fan-out envelope,
 * §6). The pointer carries only the shared blob's id, sealed under the same fan-out key as the
 * blob, so a relay cannot tell which blob a pointer names, and every member's pointer is a
 * different random 65-byte string.
 */

/** The first byte: kind "pointer" and version 1 in one byte, a value no envelope starts with. */
export const FANOUT_POINTER_TYPE = 0x11;
/** The id of the shared blob on the relay. */
export const FANOUT_SHARED_ID_LENGTH = 16;
const HINT_LENGTH = 8;
const NONCE_LENGTH = 24;
/** type (1) ‖ hint (8) ‖ seal(shared id): nonce (24) ‖ ciphertext (16) ‖ tag (16). Never padded. */
export const FANOUT_POINTER_BYTES = 1 + HINT_LENGTH + SEAL_OVERHEAD + FANOUT_SHARED_ID_LENGTH;

/** Its own label, so a pointer's hint is never an envelope's (§6 uses "OpenDescent fan-out hint v1"). */
const HINT_LABEL = new TextEncoder().encode('OpenDescent fan-out pointer hint v1');
const HEADER = Uint8Array.of(FANOUT_POINTER_TYPE);

export interface OpenedFanoutPointer {
  /** The id under which the relay holds the shared fan-out envelope. */
  readonly sharedId: Uint8Array;
  /** Which candidate key opened it (its index, and the key): open the shared blob with that key only. */
  readonly keyIndex: number;
  readonly key: Uint8Array;
}

/** Seals the id of a shared blob for one member device; the result is always 65 bytes, with a fresh nonce. */
export function sealFanoutPointer(fanoutKey: Uint8Array, sharedId: Uint8Array): Uint8Array {
  if (!(fanoutKey instanceof Uint8Array) || fanoutKey.length !== FANOUT_KEY_LENGTH)
    throw new ProtocolError('malformed', `fan-out pointer: the fan-out key is ${FANOUT_KEY_LENGTH} bytes`);
  if (!(sharedId instanceof Uint8Array) || sharedId.length !== FANOUT_SHARED_ID_LENGTH)
    throw new ProtocolError('malformed', `fan-out pointer: a shared id is ${FANOUT_SHARED_ID_LENGTH} bytes`);
  const sealed = seal(fanoutKey, sharedId, HEADER);
  return concatBytes(HEADER, pointerHint(fanoutKey, sealed), sealed);
}

/** Whether a blob read from a pairwise queue is a fan-out pointer (by its length and first byte) rather than an envelope. */
export function isFanoutPointer(input: unknown): boolean {
  return input instanceof Uint8Array && input.length === FANOUT_POINTER_BYTES && input[0] === FANOUT_POINTER_TYPE;
}

/**
 * Opens a fan-out pointer with whichever candidate key (the fan-out keys the device holds from
 * the pointer's sender: one per group, current and kept previous ones) its hint names; returns
 * the shared id and which key opened it (index and key). Throws only ProtocolError: 'malformed'
 * for anything but 65 bytes, 'version_unknown' for another first byte, 'undecryptable' when no
 * candidate's hint matches or the box does not open.
 */
export function openFanoutPointer(input: unknown, candidateKeys: readonly Uint8Array[]): OpenedFanoutPointer {
  if (!(input instanceof Uint8Array)) throw new ProtocolError('malformed', 'fan-out pointer: expected bytes');
  if (input.length !== FANOUT_POINTER_BYTES)
    throw new ProtocolError('malformed', `fan-out pointer: ${input.length} bytes, not ${FANOUT_POINTER_BYTES}`);
  const type = input[0] as number;
  if (type !== FANOUT_POINTER_TYPE)
    throw new ProtocolError('version_unknown', `fan-out pointer: type/version byte ${type} is not one this code knows`);
  const hint = input.subarray(1, 1 + HINT_LENGTH);
  const sealed = input.subarray(1 + HINT_LENGTH);
  for (let keyIndex = 0; keyIndex < candidateKeys.length; keyIndex++) {
    const key = candidateKeys[keyIndex] as Uint8Array;
    if (!constantTimeEqual(pointerHint(key, sealed), hint)) continue;
    try {
      return { sharedId: open(key, sealed, HEADER), keyIndex, key };
    } catch (error) {
      if (isCryptoError(error))
        throw new ProtocolError('undecryptable', `fan-out pointer: does not open (${error.code})`);
      throw error;
    }
  }
  throw new ProtocolError('undecryptable', 'fan-out pointer: sealed under none of the candidate keys');
}

/** §7: HMAC-SHA256(K, label ‖ nonce)[0..8], the nonce being the sealed box's first 24 bytes. */
function pointerHint(key: Uint8Array, sealed: Uint8Array): Uint8Array {
  const nonce = sealed.subarray(0, NONCE_LENGTH);
  return hmacSha256(key, concatBytes(HINT_LABEL, nonce)).subarray(0, HINT_LENGTH);
}
