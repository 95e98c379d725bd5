/**
 * Sender Keys for groups (docs/protocol/crypto.md §12), after Signal's group
 * messaging (libsignal's sender_keys / group_cipher; WhatsApp Security Whitepaper, "Group
 * Messages"). Each member has, per group, a chain key and an Ed25519 signing key of its own:
 *  - it sends both to every other member in a distribution message, over the pairwise Double
 *    Ratchet sessions (never to the relay in the clear);
 *  - each group message is encrypted once with the chain's next message key (KDF_CK of
 *    chain-key.ts) and signed with the signing key, so a receiver can tell which member sent it
 *    although every member holds the chain key;
 *  - receivers check the signature before anything else, then derive the message key; messages
 *    may arrive out of order within a bounded window, and a message key is used once;
 *  - rotation (a member removed, a device revoked) makes a new chain and a new signing key; the new
 *    distribution goes to the remaining members only, so a removed member cannot read later
 *    messages. Receivers keep a few replaced chains for a bounded time, only to open what was sent
 *    before the rotation (sender-key-receiver.ts).
 *
 * This file is the sending side and the one module the rest imports Sender Keys from; the wire
 * bytes are in sender-key-message.ts, the receiving side in sender-key-receiver.ts, the stored
 * records in sender-key-codec.ts. Every function is pure: state in, new state out, the input never
 * modified.
 */
import { seal } from './aead';
import { concatBytes, expectBytes } from './bytes';
import { advanceChainKey, MAX_CHAIN_INDEX } from './chain-key';
import { ed25519Sign, generateEd25519KeyPair, type Ed25519KeyPair } from './ed25519';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { SecretBytes } from './secret';
import {
  aeadAd,
  checkVersion,
  DISTRIBUTION_ID_LENGTH,
  KEY_LENGTH,
  messageHeader,
  SENDER_KEY_STATE_VERSION,
  signatureInput,
  writeDistribution,
} from './sender-key-message';

export {
  DISTRIBUTION_ID_LENGTH,
  readSenderKeyMessageIds,
  SENDER_KEY_DISTRIBUTION_VERSION,
  SENDER_KEY_MESSAGE_OVERHEAD,
  SENDER_KEY_MESSAGE_VERSION,
  SENDER_KEY_STATE_VERSION,
  type SenderKeyMessageIds,
} from './sender-key-message';
export {
  groupDecrypt,
  MAX_PREVIOUS_SENDER_CHAINS,
  MAX_SENDER_KEY_SKIP,
  MAX_SENDER_KEY_SKIPPED,
  PREVIOUS_CHAIN_LIFETIME_MS,
  processSenderKeyDistribution,
  SENDER_KEY_RECEIVER_STATE_VERSION,
  SKIPPED_KEY_LIFETIME_MS,
  type GroupDecryptResult,
  type PreviousSenderKeyChain,
  type SenderKeyChain,
  type SenderKeyReceiverState,
  type StoredSkippedKey,
} from './sender-key-receiver';
export {
  deserializeSenderKeyReceiverState,
  deserializeSenderKeyState,
  serializeSenderKeyReceiverState,
  serializeSenderKeyState,
} from './sender-key-codec';

const EMPTY = new Uint8Array(0);

/** The sending member's own state for one group. */
export interface SenderKeyState {
  readonly version: typeof SENDER_KEY_STATE_VERSION;
  /** Names the group (and this sender's place in it) to every member; chosen by the caller. */
  readonly distributionId: Uint8Array;
  /** Random u32, new at each rotation: names the chain. */
  readonly chainId: number;
  /** The index of the next message to send. */
  readonly iteration: number;
  readonly chainKey: SecretBytes;
  readonly signing: Ed25519KeyPair;
}

function randomChainId(avoid?: number): number {
  for (;;) {
    const bytes = randomBytes(4);
    const id =
      (((bytes[0] as number) * 256 + (bytes[1] as number)) * 256 + (bytes[2] as number)) * 256 + (bytes[3] as number);
    if (id !== avoid) return id;
  }
}

/** A new sender key (fresh chain and signing key) for a group. */
export async function createSenderKey(distributionId: Uint8Array): Promise<SenderKeyState> {
  return newChain(expectBytes(distributionId, 'distribution id', DISTRIBUTION_ID_LENGTH).slice());
}

async function newChain(distributionId: Uint8Array, previousChainId?: number): Promise<SenderKeyState> {
  return {
    version: SENDER_KEY_STATE_VERSION,
    distributionId,
    chainId: randomChainId(previousChainId),
    iteration: 0,
    chainKey: new SecretBytes(randomBytes(KEY_LENGTH), 'sender chain key'),
    signing: await generateEd25519KeyPair(),
  };
}

/**
 * Rotation on demand (a member removed, a device revoked): a new chain key, chain id and signing
 * key for the same group. Nothing of the old state carries over; send the new distribution to the
 * remaining members only.
 */
export async function rotateSenderKey(state: SenderKeyState): Promise<SenderKeyState> {
  checkVersion(state.version, SENDER_KEY_STATE_VERSION, 'sender key state');
  return newChain(state.distributionId.slice(), state.chainId);
}

/**
 * The distribution message for `state` at its current iteration, to be sent inside the pairwise
 * sessions (docs/protocol/crypto.md §12.1):
 *   version(1) || distributionId(16) || u32 chainId || u32 iteration || chainKey(32) || signingKey(32)
 * A receiver can read messages from `iteration` on, none before.
 */
export function senderKeyDistribution(state: SenderKeyState): SecretBytes {
  checkVersion(state.version, SENDER_KEY_STATE_VERSION, 'sender key state');
  const { distributionId, chainId, iteration, chainKey } = state;
  return writeDistribution({ distributionId, chainId, iteration, chainKey, signingKey: state.signing.publicKey });
}

export interface GroupEncryptResult {
  readonly state: SenderKeyState;
  readonly message: Uint8Array;
}

/**
 * Encrypts once for the whole group with the next message key and signs the result.
 * `associatedData` is optional context every receiver must pass too.
 */
export async function groupEncrypt(
  state: SenderKeyState,
  plaintext: Uint8Array,
  associatedData: Uint8Array = EMPTY,
): Promise<GroupEncryptResult> {
  checkVersion(state.version, SENDER_KEY_STATE_VERSION, 'sender key state');
  expectBytes(plaintext, 'plaintext');
  expectBytes(associatedData, 'associated data');
  if (state.iteration >= MAX_CHAIN_INDEX)
    throw new CryptoError('bad_parameter', 'this sender key chain is exhausted: rotate');
  const header = messageHeader(state.distributionId, state.chainId, state.iteration);
  const step = advanceChainKey(state.chainKey);
  const unsigned = concatBytes(header, seal(step.messageKey, plaintext, aeadAd(header, associatedData)));
  const signature = await ed25519Sign(state.signing.privateKey, signatureInput(associatedData, unsigned));
  return {
    state: { ...state, iteration: state.iteration + 1, chainKey: step.chainKey },
    message: concatBytes(unsigned, signature),
  };
}
