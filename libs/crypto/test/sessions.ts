/** Helpers for the protocol tests: sessions made without a handshake, and failure assertions. */
import { startInitiatorSession, startResponderSession, type SessionState } from '../src/double-ratchet';
import { serializeSession } from '../src/ratchet-state-codec';
import { CryptoError, type CryptoErrorCode } from '../src/errors';
import { randomBytes } from '../src/random';
import { SecretBytes } from '../src/secret';
import { generateX25519KeyPair } from '../src/x25519';

export interface SessionPair {
  /** The initiator (can send at once). */
  readonly alice: SessionState;
  /** The responder (sends after its first message arrives). */
  readonly bob: SessionState;
}

/** Both ends of a session from a random SK, as a handshake would leave them (Double Ratchet §5.1). */
export async function sessionPair(associatedData: Uint8Array = randomBytes(129)): Promise<SessionPair> {
  const sharedSecret = new SecretBytes(randomBytes(32), 'test SK');
  const bobRatchet = await generateX25519KeyPair();
  const alice = await startInitiatorSession({ sharedSecret, associatedData, remoteRatchetKey: bobRatchet.publicKey });
  const bob = startResponderSession({ sharedSecret, associatedData, ratchetKeyPair: bobRatchet });
  return { alice, bob };
}

/** The serialized form, as a plain array for deep comparison. */
export function snapshot(state: SessionState): number[] {
  return Array.from(serializeSession(state).exposeBytes());
}

export async function expectCryptoError(
  promise: Promise<unknown> | (() => unknown),
  code: CryptoErrorCode,
): Promise<void> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
}

export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}
