/**
 * Sender Keys (libsignal group_cipher; WhatsApp Security Whitepaper, "Group Messages"): signed
 * group messages, a bounded out-of-order window, replay refusal, and rotation on removal.
 */
import fc from 'fast-check';
import { ed25519Sign, generateEd25519KeyPair } from '../src/ed25519';
import { randomBytes } from '../src/random';
import {
  createSenderKey,
  deserializeSenderKeyReceiverState,
  deserializeSenderKeyState,
  groupDecrypt,
  groupEncrypt,
  MAX_SENDER_KEY_SKIP,
  MAX_SENDER_KEY_SKIPPED,
  processSenderKeyDistribution,
  readSenderKeyMessageIds,
  rotateSenderKey,
  SENDER_KEY_MESSAGE_OVERHEAD,
  senderKeyDistribution,
  serializeSenderKeyReceiverState,
  serializeSenderKeyState,
  type SenderKeyReceiverState,
  type SenderKeyState,
} from '../src/sender-keys';
import { sendMany, snapshot } from './sender-keys-helpers';
import { expectCryptoError, flipBit, text } from './sessions';

const GROUP = randomBytes(16);

async function readText(state: SenderKeyReceiverState, message: Uint8Array, ad?: Uint8Array) {
  const result = await groupDecrypt(state, message, ad);
  return { state: result.state, text: new TextDecoder().decode(result.plaintext) };
}

describe('Sender Keys: distribution and group messages', () => {
  it('every member who received the distribution reads every message; the sender encrypts once', async () => {
    let sender = await createSenderKey(GROUP);
    const distribution = senderKeyDistribution(sender);
    let members = [0, 1, 2].map(() => processSenderKeyDistribution(distribution));
    const { state, messages } = await sendMany(sender, 3);
    sender = state;
    for (const [i, message] of messages.entries()) {
      expect(message.length).toBe(SENDER_KEY_MESSAGE_OVERHEAD + `g${i}`.length);
      const results = await Promise.all(members.map((member) => readText(member, message)));
      for (const result of results) expect(result.text).toBe(`g${i}`);
      members = results.map((r) => r.state);
    }
    expect(readSenderKeyMessageIds(messages[2] as Uint8Array)).toMatchObject({ chainId: sender.chainId, iteration: 2 });
  });

  it('a member who joins later reads from the distributed iteration on, not before', async () => {
    const first = await sendMany(await createSenderKey(GROUP), 2);
    const late = processSenderKeyDistribution(senderKeyDistribution(first.state));
    await expectCryptoError(groupDecrypt(late, first.messages[0] as Uint8Array), 'duplicate_message');
    const next = await groupEncrypt(first.state, text('now'));
    expect((await readText(late, next.message)).text).toBe('now');
  });

  it('the distribution message never prints its chain key', async () => {
    const sender = await createSenderKey(GROUP);
    const distribution = senderKeyDistribution(sender);
    expect(JSON.stringify({ distribution, sender })).toContain('redacted');
    expect(JSON.stringify({ distribution, sender })).not.toContain(
      Buffer.from(sender.chainKey.exposeBytes()).toString('hex'),
    );
  });
});

describe('Sender Keys failure modes (each leaves the receiver state exactly as it was)', () => {
  let sender: SenderKeyState;
  let receiver: SenderKeyReceiverState;
  let message: Uint8Array;

  beforeEach(async () => {
    sender = await createSenderKey(GROUP);
    receiver = processSenderKeyDistribution(senderKeyDistribution(sender));
    const sent = await groupEncrypt(sender, text('hello group'), text('ad'));
    sender = sent.state;
    message = sent.message;
  });

  it('forged signature: a flipped signature bit, or a member who holds the chain key signing as the sender, is bad_signature', async () => {
    const before = snapshot(receiver);
    await expectCryptoError(
      groupDecrypt(receiver, flipBit(message, message.length * 8 - 5), text('ad')),
      'bad_signature',
    );
    // Mallory, another member, knows the sender's chain key from the distribution, encrypts a
    // valid ciphertext for iteration 1, and signs it with her own key.
    const mallory = await generateEd25519KeyPair();
    const impostor = await groupEncrypt({ ...sender, signing: mallory }, text('I am the sender'), text('ad'));
    await expectCryptoError(groupDecrypt(receiver, impostor.message, text('ad')), 'bad_signature');
    expect(snapshot(receiver)).toEqual(before);
  });

  it('the signature is checked before anything else: a tampered body or header is bad_signature, never a decryption attempt', async () => {
    const before = snapshot(receiver);
    for (const bit of [8 * 5, 8 * 20, 8 * 30, 8 * 60]) {
      await expectCryptoError(groupDecrypt(receiver, flipBit(message, bit), text('ad')), 'bad_signature');
    }
    // A far-ahead iteration with a bad signature derives no keys (no too_many_skipped either).
    const farAhead = message.slice();
    new DataView(farAhead.buffer).setUint32(21, 5_000_000);
    await expectCryptoError(groupDecrypt(receiver, farAhead, text('ad')), 'bad_signature');
    expect(snapshot(receiver)).toEqual(before);
  });

  it('wrong AD is refused (the AD is covered by the signature and the AEAD)', async () => {
    await expectCryptoError(groupDecrypt(receiver, message, text('other')), 'bad_signature');
    await expectCryptoError(groupDecrypt(receiver, message), 'bad_signature');
  });

  it('a validly signed message whose ciphertext does not open is auth_failed, and changes nothing', async () => {
    // Only the sender can produce this: re-sign a tampered ciphertext with the sender's own key.
    const tampered = flipBit(message, 8 * 40).subarray(0, message.length - 64);
    const signatureInput = new Uint8Array([
      ...new TextEncoder().encode('OpenDescent-SenderKey-Signature-v1'),
      0,
      0,
      0,
      2,
      ...text('ad'),
      ...tampered,
    ]);
    const resigned = new Uint8Array([...tampered, ...(await ed25519Sign(sender.signing.privateKey, signatureInput))]);
    const before = snapshot(receiver);
    await expectCryptoError(groupDecrypt(receiver, resigned, text('ad')), 'auth_failed');
    expect(snapshot(receiver)).toEqual(before);
  });

  it('replay: a group message decrypted once is duplicate_message', async () => {
    const { state } = await groupDecrypt(receiver, message, text('ad'));
    const before = snapshot(state);
    await expectCryptoError(groupDecrypt(state, message, text('ad')), 'duplicate_message');
    expect(snapshot(state)).toEqual(before);
  });

  it('truncated frame and unknown version', async () => {
    for (const length of [0, 1, 25, SENDER_KEY_MESSAGE_OVERHEAD - 1]) {
      await expectCryptoError(groupDecrypt(receiver, message.subarray(0, length)), 'bad_length');
    }
    const altered = message.slice();
    altered[0] = 0x02;
    await expectCryptoError(groupDecrypt(receiver, altered), 'unknown_version');
  });
});

describe('Sender Keys window', () => {
  it('out of order within the window: every message decrypts exactly once, duplicates refused (fast-check)', async () => {
    const base = await createSenderKey(GROUP);
    const { messages } = await sendMany(base, 12);
    const receiver = processSenderKeyDistribution(senderKeyDistribution(base));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: messages.length - 1 }), { minLength: 1, maxLength: 30 }),
        async (deliveries) => {
          let state = receiver;
          const done = new Set<number>();
          for (const index of [...deliveries, ...messages.keys()]) {
            if (done.has(index)) {
              await expectCryptoError(groupDecrypt(state, messages[index] as Uint8Array), 'duplicate_message');
              continue;
            }
            const result = await readText(state, messages[index] as Uint8Array);
            expect(result.text).toBe(`g${index}`);
            state = result.state;
            done.add(index);
          }
          expect(done.size).toBe(messages.length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it(`beyond the window: a jump over MAX_SENDER_KEY_SKIP is too_many_skipped and changes nothing; exactly at it is fine`, async () => {
    let sender = await createSenderKey(GROUP);
    const receiver = processSenderKeyDistribution(senderKeyDistribution(sender));
    const skipped = await sendMany(sender, MAX_SENDER_KEY_SKIP);
    sender = skipped.state;
    const atLimit = await groupEncrypt(sender, text('at limit'));
    const overLimit = await groupEncrypt(atLimit.state, text('over'));
    const before = snapshot(receiver);
    await expectCryptoError(groupDecrypt(receiver, overLimit.message), 'too_many_skipped');
    expect(snapshot(receiver)).toEqual(before);
    const ok = await readText(receiver, atLimit.message);
    expect(ok.text).toBe('at limit');
    expect(ok.state.skipped).toHaveLength(MAX_SENDER_KEY_SKIPPED);
    expect((await readText(ok.state, skipped.messages[0] as Uint8Array)).text).toBe('g0');
  });

  it('skipped keys are capped: beyond MAX_SENDER_KEY_SKIPPED the oldest are dropped', async () => {
    let sender = await createSenderKey(GROUP);
    let receiver = processSenderKeyDistribution(senderKeyDistribution(sender));
    const first = await sendMany(sender, 600, 'a');
    sender = first.state;
    const second = await sendMany(sender, 600, 'b');
    receiver = (await groupDecrypt(receiver, first.messages[599] as Uint8Array)).state;
    receiver = (await groupDecrypt(receiver, second.messages[599] as Uint8Array)).state;
    expect(receiver.skipped).toHaveLength(MAX_SENDER_KEY_SKIPPED);
    await expectCryptoError(groupDecrypt(receiver, first.messages[0] as Uint8Array), 'duplicate_message');
    expect((await readText(receiver, first.messages[598] as Uint8Array)).text).toBe('a598');
  });
});

describe('Sender Keys rotation', () => {
  it('a member removed (the sender rotates, redistributing to the others) cannot read later group messages', async () => {
    let sender = await createSenderKey(GROUP);
    const distribution = senderKeyDistribution(sender);
    let staying = processSenderKeyDistribution(distribution);
    let removed = processSenderKeyDistribution(distribution);
    const before = await groupEncrypt(sender, text('before removal'));
    sender = before.state;
    staying = (await groupDecrypt(staying, before.message)).state;
    removed = (await groupDecrypt(removed, before.message)).state;

    sender = await rotateSenderKey(sender);
    staying = processSenderKeyDistribution(senderKeyDistribution(sender)); // sent to remaining members only
    const after = await groupEncrypt(sender, text('after removal'));
    expect((await readText(staying, after.message)).text).toBe('after removal');

    await expectCryptoError(groupDecrypt(removed, after.message), 'bad_signature');
    // Not only the signature check: with the new public signing key and chain id patched in,
    // the removed member's old chain key still opens nothing.
    const patched = { ...removed, signingKey: sender.signing.publicKey, chainId: sender.chainId, iteration: 0 };
    await expectCryptoError(groupDecrypt(patched, after.message), 'auth_failed');
  });

  it('rotation changes the chain id, chain key and signing key; a message for an old chain is unknown_sender_key under the same signing key', async () => {
    const sender = await createSenderKey(GROUP);
    const rotated = await rotateSenderKey(sender);
    expect(rotated.chainId).not.toBe(sender.chainId);
    expect(rotated.signing.publicKey).not.toEqual(sender.signing.publicKey);
    expect(rotated.chainKey.exposeBytes()).not.toEqual(sender.chainKey.exposeBytes());
    // A receiver holding the rotated chain, given a message that is signed by the same key but
    // names another chain id (only a confused sender would do this).
    const receiver = processSenderKeyDistribution(senderKeyDistribution(rotated));
    const confused = await groupEncrypt({ ...rotated, chainId: sender.chainId }, text('x'));
    await expectCryptoError(groupDecrypt(receiver, confused.message), 'unknown_sender_key');
  });
});

describe('Sender Key state records', () => {
  it('round-trip and refuse unknown versions, truncation and the wrong record type', async () => {
    const sender = (await sendMany(await createSenderKey(GROUP), 2)).state;
    const restored = await deserializeSenderKeyState(serializeSenderKeyState(sender));
    expect(serializeSenderKeyState(restored).exposeBytes()).toEqual(serializeSenderKeyState(sender).exposeBytes());
    const receiver = processSenderKeyDistribution(senderKeyDistribution(sender));
    const next = await groupEncrypt(restored, text('after restore'));
    const record = serializeSenderKeyReceiverState(receiver);
    expect((await readText(deserializeSenderKeyReceiverState(record), next.message)).text).toBe('after restore');

    const bytes = record.exposeBytes();
    const altered = bytes.slice();
    altered[0] = 0x09;
    await expectCryptoError(() => deserializeSenderKeyReceiverState(altered), 'unknown_version');
    await expectCryptoError(() => deserializeSenderKeyReceiverState(bytes.subarray(0, bytes.length - 1)), 'bad_length');
    // The sender record (version 1) and the receiver record (version 2) are not each other.
    await expectCryptoError(deserializeSenderKeyState(bytes), 'unknown_version');
    await expectCryptoError(
      () => deserializeSenderKeyReceiverState(serializeSenderKeyState(sender)),
      'malformed_message',
    );
    const distribution = senderKeyDistribution(sender).exposeBytes();
    await expectCryptoError(() => processSenderKeyDistribution(distribution.subarray(0, 50)), 'bad_length');
  });
});
