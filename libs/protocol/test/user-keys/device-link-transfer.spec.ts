/** The device-link transfer: the approval sent back to the new device (docs/protocol/user-keys.md §4). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  concatBytes,
  generateEd25519KeyPair,
  generateX25519KeyPair,
  hkdfSha256,
  seal,
  SecretBytes,
  x25519SharedSecret,
  type Ed25519KeyPair,
} from '@opendescent/crypto';
import {
  DEVICE_LINK_TRANSFER_TYPE,
  DEVICE_LINK_TRANSFER_VERSION,
  MAX_DEVICE_LINK_TRANSFER_BYTES,
  MAX_LINKED_DEVICE_CERTIFICATES,
  deviceLinkCode,
  makeDeviceLinkOffer,
  openDeviceLinkTransfer,
  parseDeviceLinkCode,
  sealDeviceLinkTransfer,
  signDeviceCertificate,
  type DeviceLinkOffer,
  type DeviceLinkTransferInput,
} from '../../src/index';
import { domainSeparated } from '../../src/signing-input';
import { fromHex, hex, labelled } from '../support';
import {
  certificateFields,
  device,
  flipped,
  goldenDeviceIdentity,
  goldenUserKey,
  rejectionCode,
  type TestDevice,
} from './fixtures';

/**
 * A second implementation of §4.1, written from the document: seals any contents, so the specs
 * can hand the new device what a hostile sender with the link secret could make.
 */
async function sealFromSpec(offer: DeviceLinkOffer, recipient: Uint8Array, contents: Uint8Array): Promise<Uint8Array> {
  const ephemeral = await generateX25519KeyPair();
  const header = concatBytes(Uint8Array.of(1, 0x12), ephemeral.publicKey);
  const shared = await x25519SharedSecret(ephemeral.privateKey, recipient);
  const key = hkdfSha256(
    concatBytes(shared.exposeBytes(), offer.linkSecret.exposeBytes()),
    concatBytes(ephemeral.publicKey, recipient),
    domainSeparated('OpenDescent device link transfer v1', offer.keyCommitment),
    32,
  );
  return concatBytes(header, seal(key, contents, concatBytes(header, recipient)));
}

/** §4.2's contents: user key seed, the certificate, the listed certificates. */
function contentsFromSpec(seed: Uint8Array, certificate: Uint8Array, listed: Uint8Array[] = []): Uint8Array {
  const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
  return concatBytes(
    seed,
    u16(certificate.length),
    certificate,
    Uint8Array.of(listed.length),
    ...listed.flatMap((bytes) => [u16(bytes.length), bytes]),
  );
}

describe('device link transfer', () => {
  let alice: Ed25519KeyPair;
  let laptop: TestDevice; // the existing, approving device
  let tablet: TestDevice; // the new device
  let offer: DeviceLinkOffer;
  let laptopCertificate: Uint8Array;
  let tabletCertificate: Uint8Array;

  const opening = (of = tablet, withOffer = offer) => ({
    offer: withOffer,
    agreementPrivateKey: of.identity.agreement.privateKey,
    attestation: of.attestation,
  });
  const input = (overrides: Partial<DeviceLinkTransferInput> = {}): DeviceLinkTransferInput => ({
    offer,
    attestation: tablet.attestation,
    certificate: tabletCertificate,
    userPrivateKey: alice.privateKey,
    deviceCertificates: [laptopCertificate],
    ...overrides,
  });

  beforeAll(async () => {
    alice = await goldenUserKey('alice');
    laptop = await device('alice laptop', 'alice@ministry.example', await goldenDeviceIdentity('alice laptop'));
    tablet = await device('alice tablet', 'alice@ministry.example', await goldenDeviceIdentity('alice tablet'));
    offer = {
      ...makeDeviceLinkOffer(tablet.attestation),
      linkSecret: new SecretBytes(labelled('golden link secret', 8)),
    };
    laptopCertificate = await signDeviceCertificate(certificateFields(laptop.attestation), alice.privateKey);
    tabletCertificate = await signDeviceCertificate(certificateFields(tablet.attestation), alice.privateKey);
  });

  it('opens its golden vector (sealed once; every input derived from public labels): the format is fixed', async () => {
    const file = path.join(__dirname, '..', 'golden', 'device-link-transfer-v1.json');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.CI === 'true') throw new Error('golden vector device-link-transfer-v1 is missing');
      const bytes = await sealDeviceLinkTransfer(input());
      const vector = {
        description:
          'user-keys.md §4: a device-link transfer, version 1, from the golden device "alice laptop" to "alice tablet", carrying the golden user key "alice"; random (ephemeral key, nonce), so the test opens it rather than rebuilding it',
        linkSecret: hex(offer.linkSecret.exposeBytes()),
        userPublicKey: hex(alice.publicKey),
        bytes: hex(bytes),
      };
      writeFileSync(file, `${JSON.stringify(vector, null, 2)}\n`);
    }
    const vector = JSON.parse(readFileSync(file, 'utf8')) as { bytes: string; userPublicKey: string };
    const opened = await openDeviceLinkTransfer(opening(), fromHex(vector.bytes));
    expect(hex(opened.userKey.publicKey)).toBe(vector.userPublicKey);
    expect(opened.certificateBytes).toEqual(tabletCertificate);
    expect(opened.deviceCertificates.map((listed) => listed.bytes)).toEqual([laptopCertificate]);
  });

  it('round-trips from a scanned offer: the user key pair, the certificate and the listed devices', async () => {
    const bytes = await sealDeviceLinkTransfer(input());
    expect([bytes[0], bytes[1]]).toEqual([DEVICE_LINK_TRANSFER_VERSION, DEVICE_LINK_TRANSFER_TYPE]);
    const opened = await openDeviceLinkTransfer(opening(), bytes);
    expect(opened.userKey.publicKey).toEqual(alice.publicKey);
    expect(hex(opened.userKey.privateKey.exposeBytes())).toBe(hex(alice.privateKey.exposeBytes()));
    expect(opened.certificate.deviceId).toEqual(tablet.attestation.deviceId);
    expect(opened.deviceCertificates[0]?.certificate.deviceId).toEqual(laptop.attestation.deviceId);
  });

  it('round-trips from a typed code: the same secret, the same key', async () => {
    const typed = parseDeviceLinkCode(deviceLinkCode(offer));
    const bytes = await sealDeviceLinkTransfer(input({ offer: typed, deviceCertificates: [] }));
    const opened = await openDeviceLinkTransfer(opening(), bytes);
    expect(opened.userKey.publicKey).toEqual(alice.publicKey);
    expect(opened.deviceCertificates).toEqual([]);
  });

  it('matches the independent implementation of §4.1 and §4.2', async () => {
    const contents = contentsFromSpec(alice.privateKey.exposeBytes(), tabletCertificate, [laptopCertificate]);
    const opened = await openDeviceLinkTransfer(
      opening(),
      await sealFromSpec(offer, tablet.attestation.agreementKey, contents),
    );
    expect(opened.userKey.publicKey).toEqual(alice.publicKey);
  });

  it('never prints the user key it carries', async () => {
    const opened = await openDeviceLinkTransfer(opening(), await sealDeviceLinkTransfer(input()));
    const printed = JSON.stringify(opened);
    expect(printed).not.toContain(hex(alice.privateKey.exposeBytes()));
    expect(printed).toContain('redacted');
  });

  describe('undecryptable: only the device that showed the offer opens it', () => {
    it('a wrong link secret (another offer of the same device)', async () => {
      const other = makeDeviceLinkOffer(tablet.attestation);
      const bytes = await sealDeviceLinkTransfer(input({ offer: other }));
      expect(await rejectionCode(openDeviceLinkTransfer(opening(), bytes))).toBe('undecryptable');
    });

    it('a wrong device: sealed to the tablet, opened by the phone with its own offer', async () => {
      const phone = await device('alice phone');
      const bytes = await sealDeviceLinkTransfer(input());
      const phoneOffer = makeDeviceLinkOffer(phone.attestation);
      const phoneOpening = { ...opening(phone, phoneOffer), offer: { ...phoneOffer, linkSecret: offer.linkSecret } };
      expect(await rejectionCode(openDeviceLinkTransfer(phoneOpening, bytes))).toBe('undecryptable');
    });

    it('tampered: every single-byte change is refused (property)', async () => {
      const bytes = await sealDeviceLinkTransfer(input());
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: bytes.length - 1 }),
          fc.integer({ min: 1, max: 255 }),
          async (index, bit) => {
            const code = await rejectionCode(openDeviceLinkTransfer(opening(), flipped(bytes, index, bit)));
            if (index === 0) expect(['version_too_old', 'version_unknown']).toContain(code);
            else if (index === 1) expect(code).toBe('malformed');
            else expect(code).toBe('undecryptable');
          },
        ),
        { numRuns: 100 },
      );
    });

    it('a transfer made without the link secret (by the admin app, say) with a user key of its own', async () => {
      const mallory = await generateEd25519KeyPair();
      const forgedCertificate = await signDeviceCertificate(certificateFields(tablet.attestation), mallory.privateKey);
      const guess = { ...offer, linkSecret: new SecretBytes(labelled('a guessed secret', 8)) };
      const contents = contentsFromSpec(mallory.privateKey.exposeBytes(), forgedCertificate);
      const bytes = await sealFromSpec(guess, tablet.attestation.agreementKey, contents);
      expect(await rejectionCode(openDeviceLinkTransfer(opening(), bytes))).toBe('undecryptable');
    });
  });

  describe('malformed frames', () => {
    it('sizes as user-keys.md §4.1 states them: 311 bytes at least, 15,122 at most', async () => {
      expect(MAX_DEVICE_LINK_TRANSFER_BYTES).toBe(15_122);
      const shortest = await signDeviceCertificate(
        { ...certificateFields(tablet.attestation), userAddress: 'a@b' },
        alice.privateKey,
      );
      const bytes = await sealFromSpec(
        offer,
        tablet.attestation.agreementKey,
        contentsFromSpec(alice.privateKey.exposeBytes(), shortest),
      );
      expect(bytes.length).toBe(311);
    });

    it('truncated: shorter than a header and a sealed box; oversized; not bytes', async () => {
      const bytes = await sealDeviceLinkTransfer(input());
      for (const length of [0, 1, 2, 33, 34, 73]) {
        expect(await rejectionCode(openDeviceLinkTransfer(opening(), bytes.slice(0, length)))).toBe('malformed');
      }
      expect(await rejectionCode(openDeviceLinkTransfer(opening(), bytes.slice(0, bytes.length - 1)))).toBe(
        'undecryptable',
      );
      const huge = new Uint8Array(MAX_DEVICE_LINK_TRANSFER_BYTES + 1);
      expect(await rejectionCode(openDeviceLinkTransfer(opening(), huge))).toBe('oversized');
      expect(await rejectionCode(openDeviceLinkTransfer(opening(), 'transfer'))).toBe('malformed');
    });

    it('malformed contents under a valid seal: trailing bytes, a count over the bound', async () => {
      const seed = alice.privateKey.exposeBytes();
      const trailing = concatBytes(contentsFromSpec(seed, tabletCertificate), Uint8Array.of(0));
      const tooMany = contentsFromSpec(
        seed,
        tabletCertificate,
        Array.from({ length: MAX_LINKED_DEVICE_CERTIFICATES + 1 }, () => laptopCertificate),
      );
      for (const contents of [trailing, tooMany, seed.slice(0, 31)]) {
        const bytes = await sealFromSpec(offer, tablet.attestation.agreementKey, contents);
        expect(await rejectionCode(openDeviceLinkTransfer(opening(), bytes))).toBe('malformed');
      }
    });
  });

  describe('checks on the new device, after opening', () => {
    const openContents = async (contents: Uint8Array) =>
      rejectionCode(
        openDeviceLinkTransfer(opening(), await sealFromSpec(offer, tablet.attestation.agreementKey, contents)),
      );

    it('mismatch: a user key that is not the one the certificate names', async () => {
      const other = await generateEd25519KeyPair();
      expect(await openContents(contentsFromSpec(other.privateKey.exposeBytes(), tabletCertificate))).toBe('mismatch');
    });

    it("mismatch: a certificate for another device (the laptop's, not this tablet's)", async () => {
      expect(await openContents(contentsFromSpec(alice.privateKey.exposeBytes(), laptopCertificate))).toBe('mismatch');
    });

    it('unknown_signer: a listed certificate by another user key', async () => {
      const mallory = await generateEd25519KeyPair();
      const ghost = await device('ghost');
      const foreign = await signDeviceCertificate(certificateFields(ghost.attestation), mallory.privateKey);
      expect(await openContents(contentsFromSpec(alice.privateKey.exposeBytes(), tabletCertificate, [foreign]))).toBe(
        'unknown_signer',
      );
    });

    it('mismatch: a listed certificate of another person, a device listed twice, the new device listed', async () => {
      const bob = await device('bob laptop', 'bob@ministry.example');
      const bobs = await signDeviceCertificate(certificateFields(bob.attestation), alice.privateKey);
      const seed = alice.privateKey.exposeBytes();
      expect(await openContents(contentsFromSpec(seed, tabletCertificate, [bobs]))).toBe('mismatch');
      expect(
        await openContents(contentsFromSpec(seed, tabletCertificate, [laptopCertificate, laptopCertificate])),
      ).toBe('mismatch');
      expect(await openContents(contentsFromSpec(seed, tabletCertificate, [tabletCertificate]))).toBe('mismatch');
    });

    it("mismatch: opened with an attestation that is not the offer's device, or a key that is not the attested one", async () => {
      const bytes = await sealDeviceLinkTransfer(input());
      expect(
        await rejectionCode(openDeviceLinkTransfer({ ...opening(), attestation: laptop.attestation }, bytes)),
      ).toBe('mismatch');
      const stranger = await generateX25519KeyPair();
      expect(
        await rejectionCode(openDeviceLinkTransfer({ ...opening(), agreementPrivateKey: stranger.privateKey }, bytes)),
      ).toBe('mismatch');
    });
  });

  describe('the approving device refuses to seal', () => {
    it('mismatch: an offer that does not name the attested device (the directory swapped its keys)', async () => {
      const ghost = await device('alice tablet');
      const ghostCertificate = await signDeviceCertificate(certificateFields(ghost.attestation), alice.privateKey);
      expect(
        await rejectionCode(
          sealDeviceLinkTransfer(input({ attestation: ghost.attestation, certificate: ghostCertificate })),
        ),
      ).toBe('mismatch');
      const typed = parseDeviceLinkCode(deviceLinkCode(offer));
      expect(
        await rejectionCode(
          sealDeviceLinkTransfer(
            input({ offer: typed, attestation: ghost.attestation, certificate: ghostCertificate }),
          ),
        ),
      ).toBe('mismatch');
    });

    it('mismatch: a certificate for another device; unknown_signer: one by another user key', async () => {
      expect(await rejectionCode(sealDeviceLinkTransfer(input({ certificate: laptopCertificate })))).toBe('mismatch');
      const mallory = await generateEd25519KeyPair();
      const foreign = await signDeviceCertificate(certificateFields(tablet.attestation), mallory.privateKey);
      expect(await rejectionCode(sealDeviceLinkTransfer(input({ certificate: foreign })))).toBe('unknown_signer');
    });

    it('mismatch: a listed certificate of another person; oversized: too many listed', async () => {
      const bob = await device('bob laptop', 'bob@ministry.example');
      const bobs = await signDeviceCertificate(certificateFields(bob.attestation), alice.privateKey);
      expect(await rejectionCode(sealDeviceLinkTransfer(input({ deviceCertificates: [bobs] })))).toBe('mismatch');
      const tooMany = Array.from({ length: MAX_LINKED_DEVICE_CERTIFICATES + 1 }, () => laptopCertificate);
      expect(await rejectionCode(sealDeviceLinkTransfer(input({ deviceCertificates: tooMany })))).toBe('oversized');
    });
  });
});
