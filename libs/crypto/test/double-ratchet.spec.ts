/**
 * The Double Ratchet with header encryption (Double Ratchet spec §4), by property and by failure
 * mode. Every failure test also proves the all-or-nothing rule (§3.5, STYLE.md principle 4): the
 * serialized state before and after the failed call are byte-for-byte equal.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  MAX_PAST_RECEIVING_CHAINS,
  MAX_SKIP,
  MAX_SKIPPED_MESSAGE_KEYS,
  ratchetDecrypt,
  ratchetEncrypt,
  type SessionState,
} from '../src/double-ratchet';
import { ENCRYPTED_HEADER_LENGTH, RATCHET_MESSAGE_OVERHEAD } from '../src/ratchet-message';
import { deserializeSession, serializeSession } from '../src/ratchet-state-codec';
import { randomBytes } from '../src/random';
import { expectCryptoError, flipBit, sessionPair, snapshot, text } from './sessions';

type Party = 'alice' | 'bob';
const other = (party: Party): Party => (party === 'alice' ? 'bob' : 'alice');

/** Sends `count` messages from `state`, returning the new state and the messages in order. */
function sendMany(state: SessionState, count: number, label = 'm'): { state: SessionState; messages: Uint8Array[] } {
  const messages: Uint8Array[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const result = ratchetEncrypt(current, text(`${label}${i}`));
    current = result.state;
    messages.push(result.message);
  }
  return { state: current, messages };
}

async function decryptText(
  state: SessionState,
  message: Uint8Array,
  ad?: Uint8Array,
): Promise<{ state: SessionState; text: string }> {
  const result = await ratchetDecrypt(state, message, ad);
  return { state: result.state, text: new TextDecoder().decode(result.plaintext) };
}

/**
 * A session in which both sides have sent and received (a1, b1, a2), so every code path is live
 * and Bob's receiving chain is the one Alice sends on.
 */
async function establishedPair(): Promise<{ alice: SessionState; bob: SessionState }> {
  let { alice, bob } = await sessionPair();
  const a1 = ratchetEncrypt(alice, text('hello'));
  alice = a1.state;
  bob = (await ratchetDecrypt(bob, a1.message)).state;
  const b1 = ratchetEncrypt(bob, text('hi'));
  bob = b1.state;
  alice = (await ratchetDecrypt(alice, b1.message)).state;
  const a2 = ratchetEncrypt(alice, text('how are you'));
  alice = a2.state;
  bob = (await ratchetDecrypt(bob, a2.message)).state;
  return { alice, bob };
}

describe('Double Ratchet §4: exactly-once delivery under reordering, duplication and loss', () => {
  type Operation =
    | { readonly kind: 'send'; readonly from: Party }
    | { readonly kind: 'deliver'; readonly pick: number; readonly keepForDuplicate: boolean }
    | { readonly kind: 'drop'; readonly pick: number }
    | { readonly kind: 'persist'; readonly who: Party };

  const party = fc.constantFrom<Party>('alice', 'bob');
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), from: party }) },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), keepForDuplicate: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('persist' as const), who: party }) },
  );
  /**
   * At most 30 messages per run: every gap stays far below MAX_SKIP and no message can be delayed
   * across more than MAX_PAST_RECEIVING_CHAINS newer chains (that needs 2 x 16 + 1 messages), the
   * two bounds this property is stated within.
   */
  const MAX_MESSAGES = 30;

  it('every message decrypts exactly once, to its content; duplicates are refused with duplicate_message and change nothing (fast-check)', async () => {
    expect(2 * MAX_PAST_RECEIVING_CHAINS + 1).toBeGreaterThan(MAX_MESSAGES);
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 80 }), async (operations) => {
        const pair = await sessionPair();
        const states: Record<Party, SessionState> = { alice: pair.alice, bob: pair.bob };
        interface InFlight {
          readonly id: number;
          readonly from: Party;
          readonly bytes: Uint8Array;
          readonly content: string;
        }
        const sent: InFlight[] = [];
        const pool: InFlight[] = [];
        const dropped = new Set<number>();
        const decryptions = new Map<number, number>();

        const deliver = async (message: InFlight): Promise<void> => {
          const to = other(message.from);
          if (decryptions.has(message.id)) {
            const before = snapshot(states[to]);
            await expectCryptoError(ratchetDecrypt(states[to], message.bytes), 'duplicate_message');
            expect(snapshot(states[to])).toEqual(before);
            return;
          }
          const result = await decryptText(states[to], message.bytes);
          expect(result.text).toBe(message.content);
          states[to] = result.state;
          decryptions.set(message.id, 1);
        };

        for (const op of operations) {
          if (op.kind === 'send') {
            // Double Ratchet §4.4: the responder sends only once its first message arrived.
            if (sent.length >= MAX_MESSAGES || states[op.from].sendingChain === null) continue;
            const content = `${op.from}#${sent.length}:${Math.random()}`;
            const { state, message } = ratchetEncrypt(states[op.from], text(content));
            states[op.from] = state;
            const inFlight = { id: sent.length, from: op.from, bytes: message, content };
            sent.push(inFlight);
            pool.push(inFlight);
          } else if (op.kind === 'deliver' && pool.length > 0) {
            const index = op.pick % pool.length;
            const message = pool[index] as InFlight;
            if (!op.keepForDuplicate) pool.splice(index, 1);
            await deliver(message);
          } else if (op.kind === 'drop' && pool.length > 0) {
            const [message] = pool.splice(op.pick % pool.length, 1);
            if (message !== undefined && !decryptions.has(message.id)) dropped.add(message.id);
          } else if (op.kind === 'persist') {
            states[op.who] = await deserializeSession(serializeSession(states[op.who]));
          }
        }
        // The network finally delivers whatever is still in flight (duplicates included).
        for (const message of pool) await deliver(message);
        for (const message of sent) {
          expect(decryptions.get(message.id) ?? 0).toBe(dropped.has(message.id) ? 0 : 1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a late message from several round trips ago still decrypts (past receiving chains)', async () => {
    let { alice, bob } = await establishedPair();
    const late = ratchetEncrypt(alice, text('late'));
    alice = late.state;
    for (let round = 0; round < 5; round++) {
      const a = ratchetEncrypt(alice, text(`a${round}`));
      alice = a.state;
      bob = (await ratchetDecrypt(bob, a.message)).state;
      const b = ratchetEncrypt(bob, text(`b${round}`));
      bob = b.state;
      alice = (await ratchetDecrypt(alice, b.message)).state;
    }
    const result = await decryptText(bob, late.message);
    expect(result.text).toBe('late');
    await expectCryptoError(ratchetDecrypt(result.state, late.message), 'duplicate_message');
  });
});

describe('Double Ratchet §3.2 MAX_SKIP: chain_jump_over_limit', () => {
  it(`a message that skips MAX_SKIP + 1 keys fails with too_many_skipped and leaves the state unchanged; MAX_SKIP keys is fine`, async () => {
    const { alice, bob } = await sessionPair();
    const { messages } = sendMany(alice, MAX_SKIP + 2);
    const before = snapshot(bob);
    await expectCryptoError(ratchetDecrypt(bob, messages[MAX_SKIP + 1] as Uint8Array), 'too_many_skipped');
    expect(snapshot(bob)).toEqual(before);
    // Exactly at the limit: message MAX_SKIP skips keys 0 .. MAX_SKIP - 1.
    const atLimit = await decryptText(bob, messages[MAX_SKIP] as Uint8Array);
    expect(atLimit.text).toBe(`m${MAX_SKIP}`);
    const last = await decryptText(atLimit.state, messages[MAX_SKIP + 1] as Uint8Array);
    expect(last.text).toBe(`m${MAX_SKIP + 1}`);
    const first = await decryptText(last.state, messages[0] as Uint8Array);
    expect(first.text).toBe('m0');
  });

  it('a jump over MAX_SKIP hidden in PN (the previous chain, §4.6 SkipMessageKeysHE(state, header.pn)) is refused too', async () => {
    let { alice, bob } = await establishedPair();
    // Alice sends MAX_SKIP + 1 messages on the chain Bob is receiving, all lost; then she gets a
    // message on a new chain of Bob's and ratchets, so her next header carries PN = MAX_SKIP + 2
    // while Bob is at index 1 of that chain.
    const lost = sendMany(alice, MAX_SKIP + 1);
    alice = lost.state;
    const b = ratchetEncrypt(bob, text('b'));
    bob = b.state;
    alice = (await ratchetDecrypt(alice, b.message)).state;
    expect(alice.previousSendingChainLength).toBe(MAX_SKIP + 2);
    const next = ratchetEncrypt(alice, text('after the gap'));
    const before = snapshot(bob);
    await expectCryptoError(ratchetDecrypt(bob, next.message), 'too_many_skipped');
    expect(snapshot(bob)).toEqual(before);
    // One lost message fewer would have been accepted: deliver the first lost one, then retry.
    bob = (await ratchetDecrypt(bob, lost.messages[0] as Uint8Array)).state;
    expect((await decryptText(bob, next.message)).text).toBe('after the gap');
  });

  it(`skipped keys are capped at MAX_SKIPPED_MESSAGE_KEYS across chains, the oldest dropped first (§6.4)`, async () => {
    let { alice, bob } = await establishedPair();
    const oldest: Uint8Array[] = [];
    // Three chains, each with MAX_SKIP - 1 skipped keys: 3 x 999 > 2,000.
    for (let round = 0; round < 3; round++) {
      const batch = sendMany(alice, MAX_SKIP, `r${round}-`);
      alice = batch.state;
      if (round === 0) oldest.push(...batch.messages);
      bob = (await ratchetDecrypt(bob, batch.messages[MAX_SKIP - 1] as Uint8Array)).state;
      const reply = ratchetEncrypt(bob, text('reply'));
      bob = reply.state;
      alice = (await ratchetDecrypt(alice, reply.message)).state;
    }
    const held =
      (bob.receivingChain?.skipped.length ?? 0) +
      bob.pastReceivingChains.reduce((sum, chain) => sum + chain.skipped.length, 0);
    expect(held).toBe(MAX_SKIPPED_MESSAGE_KEYS);
    // The first chain lost its oldest keys (3 x 999 - 2,000 = 997 dropped).
    await expectCryptoError(ratchetDecrypt(bob, oldest[0] as Uint8Array), 'duplicate_message');
    expect((await decryptText(bob, oldest[MAX_SKIP - 2] as Uint8Array)).text).toBe(`r0-${MAX_SKIP - 2}`);
  }, 30_000);
});

describe('Double Ratchet §2 security properties', () => {
  it('forward secrecy: a state captured after messages are read cannot decrypt them', async () => {
    let { alice, bob } = await establishedPair();
    const sentByAlice = sendMany(alice, 3, 'secret');
    alice = sentByAlice.state;
    for (const message of sentByAlice.messages) bob = (await ratchetDecrypt(bob, message)).state;
    // And one full round trip more, so the chain they were on is a past chain.
    const b = ratchetEncrypt(bob, text('ack'));
    bob = b.state;
    alice = (await ratchetDecrypt(alice, b.message)).state;
    const a = ratchetEncrypt(alice, text('next'));
    bob = (await ratchetDecrypt(bob, a.message)).state;

    const stolen = await deserializeSession(serializeSession(bob));
    for (const message of sentByAlice.messages) {
      await expectCryptoError(ratchetDecrypt(stolen, message), 'duplicate_message');
    }
  });

  it('post-compromise security: a state stolen before a full DH round trip cannot decrypt messages after it', async () => {
    let { alice, bob } = await establishedPair();
    const stolenAlice = await deserializeSession(serializeSession(alice));

    // Round trip: Bob -> Alice (Alice makes a new ratchet key), Alice -> Bob (Bob makes a new one).
    const b1 = ratchetEncrypt(bob, text('b1'));
    bob = b1.state;
    alice = (await ratchetDecrypt(alice, b1.message)).state;
    const a1 = ratchetEncrypt(alice, text('a1'));
    alice = a1.state;
    bob = (await ratchetDecrypt(bob, a1.message)).state;
    const b2 = ratchetEncrypt(bob, text('b2'));
    bob = b2.state;
    expect((await decryptText(alice, b2.message)).text).toBe('b2');

    // Not vacuous: before the round trip completes, the thief does read (b1 used Alice's old key).
    const thief = await decryptText(stolenAlice, b1.message);
    expect(thief.text).toBe('b1');
    // After it, neither the stolen state nor the thief's own advanced copy opens b2.
    await expectCryptoError(ratchetDecrypt(stolenAlice, b2.message), 'auth_failed');
    await expectCryptoError(ratchetDecrypt(thief.state, b2.message), 'auth_failed');
  });

  it('header encryption: the ratchet key and counters never appear in the clear; the length is the overhead plus the plaintext', async () => {
    const { alice } = await establishedPair();
    const plaintext = new Uint8Array(100);
    const first = ratchetEncrypt(alice, plaintext);
    const second = ratchetEncrypt(first.state, plaintext);
    const publicKey = Buffer.from(alice.ourRatchetKey.publicKey);
    for (const { message } of [first, second]) {
      expect(message[0]).toBe(0x01);
      expect(message.length).toBe(RATCHET_MESSAGE_OVERHEAD + plaintext.length);
      expect(Buffer.from(message).indexOf(publicKey)).toBe(-1);
    }
    // Same key, same plaintext, consecutive counters: no byte position after the version agrees
    // more often than chance (1/256 per byte) would allow.
    let equal = 0;
    for (let i = 1; i < first.message.length; i++) if (first.message[i] === second.message[i]) equal++;
    expect(equal).toBeLessThan(10);
  });
});

describe('Double Ratchet failure modes (each leaves the state exactly as it was)', () => {
  async function oneMessage(ad?: Uint8Array): Promise<{ bob: SessionState; message: Uint8Array }[]> {
    // Two cases: a message on Bob's current receiving chain, and one that makes him take a DH
    // ratchet step (its header opens only under his next header key).
    const { alice, bob } = await establishedPair();
    const onChain = ratchetEncrypt(alice, text('on chain'), ad);
    const b = ratchetEncrypt(bob, text('new chain please'));
    const aliceRatcheted = (await ratchetDecrypt(onChain.state, b.message)).state;
    const newChain = ratchetEncrypt(aliceRatcheted, text('new chain'), ad);
    return [
      { bob, message: onChain.message },
      { bob: b.state, message: newChain.message },
    ];
  }

  it('tampered header: every bit flipped in the encrypted header gives auth_failed', async () => {
    for (const { bob, message } of await oneMessage()) {
      const before = snapshot(bob);
      for (let bit = 8; bit < (1 + ENCRYPTED_HEADER_LENGTH) * 8; bit += 37) {
        await expectCryptoError(ratchetDecrypt(bob, flipBit(message, bit)), 'auth_failed');
      }
      expect(snapshot(bob)).toEqual(before);
      await expect(ratchetDecrypt(bob, message)).resolves.toBeDefined();
    }
  });

  it('tampered body: a flipped ciphertext bit gives auth_failed, even after the header asked for a DH ratchet step', async () => {
    for (const { bob, message } of await oneMessage()) {
      const before = snapshot(bob);
      for (const bit of [
        (1 + ENCRYPTED_HEADER_LENGTH) * 8,
        (1 + ENCRYPTED_HEADER_LENGTH + 30) * 8 + 3,
        message.length * 8 - 1,
      ]) {
        await expectCryptoError(ratchetDecrypt(bob, flipBit(message, bit)), 'auth_failed');
      }
      expect(snapshot(bob)).toEqual(before);
      expect(new TextDecoder().decode((await ratchetDecrypt(bob, message)).plaintext)).toMatch(/chain/);
    }
  });

  it('wrong AD: the associated data given to decrypt must be the one given to encrypt', async () => {
    const ad = text('envelope routing fields');
    for (const { bob, message } of await oneMessage(ad)) {
      const before = snapshot(bob);
      await expectCryptoError(ratchetDecrypt(bob, message), 'auth_failed');
      await expectCryptoError(ratchetDecrypt(bob, message, text('other routing fields')), 'auth_failed');
      expect(snapshot(bob)).toEqual(before);
      await expect(ratchetDecrypt(bob, message, ad)).resolves.toBeDefined();
    }
  });

  it('wrong session AD: a message from another session with the same keys but other identities fails', async () => {
    const { alice, bob } = await sessionPair(randomBytes(129));
    const other = { ...bob, associatedData: randomBytes(129) };
    const { message } = ratchetEncrypt(alice, text('x'));
    await expectCryptoError(ratchetDecrypt(other, message), 'auth_failed');
  });

  it('truncated frame: bad_length below the minimum size, auth_failed above it', async () => {
    for (const { bob, message } of await oneMessage()) {
      const before = snapshot(bob);
      for (const length of [0, 1, 2, 40, ENCRYPTED_HEADER_LENGTH, RATCHET_MESSAGE_OVERHEAD - 1]) {
        await expectCryptoError(ratchetDecrypt(bob, message.subarray(0, length)), 'bad_length');
      }
      for (const length of [RATCHET_MESSAGE_OVERHEAD, message.length - 1]) {
        await expectCryptoError(ratchetDecrypt(bob, message.subarray(0, length)), 'auth_failed');
      }
      expect(snapshot(bob)).toEqual(before);
    }
  });

  it('unknown version: a newer first byte gives unknown_version, 0x00 version_too_old, before anything else', async () => {
    const [{ bob, message }] = (await oneMessage()) as [{ bob: SessionState; message: Uint8Array }];
    const before = snapshot(bob);
    for (const version of [0x00, 0x02, 0x7f, 0xff]) {
      const altered = message.slice();
      altered[0] = version;
      await expectCryptoError(ratchetDecrypt(bob, altered), version === 0 ? 'version_too_old' : 'unknown_version');
    }
    expect(snapshot(bob)).toEqual(before);
  });

  it('replay: a message decrypted once is refused with duplicate_message, on the current and on a past chain', async () => {
    let { alice, bob } = await establishedPair();
    const a = ratchetEncrypt(alice, text('once'));
    alice = a.state;
    bob = (await ratchetDecrypt(bob, a.message)).state;
    await expectCryptoError(ratchetDecrypt(bob, a.message), 'duplicate_message');
    // Move Bob to a new receiving chain; the replay now meets a past chain.
    const b = ratchetEncrypt(bob, text('b'));
    bob = b.state;
    alice = (await ratchetDecrypt(alice, b.message)).state;
    bob = (await ratchetDecrypt(bob, ratchetEncrypt(alice, text('new')).message)).state;
    const before = snapshot(bob);
    await expectCryptoError(ratchetDecrypt(bob, a.message), 'duplicate_message');
    expect(snapshot(bob)).toEqual(before);
  });

  it('a message for another session gives auth_failed (no header key opens it)', async () => {
    const one = await sessionPair();
    const two = await sessionPair();
    const { message } = ratchetEncrypt(one.alice, text('x'));
    await expectCryptoError(ratchetDecrypt(two.bob, message), 'auth_failed');
  });

  it('the responder cannot send before its first message arrives (session_not_ready, §4.4)', async () => {
    const { bob } = await sessionPair();
    await expectCryptoError(() => ratchetEncrypt(bob, text('too early')), 'session_not_ready');
  });

  it('encrypt and decrypt never modify the state they are given', async () => {
    const { alice, bob } = await establishedPair();
    const aliceBefore = snapshot(alice);
    const bobBefore = snapshot(bob);
    const { message } = ratchetEncrypt(alice, text('x'));
    await ratchetDecrypt(bob, message);
    expect(snapshot(alice)).toEqual(aliceBefore);
    expect(snapshot(bob)).toEqual(bobBefore);
  });
});

describe('Double Ratchet session state record', () => {
  it('round-trips: a restored session continues exactly where it was, both ways', async () => {
    let { alice, bob } = await establishedPair();
    const pending = sendMany(alice, 3);
    alice = pending.state;
    bob = (await ratchetDecrypt(bob, pending.messages[2] as Uint8Array)).state; // two keys skipped
    const restoredBob = await deserializeSession(serializeSession(bob));
    expect(snapshot(restoredBob)).toEqual(snapshot(bob));
    expect((await decryptText(restoredBob, pending.messages[0] as Uint8Array)).text).toBe('m0');
    const restoredAlice = await deserializeSession(serializeSession(alice));
    const reply = ratchetEncrypt(restoredBob, text('reply'));
    expect((await decryptText(restoredAlice, reply.message)).text).toBe('reply');
  });

  it('starts with its version; an unknown version, a truncation or trailing bytes are refused', async () => {
    const { alice } = await establishedPair();
    const record = serializeSession(alice).exposeBytes();
    expect(record[0]).toBe(0x01);
    for (const version of [0x00, 0x02, 0xff]) {
      const altered = record.slice();
      altered[0] = version;
      await expectCryptoError(deserializeSession(altered), version === 0 ? 'version_too_old' : 'unknown_version');
    }
    await expectCryptoError(deserializeSession(new Uint8Array(0)), 'bad_length');
    await expectCryptoError(deserializeSession(record.subarray(0, record.length - 1)), 'bad_length');
    const trailing = new Uint8Array(record.length + 1);
    trailing.set(record);
    await expectCryptoError(deserializeSession(trailing), 'bad_length');
  });

  it('never throws anything but a CryptoError on random or mutated records (fast-check)', async () => {
    const { alice } = await establishedPair();
    const record = serializeSession(alice).exposeBytes();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([position, value]) => {
            const mutated = record.slice();
            mutated[position % mutated.length] = value;
            return mutated;
          }),
        ),
        async (bytes) => {
          try {
            await deserializeSession(bytes);
          } catch (error) {
            expect(error).toMatchObject({ name: 'CryptoError' });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keys never print: JSON and inspect show redacted placeholders, never key bytes', async () => {
    const { alice } = await establishedPair();
    const rootKeyHex = Buffer.from(alice.rootKey.exposeBytes()).toString('hex');
    const rootKeyJson = JSON.stringify(Array.from(alice.rootKey.exposeBytes()));
    for (const printed of [JSON.stringify(alice), inspect(alice, { depth: 10 }), String(serializeSession(alice))]) {
      expect(printed).not.toContain(rootKeyHex);
      expect(printed.replace(/\s/g, '')).not.toContain(rootKeyJson.slice(1, -1));
    }
    expect(JSON.stringify(alice)).toContain('redacted');
  });
});
