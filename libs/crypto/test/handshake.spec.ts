/**
 * The hybrid handshake (PQXDH §3.3 sending, §3.4 receiving) end to end with the Double Ratchet,
 * and its failure modes by name.
 */
import { bytesToHex } from '@noble/curves/utils.js';
import {
  ratchetDecrypt,
  ratchetEncrypt,
  startInitiatorSession,
  startResponderSession,
  type SessionState,
} from '../src/double-ratchet';
import {
  handshakeAssociatedData,
  HANDSHAKE_VERSION,
  initiateHandshake,
  ourInitiationWins,
  respondToHandshake,
  type HandshakeInitiation,
} from '../src/handshake';
import { generateDeviceIdentity, publicDeviceIdentity, type DeviceIdentity } from '../src/identity';
import { MLKEM768_CIPHERTEXT_LENGTH } from '../src/mlkem';
import { claimPrekeyBundle, publishedPrekeys } from '../src/prekey-bundle';
import {
  createPrekeyState,
  expirePrekeys,
  rotateSignedPrekeys,
  DEFAULT_PREKEY_POLICY,
  type PrekeyBundle,
  type PrekeyState,
  type PublishedPrekeys,
} from '../src/prekeys';
import { describeEachCurveBackend } from './backends';
import { expectCryptoError, text } from './sessions';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

interface Device {
  readonly identity: DeviceIdentity;
  prekeys: PrekeyState;
  directory: PublishedPrekeys;
}

async function device(options: { count?: number; kemCount?: number } = {}): Promise<Device> {
  const identity = await generateDeviceIdentity();
  const prekeys = await createPrekeyState(identity, {
    now: NOW,
    count: options.count ?? 3,
    kemCount: options.kemCount ?? 1,
  });
  return { identity, prekeys, directory: publishedPrekeys(prekeys, NOW) };
}

/** What a directory does: hand out one bundle, never the same one-time prekeys twice. */
function fetchBundle(from: Device): PrekeyBundle {
  const { bundle, remaining } = claimPrekeyBundle(from.directory);
  from.directory = remaining;
  return bundle;
}

/** Initiator side: handshake, session, first message. */
async function initiate(from: Device, to: Device, now = NOW, bundle = fetchBundle(to)) {
  const handshake = await initiateHandshake({
    identity: from.identity,
    responder: publicDeviceIdentity(to.identity),
    bundle,
    now,
  });
  const session = await startInitiatorSession(handshake);
  const first = ratchetEncrypt(session, text(`first from ${bytesToHex(from.identity.signing.publicKey).slice(0, 8)}`));
  return { handshake, initiation: handshake.initiation, session: first.state, firstMessage: first.message };
}

/**
 * Responder side: handshake, session, first message; the new prekey state is kept only when the
 * first message decrypts (PQXDH §3.4).
 */
async function respond(to: Device, initiation: HandshakeInitiation, firstMessage: Uint8Array, now = NOW) {
  const handshake = await respondToHandshake({ identity: to.identity, prekeys: to.prekeys, initiation, now });
  const session = startResponderSession(handshake);
  const { state, plaintext } = await ratchetDecrypt(session, firstMessage);
  to.prekeys = handshake.prekeys;
  return { handshake, session: state, plaintext };
}

describeEachCurveBackend('PQXDH-style handshake', () => {
  it('both sides derive the same SK and AD, with a one-time X25519 and a one-time ML-KEM prekey (DH1..DH4 + SS)', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    expect(a.initiation.oneTimePrekeyId).not.toBeNull();
    expect(a.initiation.kemPrekeyId).toBe(bob.prekeys.oneTimeKemPrekeys[0]?.id);
    const b = await respond(bob, a.initiation, a.firstMessage);
    expect(b.handshake.sharedSecret.exposeBytes()).toEqual(a.handshake.sharedSecret.exposeBytes());
    expect(b.handshake.associatedData).toEqual(a.handshake.associatedData);
    expect(new TextDecoder().decode(b.plaintext)).toMatch(/^first from/);
    // The one-time prekeys are gone from the responder's state.
    expect(bob.prekeys.oneTimePrekeys.map((r) => r.id)).not.toContain(a.initiation.oneTimePrekeyId);
    expect(bob.prekeys.oneTimeKemPrekeys).toHaveLength(0);
  });

  it('works without a one-time prekey, with the last-resort ML-KEM prekey (DH1..DH3 + SS)', async () => {
    const alice = await device();
    const bob = await device({ count: 0, kemCount: 0 });
    const a = await initiate(alice, bob);
    expect(a.initiation.oneTimePrekeyId).toBeNull();
    expect(a.initiation.kemPrekeyId).toBe(bob.prekeys.lastResortKemPrekeys[0]?.id);
    const b = await respond(bob, a.initiation, a.firstMessage);
    expect(b.handshake.sharedSecret.exposeBytes()).toEqual(a.handshake.sharedSecret.exposeBytes());
  });
});

describe('handshake outputs', () => {
  it('AD is version || IKsig_A || IKdh_A || IKsig_B || IKdh_B (129 bytes), identities of both devices', async () => {
    const alice = await device();
    const bob = await device();
    const { handshake } = await initiate(alice, bob);
    const ad = handshake.associatedData;
    expect(ad).toHaveLength(129);
    expect(ad[0]).toBe(HANDSHAKE_VERSION);
    expect(ad.subarray(1, 33)).toEqual(alice.identity.signing.publicKey);
    expect(ad.subarray(33, 65)).toEqual(alice.identity.agreement.publicKey);
    expect(ad.subarray(65, 97)).toEqual(bob.identity.signing.publicKey);
    expect(ad.subarray(97, 129)).toEqual(bob.identity.agreement.publicKey);
    expect(handshakeAssociatedData(publicDeviceIdentity(alice.identity), publicDeviceIdentity(bob.identity))).toEqual(
      ad,
    );
  });

  it('a full conversation runs on the handshake secret, both ways', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    const b = await respond(bob, a.initiation, a.firstMessage);
    let aliceSession: SessionState = a.session;
    let bobSession: SessionState = b.session;
    for (let i = 0; i < 3; i++) {
      const reply = ratchetEncrypt(bobSession, text(`b${i}`));
      bobSession = reply.state;
      const received = await ratchetDecrypt(aliceSession, reply.message);
      aliceSession = received.state;
      expect(new TextDecoder().decode(received.plaintext)).toBe(`b${i}`);
      const next = ratchetEncrypt(aliceSession, text(`a${i}`));
      aliceSession = next.state;
      const got = await ratchetDecrypt(bobSession, next.message);
      bobSession = got.state;
      expect(new TextDecoder().decode(got.plaintext)).toBe(`a${i}`);
    }
  });
});

describe('handshake failure modes', () => {
  it('forged bundle signature: the initiator refuses with bad_signature before computing anything', async () => {
    const alice = await device();
    const bob = await device();
    const mallory = await device();
    const honest = fetchBundle(bob);
    // Mallory's signed prekey, with Bob's id and times and Mallory's signature.
    const forged = {
      ...honest,
      signedPrekey: { ...honest.signedPrekey, publicKey: mallory.directory.signedPrekey.publicKey },
    };
    await expectCryptoError(initiate(alice, bob, NOW, forged), 'bad_signature');
    // A bundle that is entirely Mallory's, presented for Bob.
    await expectCryptoError(initiate(alice, bob, NOW, fetchBundle(mallory)), 'bad_signature');
  });

  it('expired signed prekey: refused by the initiator with expired_prekey', async () => {
    const alice = await device();
    const bob = await device();
    const bundle = fetchBundle(bob);
    await expectCryptoError(initiate(alice, bob, bundle.signedPrekey.expiresAt, bundle), 'expired_prekey');
  });

  it('expired prekey on the responder side: past its deletion time it is expired_prekey, once deleted unknown_prekey', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    const late = NOW + DEFAULT_PREKEY_POLICY.signedPrekeyLifetimeMs + DEFAULT_PREKEY_POLICY.gracePeriodMs;
    await expectCryptoError(
      respondToHandshake({ identity: bob.identity, prekeys: bob.prekeys, initiation: a.initiation, now: late }),
      'expired_prekey',
    );
    const expired = expirePrekeys(bob.prekeys, late);
    await expectCryptoError(
      respondToHandshake({ identity: bob.identity, prekeys: expired, initiation: a.initiation, now: late }),
      'unknown_prekey',
    );
  });

  it('a bundle fetched before a rotation still works during the grace period', async () => {
    const alice = await device();
    const bob = await device();
    const bundle = fetchBundle(bob);
    const later = NOW + 3 * DAY;
    bob.prekeys = await rotateSignedPrekeys(bob.prekeys, bob.identity, { now: later });
    const a = await initiate(alice, bob, later, bundle);
    const b = await respond(bob, a.initiation, a.firstMessage, later + DAY);
    expect(b.handshake.sharedSecret.exposeBytes()).toEqual(a.handshake.sharedSecret.exposeBytes());
  });

  it('replayed one-time prekey: a second initial message naming a consumed one-time prekey is reused_prekey', async () => {
    const alice = await device();
    const carol = await device();
    const bob = await device();
    const bundle = fetchBundle(bob);
    const first = await initiate(alice, bob, NOW, bundle);
    await respond(bob, first.initiation, first.firstMessage);
    // Carol got the same bundle (a misbehaving directory): the responder refuses.
    const second = await initiate(carol, bob, NOW, bundle);
    await expectCryptoError(
      respondToHandshake({ identity: bob.identity, prekeys: bob.prekeys, initiation: second.initiation, now: NOW }),
      'reused_prekey',
    );
    // Only the one-time ML-KEM prekey reused (fresh X25519 one): also reused_prekey.
    const mixed = { ...fetchBundle(bob), kemPrekey: bundle.kemPrekey };
    const third = await initiate(carol, bob, NOW, mixed);
    await expectCryptoError(
      respondToHandshake({ identity: bob.identity, prekeys: bob.prekeys, initiation: third.initiation, now: NOW }),
      'reused_prekey',
    );
  });

  it('replayed initial message without one-time prekeys (PQXDH §4.2) is refused with duplicate_message', async () => {
    const alice = await device();
    const bob = await device({ count: 0, kemCount: 0 });
    const a = await initiate(alice, bob);
    await respond(bob, a.initiation, a.firstMessage);
    await expectCryptoError(
      respondToHandshake({ identity: bob.identity, prekeys: bob.prekeys, initiation: a.initiation, now: NOW }),
      'duplicate_message',
    );
  });

  it('a forged initial message consumes nothing: the responder keeps its prekeys when the first message fails', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    const before = bob.prekeys;
    const tampered = a.firstMessage.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    await expectCryptoError(respond(bob, a.initiation, tampered), 'auth_failed');
    expect(bob.prekeys).toBe(before);
    await expect(respond(bob, a.initiation, a.firstMessage)).resolves.toBeDefined();
  });

  it('unknown prekey id: unknown_prekey', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    for (const initiation of [
      { ...a.initiation, signedPrekeyId: 424242 },
      { ...a.initiation, kemPrekeyId: 424242 },
      { ...a.initiation, oneTimePrekeyId: 424242 },
    ]) {
      await expectCryptoError(
        respondToHandshake({ identity: bob.identity, prekeys: bob.prekeys, initiation, now: NOW }),
        'unknown_prekey',
      );
    }
  });

  it('unknown version: unknown_version; malformed fields: bad_length or malformed_message', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    const call = (initiation: unknown) =>
      respondToHandshake({
        identity: bob.identity,
        prekeys: bob.prekeys,
        initiation: initiation as HandshakeInitiation,
        now: NOW,
      });
    await expectCryptoError(call({ ...a.initiation, version: 2 }), 'unknown_version');
    await expectCryptoError(
      call({ ...a.initiation, kemCiphertext: a.initiation.kemCiphertext.subarray(1) }),
      'bad_length',
    );
    await expectCryptoError(call({ ...a.initiation, ephemeralKey: new Uint8Array(31) }), 'bad_length');
    await expectCryptoError(call({ ...a.initiation, signedPrekeyId: -1 }), 'malformed_message');
    await expectCryptoError(call({ ...a.initiation, kemPrekeyId: 2 ** 32 }), 'malformed_message');
  });

  it('a tampered KEM ciphertext, ephemeral key or initiator identity gives another SK: the first message fails', async () => {
    const alice = await device();
    const bob = await device({ count: 3, kemCount: 0 });
    const a = await initiate(alice, bob);
    const ct = a.initiation.kemCiphertext.slice();
    ct[0] = (ct[0] as number) ^ 1;
    expect(ct).toHaveLength(MLKEM768_CIPHERTEXT_LENGTH);
    const other = await device();
    for (const initiation of [
      { ...a.initiation, kemCiphertext: ct }, // FIPS 203 implicit rejection: a pseudorandom SS
      { ...a.initiation, ephemeralKey: other.identity.agreement.publicKey },
      { ...a.initiation, initiator: publicDeviceIdentity(other.identity) },
    ]) {
      await expectCryptoError(respond(bob, initiation, a.firstMessage), 'auth_failed');
    }
  });

  it('a small-order ephemeral key is refused (low_order_point, RFC 7748 §7)', async () => {
    const alice = await device();
    const bob = await device();
    const a = await initiate(alice, bob);
    const lowOrder = { ...a.initiation, ephemeralKey: new Uint8Array(32) };
    await expectCryptoError(
      respondToHandshake({ identity: bob.identity, prekeys: bob.prekeys, initiation: lowOrder, now: NOW }),
      'low_order_point',
    );
  });
});

describe('simultaneous initiation', () => {
  it('both devices initiate at once: both answer, both send on the session of the lower identity, and in-flight messages on the other still decrypt', async () => {
    const alice = await device();
    const bob = await device();
    // The two initial messages cross in the network.
    const fromAlice = await initiate(alice, bob);
    const fromBob = await initiate(bob, alice);
    const bobAnswers = await respond(bob, fromAlice.initiation, fromAlice.firstMessage);
    const aliceAnswers = await respond(alice, fromBob.initiation, fromBob.firstMessage);

    // Each side holds two sessions and applies the same rule, with no message exchanged.
    const alicePublic = publicDeviceIdentity(alice.identity);
    const bobPublic = publicDeviceIdentity(bob.identity);
    const aliceWins = ourInitiationWins(alicePublic, bobPublic);
    expect(ourInitiationWins(bobPublic, alicePublic)).toBe(!aliceWins);
    let aliceSend = aliceWins ? fromAlice.session : aliceAnswers.session;
    let bobSend = aliceWins ? bobAnswers.session : fromBob.session;
    // The losing sessions are kept for receiving only.
    let aliceOld = aliceWins ? aliceAnswers.session : fromAlice.session;
    const bobOld = aliceWins ? fromBob.session : bobAnswers.session;

    // A message Alice had already sent on the losing session (in flight) still decrypts.
    const inFlight = ratchetEncrypt(aliceOld, text('sent before the rule applied'));
    aliceOld = inFlight.state;
    expect(new TextDecoder().decode((await ratchetDecrypt(bobOld, inFlight.message)).plaintext)).toBe(
      'sent before the rule applied',
    );

    // From now on both send on the winning session and it works both ways.
    for (let i = 0; i < 2; i++) {
      const a = ratchetEncrypt(aliceSend, text(`a${i}`));
      aliceSend = a.state;
      const atBob = await ratchetDecrypt(bobSend, a.message);
      bobSend = atBob.state;
      expect(new TextDecoder().decode(atBob.plaintext)).toBe(`a${i}`);
      const b = ratchetEncrypt(bobSend, text(`b${i}`));
      bobSend = b.state;
      const atAlice = await ratchetDecrypt(aliceSend, b.message);
      aliceSend = atAlice.state;
      expect(new TextDecoder().decode(atAlice.plaintext)).toBe(`b${i}`);
    }
    // A message on the winning session does not open on the losing one (they are distinct).
    const c = ratchetEncrypt(aliceSend, text('c'));
    await expectCryptoError(ratchetDecrypt(bobOld, c.message), 'auth_failed');
  });

  it('the rule is a strict order: a device never wins against itself', async () => {
    const alice = await device();
    await expectCryptoError(
      () => ourInitiationWins(publicDeviceIdentity(alice.identity), publicDeviceIdentity(alice.identity)),
      'bad_parameter',
    );
  });
});
