/**
 * The stored forms of Sender Key states (docs/protocol/crypto.md §12.5): versioned bytes holding
 * chain keys, message keys and a signing seed, so seal them with sealRecord before they touch
 * storage. Reading is strict (version, record type, counts within the receiver's bounds, skipped
 * keys ascending and behind their chain, previous chains newest first and all distinct, no
 * trailing bytes): a hostile stored record cannot grow a state beyond what decrypting could.
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import { ed25519KeyPairFromSeed, ED25519_PUBLIC_KEY_LENGTH } from './ed25519';
import { CryptoError } from './errors';
import { expectTime } from './prekeys';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';
import {
  MAX_PREVIOUS_SENDER_CHAINS,
  MAX_SENDER_KEY_SKIPPED,
  SENDER_KEY_RECEIVER_STATE_VERSION,
  sameChain,
  type PreviousSenderKeyChain,
  type SenderKeyChain,
  type SenderKeyReceiverState,
  type StoredSkippedKey,
} from './sender-key-receiver';
import { checkVersion, DISTRIBUTION_ID_LENGTH, KEY_LENGTH, SENDER_KEY_STATE_VERSION } from './sender-key-message';
import type { SenderKeyState } from './sender-keys';

const SENDER_RECORD_TYPE = 0x01;
const RECEIVER_RECORD_TYPE = 0x02;
/** The receiver record before the window of previous chains: one chain, skipped keys without times. */
const RECEIVER_RECORD_V1 = 1;

/** version(1) || type 0x01 || distributionId(16) || u32 chainId || u32 iteration || chainKey(32) || Ed25519 seed(32) */
export function serializeSenderKeyState(state: SenderKeyState): SecretBytes {
  checkVersion(state.version, SENDER_KEY_STATE_VERSION, 'sender key state');
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

/** chain = distributionId(16) || u32 chainId || u32 iteration || CK(32) || signingKey(32) || u16 n || (u32 index || u64 storedAt || MK(32))^n */
function writeChain(w: ByteWriter, chain: SenderKeyChain): void {
  if (chain.skipped.length > MAX_SENDER_KEY_SKIPPED)
    throw new CryptoError('bad_parameter', `a sender key chain holds at most ${MAX_SENDER_KEY_SKIPPED} skipped keys`);
  w.raw(chain.distributionId, DISTRIBUTION_ID_LENGTH)
    .u32(chain.chainId)
    .u32(chain.iteration)
    .raw(chain.chainKey.exposeBytes(), KEY_LENGTH)
    .raw(chain.signingKey, ED25519_PUBLIC_KEY_LENGTH)
    .u16(chain.skipped.length);
  for (const key of chain.skipped) w.u32(key.index).u64(key.storedAt).raw(key.messageKey.exposeBytes(), KEY_LENGTH);
}

/** One chain; `storedAt` reads a key's time (version 2) or gives it one (version 1 has none). */
function readChain(r: ByteReader, storedAt: () => number): SenderKeyChain {
  const distributionId = r.raw(DISTRIBUTION_ID_LENGTH);
  const chainId = r.u32();
  const iteration = r.u32();
  const chainKey = new SecretBytes(r.raw(KEY_LENGTH), 'sender chain key');
  const signingKey = r.raw(ED25519_PUBLIC_KEY_LENGTH);
  const count = r.count(r.u16(), MAX_SENDER_KEY_SKIPPED, 'the skipped-key count');
  const skipped: StoredSkippedKey[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.u32();
    const last = skipped[skipped.length - 1];
    if (index >= iteration || (last !== undefined && index <= last.index))
      throw new CryptoError('malformed_message', `${r.what}: skipped keys out of order`);
    skipped.push({ index, storedAt: storedAt(), messageKey: new SecretBytes(r.raw(KEY_LENGTH), 'message key') });
  }
  return { distributionId, chainId, iteration, chainKey, signingKey, skipped };
}

/**
 * version(1) = 0x02 || type 0x02 || current chain || u8 p || (u64 replacedAt || chain)^p
 * with the previous chains newest first (§12.5).
 */
export function serializeSenderKeyReceiverState(state: SenderKeyReceiverState): SecretBytes {
  checkVersion(state.version, SENDER_KEY_RECEIVER_STATE_VERSION, 'sender key receiver state');
  if (state.previous.length > MAX_PREVIOUS_SENDER_CHAINS)
    throw new CryptoError(
      'bad_parameter',
      `a receiver state holds at most ${MAX_PREVIOUS_SENDER_CHAINS} previous chains`,
    );
  const w = new ByteWriter().u8(SENDER_KEY_RECEIVER_STATE_VERSION).u8(RECEIVER_RECORD_TYPE);
  writeChain(w, state);
  w.u8(state.previous.length);
  for (const chain of state.previous) writeChain(w.u64(chain.replacedAt), chain);
  return new SecretBytes(w.finish(), 'sender key receiver record');
}

/**
 * Reads version 2, and version 1 (stored before the window existed): one chain and no previous
 * one. A version 1 record's skipped keys get `now` as their time: dropping them would lose the
 * messages still in flight when the record was upgraded, and `now` gives them one full
 * SKIPPED_KEY_LIFETIME_MS, no more. Anything else is refused: 'version_too_old' (0),
 * 'unknown_version' (over 2), 'bad_length' (truncated, trailing), 'malformed_message' (record type,
 * a count over its bound, keys out of order, previous chains out of order or repeated).
 */
export function deserializeSenderKeyReceiverState(record: KeyBytes, now: number = Date.now()): SenderKeyReceiverState {
  const bytes = keyBytes(record, 'sender key receiver record');
  const r = new ByteReader(bytes, 'sender key receiver record');
  const v1 = bytes[0] === RECEIVER_RECORD_V1;
  expectVersion(r, v1 ? RECEIVER_RECORD_V1 : SENDER_KEY_RECEIVER_STATE_VERSION);
  if (r.u8() !== RECEIVER_RECORD_TYPE) throw new CryptoError('malformed_message', 'not a sender key receiver record');
  if (v1) expectTime(now, 'now');
  const current = readChain(r, v1 ? () => now : () => r.u64('storedAt'));
  const previous: PreviousSenderKeyChain[] = [];
  const count = v1 ? 0 : r.count(r.u8(), MAX_PREVIOUS_SENDER_CHAINS, 'the previous-chain count');
  for (let i = 0; i < count; i++) {
    const replacedAt = r.u64('replacedAt');
    const chain = readChain(r, () => r.u64('storedAt'));
    const newer = previous[previous.length - 1];
    if (newer !== undefined && replacedAt > newer.replacedAt)
      throw new CryptoError('malformed_message', `${r.what}: previous chains not newest first`);
    if ([current, ...previous].some((held) => sameChain(held, chain)))
      throw new CryptoError('malformed_message', `${r.what}: a chain held twice`);
    previous.push({ ...chain, replacedAt });
  }
  r.end();
  return { version: SENDER_KEY_RECEIVER_STATE_VERSION, ...current, previous };
}
