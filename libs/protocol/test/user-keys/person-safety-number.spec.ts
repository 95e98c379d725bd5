/** Safety numbers per person and their QR comparison (docs/protocol/user-keys.md §5). */
import fc from 'fast-check';
import {
  formatSafetyNumber,
  personSafetyNumber as personSafetyNumberOfKeys,
  type Ed25519KeyPair,
} from '@opendescent/crypto';
import {
  PERSON_SAFETY_QR_BYTES,
  PERSON_SAFETY_QR_TYPE,
  PERSON_SAFETY_QR_VERSION,
  comparePersonSafetyQr,
  decodePersonSafetyQr,
  personSafetyNumber,
  personSafetyQr,
  type SafetyNumberPerson,
} from '../../src/index';
import { expectGolden, hex, labelled, protocolCode } from '../support';
import { flipped, goldenUserKey } from './fixtures';

describe('person safety number', () => {
  let alice: SafetyNumberPerson;
  let bob: SafetyNumberPerson;
  let carol: SafetyNumberPerson;
  let aliceQr: Uint8Array; // what Alice's device shows: Alice first
  let bobQr: Uint8Array; // what Bob's device shows: Bob first
  beforeAll(async () => {
    const person = (address: string, key: Ed25519KeyPair) => ({ address, userKey: key.publicKey });
    alice = person('alice@ministry.example', await goldenUserKey('alice'));
    bob = person('bob@ministry.example', await goldenUserKey('bob'));
    carol = person('carol@ministry.example', await goldenUserKey('carol'));
    aliceQr = personSafetyQr(alice, bob);
    bobQr = personSafetyQr(bob, alice);
  });

  it('matches its golden vector: the number and the QR bytes (a format change is a visible diff)', () => {
    expect(aliceQr.length).toBe(PERSON_SAFETY_QR_BYTES);
    expect([aliceQr[0], aliceQr[1]]).toEqual([PERSON_SAFETY_QR_VERSION, PERSON_SAFETY_QR_TYPE]);
    expectGolden('person-safety-qr-v1', {
      description:
        'user-keys.md §5: the safety number of the golden user keys "alice" and "bob", and the QR code Alice\'s device shows (version 1)',
      alice: { address: alice.address, userKey: hex(alice.userKey) },
      bob: { address: bob.address, userKey: hex(bob.userKey) },
      safetyNumber: formatSafetyNumber(personSafetyNumber(alice, bob)),
      aliceQr: hex(aliceQr),
    });
  });

  it('is one number for both people, whatever the order, and the crypto.md §2.3 number', () => {
    const number = personSafetyNumber(alice, bob);
    expect(personSafetyNumber(bob, alice)).toBe(number);
    expect(personSafetyNumberOfKeys(alice, bob)).toBe(number);
    expect(number).toMatch(/^\d{60}$/);
  });

  it("matches: the code Bob's device shows, scanned by Alice's, and the other way round", () => {
    expect(comparePersonSafetyQr(bobQr, aliceQr)).toBe(true);
    expect(comparePersonSafetyQr(aliceQr, bobQr)).toBe(true);
  });

  it('a different person: the code of Alice and Carol does not match Alice and Bob', () => {
    expect(comparePersonSafetyQr(personSafetyQr(carol, alice), aliceQr)).toBe(false);
  });

  it("a different key for the same person: a Bob who re-enrolled (or an impostor's key) does not match", () => {
    const newBob = { ...bob, userKey: labelled('another user key for bob', 32) };
    expect(comparePersonSafetyQr(personSafetyQr(newBob, alice), aliceQr)).toBe(false);
    expect(comparePersonSafetyQr(personSafetyQr({ ...bob, address: 'bob2@ministry.example' }, alice), aliceQr)).toBe(
      false,
    );
  });

  it('swapped order: our own code read back (a photo of our own screen) never matches', () => {
    expect(comparePersonSafetyQr(aliceQr, aliceQr)).toBe(false);
    expect(comparePersonSafetyQr(personSafetyQr(alice, bob), aliceQr)).toBe(false);
  });

  it('tampered: every single-byte change of a scanned code is false or refused, never true (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: PERSON_SAFETY_QR_BYTES - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (index, bit) => {
          const changed = flipped(bobQr, index, bit);
          if (index < 2)
            expect(['malformed', 'version_too_old', 'version_unknown']).toContain(
              protocolCode(() => comparePersonSafetyQr(changed, aliceQr)),
            );
          else expect(comparePersonSafetyQr(changed, aliceQr)).toBe(false);
        },
      ),
    );
  });

  it('malformed: truncated, not bytes, another type; oversized: trailing bytes; version_too_old and version_unknown', () => {
    expect(protocolCode(() => decodePersonSafetyQr(bobQr.slice(0, 61)))).toBe('malformed');
    expect(protocolCode(() => decodePersonSafetyQr('012345'))).toBe('malformed');
    expect(protocolCode(() => decodePersonSafetyQr(Uint8Array.of(1, 0x11, ...bobQr.subarray(2))))).toBe('malformed');
    expect(protocolCode(() => decodePersonSafetyQr(Uint8Array.of(...bobQr, 0)))).toBe('oversized');
    expect(protocolCode(() => decodePersonSafetyQr(Uint8Array.of(0, ...bobQr.subarray(1))))).toBe('version_too_old');
    expect(protocolCode(() => decodePersonSafetyQr(Uint8Array.of(2, ...bobQr.subarray(1))))).toBe('version_unknown');
  });

  it('malformed: an address outside the profile, or a user key of the wrong length', () => {
    expect(protocolCode(() => personSafetyNumber({ ...alice, address: 'Alice@ministry.example' }, bob))).toBe(
      'malformed',
    );
    expect(protocolCode(() => personSafetyQr(alice, { ...bob, userKey: new Uint8Array(31) }))).toBe('malformed');
  });
});
