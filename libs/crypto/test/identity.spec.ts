import { createHash } from 'node:crypto';
import { hexToBytes } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { ed25519Sign, ed25519Verify } from '../src/ed25519';
import {
  exportDeviceIdentity,
  fingerprint,
  formatSafetyNumber,
  generateDeviceIdentity,
  importDeviceIdentity,
  publicDeviceIdentity,
  safetyNumber,
  type FingerprintSubject,
} from '../src/identity';
import { SecretBytes } from '../src/secret';
import { x25519SharedSecret } from '../src/x25519';
import { describeEachCurveBackend } from './backends';

/** Fixed public keys (RFC 8032 TEST 1 and RFC 7748 §6.1 Alice and Bob) for golden vectors. */
const ALICE: FingerprintSubject = {
  identity: {
    signingKey: hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    agreementKey: hexToBytes('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
  },
  stableId: 'alice@example.org/device-1',
};
const BOB: FingerprintSubject = {
  identity: {
    signingKey: hexToBytes('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
    agreementKey: hexToBytes('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
  },
  stableId: 'bob@example.org/laptop',
};

/**
 * A second implementation written from docs/protocol/crypto.md ("Fingerprint") with Node's own
 * SHA-512, so that the code and the document are checked against each other.
 */
function fingerprintFromSpec(subject: FingerprintSubject): string {
  const keys = Buffer.concat([subject.identity.signingKey, subject.identity.agreementKey]);
  const id = Buffer.from(subject.stableId, 'utf8');
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(id.length);
  let hash: Buffer = Buffer.concat([
    Buffer.from([0x00, 0x01]),
    Buffer.from('OpenDescent-Fingerprint', 'ascii'),
    keys,
    idLength,
    id,
  ]);
  for (let i = 0; i < 5200; i++) hash = createHash('sha512').update(hash).update(keys).digest();
  let out = '';
  for (let offset = 0; offset < 30; offset += 5)
    out += String(Number(hash.readUIntBE(offset, 5) % 100000)).padStart(5, '0');
  return out;
}

const subjectArbitrary: fc.Arbitrary<FingerprintSubject> = fc.record({
  identity: fc.record({
    signingKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    agreementKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  }),
  stableId: fc.string({ minLength: 1, maxLength: 40 }),
});

describe('fingerprint and safety number', () => {
  it('golden vectors (our format: a change here is a visible diff)', () => {
    expect(fingerprint(ALICE)).toBe(GOLDEN_ALICE);
    expect(fingerprint(BOB)).toBe(GOLDEN_BOB);
    expect(safetyNumber(ALICE, BOB)).toBe(GOLDEN_SAFETY_NUMBER);
  });

  it('matches an independent implementation of the documented derivation', () => {
    expect(fingerprint(ALICE)).toBe(fingerprintFromSpec(ALICE));
    expect(fingerprint(BOB)).toBe(fingerprintFromSpec(BOB));
  });

  it('is 30 digits per device and 60 per pair', () => {
    expect(fingerprint(ALICE)).toMatch(/^\d{30}$/);
    expect(safetyNumber(ALICE, BOB)).toMatch(/^\d{60}$/);
  });

  it('safety numbers are order-independent and stable (fast-check)', () => {
    fc.assert(
      fc.property(subjectArbitrary, subjectArbitrary, (a, b) => {
        // Each fingerprint costs 5,200 SHA-512s, so the run count stays small.
        const ab = safetyNumber(a, b);
        expect(safetyNumber(b, a)).toBe(ab);
        expect([ab.slice(0, 30), ab.slice(30)].sort()).toEqual([fingerprint(a), fingerprint(b)].sort());
      }),
      { numRuns: 8 },
    );
  });

  it('changes when either key or the stable id changes (a substituted key is visible)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const keys = new Uint8Array([...ALICE.identity.signingKey, ...ALICE.identity.agreementKey]);
        keys[index] = ((keys[index] as number) + delta) & 0xff;
        const changed = { ...ALICE, identity: { signingKey: keys.subarray(0, 32), agreementKey: keys.subarray(32) } };
        expect(fingerprint(changed)).not.toBe(GOLDEN_ALICE);
      }),
      { numRuns: 8 },
    );
    expect(fingerprint({ ...ALICE, stableId: 'mallory@example.org/device-1' })).not.toBe(GOLDEN_ALICE);
  });

  it('refuses keys of the wrong length and empty or oversized stable ids', () => {
    const short = { ...ALICE, identity: { ...ALICE.identity, signingKey: new Uint8Array(31) } };
    expect(() => fingerprint(short)).toThrow(expect.objectContaining({ code: 'bad_length' }));
    expect(() => fingerprint({ ...ALICE, stableId: '' })).toThrow(expect.objectContaining({ code: 'bad_parameter' }));
    expect(() => fingerprint({ ...ALICE, stableId: 'x'.repeat(1025) })).toThrow(
      expect.objectContaining({ code: 'bad_length' }),
    );
  });

  it('formats as twelve groups of five digits', () => {
    const formatted = formatSafetyNumber(GOLDEN_SAFETY_NUMBER);
    expect(formatted.split(' ')).toHaveLength(12);
    expect(formatted.replace(/ /g, '')).toBe(GOLDEN_SAFETY_NUMBER);
    expect(() => formatSafetyNumber('123')).toThrow(expect.objectContaining({ code: 'bad_parameter' }));
  });
});

describeEachCurveBackend('device identity', () => {
  it('generates an Ed25519 signing pair and an X25519 agreement pair that work', async () => {
    const identity = await generateDeviceIdentity();
    const other = await generateDeviceIdentity();
    const publicIdentity = publicDeviceIdentity(identity);
    expect(publicIdentity.signingKey).toHaveLength(32);
    expect(publicIdentity.agreementKey).toHaveLength(32);
    const message = Uint8Array.of(1, 2, 3);
    expect(
      await ed25519Verify(publicIdentity.signingKey, message, await ed25519Sign(identity.signing.privateKey, message)),
    ).toBe(true);
    const ab = await x25519SharedSecret(identity.agreement.privateKey, other.agreement.publicKey);
    const ba = await x25519SharedSecret(other.agreement.privateKey, publicIdentity.agreementKey);
    expect(ab.exposeBytes()).toEqual(ba.exposeBytes());
  });

  it('exports (version 0x01 || seed || key) and imports back the same identity', async () => {
    const identity = await generateDeviceIdentity();
    const record = exportDeviceIdentity(identity);
    expect(record.length).toBe(65);
    expect(record.exposeBytes()[0]).toBe(0x01);
    const back = await importDeviceIdentity(record);
    expect(publicDeviceIdentity(back)).toEqual(publicDeviceIdentity(identity));
  });

  it('unknown_version and bad_length for a damaged identity record', async () => {
    const record = exportDeviceIdentity(await generateDeviceIdentity())
      .exposeBytes()
      .slice();
    for (const version of [0x00, 0x02, 0xff]) {
      const other = record.slice();
      other[0] = version;
      await expect(importDeviceIdentity(new SecretBytes(other))).rejects.toMatchObject({
        code: version === 0 ? 'version_too_old' : 'unknown_version',
      });
    }
    await expect(importDeviceIdentity(record.subarray(0, 64))).rejects.toMatchObject({ code: 'bad_length' });
    await expect(importDeviceIdentity(new Uint8Array(0))).rejects.toMatchObject({ code: 'bad_length' });
  });
});

// Our own golden vectors, computed from the documented derivation.
const GOLDEN_ALICE = '168549043080596764803178245438';
const GOLDEN_BOB = '793724652847075813902735663846';
const GOLDEN_SAFETY_NUMBER = GOLDEN_ALICE + GOLDEN_BOB;
