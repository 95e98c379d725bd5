/**
 * The stored form of a Double Ratchet SessionState (docs/protocol/crypto.md §11.8): versioned
 * bytes that hold the root, chain, header and skipped message keys, so seal them with sealRecord
 * before they touch storage. Reading is strict (version, lengths, counts, skipped keys in order
 * and behind their chain, no trailing bytes) and bounded by the same limits as the ratchet.
 */
import { ByteReader, ByteWriter, expectVersion } from './byte-codec';
import type { SkippedMessageKey } from './chain-key';
import {
  checkState,
  KEY_LENGTH,
  MAX_PAST_RECEIVING_CHAINS,
  MAX_SESSION_AD_LENGTH,
  MAX_SKIPPED_MESSAGE_KEYS,
  SESSION_STATE_VERSION,
  type PastReceivingChain,
  type ReceivingChain,
  type SendingChain,
  type SessionState,
} from './double-ratchet';
import { CryptoError } from './errors';
import { keyBytes, SecretBytes, type KeyBytes } from './secret';
import { x25519KeyPairFromPrivateKey, X25519_KEY_LENGTH } from './x25519';

function writeSkipped(w: ByteWriter, skipped: readonly SkippedMessageKey[]): void {
  w.u16(skipped.length);
  for (const key of skipped) w.u32(key.index).raw(key.messageKey.exposeBytes(), KEY_LENGTH);
}

function readSkipped(r: ByteReader): SkippedMessageKey[] {
  const count = r.count(r.u16(), MAX_SKIPPED_MESSAGE_KEYS, 'a skipped-key count');
  const out: SkippedMessageKey[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.u32();
    const previous = out[out.length - 1];
    if (previous !== undefined && index <= previous.index)
      throw new CryptoError('malformed_message', 'skipped keys out of order');
    out.push({ index, messageKey: new SecretBytes(r.raw(KEY_LENGTH), 'message key') });
  }
  return out;
}

/**
 * version(1) || u16 len(AD) || AD || RK(32) || DHs private(32) || hasDHr(1) [|| DHr(32)]
 * || NHKs(32) || NHKr(32) || u32 PN
 * || hasSending(1) [|| HKs(32) || CKs(32) || u32 Ns]
 * || hasReceiving(1) [|| HKr(32) || CKr(32) || u32 Nr || skipped]
 * || u8 pastCount || (HK(32) || skipped)*        where skipped = u16 n || (u32 index || MK(32))^n
 */
export function serializeSession(state: SessionState): SecretBytes {
  checkState(state);
  const w = new ByteWriter()
    .u8(SESSION_STATE_VERSION)
    .bytes16(state.associatedData)
    .raw(state.rootKey.exposeBytes(), KEY_LENGTH)
    .raw(state.ourRatchetKey.privateKey.exposeBytes(), KEY_LENGTH);
  if (state.theirRatchetKey === null) w.u8(0);
  else w.u8(1).raw(state.theirRatchetKey, X25519_KEY_LENGTH);
  w.raw(state.nextSendingHeaderKey.exposeBytes(), KEY_LENGTH)
    .raw(state.nextReceivingHeaderKey.exposeBytes(), KEY_LENGTH)
    .u32(state.previousSendingChainLength);
  const sending = state.sendingChain;
  if (sending === null) w.u8(0);
  else
    w.u8(1)
      .raw(sending.headerKey.exposeBytes(), KEY_LENGTH)
      .raw(sending.chainKey.exposeBytes(), KEY_LENGTH)
      .u32(sending.index);
  const receiving = state.receivingChain;
  if (receiving === null) w.u8(0);
  else {
    w.u8(1)
      .raw(receiving.headerKey.exposeBytes(), KEY_LENGTH)
      .raw(receiving.chainKey.exposeBytes(), KEY_LENGTH)
      .u32(receiving.index);
    writeSkipped(w, receiving.skipped);
  }
  w.u8(state.pastReceivingChains.length);
  for (const chain of state.pastReceivingChains) {
    w.raw(chain.headerKey.exposeBytes(), KEY_LENGTH);
    writeSkipped(w, chain.skipped);
  }
  return new SecretBytes(w.finish(), 'session state record');
}

/** Strict inverse of serializeSession: 'unknown_version', 'bad_length' or 'malformed_message' otherwise. */
export async function deserializeSession(record: KeyBytes): Promise<SessionState> {
  const r = new ByteReader(keyBytes(record, 'session state record'), 'session state record');
  expectVersion(r, SESSION_STATE_VERSION);
  const secret = (kind: string): SecretBytes => new SecretBytes(r.raw(KEY_LENGTH), kind);
  const associatedData = r.bytes16(MAX_SESSION_AD_LENGTH);
  const rootKey = secret('root key');
  const ourPrivate = r.raw(KEY_LENGTH);
  const theirRatchetKey = r.flag() ? r.raw(X25519_KEY_LENGTH) : null;
  const nextSendingHeaderKey = secret('header key');
  const nextReceivingHeaderKey = secret('header key');
  const previousSendingChainLength = r.u32();
  const sendingChain: SendingChain | null = r.flag()
    ? { headerKey: secret('header key'), chainKey: secret('chain key'), index: r.u32() }
    : null;
  let receivingChain: ReceivingChain | null = null;
  if (r.flag()) {
    const headerKey = secret('header key');
    const chainKey = secret('chain key');
    const index = r.u32();
    const skipped = readSkipped(r);
    if (skipped.some((k) => k.index >= index))
      throw new CryptoError('malformed_message', 'a skipped key is ahead of its chain');
    receivingChain = { headerKey, chainKey, index, skipped };
  }
  const pastCount = r.count(r.u8(), MAX_PAST_RECEIVING_CHAINS, 'the past-chain count');
  const pastReceivingChains: PastReceivingChain[] = [];
  for (let i = 0; i < pastCount; i++)
    pastReceivingChains.push({ headerKey: secret('header key'), skipped: readSkipped(r) });
  r.end();
  const total = pastReceivingChains.reduce((sum, c) => sum + c.skipped.length, receivingChain?.skipped.length ?? 0);
  r.count(total, MAX_SKIPPED_MESSAGE_KEYS, 'the skipped-key total');
  return {
    version: SESSION_STATE_VERSION,
    associatedData,
    rootKey,
    ourRatchetKey: await x25519KeyPairFromPrivateKey(ourPrivate),
    theirRatchetKey,
    sendingChain,
    nextSendingHeaderKey,
    receivingChain,
    nextReceivingHeaderKey,
    previousSendingChainLength,
    pastReceivingChains,
  };
}
