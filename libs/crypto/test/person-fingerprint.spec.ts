/** Person fingerprints and per-person safety numbers (docs/protocol/crypto.md §2.3). */
import { createHash } from 'node:crypto';
import { hexToBytes } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { fingerprint, formatSafetyNumber, safetyNumber } from '../src/identity';
import {
  PERSON_FINGERPRINT_LENGTH,
  personFingerprint,
  personFingerprintBytes,
  personSafetyNumber,
  type PersonFingerprintSubject,
} from '../src/person-fingerprint';
import { expectCode } from './expect-code';

/** RFC 8032 §7.1 TEST 1 and TEST 2 public keys as user keys: public, reproducible. */
const ALICE: PersonFingerprintSubject = {
  userKey: hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  address: 'alice@example.org',
};
const BOB: PersonFingerprintSubject = {
  userKey: hexToBytes('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
  address: 'bob@example.org',
};
const GOLDEN_ALICE = '207300974392759746907977122531';
const GOLDEN_BOB = '825587015696225223384904538810';

/** A second implementation, written from crypto.md §2.3 with Node's own SHA-512. */
function personFingerprintFromSpec(subject: PersonFingerprintSubject): Buffer {
  const key = Buffer.from(subject.userKey);
  const address = Buffer.from(subject.address, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(address.length);
  let hash: Buffer = Buffer.concat([
    Buffer.from([0x00, 0x01]),
    Buffer.from('OpenDescent-Person-Fingerprint', 'ascii'),
    key,
    length,
    address,
  ]);
  for (let i = 0; i < 5200; i++) hash = createHash('sha512').update(hash).update(key).digest();
  return hash.subarray(0, 30);
}

function digitsOf(bytes: Buffer): string {
  let out = '';
  for (let offset = 0; offset < 30; offset += 5) out += String(bytes.readUIntBE(offset, 5) % 100000).padStart(5, '0');
  return out;
}

const subjectArbitrary: fc.Arbitrary<PersonFingerprintSubject> = fc.record({
  userKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  address: fc.string({ minLength: 1, maxLength: 40 }),
});

describe('person fingerprint and per-person safety number', () => {
  it('golden vectors (a change of the derivation is a visible diff)', () => {
    expect(personFingerprint(ALICE)).toBe(GOLDEN_ALICE);
    expect(personFingerprint(BOB)).toBe(GOLDEN_BOB);
    // Alice's number is the smaller, so it comes first.
    expect(personSafetyNumber(ALICE, BOB)).toBe(GOLDEN_ALICE + GOLDEN_BOB);
    expect(personSafetyNumber(BOB, ALICE)).toBe(GOLDEN_ALICE + GOLDEN_BOB);
  });

  it('matches an independent implementation of the documented derivation', () => {
    for (const subject of [ALICE, BOB]) {
      const fromSpec = personFingerprintFromSpec(subject);
      expect(Buffer.from(personFingerprintBytes(subject))).toEqual(fromSpec);
      expect(personFingerprint(subject)).toBe(digitsOf(fromSpec));
    }
  });

  it('is 30 bytes, 30 digits per person and 60 per pair, shown as twelve groups of five', () => {
    expect(personFingerprintBytes(ALICE)).toHaveLength(PERSON_FINGERPRINT_LENGTH);
    expect(personFingerprint(ALICE)).toMatch(/^\d{30}$/);
    const number = personSafetyNumber(ALICE, BOB);
    expect(number).toMatch(/^\d{60}$/);
    expect(formatSafetyNumber(number).split(' ')).toHaveLength(12);
  });

  it('is the same for both people whatever the order (fast-check)', () => {
    fc.assert(
      fc.property(subjectArbitrary, subjectArbitrary, (a, b) => {
        // 5,200 SHA-512s per fingerprint: few runs.
        expect(personSafetyNumber(b, a)).toBe(personSafetyNumber(a, b));
      }),
      { numRuns: 6 },
    );
  });

  it('changes when any byte of the user key or the address changes (a substituted key is visible)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const userKey = ALICE.userKey.slice();
        userKey[index] = ((userKey[index] as number) + delta) & 0xff;
        expect(personFingerprint({ ...ALICE, userKey })).not.toBe(GOLDEN_ALICE);
      }),
      { numRuns: 8 },
    );
    expect(personFingerprint({ ...ALICE, address: 'mallory@example.org' })).not.toBe(GOLDEN_ALICE);
  });

  it('never equals a device number over the same key and name (its own label)', () => {
    const device = { identity: { signingKey: ALICE.userKey, agreementKey: ALICE.userKey }, stableId: ALICE.address };
    expect(personFingerprint(ALICE)).not.toBe(fingerprint(device));
    const deviceBob = { identity: { signingKey: BOB.userKey, agreementKey: BOB.userKey }, stableId: BOB.address };
    expect(personSafetyNumber(ALICE, BOB)).not.toBe(safetyNumber(device, deviceBob));
  });

  it('refuses a user key of the wrong length (bad_length), an empty address (bad_parameter), an oversized one (bad_length)', () => {
    expectCode(() => personFingerprint({ ...ALICE, userKey: new Uint8Array(31) }), 'bad_length');
    expectCode(() => personFingerprint({ ...ALICE, address: '' }), 'bad_parameter');
    expectCode(() => personFingerprint({ ...ALICE, address: 'a'.repeat(1025) }), 'bad_length');
  });
});
