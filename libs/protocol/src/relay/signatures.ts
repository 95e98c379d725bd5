import { ed25519Sign, ed25519Verify, type Ed25519PrivateKey } from '@opendescent/crypto';
import { ProtocolError } from '../errors';
import { domainSeparated } from '../signing-input';
import { CHALLENGE_LENGTH, RELAY_PUBLIC_KEY_LENGTH, RELAY_SIGNATURE_LENGTH } from './constants';

/**
 * The relay's signing input (docs/protocol/relay.md §6), domain-separated as `label || 0x00 || …`
 * so that no signature made for another purpose verifies for a command.
 */
const COMMAND_LABEL = 'OpenDescent relay command v1';

function checkChallenge(challenge: Uint8Array): void {
  if (!(challenge instanceof Uint8Array) || challenge.length !== CHALLENGE_LENGTH) {
    throw new ProtocolError('malformed', `relay challenge: expected ${CHALLENGE_LENGTH} bytes`);
  }
}

/** §6.2: what a recipient (or slot) key signs: the frame up to its signature, bound to the connection. */
export function commandSigningInput(challenge: Uint8Array, frameWithoutSignature: Uint8Array): Uint8Array {
  checkChallenge(challenge);
  return domainSeparated(COMMAND_LABEL, challenge, frameWithoutSignature);
}

export async function signCommand(
  challenge: Uint8Array,
  frameWithoutSignature: Uint8Array,
  key: Ed25519PrivateKey,
): Promise<Uint8Array> {
  return ed25519Sign(key, commandSigningInput(challenge, frameWithoutSignature));
}

/** §5.1: a recipient command's signature under the queue's (or slot's) public key. Never throws on hostile bytes. */
export async function verifyCommandSignature(
  publicKey: Uint8Array,
  challenge: Uint8Array,
  frameWithoutSignature: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== RELAY_PUBLIC_KEY_LENGTH) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== RELAY_SIGNATURE_LENGTH) return false;
  return ed25519Verify(publicKey, commandSigningInput(challenge, frameWithoutSignature), signature);
}
