/** Device certificates: the user key's cross-signature of a device (docs/protocol/user-keys.md §2). */
import fc from 'fast-check';
import { concatBytes, ed25519Sign, generateEd25519KeyPair, utf8Encode, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  DEVICE_CERTIFICATE_TYPE,
  DEVICE_CERTIFICATE_VERSION,
  MAX_DEVICE_CERTIFICATE_BYTES,
  decodeDeviceCertificate,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from '../../src/index';
import { domainSeparated } from '../../src/signing-input';
import { expectGolden, fromHex, hex, labelled, protocolCode } from '../support';
import {
  NOW,
  certificateFields,
  device,
  flipped,
  goldenDeviceIdentity,
  goldenUserKey,
  rejectionCode,
  type TestDevice,
} from './fixtures';

const LABEL = 'OpenDescent device certificate v1';

describe('device certificate', () => {
  let alice: Ed25519KeyPair;
  let laptop: TestDevice;
  let phone: TestDevice;
  beforeAll(async () => {
    alice = await goldenUserKey('alice');
    laptop = await device('alice laptop', 'alice@ministry.example', await goldenDeviceIdentity('alice laptop'));
    phone = await device('alice phone');
  });

  it('matches its golden vector (a format change is a visible diff), and verifies', async () => {
    const bytes = await signDeviceCertificate(certificateFields(laptop.attestation), alice.privateKey);
    expectGolden('device-certificate-v1', {
      description:
        'user-keys.md §2: a device certificate, version 1, for the golden device "alice laptop", signed by the golden user key "alice"',
      userPublicKey: hex(alice.publicKey),
      bytes: hex(bytes),
    });
    const verified = await verifyDeviceCertificate(fromHex(hex(bytes)), {
      userKey: alice.publicKey,
      attestation: laptop.attestation,
    });
    expect(verified).toEqual({ ...certificateFields(laptop.attestation), userKey: alice.publicKey });
  });

  it('round-trips through sign, decode and verify, and starts with its version and type bytes', async () => {
    const bytes = await signDeviceCertificate(certificateFields(phone.attestation), alice.privateKey);
    expect([bytes[0], bytes[1]]).toEqual([DEVICE_CERTIFICATE_VERSION, DEVICE_CERTIFICATE_TYPE]);
    expect(MAX_DEVICE_CERTIFICATE_BYTES).toBe(453);
    expect(bytes.length).toBe(MAX_DEVICE_CERTIFICATE_BYTES - 254 + utf8Encode(phone.attestation.userAddress).length);
    const { certificate } = decodeDeviceCertificate(bytes);
    expect(certificate.userKey).toEqual(alice.publicKey);
    await expect(
      verifyDeviceCertificate(bytes, { userKey: alice.publicKey, attestation: phone.attestation }),
    ).resolves.toMatchObject({ userAddress: 'alice@ministry.example', issuedAt: NOW });
  });

  describe('a certificate about something else is a mismatch', () => {
    it.each([
      ['another device', { deviceId: labelled('device: someone else', 16) }],
      ['another signing key', { signingKey: labelled('another signing key', 32) }],
      ['another agreement key', { agreementKey: labelled('another agreement key', 32) }],
      ['another user', { userAddress: 'bob@ministry.example' }],
      ['another organisation', { orgId: labelled('org: another one', 16) }],
    ])('mismatch: signed by the right user key, but for %s', async (_what, overrides) => {
      const bytes = await signDeviceCertificate(
        { ...certificateFields(laptop.attestation), ...overrides },
        alice.privateKey,
      );
      expect(
        await rejectionCode(
          verifyDeviceCertificate(bytes, { userKey: alice.publicKey, attestation: laptop.attestation }),
        ),
      ).toBe('mismatch');
    });

    it('mismatch: a valid certificate of one device checked against another device of the same person', async () => {
      const bytes = await signDeviceCertificate(certificateFields(phone.attestation), alice.privateKey);
      expect(
        await rejectionCode(
          verifyDeviceCertificate(bytes, { userKey: alice.publicKey, attestation: laptop.attestation }),
        ),
      ).toBe('mismatch');
    });
  });

  describe('a certificate by another user key', () => {
    it('unknown_signer: it names and is signed by a user key other than the pinned one (a re-enrolled person, or a forger)', async () => {
      const mallory = await generateEd25519KeyPair();
      const bytes = await signDeviceCertificate(certificateFields(laptop.attestation), mallory.privateKey);
      expect(
        await rejectionCode(
          verifyDeviceCertificate(bytes, { userKey: alice.publicKey, attestation: laptop.attestation }),
        ),
      ).toBe('unknown_signer');
    });

    it('bad_signature: it names the pinned user key but another key signed it', async () => {
      const mallory = await generateEd25519KeyPair();
      const genuine = await signDeviceCertificate(certificateFields(laptop.attestation), alice.privateKey);
      const { body } = decodeDeviceCertificate(genuine);
      const forged = concatBytes(body, await ed25519Sign(mallory.privateKey, domainSeparated(LABEL, body)));
      expect(
        await rejectionCode(
          verifyDeviceCertificate(forged, { userKey: alice.publicKey, attestation: laptop.attestation }),
        ),
      ).toBe('bad_signature');
    });

    it('bad_signature: an attestation label signature is never read as a certificate signature', async () => {
      const genuine = await signDeviceCertificate(certificateFields(laptop.attestation), alice.privateKey);
      const { body } = decodeDeviceCertificate(genuine);
      const otherPurpose = concatBytes(
        body,
        await ed25519Sign(alice.privateKey, domainSeparated('OpenDescent device attestation v1', body)),
      );
      expect(
        await rejectionCode(
          verifyDeviceCertificate(otherPurpose, { userKey: alice.publicKey, attestation: laptop.attestation }),
        ),
      ).toBe('bad_signature');
    });
  });

  it('tampered: every single-byte change is refused, never verified (property)', async () => {
    const bytes = await signDeviceCertificate(certificateFields(laptop.attestation), alice.privateKey);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, bit) => {
          const code = await rejectionCode(
            verifyDeviceCertificate(flipped(bytes, index, bit), {
              userKey: alice.publicKey,
              attestation: laptop.attestation,
            }),
          );
          expect(['malformed', 'version_too_old', 'version_unknown', 'unknown_signer', 'bad_signature']).toContain(
            code,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  describe('malformed input is refused before any signature check', () => {
    let bytes: Uint8Array;
    beforeAll(async () => {
      bytes = await signDeviceCertificate(certificateFields(laptop.attestation), alice.privateKey);
    });

    it('truncated: at every length short of the whole', () => {
      for (let length = 0; length < bytes.length; length++)
        expect(protocolCode(() => decodeDeviceCertificate(bytes.slice(0, length)))).toBe('malformed');
    });

    it('trailing bytes: malformed; oversized: over the largest certificate, before parsing', () => {
      expect(protocolCode(() => decodeDeviceCertificate(Uint8Array.of(...bytes, 0)))).toBe('malformed');
      expect(protocolCode(() => decodeDeviceCertificate(new Uint8Array(MAX_DEVICE_CERTIFICATE_BYTES + 1)))).toBe(
        'oversized',
      );
    });

    it('version_too_old and version_unknown are told apart; another type byte is malformed', () => {
      expect(protocolCode(() => decodeDeviceCertificate(Uint8Array.of(0, ...bytes.subarray(1))))).toBe(
        'version_too_old',
      );
      expect(protocolCode(() => decodeDeviceCertificate(Uint8Array.of(2, ...bytes.subarray(1))))).toBe(
        'version_unknown',
      );
      expect(protocolCode(() => decodeDeviceCertificate(Uint8Array.of(1, 0x01, ...bytes.subarray(2))))).toBe(
        'malformed',
      );
    });

    it('not bytes: malformed', () => {
      for (const value of ['certificate', undefined, null, [1, 16], { length: 3 }])
        expect(protocolCode(() => decodeDeviceCertificate(value))).toBe('malformed');
    });

    it('a spoofed address under a valid signature is malformed (identifiers.md §2)', async () => {
      const { body } = decodeDeviceCertificate(bytes);
      const address = utf8Encode('ce\u043e@ministry.example');
      const fixed = body.length - 1 - utf8Encode(laptop.attestation.userAddress).length;
      const spoofed = concatBytes(body.subarray(0, fixed), Uint8Array.of(address.length), address);
      const signed = concatBytes(spoofed, await ed25519Sign(alice.privateKey, domainSeparated(LABEL, spoofed)));
      expect(protocolCode(() => decodeDeviceCertificate(signed))).toBe('malformed');
    });
  });

  it.each([
    ['an address outside the profile', { userAddress: 'Alice@ministry.example' }],
    ['a short device id', { deviceId: new Uint8Array(15) }],
    ['a short organisation id', { orgId: new Uint8Array(8) }],
    ['a signing key of 31 bytes', { signingKey: new Uint8Array(31) }],
    ['an issue time before 1970', { issuedAt: -1 }],
    ['an issue time past 2106 (not a u32)', { issuedAt: 2 ** 32 }],
  ])('refuses to sign %s (malformed)', async (_what, overrides) => {
    expect(
      await rejectionCode(
        signDeviceCertificate({ ...certificateFields(laptop.attestation), ...overrides }, alice.privateKey),
      ),
    ).toBe('malformed');
  });
});
