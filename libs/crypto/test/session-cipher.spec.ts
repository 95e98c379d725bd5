/**
 * SessionCipher: which session sends, trial decryption across sessions, a received initiation
 * joining them (simultaneous initiation included), and the failure modes by name: replayed,
 * forged, unknown session, the session limit.
 */
import { bytesToHex } from '@noble/curves/utils.js';
import { generateDeviceIdentity, publicDeviceIdentity, type DeviceIdentity } from '../src/identity';
import { claimPrekeyBundle, publishedPrekeys } from '../src/prekey-bundle';
import { createPrekeyState, type PrekeyState, type PublishedPrekeys } from '../src/prekeys';
import { SessionCipher, MAX_SESSIONS_PER_PEER, type PrekeyStore, type StoredSession } from '../src/session-cipher';
import type { HandshakeInitiation } from '../src/handshake';
import { expectCryptoError, flipBit, text } from './sessions';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

interface Side {
  readonly identity: DeviceIdentity;
  prekeys: PrekeyState;
  directory: PublishedPrekeys;
  /** This side's sessions with the other side. */
  sessions: readonly StoredSession[];
  readonly cipher: SessionCipher;
  readonly prekeyStore: PrekeyStore;
}

async function side(): Promise<Side> {
  const identity = await generateDeviceIdentity();
  const prekeys = await createPrekeyState(identity, { now: NOW, count: 4, kemCount: 4 });
  const s = {
    identity,
    prekeys,
    directory: publishedPrekeys(prekeys, NOW),
    sessions: [] as readonly StoredSession[],
  } as Side;
  (s as { cipher: SessionCipher }).cipher = new SessionCipher({
    load: () => s.sessions,
    save: (sessions) => (s.sessions = sessions),
  });
  (s as { prekeyStore: PrekeyStore }).prekeyStore = {
    load: async () => s.prekeys,
    save: (state) => (s.prekeys = state),
  };
  return s;
}

const describe_ = (initiation: HandshakeInitiation) => ({
  id: bytesToHex(initiation.ephemeralKey),
  encoded: initiation.ephemeralKey.slice(),
});
const initiations = new Map<string, HandshakeInitiation>();

async function initiate(from: Side, to: Side): Promise<HandshakeInitiation> {
  const { bundle, remaining } = claimPrekeyBundle(to.directory);
  to.directory = remaining;
  const initiation = await from.cipher.initiate(
    { identity: from.identity, responder: publicDeviceIdentity(to.identity), bundle, now: NOW },
    describe_,
  );
  initiations.set(bytesToHex(initiation.ephemeralKey), initiation);
  return initiation;
}

/** What the receiving app does with a message that carries an initiation. */
async function receive(to: Side, sent: { message: Uint8Array; initiation?: Uint8Array }): Promise<string> {
  if (sent.initiation) {
    const initiation = initiations.get(bytesToHex(sent.initiation)) as HandshakeInitiation;
    await to.cipher.accept({
      identity: to.identity,
      prekeys: to.prekeyStore,
      initiation,
      id: bytesToHex(initiation.ephemeralKey),
      now: NOW,
    });
  }
  return new TextDecoder().decode(await to.cipher.decrypt(sent.message));
}

test('the initiation travels with every message until the peer answers; then both send on the one session', async () => {
  const alice = await side();
  const bob = await side();
  await initiate(alice, bob);
  const first = await alice.cipher.encrypt(text('one'));
  const second = await alice.cipher.encrypt(text('two'));
  expect(first.initiation).toBeDefined();
  expect(second.initiation).toBeDefined();
  expect(await receive(bob, first)).toBe('one');
  expect(await receive(bob, second)).toBe('two');
  expect(bob.sessions).toHaveLength(1);
  expect(await receive(alice, await bob.cipher.encrypt(text('back')))).toBe('back');
  const third = await alice.cipher.encrypt(text('three'));
  expect(third.initiation).toBeUndefined();
  expect(alice.sessions[0]?.confirmed).toBe(true);
  expect(await receive(bob, third)).toBe('three');
});

test('replayed: a message opened once is refused the second time, and the sessions stay as they were', async () => {
  const alice = await side();
  const bob = await side();
  await initiate(alice, bob);
  const sent = await alice.cipher.encrypt(text('once'));
  await receive(bob, sent);
  const before = bob.sessions;
  await expectCryptoError(bob.cipher.decrypt(sent.message), 'auth_failed');
  expect(bob.sessions).toBe(before);
});

test('forged: a flipped bit opens on no session and changes nothing', async () => {
  const alice = await side();
  const bob = await side();
  await initiate(alice, bob);
  await receive(bob, await alice.cipher.encrypt(text('hello')));
  const sent = await alice.cipher.encrypt(text('again'));
  const before = bob.sessions;
  await expectCryptoError(bob.cipher.decrypt(flipBit(sent.message, sent.message.length * 8 - 3)), 'auth_failed');
  expect(bob.sessions).toBe(before);
  expect(await receive(bob, sent)).toBe('again');
});

test('no session: encrypting without one fails as session_not_ready, decrypting as auth_failed', async () => {
  const alice = await side();
  await expectCryptoError(alice.cipher.encrypt(text('x')), 'session_not_ready');
  await expectCryptoError(alice.cipher.decrypt(new Uint8Array(200)), 'auth_failed');
});

test('simultaneous initiation: both sides keep both sessions, and every later message opens on either side', async () => {
  const alice = await side();
  const bob = await side();
  await initiate(alice, bob);
  await initiate(bob, alice);
  const fromAlice = await alice.cipher.encrypt(text('from alice'));
  const fromBob = await bob.cipher.encrypt(text('from bob'));
  expect(await receive(bob, fromAlice)).toBe('from alice');
  expect(await receive(alice, fromBob)).toBe('from bob');
  expect(alice.sessions).toHaveLength(2);
  expect(bob.sessions).toHaveLength(2);
  for (let round = 2; round < 5; round++) {
    expect(await receive(bob, await alice.cipher.encrypt(text(`a${round}`)))).toBe(`a${round}`);
    expect(await receive(alice, await bob.cipher.encrypt(text(`b${round}`)))).toBe(`b${round}`);
  }
  expect(alice.sessions.every((s) => s.confirmed)).toBe(true);
  expect(bob.sessions.every((s) => s.confirmed)).toBe(true);
});

test('an initiation seen before adds no session (a duplicate delivery does not consume prekeys again)', async () => {
  const alice = await side();
  const bob = await side();
  const initiation = await initiate(alice, bob);
  await receive(bob, await alice.cipher.encrypt(text('one')));
  const prekeys = bob.prekeys;
  const added = await bob.cipher.accept({
    identity: bob.identity,
    prekeys: bob.prekeyStore,
    initiation,
    id: bytesToHex(initiation.ephemeralKey),
    now: NOW,
  });
  expect(added).toBe(false);
  expect(bob.prekeys).toBe(prekeys);
});

test(`at most ${MAX_SESSIONS_PER_PEER} sessions are kept per peer; the oldest goes`, async () => {
  const alice = await side();
  const bob = await side();
  const ids: string[] = [];
  for (let i = 0; i < MAX_SESSIONS_PER_PEER + 1; i++) ids.push(bytesToHex((await initiate(alice, bob)).ephemeralKey));
  expect(alice.sessions.map((s) => s.id)).toEqual(ids.reverse().slice(0, MAX_SESSIONS_PER_PEER));
});
