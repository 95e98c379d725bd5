/**
 * Sender Keys in flight (docs/protocol/crypto.md §12.3–§12.5): the window of previous chains a
 * receiver keeps after a rotation, its bounds in count and time, skipped keys that expire, and the
 * version 2 receiver record (version 1 records still read).
 */
import { ByteWriter } from '../src/byte-codec';
import { randomBytes } from '../src/random';
import {
  createSenderKey,
  deserializeSenderKeyReceiverState,
  groupDecrypt,
  groupEncrypt,
  MAX_PREVIOUS_SENDER_CHAINS,
  MAX_SENDER_KEY_SKIP,
  PREVIOUS_CHAIN_LIFETIME_MS,
  processSenderKeyDistribution,
  rotateSenderKey,
  SENDER_KEY_RECEIVER_STATE_VERSION,
  senderKeyDistribution,
  serializeSenderKeyReceiverState,
  SKIPPED_KEY_LIFETIME_MS,
  type SenderKeyReceiverState,
} from '../src/sender-keys';
import { sendMany, snapshot } from './sender-keys-helpers';
import { expectCryptoError, flipBit, text } from './sessions';

const GROUP = randomBytes(16);
const T0 = Date.UTC(2026, 11, 1);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

async function read(state: SenderKeyReceiverState, message: Uint8Array | undefined, now: number) {
  const result = await groupDecrypt(state, message as Uint8Array, undefined, now);
  return { state: result.state, text: new TextDecoder().decode(result.plaintext) };
}

/** A receiver that has seen `rotations` rotations, and one message per chain still in flight (oldest first). */
async function rotatedReceiver(rotations: number) {
  let sender = await createSenderKey(GROUP);
  let receiver = processSenderKeyDistribution(senderKeyDistribution(sender), undefined, T0);
  const inFlight: Uint8Array[] = [];
  for (let i = 0; i <= rotations; i++) {
    const sent = await sendMany(sender, 1, `chain${i}-`);
    inFlight.push(sent.messages[0] as Uint8Array);
    if (i === rotations) return { sender: sent.state, receiver, inFlight };
    sender = await rotateSenderKey(sent.state);
    receiver = processSenderKeyDistribution(senderKeyDistribution(sender), receiver, T0 + (i + 1) * HOUR);
  }
  throw new Error('unreachable');
}

describe('Sender Keys: previous chains after a rotation', () => {
  it('a message sent just before a rotation still opens after the new distribution', async () => {
    const old = await createSenderKey(GROUP);
    let receiver = processSenderKeyDistribution(senderKeyDistribution(old), undefined, T0);
    const before = await sendMany(old, 3, 'before');
    receiver = (await read(receiver, before.messages[0], T0)).state;

    const rotated = await rotateSenderKey(before.state);
    receiver = processSenderKeyDistribution(senderKeyDistribution(rotated), receiver, T0 + HOUR);
    expect(receiver.chainId).toBe(rotated.chainId);
    expect(receiver.previous.map((c) => c.chainId)).toEqual([old.chainId]);
    expect(receiver.previous[0]?.replacedAt).toBe(T0 + HOUR);

    const after = await groupEncrypt(rotated, text('after'));
    let opened = await read(receiver, after.message, T0 + 2 * HOUR);
    expect(opened.text).toBe('after');
    opened = await read(opened.state, before.messages[2], T0 + 2 * HOUR); // out of order, too
    expect(opened.text).toBe('before2');
    opened = await read(opened.state, before.messages[1], T0 + 2 * HOUR);
    expect(opened.text).toBe('before1');
    await expectCryptoError(
      groupDecrypt(opened.state, before.messages[0] as Uint8Array, undefined, T0),
      'duplicate_message',
    );
  });

  it('without the previous state a distribution still replaces everything (the first one from a sender)', async () => {
    const old = await createSenderKey(GROUP);
    const before = await sendMany(old, 1, 'before');
    const rotated = await rotateSenderKey(before.state);
    const receiver = processSenderKeyDistribution(senderKeyDistribution(rotated), undefined, T0);
    expect(receiver.previous).toEqual([]);
    await expectCryptoError(groupDecrypt(receiver, before.messages[0] as Uint8Array, undefined, T0), 'bad_signature');
  });

  it('at most MAX_PREVIOUS_SENDER_CHAINS previous chains are kept; the oldest is dropped', async () => {
    const { receiver, inFlight } = await rotatedReceiver(MAX_PREVIOUS_SENDER_CHAINS + 1);
    expect(receiver.previous).toHaveLength(MAX_PREVIOUS_SENDER_CHAINS);
    const replaced = receiver.previous.map((c) => c.replacedAt);
    expect(replaced).toEqual([...replaced].sort((a, b) => b - a)); // newest first
    // The oldest chain is gone: nothing the state holds verifies its signature.
    const before = snapshot(receiver);
    await expectCryptoError(groupDecrypt(receiver, inFlight[0] as Uint8Array, undefined, T0 + DAY), 'bad_signature');
    expect(snapshot(receiver)).toEqual(before);
    let state = receiver;
    for (let i = 1; i < inFlight.length; i++) {
      const opened = await read(state, inFlight[i], T0 + DAY);
      expect(opened.text).toBe(`chain${i}-0`);
      state = opened.state;
    }
  });

  it('a previous chain is dropped after PREVIOUS_CHAIN_LIFETIME_MS', async () => {
    const { sender, receiver, inFlight } = await rotatedReceiver(1);
    const replacedAt = receiver.previous[0]?.replacedAt as number;
    const late = inFlight[0] as Uint8Array;
    expect((await read(receiver, late, replacedAt + PREVIOUS_CHAIN_LIFETIME_MS - 1)).text).toBe('chain0-0');
    await expectCryptoError(
      groupDecrypt(receiver, late, undefined, replacedAt + PREVIOUS_CHAIN_LIFETIME_MS),
      'bad_signature',
    );
    // The next use of the state at that time drops it, through a decrypt or a distribution.
    const next = await groupEncrypt(sender, text('current'));
    const opened = await read(receiver, next.message, replacedAt + PREVIOUS_CHAIN_LIFETIME_MS);
    expect(opened.state.previous).toEqual([]);
    const resent = processSenderKeyDistribution(
      senderKeyDistribution(sender),
      receiver,
      replacedAt + PREVIOUS_CHAIN_LIFETIME_MS,
    );
    expect(resent.previous).toEqual([]);
  });

  it('an older distribution does not become current again (replayed)', async () => {
    const old = await createSenderKey(GROUP);
    const oldDistribution = senderKeyDistribution(old);
    let receiver = processSenderKeyDistribution(oldDistribution, undefined, T0);
    const before = await sendMany(old, 2, 'before');
    const rotated = await rotateSenderKey(before.state);
    receiver = processSenderKeyDistribution(senderKeyDistribution(rotated), receiver, T0 + HOUR);
    receiver = (await read(receiver, before.messages[0], T0 + HOUR)).state;

    const held = snapshot(receiver);
    const replayed = processSenderKeyDistribution(oldDistribution, receiver, T0 + 2 * HOUR);
    expect(replayed.chainId).toBe(rotated.chainId);
    expect(snapshot(replayed)).toEqual(held);
    // The retired chain did not restart either: its used key stays used, its next one opens.
    await expectCryptoError(
      groupDecrypt(replayed, before.messages[0] as Uint8Array, undefined, T0 + 2 * HOUR),
      'duplicate_message',
    );
    expect((await read(replayed, before.messages[1], T0 + 2 * HOUR)).text).toBe('before1');
    const after = await groupEncrypt(rotated, text('after'));
    expect((await read(replayed, after.message, T0 + 2 * HOUR)).text).toBe('after');
  });

  it('a re-sent distribution of the current chain does not move its iteration back', async () => {
    const sender = await createSenderKey(GROUP);
    const distribution = senderKeyDistribution(sender);
    let receiver = processSenderKeyDistribution(distribution, undefined, T0);
    const sent = await sendMany(sender, 4, 'm');
    receiver = (await read(receiver, sent.messages[0], T0)).state;
    receiver = (await read(receiver, sent.messages[3], T0)).state; // keeps keys 1 and 2
    const held = snapshot(receiver);

    const resent = processSenderKeyDistribution(distribution, receiver, T0 + HOUR);
    expect(resent.iteration).toBe(4);
    expect(resent.skipped.map((k) => k.index)).toEqual([1, 2]);
    expect(resent.previous).toEqual([]);
    expect(snapshot(resent)).toEqual(held);
    for (const index of [0, 3]) {
      await expectCryptoError(
        groupDecrypt(resent, sent.messages[index] as Uint8Array, undefined, T0 + HOUR),
        'duplicate_message',
      );
    }
  });

  it('a failed decrypt leaves the state exactly as it was, window included', async () => {
    const { sender, receiver, inFlight } = await rotatedReceiver(2);
    const now = T0 + DAY;
    const opened = await read(receiver, inFlight[1], now);
    const state = opened.state;
    const before = snapshot(state);
    const late = inFlight[1] as Uint8Array;
    await expectCryptoError(groupDecrypt(state, late, undefined, now), 'duplicate_message');
    await expectCryptoError(groupDecrypt(state, flipBit(late, 8 * 40), undefined, now), 'bad_signature');
    await expectCryptoError(groupDecrypt(state, late, text('other ad'), now), 'bad_signature');
    // Signed by the current chain's key: naming a chain id the state does not hold, or far ahead.
    const stray = await sendMany({ ...sender, chainId: (sender.chainId + 1) % 2 ** 32 }, 1, 'stray');
    await expectCryptoError(groupDecrypt(state, stray.messages[0] as Uint8Array, undefined, now), 'unknown_sender_key');
    const farAhead = await sendMany({ ...sender, iteration: MAX_SENDER_KEY_SKIP + 5 }, 1, 'far');
    await expectCryptoError(
      groupDecrypt(state, farAhead.messages[0] as Uint8Array, undefined, now),
      'too_many_skipped',
    );
    // An expiry at a later `now` is not kept when the decrypt fails.
    await expectCryptoError(groupDecrypt(state, late, undefined, now + PREVIOUS_CHAIN_LIFETIME_MS), 'bad_signature');
    expect(snapshot(state)).toEqual(before);
    expect(state.previous).toHaveLength(2);
  });
});

describe('Sender Keys: skipped keys expire', () => {
  it('skipped keys expire after SKIPPED_KEY_LIFETIME_MS', async () => {
    const sender = await createSenderKey(GROUP);
    let receiver = processSenderKeyDistribution(senderKeyDistribution(sender), undefined, T0);
    const sent = await sendMany(sender, 6, 'm');
    receiver = (await read(receiver, sent.messages[2], T0)).state; // stores keys 0 and 1 at T0
    receiver = (await read(receiver, sent.messages[4], T0 + 7 * DAY)).state; // stores key 3 a week later
    expect(receiver.skipped.map((k) => [k.index, k.storedAt])).toEqual([
      [0, T0],
      [1, T0],
      [3, T0 + 7 * DAY],
    ]);

    expect((await read(receiver, sent.messages[0], T0 + SKIPPED_KEY_LIFETIME_MS - 1)).text).toBe('m0');
    const expiry = T0 + SKIPPED_KEY_LIFETIME_MS;
    for (const index of [0, 1]) {
      await expectCryptoError(
        groupDecrypt(receiver, sent.messages[index] as Uint8Array, undefined, expiry),
        'duplicate_message',
      );
    }
    const opened = await read(receiver, sent.messages[5], expiry);
    expect(opened.state.skipped.map((k) => k.index)).toEqual([3]);
    expect((await read(opened.state, sent.messages[3], expiry)).text).toBe('m3');
  });

  it('skipped keys of a previous chain expire too', async () => {
    const old = await createSenderKey(GROUP);
    let receiver = processSenderKeyDistribution(senderKeyDistribution(old), undefined, T0);
    const before = await sendMany(old, 2, 'before');
    receiver = (await read(receiver, before.messages[1], T0)).state; // stores key 0 at T0
    const rotated = await rotateSenderKey(before.state);
    receiver = processSenderKeyDistribution(senderKeyDistribution(rotated), receiver, T0 + 13 * DAY);
    expect(receiver.previous[0]?.skipped).toHaveLength(1);
    await expectCryptoError(
      groupDecrypt(receiver, before.messages[0] as Uint8Array, undefined, T0 + SKIPPED_KEY_LIFETIME_MS),
      'duplicate_message',
    );
    const later = processSenderKeyDistribution(senderKeyDistribution(rotated), receiver, T0 + SKIPPED_KEY_LIFETIME_MS);
    expect(later.previous[0]?.skipped).toEqual([]);
  });
});

/** The version 1 receiver record of the code before the window (crypto.md §12.5, "version 1"). */
function version1Record(state: SenderKeyReceiverState): Uint8Array {
  const w = new ByteWriter()
    .u8(1)
    .u8(0x02)
    .raw(state.distributionId)
    .u32(state.chainId)
    .u32(state.iteration)
    .raw(state.chainKey.exposeBytes())
    .raw(state.signingKey)
    .u16(state.skipped.length);
  for (const key of state.skipped) w.u32(key.index).raw(key.messageKey.exposeBytes());
  return w.finish();
}

describe('Sender Key receiver records, version 2', () => {
  it('a version 1 record still opens', async () => {
    const sender = await createSenderKey(GROUP);
    let receiver = processSenderKeyDistribution(senderKeyDistribution(sender), undefined, T0);
    const sent = await sendMany(sender, 4, 'm');
    receiver = (await read(receiver, sent.messages[2], T0)).state;
    const loadedAt = T0 + 30 * DAY;
    const restored = deserializeSenderKeyReceiverState(version1Record(receiver), loadedAt);
    expect(restored.version).toBe(SENDER_KEY_RECEIVER_STATE_VERSION);
    expect(restored.previous).toEqual([]);
    // Skipped keys get the time they were read at: one full lifetime from there, no more.
    expect(restored.skipped.map((k) => [k.index, k.storedAt])).toEqual([
      [0, loadedAt],
      [1, loadedAt],
    ]);
    let opened = await read(restored, sent.messages[1], loadedAt);
    expect(opened.text).toBe('m1');
    opened = await read(opened.state, sent.messages[3], loadedAt);
    expect(opened.text).toBe('m3');
    expect(serializeSenderKeyReceiverState(opened.state).exposeBytes()[0]).toBe(2);
    await expectCryptoError(
      groupDecrypt(restored, sent.messages[0] as Uint8Array, undefined, loadedAt + SKIPPED_KEY_LIFETIME_MS),
      'duplicate_message',
    );
  });

  it('round-trips the current chain, the previous chains and every time', async () => {
    const { receiver } = await rotatedReceiver(2);
    const record = serializeSenderKeyReceiverState(receiver);
    const restored = deserializeSenderKeyReceiverState(record, 0);
    expect(snapshot(restored)).toEqual(Array.from(record.exposeBytes()));
    expect(restored.previous.map((c) => [c.chainId, c.replacedAt])).toEqual(
      receiver.previous.map((c) => [c.chainId, c.replacedAt]),
    );
  });

  it('malformed / oversized records refused', async () => {
    const { receiver, sender } = await rotatedReceiver(MAX_PREVIOUS_SENDER_CHAINS);
    const bytes = serializeSenderKeyReceiverState(receiver).exposeBytes();
    const patched = (offset: number, ...values: number[]) => {
      const copy = bytes.slice();
      copy.set(values, offset);
      return copy;
    };
    const CHAIN = 16 + 4 + 4 + 32 + 32 + 2; // a chain without skipped keys
    const reading = (record: Uint8Array) => () => deserializeSenderKeyReceiverState(record, T0);

    await expectCryptoError(reading(patched(0, 0)), 'version_too_old');
    await expectCryptoError(reading(patched(0, 3)), 'unknown_version');
    await expectCryptoError(reading(new Uint8Array(0)), 'bad_length');
    await expectCryptoError(reading(bytes.subarray(0, bytes.length - 1)), 'bad_length');
    await expectCryptoError(reading(Uint8Array.of(...bytes, 0)), 'bad_length');
    await expectCryptoError(reading(patched(1, 0x01)), 'malformed_message'); // a sender record's type
    // Oversized: more previous chains, or more skipped keys, than a state may hold.
    await expectCryptoError(reading(patched(2 + CHAIN, MAX_PREVIOUS_SENDER_CHAINS + 1)), 'malformed_message');
    await expectCryptoError(reading(patched(2 + CHAIN - 2, 0x03, 0xe9)), 'malformed_message'); // 1001 keys
    await expectCryptoError(reading(patched(2 + CHAIN + 1, 0xff)), 'malformed_message'); // replacedAt ≥ 2^53
    await expectCryptoError(
      () => serializeSenderKeyReceiverState({ ...receiver, previous: [...receiver.previous, ...receiver.previous] }),
      'bad_parameter',
    );

    // Previous chains must be newest first and all distinct, or decrypt could pick either.
    const [first, second] = receiver.previous;
    const reorder = serializeSenderKeyReceiverState({
      ...receiver,
      previous: [second, first] as typeof receiver.previous,
    });
    await expectCryptoError(reading(reorder.exposeBytes()), 'malformed_message');
    const twice = { ...receiver, previous: [{ ...first, chainId: sender.chainId }] as typeof receiver.previous };
    await expectCryptoError(reading(serializeSenderKeyReceiverState(twice).exposeBytes()), 'malformed_message');

    // Skipped keys ascending and below the chain's iteration.
    const sent = await sendMany(sender, 3, 'm');
    const skipping = (await read(receiver, sent.messages[2], T0 + DAY)).state;
    const reversed = { ...skipping, skipped: [...skipping.skipped].reverse() };
    await expectCryptoError(reading(serializeSenderKeyReceiverState(reversed).exposeBytes()), 'malformed_message');
    const ahead = { ...skipping, iteration: 1 };
    await expectCryptoError(reading(serializeSenderKeyReceiverState(ahead).exposeBytes()), 'malformed_message');
    const storedAt = serializeSenderKeyReceiverState(skipping).exposeBytes().slice();
    storedAt[2 + CHAIN + 4] = 0xff; // the first key's u64 storedAt, beyond 2^53
    await expectCryptoError(reading(storedAt), 'malformed_message');
  });
});
