/**
 * The Double Ratchet with header encryption (Signal's Double Ratchet specification, revision 4,
 * §4 "Double Ratchet with header encryption"; docs/protocol/crypto.md §11).
 * This file holds the state and the ratchet steps; a message's bytes and the header encryption
 * are in ratchet-message.ts, the stored form in ratchet-state-codec.ts.
 *
 * Every function is pure: state in, NEW state out, the input never modified, so a message that
 * fails at any step (a tampered header or body, a wrong AD, a replay, too many skipped keys)
 * leaves the caller's state exactly as it was (§3.5: "If an exception is raised ... the message is
 * discarded and changes to the state object are discarded"). The state is plain data with a
 * version, and serializeSession / deserializeSession turn it into bytes and back.
 *
 * Algorithms (§5.2, recommended): KDF_RK is HKDF-SHA256 with the root key as salt and the DH
 * output as input key material; KDF_CK is HMAC-SHA256 (chain-key.ts); ENCRYPT and HENCRYPT are
 * the facade's seal (XChaCha20-Poly1305) in place of §5.2's AES-256-CBC + HMAC, see the spec.
 */
import { open, seal } from './aead';
import { concatBytes, expectBytes, utf8Encode } from './bytes';
import { advanceChainKey, MAX_CHAIN_INDEX, type SkippedMessageKey } from './chain-key';
import { CryptoError } from './errors';
import { hkdfSha256 } from './kdf';
import { messageAd, parseRatchetMessage, RATCHET_MESSAGE_VERSION, sealHeader, tryOpenHeader } from './ratchet-message';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';
import { generateX25519KeyPair, x25519SharedSecret, X25519_KEY_LENGTH, type X25519KeyPair } from './x25519';

export const SESSION_STATE_VERSION = 1;

/**
 * The most message keys one message may make the receiver derive and store in one chain (§3.2
 * MAX_SKIP). Relay queues have a quota and a short TTL, so a real gap is far smaller; a peer
 * cannot make us spend more than 1,000 HMAC pairs per chain per message.
 */
export const MAX_SKIP = 1000;
/** The most skipped message keys held across all chains; beyond it the oldest are dropped (§6.4). */
export const MAX_SKIPPED_MESSAGE_KEYS = 2000;
/**
 * Receiving chains remembered after a DH ratchet step (their header key and skipped keys), so a
 * message delayed across several round trips still decrypts and a late replay is reported as
 * 'duplicate_message'. libsignal keeps 5; we keep 16 because with several delivery paths (relays,
 * WebRTC) reordering across round trips is more likely, and the cost is bounded: a header that
 * no key opens costs at most 2 + 16 AEAD openings of 80 bytes.
 */
export const MAX_PAST_RECEIVING_CHAINS = 16;

/** @internal Root, chain, header and message keys; ratchet-state-codec.ts stores them. */
export const KEY_LENGTH = 32;
/** @internal */
export const MAX_SESSION_AD_LENGTH = 1024;

const INIT_INFO = utf8Encode('OpenDescent-DR-Init-v1');
const ROOT_INFO = utf8Encode('OpenDescent-DR-Root-v1');
const ZERO_SALT = new Uint8Array(32);
const EMPTY = new Uint8Array(0);

/** CKs, HKs and Ns of §4.3. */
export interface SendingChain {
  readonly headerKey: SecretBytes;
  readonly chainKey: SecretBytes;
  /** The number of the next message to send (Ns). */
  readonly index: number;
}

/** CKr, HKr and Nr of §4.3, with the skipped message keys of this chain (part of MKSKIPPED). */
export interface ReceivingChain {
  readonly headerKey: SecretBytes;
  readonly chainKey: SecretBytes;
  /** The number of the next message expected (Nr). */
  readonly index: number;
  /** Ascending by index. */
  readonly skipped: readonly SkippedMessageKey[];
}

/** A receiving chain left behind by a DH ratchet step: its header key and its skipped keys. */
export interface PastReceivingChain {
  readonly headerKey: SecretBytes;
  readonly skipped: readonly SkippedMessageKey[];
}

export interface SessionState {
  readonly version: typeof SESSION_STATE_VERSION;
  /** AD from the handshake, bound into every message (§3.4 and §5.1). */
  readonly associatedData: Uint8Array;
  readonly rootKey: SecretBytes;
  /** DHs. */
  readonly ourRatchetKey: X25519KeyPair;
  /** DHr: null until the first message is received. */
  readonly theirRatchetKey: Uint8Array | null;
  /** null for the responder until its first message arrives (§4.4 RatchetInitBobHE). */
  readonly sendingChain: SendingChain | null;
  /** NHKs. */
  readonly nextSendingHeaderKey: SecretBytes;
  /** null for the initiator until its first reply arrives (§4.4 RatchetInitAliceHE). */
  readonly receivingChain: ReceivingChain | null;
  /** NHKr. */
  readonly nextReceivingHeaderKey: SecretBytes;
  /** PN. */
  readonly previousSendingChainLength: number;
  /** Newest first; at most MAX_PAST_RECEIVING_CHAINS. */
  readonly pastReceivingChains: readonly PastReceivingChain[];
}

interface RootStep {
  readonly rootKey: SecretBytes;
  readonly chainKey: SecretBytes;
  readonly nextHeaderKey: SecretBytes;
}

/** KDF_RK_HE (§4.2, §5.2): HKDF(salt = rk, IKM = DH(ours, theirs), info) -> rk' || ck || nhk. */
async function rootStep(rootKey: SecretBytes, ours: X25519KeyPair, theirs: Uint8Array): Promise<RootStep> {
  const dh = await x25519SharedSecret(ours.privateKey, theirs);
  try {
    const out = hkdfSha256(dh, rootKey.exposeBytes(), ROOT_INFO, 3 * KEY_LENGTH);
    return {
      rootKey: new SecretBytes(out.slice(0, 32), 'root key'),
      chainKey: new SecretBytes(out.slice(32, 64), 'chain key'),
      nextHeaderKey: new SecretBytes(out.slice(64, 96), 'header key'),
    };
  } finally {
    dh.wipe();
  }
}

/**
 * §4.4 takes SK and two more shared secrets, shared_hka and shared_nhkb. All three come from SK:
 * HKDF(IKM = SK, salt = 0^32, info = "OpenDescent-DR-Init-v1") -> RK || HKa || NHKb.
 */
function initialKeys(sharedSecret: KeyBytes): {
  rootKey: SecretBytes;
  headerKeyA: SecretBytes;
  nextHeaderKeyB: SecretBytes;
} {
  const out = hkdfSha256(keyBytes(sharedSecret, 'shared secret', KEY_LENGTH), ZERO_SALT, INIT_INFO, 3 * KEY_LENGTH);
  return {
    rootKey: new SecretBytes(out.slice(0, 32), 'root key'),
    headerKeyA: new SecretBytes(out.slice(32, 64), 'header key'),
    nextHeaderKeyB: new SecretBytes(out.slice(64, 96), 'header key'),
  };
}

function checkSessionAd(associatedData: Uint8Array): Uint8Array {
  expectBytes(associatedData, 'session associated data');
  if (associatedData.length > MAX_SESSION_AD_LENGTH) {
    throw new CryptoError('bad_length', `session associated data is over ${MAX_SESSION_AD_LENGTH} bytes`);
  }
  return associatedData.slice();
}

export interface InitiatorSessionInput {
  /** SK from initiateHandshake. */
  readonly sharedSecret: KeyBytes;
  readonly associatedData: Uint8Array;
  /** The responder's signed prekey, its first ratchet public key (§5.1). */
  readonly remoteRatchetKey: Uint8Array;
}

/** RatchetInitAliceHE (§4.4). Async: it makes the first DH ratchet key pair and DH. */
export async function startInitiatorSession(input: InitiatorSessionInput): Promise<SessionState> {
  const associatedData = checkSessionAd(input.associatedData);
  const remote = expectBytes(input.remoteRatchetKey, 'remote ratchet key', X25519_KEY_LENGTH).slice();
  const { rootKey, headerKeyA, nextHeaderKeyB } = initialKeys(input.sharedSecret);
  const ours = await generateX25519KeyPair();
  const step = await rootStep(rootKey, ours, remote);
  return {
    version: SESSION_STATE_VERSION,
    associatedData,
    rootKey: step.rootKey,
    ourRatchetKey: ours,
    theirRatchetKey: remote,
    sendingChain: { headerKey: headerKeyA, chainKey: step.chainKey, index: 0 },
    nextSendingHeaderKey: step.nextHeaderKey,
    receivingChain: null,
    nextReceivingHeaderKey: nextHeaderKeyB,
    previousSendingChainLength: 0,
    pastReceivingChains: [],
  };
}

export interface ResponderSessionInput {
  /** SK from respondToHandshake. */
  readonly sharedSecret: KeyBytes;
  readonly associatedData: Uint8Array;
  /** The signed prekey pair the initiator used, our first ratchet key pair (§5.1). */
  readonly ratchetKeyPair: X25519KeyPair;
}

/** RatchetInitBobHE (§4.4). The session can send only after its first message is decrypted. */
export function startResponderSession(input: ResponderSessionInput): SessionState {
  const associatedData = checkSessionAd(input.associatedData);
  const { rootKey, headerKeyA, nextHeaderKeyB } = initialKeys(input.sharedSecret);
  return {
    version: SESSION_STATE_VERSION,
    associatedData,
    rootKey,
    ourRatchetKey: input.ratchetKeyPair,
    theirRatchetKey: null,
    sendingChain: null,
    nextSendingHeaderKey: nextHeaderKeyB,
    receivingChain: null,
    nextReceivingHeaderKey: headerKeyA,
    previousSendingChainLength: 0,
    pastReceivingChains: [],
  };
}

export interface RatchetEncryptResult {
  readonly state: SessionState;
  /** version || encrypted header || ciphertext. */
  readonly message: Uint8Array;
}

/**
 * RatchetEncryptHE (§4.5). `associatedData` is optional context the receiver must pass too (for
 * example an envelope's routing fields); the session's handshake AD is always bound as well.
 * Synchronous: a DH ratchet step happens only when receiving.
 */
export function ratchetEncrypt(
  state: SessionState,
  plaintext: Uint8Array,
  associatedData: Uint8Array = EMPTY,
): RatchetEncryptResult {
  checkState(state);
  expectBytes(plaintext, 'plaintext');
  const chain = state.sendingChain;
  if (chain === null)
    throw new CryptoError('session_not_ready', 'the responder sends only after its first message arrives');
  if (chain.index >= MAX_CHAIN_INDEX) throw new CryptoError('bad_parameter', 'this sending chain is exhausted');
  const encryptedHeader = sealHeader(chain.headerKey, {
    ratchetKey: state.ourRatchetKey.publicKey,
    previousChainLength: state.previousSendingChainLength,
    index: chain.index,
  });
  const step = advanceChainKey(chain.chainKey);
  const body = seal(step.messageKey, plaintext, messageAd(state.associatedData, associatedData, encryptedHeader));
  return {
    state: { ...state, sendingChain: { ...chain, chainKey: step.chainKey, index: chain.index + 1 } },
    message: concatBytes(Uint8Array.of(RATCHET_MESSAGE_VERSION), encryptedHeader, body),
  };
}

/** SkipMessageKeysHE (§4.6) for one chain: refuses a gap over MAX_SKIP; never modifies `chain`. */
function skipMessageKeys(chain: ReceivingChain, until: number): ReceivingChain {
  if (until <= chain.index) return chain;
  if (until - chain.index > MAX_SKIP) {
    throw new CryptoError(
      'too_many_skipped',
      `the message would skip ${until - chain.index} keys, over MAX_SKIP ${MAX_SKIP}`,
    );
  }
  const added: SkippedMessageKey[] = [];
  let chainKey = chain.chainKey;
  for (let index = chain.index; index < until; index++) {
    const step = advanceChainKey(chainKey);
    added.push({ index, messageKey: step.messageKey });
    chainKey = step.chainKey;
  }
  return { ...chain, chainKey, index: until, skipped: [...chain.skipped, ...added] };
}

/** The message key for `index` in a chain, and the chain without it (a key is used once). */
function takeMessageKey(chain: ReceivingChain, index: number): { chain: ReceivingChain; messageKey: SecretBytes } {
  if (index < chain.index) {
    const found = chain.skipped.find((k) => k.index === index);
    if (found === undefined) throw duplicate();
    return { chain: { ...chain, skipped: chain.skipped.filter((k) => k !== found) }, messageKey: found.messageKey };
  }
  const skipped = skipMessageKeys(chain, index);
  const step = advanceChainKey(skipped.chainKey);
  return { chain: { ...skipped, chainKey: step.chainKey, index: index + 1 }, messageKey: step.messageKey };
}

function duplicate(): CryptoError {
  return new CryptoError(
    'duplicate_message',
    'this message key was already used (a replay or duplicate), or was dropped as too old',
  );
}

/** Drops the oldest skipped keys beyond MAX_SKIPPED_MESSAGE_KEYS, oldest chain first (§6.4). */
function boundSkipped(
  receiving: ReceivingChain,
  pastChains: readonly PastReceivingChain[],
): [ReceivingChain, PastReceivingChain[]] {
  const past = pastChains.slice(0, MAX_PAST_RECEIVING_CHAINS);
  let excess = past.reduce((sum, c) => sum + c.skipped.length, receiving.skipped.length) - MAX_SKIPPED_MESSAGE_KEYS;
  for (let i = past.length - 1; i >= 0 && excess > 0; i--) {
    const chain = past[i] as PastReceivingChain;
    const drop = Math.min(excess, chain.skipped.length);
    if (drop > 0) past[i] = { ...chain, skipped: chain.skipped.slice(drop) };
    excess -= drop;
  }
  const current = excess > 0 ? { ...receiving, skipped: receiving.skipped.slice(excess) } : receiving;
  return [current, past];
}

export interface RatchetDecryptResult {
  readonly state: SessionState;
  readonly plaintext: Uint8Array;
}

/**
 * RatchetDecryptHE (§4.6), as a pure function. The header is tried under HKr (the current
 * chain), then NHKr (a new ratchet public key: a DH ratchet step, after closing the current
 * chain up to PN), then the header key of each past chain. Errors, each leaving `state` as it was:
 *  - 'unknown_version', 'bad_length': not a ratchet message of this version (truncated frame);
 *  - 'auth_failed': no header key opens the header (tampered, not for this session, or from a
 *    chain forgotten long ago), or the body does not authenticate (tampered, wrong AD);
 *  - 'duplicate_message': the header is ours but its message key was already used;
 *  - 'too_many_skipped': the message would skip more than MAX_SKIP keys in one chain.
 */
export async function ratchetDecrypt(
  state: SessionState,
  message: Uint8Array,
  associatedData: Uint8Array = EMPTY,
): Promise<RatchetDecryptResult> {
  checkState(state);
  expectBytes(associatedData, 'associated data');
  const { encryptedHeader, body } = parseRatchetMessage(message);
  const ad = messageAd(state.associatedData, associatedData, encryptedHeader);
  const finish = (next: SessionState, messageKey: SecretBytes): RatchetDecryptResult => ({
    plaintext: open(messageKey, body, ad),
    state: next,
  });

  // 1. The current receiving chain (HKr).
  const receiving = state.receivingChain;
  if (receiving !== null) {
    const header = tryOpenHeader(receiving.headerKey, encryptedHeader);
    if (header !== null) {
      const taken = takeMessageKey(receiving, header.index);
      const [current, past] = boundSkipped(taken.chain, state.pastReceivingChains);
      return finish({ ...state, receivingChain: current, pastReceivingChains: past }, taken.messageKey);
    }
  }

  // 2. The next header key (NHKr): the sender has a new ratchet key; DHRatchetHE (§4.6).
  const header = tryOpenHeader(state.nextReceivingHeaderKey, encryptedHeader);
  if (header !== null) {
    let past = state.pastReceivingChains;
    if (receiving !== null) {
      const closed = skipMessageKeys(receiving, header.previousChainLength);
      past = [{ headerKey: closed.headerKey, skipped: closed.skipped }, ...past];
    }
    const theirs = header.ratchetKey;
    // The new key pair does not depend on the first DH: make both at once (Web Crypto runs them
    // off the main thread, so this halves the latency of the step).
    const [receiveStep, ours] = await Promise.all([
      rootStep(state.rootKey, state.ourRatchetKey, theirs),
      generateX25519KeyPair(),
    ]);
    const sendStep = await rootStep(receiveStep.rootKey, ours, theirs);
    const newChain: ReceivingChain = {
      headerKey: state.nextReceivingHeaderKey,
      chainKey: receiveStep.chainKey,
      index: 0,
      skipped: [],
    };
    const taken = takeMessageKey(newChain, header.index);
    const [current, bounded] = boundSkipped(taken.chain, past);
    const next: SessionState = {
      ...state,
      rootKey: sendStep.rootKey,
      ourRatchetKey: ours,
      theirRatchetKey: theirs,
      previousSendingChainLength: state.sendingChain?.index ?? 0,
      sendingChain: { headerKey: state.nextSendingHeaderKey, chainKey: sendStep.chainKey, index: 0 },
      nextSendingHeaderKey: sendStep.nextHeaderKey,
      receivingChain: current,
      nextReceivingHeaderKey: receiveStep.nextHeaderKey,
      pastReceivingChains: bounded,
    };
    return finish(next, taken.messageKey);
  }

  // 3. A past chain: only a skipped key can serve (TrySkippedMessageKeysHE, §4.6).
  for (const [position, chain] of state.pastReceivingChains.entries()) {
    const pastHeader = tryOpenHeader(chain.headerKey, encryptedHeader);
    if (pastHeader === null) continue;
    const found = chain.skipped.find((k) => k.index === pastHeader.index);
    if (found === undefined) throw duplicate();
    const past = state.pastReceivingChains.map((c, i) =>
      i === position ? { ...c, skipped: c.skipped.filter((k) => k !== found) } : c,
    );
    return finish({ ...state, pastReceivingChains: past }, found.messageKey);
  }
  throw new CryptoError('auth_failed', 'no header key of this session opens the message header');
}

/** @internal Not in index.ts; ratchet-state-codec.ts checks by it too. */
export function checkState(state: SessionState): void {
  if (state === null || typeof state !== 'object') throw new TypeError('expected a SessionState');
  if (state.version !== SESSION_STATE_VERSION) {
    throw new CryptoError('unknown_version', `session state version ${String(state.version)} is not known`);
  }
}
