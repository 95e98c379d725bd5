/** Device attestations (docs/protocol/attestations.md §2). */
import fc from 'fast-check';
import {
  concatBytes,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
  utf8Encode,
  type Ed25519KeyPair,
} from '@opendescent/crypto';
import {
  ATTESTATION_VERSION,
  ProtocolError,
  decodeAttestation,
  orgKeyId,
  signAttestation,
  verifyAttestation,
  type AttestationFields,
  type TrustedOrgKey,
} from '../src/index';
import { expectGolden, fromHex, goldenOrgKey, hex, labelled, newOrgKey } from './support';

const orgId = labelled('org: ministry of examples', 16);
const now = 1_800_000_000;

function fields(overrides: Partial<AttestationFields> = {}): AttestationFields {
  return {
    orgId,
    deviceId: labelled('device: alice laptop', 16),
    userAddress: 'alice@ministry.example',
    displayName: 'Alice Martin',
    signingKey: labelled('alice signing key', 32),
    agreementKey: labelled('alice agreement key', 32),
    issuedAt: now - 3600,
    expiresAt: now + 7 * 24 * 3600,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<ProtocolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return error as ProtocolError;
}

describe('device attestation', () => {
  it('matches its golden vector (a format change is a visible diff)', async () => {
    const org = await goldenOrgKey();
    const bytes = await signAttestation(fields(), org.privateKey);
    expectGolden('attestation-v1', {
      description: 'attestations.md §2: the device attestation, version 1, signed by the golden organisation key',
      orgPublicKey: hex(org.publicKey),
      bytes: hex(bytes),
    });
    const trusted: TrustedOrgKey[] = [{ orgId, publicKey: org.publicKey }];
    expect(await verifyAttestation(fromHex(hex(bytes)), { trusted, now })).toEqual({
      ...fields(),
      orgKeyId: orgKeyId(org.publicKey),
    });
  });

  it('round-trips through sign, decode and verify, and starts with its version byte', async () => {
    const org = await newOrgKey();
    const bytes = await signAttestation(fields(), org.privateKey);
    expect(bytes[0]).toBe(ATTESTATION_VERSION);
    expect(decodeAttestation(bytes).attestation.userAddress).toBe('alice@ministry.example');
    const verified = await verifyAttestation(bytes, { trusted: [{ orgId, publicKey: org.publicKey }], now });
    expect(verified.displayName).toBe('Alice Martin');
  });

  it('stays valid under the previous key after a rotation (both keys pinned)', async () => {
    const previous = await newOrgKey();
    const next = await newOrgKey();
    const bytes = await signAttestation(fields(), previous.privateKey);
    const trusted = [
      { orgId, publicKey: next.publicKey },
      { orgId, publicKey: previous.publicKey },
    ];
    await expect(verifyAttestation(bytes, { trusted, now })).resolves.toBeDefined();
  });

  describe('refusals, each with its own error', () => {
    it('wrongly signed: a key of the same organisation that is not pinned', async () => {
      const rogue = await newOrgKey();
      const pinned = await newOrgKey();
      const bytes = await signAttestation(fields(), rogue.privateKey);
      expect(
        (await rejection(verifyAttestation(bytes, { trusted: [{ orgId, publicKey: pinned.publicKey }], now }))).code,
      ).toBe('unknown_signer');
    });

    it('signed for another organisation', async () => {
      const org = await newOrgKey();
      const bytes = await signAttestation(fields({ orgId: labelled('another org', 16) }), org.privateKey);
      expect(
        (await rejection(verifyAttestation(bytes, { trusted: [{ orgId, publicKey: org.publicKey }], now }))).code,
      ).toBe('unknown_signer');
    });

    it('tampered: any changed byte before the signature breaks it', async () => {
      const org = await newOrgKey();
      const bytes = await signAttestation(fields(), org.privateKey);
      const trusted = [{ orgId, publicKey: org.publicKey }];
      const positions = [2, 30, 50, 90, 108, 112, 120, bytes.length - 70, bytes.length - 1];
      for (const position of positions) {
        const tampered = bytes.slice();
        tampered[position] = (tampered[position] as number) ^ 0x01;
        const code = (await rejection(verifyAttestation(tampered, { trusted, now }))).code;
        expect(['bad_signature', 'unknown_signer', 'malformed']).toContain(code);
      }
    });

    it('expired, at and after its expiry', async () => {
      const org = await newOrgKey();
      const a = fields();
      const bytes = await signAttestation(a, org.privateKey);
      const trusted = [{ orgId, publicKey: org.publicKey }];
      expect((await rejection(verifyAttestation(bytes, { trusted, now: a.expiresAt }))).code).toBe('expired');
      expect((await rejection(verifyAttestation(bytes, { trusted, now: a.expiresAt + 1 }))).code).toBe('expired');
    });

    it('not yet valid beyond the allowed clock skew, accepted within it', async () => {
      const org = await newOrgKey();
      const bytes = await signAttestation(fields({ issuedAt: now + 600, expiresAt: now + 86_400 }), org.privateKey);
      const trusted = [{ orgId, publicKey: org.publicKey }];
      expect((await rejection(verifyAttestation(bytes, { trusted, now }))).code).toBe('not_yet_valid');
      await expect(verifyAttestation(bytes, { trusted, now: now + 301 })).resolves.toBeDefined();
    });

    it('unknown and too-old versions are told apart', async () => {
      const org = await newOrgKey();
      const bytes = await signAttestation(fields(), org.privateKey);
      const newer = bytes.slice();
      newer[0] = ATTESTATION_VERSION + 1;
      const older = bytes.slice();
      older[0] = 0;
      expect(() => decodeAttestation(newer)).toThrow(expect.objectContaining({ code: 'version_unknown' }));
      expect(() => decodeAttestation(older)).toThrow(expect.objectContaining({ code: 'version_too_old' }));
    });

    it('truncated, extended or oversized input is malformed or oversized before any signature check', async () => {
      const org = await newOrgKey();
      const bytes = await signAttestation(fields(), org.privateKey);
      expect(() => decodeAttestation(bytes.slice(0, bytes.length - 1))).toThrow(
        expect.objectContaining({ code: 'malformed' }),
      );
      expect(() => decodeAttestation(Uint8Array.of(...bytes, 0))).toThrow(
        expect.objectContaining({ code: 'malformed' }),
      );
      expect(() => decodeAttestation(new Uint8Array(4096))).toThrow(expect.objectContaining({ code: 'oversized' }));
      expect(() => decodeAttestation('not bytes')).toThrow(expect.objectContaining({ code: 'malformed' }));
    });

    it.each([
      ['an upper-case address', { userAddress: 'Alice@ministry.example' }],
      ['an address without a domain', { userAddress: 'alice' }],
      ['an address with a space', { userAddress: 'alice smith@ministry.example' }],
      ['an empty display name', { displayName: '' }],
      ['a display name with a control character', { displayName: 'Alice\u0007' }],
      ['a display name of only U+200B', { displayName: '\u200b' }],
      ['a display name with a right-to-left override', { displayName: 'Alice\u202eecilA' }],
      ['an address with a Cyrillic о (ceо@)', { userAddress: 'ce\u043e@ministry.example' }],
      ['an address with a zero-width space', { userAddress: 'c\u200beo@ministry.example' }],
      ['an address with a trailing U+202E', { userAddress: 'ceo@ministry.example\u202e' }],
      ['a display name over 128 bytes', { displayName: 'é'.repeat(65) }],
      ['expiry before issue', { issuedAt: now, expiresAt: now - 1 }],
      ['a validity over 31 days', { issuedAt: now, expiresAt: now + 32 * 86_400 }],
      ['a short device id', { deviceId: new Uint8Array(15) }],
    ])('refuses to sign %s', async (_name, overrides) => {
      const org = await generateEd25519KeyPair();
      expect((await rejection(signAttestation(fields(overrides), org.privateKey))).code).toBe('malformed');
    });
  });

  describe('spoofed identities under a valid signature (identifiers.md)', () => {
    const SIGNATURE_LABEL = 'OpenDescent device attestation v1';

    /**
     * An attestation whose display name or address is replaced after the checks of signing, then
     * signed correctly: what a compromised or buggy issuer could send. Built byte by byte, so the
     * refusal is proven at decode, not only at signing.
     */
    async function signedByHand(org: Ed25519KeyPair, userAddress: string, displayName: string): Promise<Uint8Array> {
      const valid = await signAttestation(fields(), org.privateKey);
      const { body } = decodeAttestation(valid);
      const a = fields();
      const fixedLength = body.length - 2 - utf8Encode(a.userAddress).length - utf8Encode(a.displayName).length;
      const address = utf8Encode(userAddress);
      const name = utf8Encode(displayName);
      const spoofed = concatBytes(
        body.slice(0, fixedLength),
        Uint8Array.of(address.length),
        address,
        Uint8Array.of(name.length),
        name,
      );
      const signature = await ed25519Sign(
        org.privateKey,
        concatBytes(utf8Encode(SIGNATURE_LABEL), Uint8Array.of(0), spoofed),
      );
      // The signature really is valid: only the identity rule can refuse it.
      expect(
        await ed25519Verify(
          org.publicKey,
          concatBytes(utf8Encode(SIGNATURE_LABEL), Uint8Array.of(0), spoofed),
          signature,
        ),
      ).toBe(true);
      return concatBytes(spoofed, signature);
    }

    it('the hand-built encoding matches signAttestation for an ordinary name (the builder is faithful)', async () => {
      const org = await newOrgKey();
      const byHand = await signedByHand(org, 'alice@ministry.example', 'Alice Martin');
      expect(hex(byHand)).toBe(hex(await signAttestation(fields(), org.privateKey)));
      expect(
        (await verifyAttestation(byHand, { trusted: [{ orgId, publicKey: org.publicKey }], now })).displayName,
      ).toBe('Alice Martin');
    });

    it.each([
      ['a display name of only U+200B', 'alice@ministry.example', '\u200b', /displayName contains U\+200B/],
      [
        'a display name hiding a right-to-left override',
        'alice@ministry.example',
        'Alice\u202e',
        /displayName contains U\+202E/,
      ],
      ['a display name with no letter', 'alice@ministry.example', '...', /letter/],
      ['ceо@ with a Cyrillic о', 'ce\u043e@ministry.example', 'Alice Martin', /userAddress contains U\+043E/],
      [
        'an address with a zero-width space',
        'c\u200beo@ministry.example',
        'Alice Martin',
        /userAddress contains U\+200B/,
      ],
      [
        'an address with a trailing U+202E',
        'ceo@ministry.example\u202e',
        'Alice Martin',
        /userAddress contains U\+202E/,
      ],
    ])(
      'an attestation carrying a spoofed identity does not verify: %s',
      async (_name, userAddress, displayName, why) => {
        const org = await newOrgKey();
        const bytes = await signedByHand(org, userAddress, displayName);
        const error = await rejection(
          verifyAttestation(bytes, { trusted: [{ orgId, publicKey: org.publicKey }], now }),
        );
        expect(error.code).toBe('malformed');
        expect(error.message).toMatch(why);
        expect(() => decodeAttestation(bytes)).toThrow(expect.objectContaining({ code: 'malformed' }));
      },
    );
  });

  it('decodes arbitrary and mutated bytes with nothing but ProtocolError', async () => {
    const org = await newOrgKey();
    const valid = await signAttestation(fields(), org.privateKey);
    const mutated = fc
      .tuple(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(valid.length),
      )
      .map(([edits, cut]) => {
        const copy = valid.slice(0, cut === 0 ? valid.length : cut);
        for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
        return copy;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated), (bytes) => {
        try {
          decodeAttestation(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
