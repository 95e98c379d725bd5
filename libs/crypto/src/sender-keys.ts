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
 *    messages. A state never holds more than one chain, so the old one is dropped with it.
 *
 * Every function is pure: state in, new state out, the input never modified; a failed decrypt
 * leaves the receiver's state exactly as it was.
 *
 * Message:  version(1) || distributionId(16) || u32 chainId || u32 iteration
 *           || sealed(nonce 24 || ciphertext || tag 16) || signature(64)
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import { open, seal, SEAL_OVERHEAD } from './aead';
import { concatBytes, constantTimeEqual, expectBytes, utf8Encode } from './bytes';
import { advanceChainKey, MAX_CHAIN_INDEX, type SkippedMessageKey } from './chain-key';
import {
  ed25519KeyPairFromSeed,
  ed25519Sign,
  ed25519Verify,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  generateEd25519KeyPair,
  type Ed25519KeyPair,
} from './ed25519';
import { CryptoError } from './errors';
import { randomBytes } from './random';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';

export const SENDER_KEY_MESSAGE_VERSION = 1;
export const SENDER_KEY_DISTRIBUTION_VERSION = 1;
export const SENDER_KEY_STATE_VERSION = 1;
export const DISTRIBUTION_ID_LENGTH = 16;
/** The most message keys one group message may make a receiver derive (a gap in one chain). */
export const MAX_SENDER_KEY_SKIP = 1000;
/** The most skipped keys a receiver holds per sender; beyond it the oldest are dropped. */
export const MAX_SENDER_KEY_SKIPPED = 1000;

const KEY_LENGTH = 32;
const MESSAGE_HEADER_LENGTH = 1 + DISTRIBUTION_ID_LENGTH + 4 + 4;
/** Bytes a group message adds to its plaintext. */
export const SENDER_KEY_MESSAGE_OVERHEAD = MESSAGE_HEADER_LENGTH + SEAL_OVERHEAD + ED25519_SIGNATURE_LENGTH;
const DISTRIBUTION_LENGTH = 1 + DISTRIBUTION_ID_LENGTH + 4 + 4 + KEY_LENGTH + ED25519_PUBLIC_KEY_LENGTH;
const MESSAGE_AD_LABEL = utf8Encode('OpenDescent-SenderKey-Message-v1');
const SIGNATURE_LABEL = utf8Encode('OpenDescent-SenderKey-Signature-v1');
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

/** What a receiving member holds for one sender in one group. */
export interface SenderKeyReceiverState {
  readonly version: typeof SENDER_KEY_STATE_VERSION;
  readonly distributionId: Uint8Array;
  readonly chainId: number;
  /** The index of the next message expected. */
  readonly iteration: number;
  readonly chainKey: SecretBytes;
  /** The sender's Ed25519 public key for this chain. */
  readonly signingKey: Uint8Array;
  /** Ascending by index. */
  readonly skipped: readonly SkippedMessageKey[];
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
  checkVersion(state.version, 'sender key state');
  return newChain(state.distributionId.slice(), state.chainId);
}

/**
 * The distribution message for `state` at its current iteration, to be sent inside the pairwise
 * sessions (docs/protocol/crypto.md §12.1):
 *   version(1) || distributionId(16) || u32 chainId || u32 iteration || chainKey(32) || signingKey(32)
 * A receiver can read messages from `iteration` on, none before.
 */
export function senderKeyDistribution(state: SenderKeyState): SecretBytes {
  checkVersion(state.version, 'sender key state');
  const bytes = new ByteWriter()
    .u8(SENDER_KEY_DISTRIBUTION_VERSION)
    .raw(state.distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(state.chainId)
    .u32(state.iteration)
    .raw(state.chainKey.exposeBytes(), KEY_LENGTH)
    .raw(state.signing.publicKey, ED25519_PUBLIC_KEY_LENGTH)
    .finish();
  return new SecretBytes(bytes, 'sender key distribution');
}

/** A receiver's state from a distribution message; replaces whatever it held for that sender. */
export function processSenderKeyDistribution(distribution: KeyBytes): SenderKeyReceiverState {
  const bytes = keyBytes(distribution, 'sender key distribution');
  const r = new ByteReader(bytes, 'sender key distribution');
  expectVersion(r, SENDER_KEY_DISTRIBUTION_VERSION);
  if (bytes.length !== DISTRIBUTION_LENGTH) {
    throw new CryptoError(
      'bad_length',
      `a sender key distribution is ${DISTRIBUTION_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  const state: SenderKeyReceiverState = {
    version: SENDER_KEY_STATE_VERSION,
    distributionId: r.raw(DISTRIBUTION_ID_LENGTH),
    chainId: r.u32(),
    iteration: r.u32(),
    chainKey: new SecretBytes(r.raw(KEY_LENGTH), 'sender chain key'),
    signingKey: r.raw(ED25519_PUBLIC_KEY_LENGTH),
    skipped: [],
  };
  r.end();
  return state;
}

function aeadAd(header: Uint8Array, ad: Uint8Array): Uint8Array {
  return new ByteWriter().raw(MESSAGE_AD_LABEL).raw(header, MESSAGE_HEADER_LENGTH).bytes32(ad).finish();
}

/** "OpenDescent-SenderKey-Signature-v1" || u32 len(ad) || ad || message without its signature. */
function signatureInput(ad: Uint8Array, unsigned: Uint8Array): Uint8Array {
  return new ByteWriter().raw(SIGNATURE_LABEL).bytes32(ad).raw(unsigned).finish();
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
  checkVersion(state.version, 'sender key state');
  expectBytes(plaintext, 'plaintext');
  expectBytes(associatedData, 'associated data');
  if (state.iteration >= MAX_CHAIN_INDEX)
    throw new CryptoError('bad_parameter', 'this sender key chain is exhausted: rotate');
  const header = new ByteWriter()
    .u8(SENDER_KEY_MESSAGE_VERSION)
    .raw(state.distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(state.chainId)
    .u32(state.iteration)
    .finish();
  const step = advanceChainKey(state.chainKey);
  const unsigned = concatBytes(header, seal(step.messageKey, plaintext, aeadAd(header, associatedData)));
  const signature = await ed25519Sign(state.signing.privateKey, signatureInput(associatedData, unsigned));
  return {
    state: { ...state, iteration: state.iteration + 1, chainKey: step.chainKey },
    message: concatBytes(unsigned, signature),
  };
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

export interface GroupDecryptResult {
  readonly state: SenderKeyReceiverState;
  readonly plaintext: Uint8Array;
}

/**
 * Checks, in this order, each failure leaving `state` as it was:
 *  1. version and length ('unknown_version', 'bad_length');
 *  2. the signature under the sender's signing key ('bad_signature'): before any key is derived;
 *  3. the distribution and chain ids ('unknown_sender_key');
 *  4. the iteration: an old one whose key is gone is 'duplicate_message', a jump over
 *     MAX_SENDER_KEY_SKIP is 'too_many_skipped';
 *  5. the AEAD ('auth_failed').
 */
export async function groupDecrypt(
  state: SenderKeyReceiverState,
  message: Uint8Array,
  associatedData: Uint8Array = EMPTY,
): Promise<GroupDecryptResult> {
  checkVersion(state.version, 'sender key receiver state');
  expectBytes(associatedData, 'associated data');
  const ids = readSenderKeyMessageIds(message);
  const unsigned = message.subarray(0, message.length - ED25519_SIGNATURE_LENGTH);
  const signature = message.subarray(message.length - ED25519_SIGNATURE_LENGTH);
  if (!(await ed25519Verify(state.signingKey, signatureInput(associatedData, unsigned), signature))) {
    throw new CryptoError('bad_signature', 'the group message is not signed by the sender key this state holds');
  }
  if (!constantTimeEqual(ids.distributionId, state.distributionId) || ids.chainId !== state.chainId) {
    throw new CryptoError('unknown_sender_key', 'the group message belongs to another sender key chain');
  }

  let messageKey: SecretBytes;
  let next: SenderKeyReceiverState;
  if (ids.iteration < state.iteration) {
    const found = state.skipped.find((k) => k.index === ids.iteration);
    if (found === undefined) {
      throw new CryptoError(
        'duplicate_message',
        'this group message key was already used, or is older than the window',
      );
    }
    messageKey = found.messageKey;
    next = { ...state, skipped: state.skipped.filter((k) => k !== found) };
  } else {
    if (ids.iteration - state.iteration > MAX_SENDER_KEY_SKIP) {
      throw new CryptoError(
        'too_many_skipped',
        `the group message skips over MAX_SENDER_KEY_SKIP ${MAX_SENDER_KEY_SKIP} keys`,
      );
    }
    const added: SkippedMessageKey[] = [];
    let chainKey = state.chainKey;
    for (let index = state.iteration; index < ids.iteration; index++) {
      const step = advanceChainKey(chainKey);
      added.push({ index, messageKey: step.messageKey });
      chainKey = step.chainKey;
    }
    const step = advanceChainKey(chainKey);
    messageKey = step.messageKey;
    next = {
      ...state,
      iteration: ids.iteration + 1,
      chainKey: step.chainKey,
      skipped: [...state.skipped, ...added].slice(-MAX_SENDER_KEY_SKIPPED),
    };
  }
  const header = message.subarray(0, MESSAGE_HEADER_LENGTH);
  const sealed = unsigned.subarray(MESSAGE_HEADER_LENGTH);
  return { state: next, plaintext: open(messageKey, sealed, aeadAd(header, associatedData)) };
}

function checkVersion(version: unknown, what: string): void {
  if (version !== SENDER_KEY_STATE_VERSION)
    throw new CryptoError('unknown_version', `${what} version ${String(version)} is not known`);
}

// ---------------------------------------------------------------------------------------------
// Stored forms (docs/protocol/crypto.md §12.5). Seal them with sealRecord.

const SENDER_RECORD_TYPE = 0x01;
const RECEIVER_RECORD_TYPE = 0x02;

/** version(1) || type 0x01 || distributionId(16) || u32 chainId || u32 iteration || chainKey(32) || Ed25519 seed(32) */
export function serializeSenderKeyState(state: SenderKeyState): SecretBytes {
  checkVersion(state.version, 'sender key state');
  const bytes = new ByteWriter()
    .u8(SENDER_KEY_STATE_VERSION)
    .u8(SENDER_RECORD_TYPE)
    .raw(state.distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(state.chainId)
    .u32(state.iteration)
    .raw(state.chainKey.exposeBytes(), KEY_LENGTH)
    .raw(state.signing.privateKey.exposeBytes(), KEY_LENGTH)
    .finish();
  return new SecretBytes(bytes, 'sender key state record');
}

export async function deserializeSenderKeyState(record: KeyBytes): Promise<SenderKeyState> {
  const r = new ByteReader(keyBytes(record, 'sender key state record'), 'sender key state record');
  expectVersion(r, SENDER_KEY_STATE_VERSION);
  if (r.u8() !== SENDER_RECORD_TYPE) throw new CryptoError('malformed_message', 'not a sender key state record');
  const distributionId = r.raw(DISTRIBUTION_ID_LENGTH);
  const chainId = r.u32();
  const iteration = r.u32();
  const chainKey = new SecretBytes(r.raw(KEY_LENGTH), 'sender chain key');
  const seed = r.raw(KEY_LENGTH);
  r.end();
  return {
    version: SENDER_KEY_STATE_VERSION,
    distributionId,
    chainId,
    iteration,
    chainKey,
    signing: await ed25519KeyPairFromSeed(seed),
  };
}

/**
 * version(1) || type 0x02 || distributionId(16) || u32 chainId || u32 iteration || chainKey(32)
 * || signingKey(32) || u16 n || (u32 index || messageKey(32))^n
 */
export function serializeSenderKeyReceiverState(state: SenderKeyReceiverState): SecretBytes {
  checkVersion(state.version, 'sender key receiver state');
  const w = new ByteWriter()
    .u8(SENDER_KEY_STATE_VERSION)
    .u8(RECEIVER_RECORD_TYPE)
    .raw(state.distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(state.chainId)
    .u32(state.iteration)
    .raw(state.chainKey.exposeBytes(), KEY_LENGTH)
    .raw(state.signingKey, ED25519_PUBLIC_KEY_LENGTH)
    .u16(state.skipped.length);
  for (const key of state.skipped) w.u32(key.index).raw(key.messageKey.exposeBytes(), KEY_LENGTH);
  return new SecretBytes(w.finish(), 'sender key receiver record');
}

export function deserializeSenderKeyReceiverState(record: KeyBytes): SenderKeyReceiverState {
  const r = new ByteReader(keyBytes(record, 'sender key receiver record'), 'sender key receiver record');
  expectVersion(r, SENDER_KEY_STATE_VERSION);
  if (r.u8() !== RECEIVER_RECORD_TYPE) throw new CryptoError('malformed_message', 'not a sender key receiver record');
  const distributionId = r.raw(DISTRIBUTION_ID_LENGTH);
  const chainId = r.u32();
  const iteration = r.u32();
  const chainKey = new SecretBytes(r.raw(KEY_LENGTH), 'sender chain key');
  const signingKey = r.raw(ED25519_PUBLIC_KEY_LENGTH);
  const count = r.count(r.u16(), MAX_SENDER_KEY_SKIPPED, 'the skipped-key count');
  const skipped: SkippedMessageKey[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.u32();
    const previous = skipped[skipped.length - 1];
    if (index >= iteration || (previous !== undefined && index <= previous.index)) {
      throw new CryptoError('malformed_message', 'sender key receiver record: skipped keys out of order');
    }
    skipped.push({ index, messageKey: new SecretBytes(r.raw(KEY_LENGTH), 'message key') });
  }
  r.end();
  return { version: SENDER_KEY_STATE_VERSION, distributionId, chainId, iteration, chainKey, signingKey, skipped };
}
