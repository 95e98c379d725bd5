/**
 * The receiving side of Sender Keys (docs/protocol/crypto.md §12.3, §12.4): what a member holds
 * for one sender in one group, and how it opens that sender's group messages.
 *
 * A receiver holds the sender's current chain and, after rotations, a window of the chains they
 * replaced: a rotation (a member removed, a device revoked) does not stop the group messages sent
 * just before it, still queued at the relay, from opening when they arrive. The window is bounded
 * in count (MAX_PREVIOUS_SENDER_CHAINS) and in time (PREVIOUS_CHAIN_LIFETIME_MS), and skipped
 * message keys expire too (SKIPPED_KEY_LIFETIME_MS): what can no longer be in flight is dropped
 * when the state is next used.
 *
 * Every function is pure: state in, new state out, the input never modified; a failed decrypt
 * leaves the receiver's state exactly as it was. The time comes in as `now` (ms since the Unix
 * epoch); only the exported functions default it to Date.now().
 */
import { open } from './aead';
import { constantTimeEqual, expectBytes } from './bytes';
import { advanceChainKey, type SkippedMessageKey } from './chain-key';
import { ed25519Verify, ED25519_SIGNATURE_LENGTH } from './ed25519';
import { CryptoError } from './errors';
import { expectTime } from './prekeys';
import type { KeyBytes, SecretBytes } from './secret';
import {
  aeadAd,
  checkVersion,
  MESSAGE_HEADER_LENGTH,
  readDistribution,
  readSenderKeyMessageIds,
  signatureInput,
  type DistributedChain,
  type SenderKeyMessageIds,
} from './sender-key-message';

/** The receiver's state and its record (§12.5); 2 since the window of previous chains. */
export const SENDER_KEY_RECEIVER_STATE_VERSION = 2;
/** The most message keys one group message may make a receiver derive (a gap in one chain). */
export const MAX_SENDER_KEY_SKIP = 1000;
/** The most skipped keys a receiver holds per chain; beyond it the oldest are dropped. */
export const MAX_SENDER_KEY_SKIPPED = 1000;
/**
 * The most replaced chains a receiver keeps per sender, besides the current one (libsignal keeps
 * 5 sender key states in all). Rotations come in bursts (an admin removing several members, a
 * person revoking several devices, each one a rotation), and each burst needs only the chains
 * whose messages may still be in flight; 4 covers such a burst while bounding the state to 5 chains.
 */
export const MAX_PREVIOUS_SENDER_CHAINS = 4;
/** RELAY_BLOB_MAX_TTL_SECONDS (relay.md §8.2): no relay keeps a blob longer than 14 days. */
const RELAY_MAX_BLOB_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;
/**
 * How long a replaced chain stays readable. The messages it can still open were sent before the
 * distribution that replaced it, so before `replacedAt`; a relay holds a blob 14 days at most, so
 * after that none of them can still be on its way.
 */
export const PREVIOUS_CHAIN_LIFETIME_MS = RELAY_MAX_BLOB_LIFETIME_MS;
/**
 * How long a skipped message key is kept. The message it opens was sent before the later message
 * that made the receiver store the key, so the same 14-day ceiling applies: after it the message
 * has arrived or never will, and the key is only something a stolen state would give away.
 */
export const SKIPPED_KEY_LIFETIME_MS = RELAY_MAX_BLOB_LIFETIME_MS;

const EMPTY = new Uint8Array(0);

/** A skipped message key and when this receiver stored it (ms), for SKIPPED_KEY_LIFETIME_MS. */
export interface StoredSkippedKey extends SkippedMessageKey {
  readonly storedAt: number;
}

/** One chain of one sender, as a receiver holds it. */
export interface SenderKeyChain extends DistributedChain {
  /** The index of the next message expected. */
  readonly iteration: number;
  /** Ascending by index, each below `iteration`; at most MAX_SENDER_KEY_SKIPPED. */
  readonly skipped: readonly StoredSkippedKey[];
}

/** A chain a newer distribution replaced: readable until PREVIOUS_CHAIN_LIFETIME_MS after `replacedAt`. */
export interface PreviousSenderKeyChain extends SenderKeyChain {
  /** When this receiver processed the distribution that replaced it (ms). */
  readonly replacedAt: number;
}

/** What a receiving member holds for one sender in one group: the current chain, at the top level. */
export interface SenderKeyReceiverState extends SenderKeyChain {
  readonly version: typeof SENDER_KEY_RECEIVER_STATE_VERSION;
  /** Newest first; at most MAX_PREVIOUS_SENDER_CHAINS, none the same chain as another or the current one. */
  readonly previous: readonly PreviousSenderKeyChain[];
}

type ChainIds = Pick<SenderKeyMessageIds, 'distributionId' | 'chainId'>;

/** @internal Chains are named by distributionId and chainId together. */
export function sameChain(a: ChainIds, b: ChainIds): boolean {
  return a.chainId === b.chainId && constantTimeEqual(a.distributionId, b.distributionId);
}

function liveSkipped<T extends SenderKeyChain>(chain: T, now: number): T {
  const skipped = chain.skipped.filter((k) => now - k.storedAt < SKIPPED_KEY_LIFETIME_MS);
  return skipped.length === chain.skipped.length ? chain : { ...chain, skipped };
}

/** The state without what can no longer be in flight at `now` (a clock set back drops nothing). */
function expire(state: SenderKeyReceiverState, now: number): SenderKeyReceiverState {
  return {
    ...liveSkipped(state, now),
    previous: state.previous
      .filter((chain) => now - chain.replacedAt < PREVIOUS_CHAIN_LIFETIME_MS)
      .map((chain) => liveSkipped(chain, now)),
  };
}

/**
 * A receiver's state from a distribution message (§12.4).
 *  - Without `previous` (the first distribution from this sender): a state holding only that chain.
 *  - With `previous`, the state held for the same sender, whose expired chains and keys are dropped:
 *    - a distribution for a chain it already holds, current or previous (same distributionId and
 *      chainId: re-sent, or delivered late), changes nothing else: it would move the iteration back
 *      and bring back used keys (a replay), or make a retired chain current again;
 *    - a new chain becomes current, and the current one moves into the window of previous chains,
 *      replaced at `now`; beyond MAX_PREVIOUS_SENDER_CHAINS the oldest is dropped.
 */
export function processSenderKeyDistribution(
  distribution: KeyBytes,
  previous?: SenderKeyReceiverState,
  now: number = Date.now(),
): SenderKeyReceiverState {
  const chain = readDistribution(distribution);
  const fresh = { version: SENDER_KEY_RECEIVER_STATE_VERSION, ...chain, skipped: [], previous: [] } as const;
  if (previous === undefined) return fresh;
  checkVersion(previous.version, SENDER_KEY_RECEIVER_STATE_VERSION, 'sender key receiver state');
  expectTime(now, 'now');
  const held = expire(previous, now);
  if (sameChain(held, chain) || held.previous.some((old) => sameChain(old, chain))) return held;
  const { version: _version, previous: older, ...current } = held;
  const retired: PreviousSenderKeyChain = { ...current, replacedAt: now };
  return { ...fresh, previous: [retired, ...older].slice(0, MAX_PREVIOUS_SENDER_CHAINS) };
}

export interface GroupDecryptResult {
  readonly state: SenderKeyReceiverState;
  readonly plaintext: Uint8Array;
}

type ChainAdvance = Pick<SenderKeyChain, 'iteration' | 'chainKey' | 'skipped'>;

/** The message key for `iteration` in `chain`, and what the chain becomes once it is used. */
function takeMessageKey(
  chain: SenderKeyChain,
  iteration: number,
  now: number,
): { messageKey: SecretBytes; advance: ChainAdvance } {
  if (iteration < chain.iteration) {
    const found = chain.skipped.find((k) => k.index === iteration);
    if (found === undefined) {
      throw new CryptoError(
        'duplicate_message',
        'this group message key was already used, or is older than the window',
      );
    }
    const skipped = chain.skipped.filter((k) => k !== found);
    return { messageKey: found.messageKey, advance: { iteration: chain.iteration, chainKey: chain.chainKey, skipped } };
  }
  if (iteration - chain.iteration > MAX_SENDER_KEY_SKIP) {
    throw new CryptoError(
      'too_many_skipped',
      `the group message skips over MAX_SENDER_KEY_SKIP ${MAX_SENDER_KEY_SKIP} keys`,
    );
  }
  const added: StoredSkippedKey[] = [];
  let chainKey = chain.chainKey;
  for (let index = chain.iteration; index < iteration; index++) {
    const step = advanceChainKey(chainKey);
    added.push({ index, messageKey: step.messageKey, storedAt: now });
    chainKey = step.chainKey;
  }
  const step = advanceChainKey(chainKey);
  const skipped = [...chain.skipped, ...added].slice(-MAX_SENDER_KEY_SKIPPED);
  return { messageKey: step.messageKey, advance: { iteration: iteration + 1, chainKey: step.chainKey, skipped } };
}

/**
 * Opens a group message with the chain it names, current or previous. Checks, in this order, each
 * failure leaving `state` as it was:
 *  1. version and length ('unknown_version', 'bad_length');
 *  2. the signature ('bad_signature'), before any key is derived: under the named chain's signing
 *     key, or the current chain's when the state holds no chain by that name;
 *  3. the distribution and chain ids ('unknown_sender_key': a chain not held, retired or expired);
 *  4. the iteration: an old one whose key is gone (used, or expired) is 'duplicate_message', a
 *     jump over MAX_SENDER_KEY_SKIP is 'too_many_skipped';
 *  5. the AEAD ('auth_failed').
 * The new state also drops what expired at `now`.
 */
export async function groupDecrypt(
  state: SenderKeyReceiverState,
  message: Uint8Array,
  associatedData: Uint8Array = EMPTY,
  now: number = Date.now(),
): Promise<GroupDecryptResult> {
  checkVersion(state.version, SENDER_KEY_RECEIVER_STATE_VERSION, 'sender key receiver state');
  expectBytes(associatedData, 'associated data');
  expectTime(now, 'now');
  const ids = readSenderKeyMessageIds(message);
  const held = expire(state, now);
  const chains: readonly SenderKeyChain[] = [held, ...held.previous];
  const at = chains.findIndex((chain) => sameChain(chain, ids));
  const chain = chains[at] ?? held;
  const unsigned = message.subarray(0, message.length - ED25519_SIGNATURE_LENGTH);
  const signature = message.subarray(message.length - ED25519_SIGNATURE_LENGTH);
  if (!(await ed25519Verify(chain.signingKey, signatureInput(associatedData, unsigned), signature))) {
    throw new CryptoError('bad_signature', 'the group message is not signed by the sender key this state holds');
  }
  if (at < 0) throw new CryptoError('unknown_sender_key', 'the group message belongs to another sender key chain');

  const { messageKey, advance } = takeMessageKey(chain, ids.iteration, now);
  const header = message.subarray(0, MESSAGE_HEADER_LENGTH);
  const sealed = unsigned.subarray(MESSAGE_HEADER_LENGTH);
  const plaintext = open(messageKey, sealed, aeadAd(header, associatedData));
  const next: SenderKeyReceiverState =
    at === 0
      ? { ...held, ...advance }
      : { ...held, previous: held.previous.map((old, i) => (i === at - 1 ? { ...old, ...advance } : old)) };
  return { state: next, plaintext };
}
