/** Prekey slot contents and the handshake's initial message on the wire (docs/protocol/prekeys.md). */
import fc from 'fast-check';
import {
  claimPrekeyBundle,
  createPrekeyState,
  ed25519KeyPairFromSeed,
  generateDeviceIdentity,
  initiateHandshake,
  publicDeviceIdentity,
  publishedPrekeys,
  respondToHandshake,
  sha256,
  x25519KeyPairFromPrivateKey,
  type DeviceIdentity,
} from '@opendescent/crypto';
import {
  HANDSHAKE_INITIATION_BYTES,
  ProtocolError,
  decodeClaimedBundle,
  decodeHandshakeInitiation,
  encodeHandshakeInitiation,
  encodeSlotUpload,
} from '../src/index';
import { expectGolden, hex, protocolCode } from './support';

const now = 1_800_000_000_000;
let alice: DeviceIdentity;
let bob: DeviceIdentity;

beforeAll(async () => {
  alice = await generateDeviceIdentity();
  bob = await generateDeviceIdentity();
});

describe('prekey slot contents', () => {
  it('carry a real handshake: upload, claim, decode, initiate, respond', async () => {
    const prekeys = await createPrekeyState(bob, { now, count: 3, kemCount: 2 });
    const upload = encodeSlotUpload(publishedPrekeys(prekeys, now));
    expect(upload.oneTimeItems).toHaveLength(3);
    // The relay hands out the bundle and the first one-time item, as prekey_claim does.
    const bundle = decodeClaimedBundle(upload.bundle, upload.oneTimeItems[0]);
    expect(bundle.oneTimePrekey?.kind).toBe('one-time-x25519');
    expect(bundle.kemPrekey.kind).toBe('one-time-mlkem768');
    expect(bundle).toEqual(claimPrekeyBundle(publishedPrekeys(prekeys, now)).bundle);

    const initiated = await initiateHandshake({ identity: alice, responder: publicDeviceIdentity(bob), bundle, now });
    const wire = encodeHandshakeInitiation(initiated.initiation);
    expect(wire).toHaveLength(HANDSHAKE_INITIATION_BYTES);
    const responded = await respondToHandshake({
      identity: bob,
      prekeys,
      initiation: decodeHandshakeInitiation(wire),
      now,
    });
    expect(responded.sharedSecret.exposeBytes()).toEqual(initiated.sharedSecret.exposeBytes());
  });

  it('fall back to the last-resort KEM prekey and no one-time prekey when the slot is empty', async () => {
    const prekeys = await createPrekeyState(bob, { now, count: 0 });
    const upload = encodeSlotUpload(publishedPrekeys(prekeys, now));
    const bundle = decodeClaimedBundle(upload.bundle, null);
    expect(bundle.oneTimePrekey).toBeNull();
    expect(bundle.kemPrekey.kind).toBe('last-resort-mlkem768');
    const initiated = await initiateHandshake({ identity: alice, responder: publicDeviceIdentity(bob), bundle, now });
    expect(decodeHandshakeInitiation(encodeHandshakeInitiation(initiated.initiation)).oneTimePrekeyId).toBeNull();
  });

  it('carry a forged bundle to the initiator, who refuses it (the relay cannot check signatures)', async () => {
    const prekeys = await createPrekeyState(bob, { now, count: 1 });
    const upload = encodeSlotUpload(publishedPrekeys(prekeys, now));
    const forged = upload.bundle.slice();
    forged[30] = (forged[30] as number) ^ 1; // inside the signed prekey's public key
    const bundle = decodeClaimedBundle(forged, upload.oneTimeItems[0]);
    await expect(
      initiateHandshake({ identity: alice, responder: publicDeviceIdentity(bob), bundle, now }),
    ).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('match their golden vectors (a format change is a visible diff)', async () => {
    // Prekeys are drawn from the CSPRNG inside libs/crypto, so the slot layout is pinned by
    // prekeys.md and the round trips above; the initiation gets a golden vector from labelled keys.
    const signing = await ed25519KeyPairFromSeed(sha256(new TextEncoder().encode('golden initiator signing')));
    const agreement = await x25519KeyPairFromPrivateKey(sha256(new TextEncoder().encode('golden initiator agreement')));
    const initiation = {
      version: 1 as const,
      initiator: { signingKey: signing.publicKey, agreementKey: agreement.publicKey },
      ephemeralKey: sha256(new TextEncoder().encode('golden ephemeral')),
      kemCiphertext: new Uint8Array(1088).map((_, i) => i % 251),
      signedPrekeyId: 7,
      kemPrekeyId: 9,
      oneTimePrekeyId: 12,
    };
    const bytes = encodeHandshakeInitiation(initiation);
    expectGolden('handshake-initiation-v1', {
      description: 'prekeys.md §3: handshake initial message, version 1',
      bytes: hex(bytes),
    });
    expect(decodeHandshakeInitiation(bytes)).toEqual(initiation);
  });

  it('tell unknown from too-old versions and refuse wrong types, truncation and extra bytes', async () => {
    const prekeys = await createPrekeyState(bob, { now, count: 1 });
    const { bundle, oneTimeItems } = encodeSlotUpload(publishedPrekeys(prekeys, now));
    expect(protocolCode(() => decodeClaimedBundle(Uint8Array.of(2, ...bundle.subarray(1)), null))).toBe(
      'version_unknown',
    );
    expect(protocolCode(() => decodeClaimedBundle(Uint8Array.of(0, ...bundle.subarray(1)), null))).toBe(
      'version_too_old',
    );
    expect(protocolCode(() => decodeClaimedBundle(oneTimeItems[0], null))).toBe('malformed');
    expect(protocolCode(() => decodeClaimedBundle(bundle.subarray(0, bundle.length - 1), null))).toBe('malformed');
    expect(protocolCode(() => decodeClaimedBundle(bundle, Uint8Array.of(...(oneTimeItems[0] as Uint8Array), 0)))).toBe(
      'malformed',
    );
    expect(protocolCode(() => decodeClaimedBundle(new Uint8Array(10_000), null))).toBe('oversized');
    const initiation = encodeHandshakeInitiation(
      (
        await initiateHandshake({
          identity: alice,
          responder: publicDeviceIdentity(bob),
          bundle: decodeClaimedBundle(bundle, null),
          now,
        })
      ).initiation,
    );
    expect(protocolCode(() => decodeHandshakeInitiation(initiation.subarray(0, HANDSHAKE_INITIATION_BYTES - 1)))).toBe(
      'malformed',
    );
    expect(protocolCode(() => decodeHandshakeInitiation(Uint8Array.of(...initiation, 0)))).toBe('oversized');
    const badFlag = initiation.slice();
    badFlag[2 + 96 + 8] = 2;
    expect(protocolCode(() => decodeHandshakeInitiation(badFlag))).toBe('malformed');
  });

  it('decode arbitrary and mutated bytes with nothing but ProtocolError', async () => {
    const prekeys = await createPrekeyState(bob, { now, count: 1 });
    const { bundle, oneTimeItems } = encodeSlotUpload(publishedPrekeys(prekeys, now));
    const mutate = (valid: Uint8Array) =>
      fc
        .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
        .map((edits) => {
          const copy = valid.slice();
          for (const [at, value] of edits) copy[at] = value;
          return copy;
        });
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 3000 }), mutate(bundle)),
        fc.oneof(fc.constant(null), mutate(oneTimeItems[0] as Uint8Array)),
        (b, item) => {
          try {
            decodeClaimedBundle(b, item);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
          try {
            decodeHandshakeInitiation(b);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
