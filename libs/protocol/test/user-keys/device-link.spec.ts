/** The device-link offer, its QR bytes and its typed code (docs/protocol/user-keys.md §3). */
import fc from 'fast-check';
import { SecretBytes } from '@opendescent/crypto';
import {
  DEVICE_LINK_CODE_LENGTH,
  DEVICE_LINK_OFFER_BYTES,
  DEVICE_LINK_OFFER_TYPE,
  DEVICE_LINK_OFFER_VERSION,
  MAX_DEVICE_LINK_CODE_CHARS,
  decodeDeviceLinkOffer,
  deviceLinkCode,
  deviceLinkCommitment,
  encodeDeviceLinkOffer,
  makeDeviceLinkOffer,
  offerMatchesAttestation,
  parseDeviceLinkCode,
  type DeviceLinkOffer,
} from '../../src/index';
import { checkSymbols } from '../../src/user-keys/typed-code-check';
import { expectGolden, hex, labelled, protocolCode } from '../support';
import { device, flipped, goldenDeviceIdentity, type TestDevice } from './fixtures';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const compact = (code: string) => code.replace(/-/g, '');
const grouped = (text: string) => (text.match(/.{1,4}/g) ?? []).join('-');

/** An offer with a secret derived from a label, for vectors (makeDeviceLinkOffer draws a random one). */
function offerWithSecret(of: TestDevice, secretLabel: string): DeviceLinkOffer {
  return {
    ...makeDeviceLinkOffer(of.attestation),
    linkSecret: new SecretBytes(labelled(secretLabel, 8)),
  };
}

/** Any offer, for properties: random commitment and secret. */
const offerArbitrary: fc.Arbitrary<DeviceLinkOffer> = fc
  .record({
    orgId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    deviceId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    keyCommitment: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    secret: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  })
  .map(({ secret, ...rest }) => ({ form: 'offer' as const, ...rest, linkSecret: new SecretBytes(secret) }));

/** A code whose check characters are right, over any 30 data symbols (to reach the version checks). */
function codeOf(data: number[]): string {
  return grouped([...data, ...checkSymbols(data)].map((symbol) => ALPHABET.charAt(symbol)).join(''));
}

describe('device link offer', () => {
  let laptop: TestDevice;
  let tablet: TestDevice;
  beforeAll(async () => {
    laptop = await device('alice laptop', 'alice@ministry.example', await goldenDeviceIdentity('alice laptop'));
    tablet = await device('alice tablet');
  });

  it('matches its golden vector: QR bytes and typed code (a format change is a visible diff)', () => {
    const offer = offerWithSecret(laptop, 'golden device link secret');
    const bytes = encodeDeviceLinkOffer(offer);
    expect(bytes.length).toBe(DEVICE_LINK_OFFER_BYTES);
    expectGolden('device-link-offer-v1', {
      description:
        'user-keys.md §3: the device-link offer of the golden device "alice laptop", version 1, as QR bytes and as the typed code; the link secret is derived from a public label',
      commitment: hex(offer.keyCommitment),
      bytes: hex(bytes),
      code: deviceLinkCode(offer),
    });
  });

  it('commits to the attested device: the commitment is the documented SHA-256 (§3.1)', () => {
    const offer = makeDeviceLinkOffer(laptop.attestation);
    expect(offer.keyCommitment).toEqual(deviceLinkCommitment(laptop.attestation));
    expect(offerMatchesAttestation(offer, laptop.attestation)).toBe(true);
  });

  it('draws a fresh 8-byte link secret for every offer, and never prints it', () => {
    const first = makeDeviceLinkOffer(laptop.attestation);
    const second = makeDeviceLinkOffer(laptop.attestation);
    expect(first.linkSecret.length).toBe(8);
    expect(hex(first.linkSecret.exposeBytes())).not.toBe(hex(second.linkSecret.exposeBytes()));
    const printed = `${JSON.stringify(first)} ${String(first.linkSecret)}`;
    expect(printed).not.toContain(hex(first.linkSecret.exposeBytes()));
    expect(printed).toContain('redacted');
  });

  describe('QR bytes', () => {
    it('round-trip, version and type first (property)', () => {
      fc.assert(
        fc.property(offerArbitrary, (offer) => {
          const bytes = encodeDeviceLinkOffer(offer);
          expect([bytes[0], bytes[1]]).toEqual([DEVICE_LINK_OFFER_VERSION, DEVICE_LINK_OFFER_TYPE]);
          const decoded = decodeDeviceLinkOffer(bytes);
          expect(decoded.keyCommitment).toEqual(offer.keyCommitment);
          expect(decoded.deviceId).toEqual(offer.deviceId);
          expect(decoded.orgId).toEqual(offer.orgId);
          expect(decoded.linkSecret.exposeBytes()).toEqual(offer.linkSecret.exposeBytes());
        }),
      );
    });

    it('malformed: truncated at every length; oversized: a byte more; not bytes', () => {
      const bytes = encodeDeviceLinkOffer(makeDeviceLinkOffer(laptop.attestation));
      for (let length = 0; length < bytes.length; length++)
        expect(protocolCode(() => decodeDeviceLinkOffer(bytes.slice(0, length)))).toBe('malformed');
      expect(protocolCode(() => decodeDeviceLinkOffer(Uint8Array.of(...bytes, 0)))).toBe('oversized');
      expect(protocolCode(() => decodeDeviceLinkOffer('an offer'))).toBe('malformed');
    });

    it('version_too_old, version_unknown; another type byte (a certificate, say) is malformed', () => {
      const bytes = encodeDeviceLinkOffer(makeDeviceLinkOffer(laptop.attestation));
      expect(protocolCode(() => decodeDeviceLinkOffer(Uint8Array.of(0, ...bytes.subarray(1))))).toBe('version_too_old');
      expect(protocolCode(() => decodeDeviceLinkOffer(Uint8Array.of(2, ...bytes.subarray(1))))).toBe('version_unknown');
      expect(protocolCode(() => decodeDeviceLinkOffer(Uint8Array.of(1, 0x10, ...bytes.subarray(2))))).toBe('malformed');
    });
  });

  describe('typed code', () => {
    it('is 32 characters of A-Z 2-7 in eight dash-joined groups of four, starting with its version', () => {
      const code = deviceLinkCode(makeDeviceLinkOffer(laptop.attestation));
      expect(code).toMatch(/^B[A-Z2-7]{3}(-[A-Z2-7]{4}){7}$/);
      expect(compact(code)).toHaveLength(DEVICE_LINK_CODE_LENGTH);
    });

    it('round-trips: the first 10 bytes of the commitment and the whole secret (property)', () => {
      fc.assert(
        fc.property(offerArbitrary, (offer) => {
          const parsed = parseDeviceLinkCode(deviceLinkCode(offer));
          expect(parsed.form).toBe('code');
          expect(parsed.keyCommitment).toEqual(offer.keyCommitment.subarray(0, 10));
          expect(parsed.linkSecret.exposeBytes()).toEqual(offer.linkSecret.exposeBytes());
        }),
      );
    });

    it('reads what people type: lower case, spaces for dashes, no grouping, stray spaces', () => {
      const offer = makeDeviceLinkOffer(laptop.attestation);
      const code = deviceLinkCode(offer);
      for (const typed of [
        code.toLowerCase(),
        code.replace(/-/g, ' '),
        compact(code),
        ` ${compact(code).slice(0, 7)}  ${compact(code).slice(7).toLowerCase()} `,
      ]) {
        expect(parseDeviceLinkCode(typed).keyCommitment).toEqual(offer.keyCommitment.subarray(0, 10));
      }
    });

    it('a typo is refused, never read as another code: every single-character substitution (property)', () => {
      fc.assert(
        fc.property(offerArbitrary, (offer) => {
          const code = compact(deviceLinkCode(offer));
          for (let position = 0; position < code.length; position++) {
            for (const replacement of ALPHABET) {
              if (replacement === code[position]) continue;
              const typo = code.slice(0, position) + replacement + code.slice(position + 1);
              expect(protocolCode(() => parseDeviceLinkCode(typo))).toBe('malformed');
            }
          }
        }),
        { numRuns: 10 },
      );
    });

    it('a swap of any two different characters is refused (property)', () => {
      fc.assert(
        fc.property(offerArbitrary, (offer) => {
          const code = compact(deviceLinkCode(offer));
          for (let i = 0; i < code.length; i++) {
            for (let j = i + 1; j < code.length; j++) {
              if (code[i] === code[j]) continue;
              const swapped = code.split('');
              [swapped[i], swapped[j]] = [code[j] as string, code[i] as string];
              expect(protocolCode(() => parseDeviceLinkCode(swapped.join('')))).toBe('malformed');
            }
          }
        }),
        { numRuns: 10 },
      );
    });

    it('any two substitutions are refused (property over positions and replacements)', () => {
      const code = compact(deviceLinkCode(makeDeviceLinkOffer(laptop.attestation)));
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 31 }),
          fc.integer({ min: 0, max: 31 }),
          fc.integer({ min: 1, max: 31 }),
          fc.integer({ min: 1, max: 31 }),
          (i, j, di, dj) => {
            fc.pre(i !== j);
            const typo = code.split('');
            typo[i] = ALPHABET.charAt((ALPHABET.indexOf(code[i] as string) + di) % 32);
            typo[j] = ALPHABET.charAt((ALPHABET.indexOf(code[j] as string) + dj) % 32);
            expect(protocolCode(() => parseDeviceLinkCode(typo.join('')))).toBe('malformed');
          },
        ),
        { numRuns: 3000 },
      );
    });

    it.each([
      ['a dropped character', (code: string) => code.slice(1)],
      ['an extra character', (code: string) => `${code}A`],
      ['a digit outside the alphabet (0 for O)', (code: string) => `0${code.slice(1)}`],
      ['a digit outside the alphabet (1, 8 or 9)', (code: string) => `${code.slice(0, 5)}1${code.slice(6)}`],
      ['a full-width letter', (code: string) => `Ｂ${code.slice(1)}`],
      ['a separator other than a space or a dash', (code: string) => code.replace('-', '_')],
      ['an empty string', () => ''],
    ])('malformed: %s', (_what, change) => {
      const code = deviceLinkCode(makeDeviceLinkOffer(laptop.attestation));
      expect(protocolCode(() => parseDeviceLinkCode(change(code)))).toBe('malformed');
    });

    it('malformed: a non-ASCII letter that upper-cases into the alphabet (ı to I, ſ to S) is never folded into it', () => {
      const payload = Array.from({ length: 29 }, (_, i): number => (i % 2 === 0 ? 8 : 18)); // I and S
      payload[28] = 0;
      const code = codeOf([1, ...payload]);
      expect(parseDeviceLinkCode(code).form).toBe('code');
      expect(code.toLowerCase().replace(/i/g, 'ı').toUpperCase()).toBe(code);
      expect(protocolCode(() => parseDeviceLinkCode(code.toLowerCase().replace('i', 'ı')))).toBe('malformed');
      expect(protocolCode(() => parseDeviceLinkCode(code.toLowerCase().replace('s', 'ſ')))).toBe('malformed');
    });

    it('oversized: a text over the bound, before any work; not a string: malformed', () => {
      expect(protocolCode(() => parseDeviceLinkCode(' '.repeat(MAX_DEVICE_LINK_CODE_CHARS + 1)))).toBe('oversized');
      expect(protocolCode(() => parseDeviceLinkCode(42))).toBe('malformed');
    });

    it('version_too_old and version_unknown, when the check characters are right', () => {
      const payload = Array.from({ length: 29 }, (_, i) => (i * 7) % 32);
      payload[28] = 0; // the last payload character carries one zero padding bit
      expect(protocolCode(() => parseDeviceLinkCode(codeOf([0, ...payload])))).toBe('version_too_old');
      expect(protocolCode(() => parseDeviceLinkCode(codeOf([2, ...payload])))).toBe('version_unknown');
      expect(parseDeviceLinkCode(codeOf([1, ...payload])).form).toBe('code');
    });

    it('malformed: a last payload character with its padding bit set, even with right check characters', () => {
      const payload = Array.from({ length: 29 }, () => 0);
      payload[28] = 1;
      expect(protocolCode(() => parseDeviceLinkCode(codeOf([1, ...payload])))).toBe('malformed');
    });
  });

  describe('the check characters (typed-code-check.ts)', () => {
    /** A codeword's 32 symbols, after an error pattern: is it still a codeword? */
    const isCodeword = (word: number[]) => {
      const [first, second] = checkSymbols(word.slice(0, 30));
      return word[30] === first && word[31] === second;
    };

    it('detect every error pattern of one or two symbols: exhaustive (the code is linear, so this holds for every code)', () => {
      // An error pattern goes undetected on one codeword exactly when it does on all of them
      // (it would itself be a codeword), so the all-zero codeword stands for every code.
      const zero = Array.from({ length: 32 }, () => 0);
      expect(isCodeword(zero)).toBe(true);
      let undetected = 0;
      for (let i = 0; i < 32; i++) {
        for (let ei = 1; ei < 32; ei++) {
          const single = zero.slice();
          single[i] = ei;
          if (isCodeword(single)) undetected++;
          for (let j = i + 1; j < 32; j++) {
            for (let ej = 1; ej < 32; ej++) {
              const double = single.slice();
              double[j] = ej;
              if (isCodeword(double)) undetected++;
            }
          }
        }
      }
      expect(undetected).toBe(0);
    });

    it('and no more: some three-symbol errors pass (distance exactly 3, the limit user-keys.md §3.2 states)', () => {
      let undetected = 0;
      for (let a = 1; a < 32; a++)
        for (let b = 1; b < 32; b++)
          for (let c = 1; c < 32; c++) if (isCodeword([a, b, c, ...Array.from({ length: 29 }, () => 0)])) undetected++;
      expect(undetected).toBeGreaterThan(0);
    });

    it('refuses more than 30 data symbols, where two weights would repeat', () => {
      expect(() => checkSymbols(Array.from({ length: 31 }, () => 0))).toThrow(RangeError);
    });
  });

  describe('offerMatchesAttestation', () => {
    it('a scanned or typed offer matches the device that made it', () => {
      const offer = makeDeviceLinkOffer(laptop.attestation);
      expect(offerMatchesAttestation(decodeDeviceLinkOffer(encodeDeviceLinkOffer(offer)), laptop.attestation)).toBe(
        true,
      );
      expect(offerMatchesAttestation(parseDeviceLinkCode(deviceLinkCode(offer)), laptop.attestation)).toBe(true);
    });

    it.each([
      ['another device', { deviceId: labelled('device: ghost', 16) }],
      ['a swapped signing key', { signingKey: labelled('ghost signing key', 32) }],
      ['a swapped agreement key', { agreementKey: labelled('ghost agreement key', 32) }],
      ['another organisation', { orgId: labelled('org: another one', 16) }],
    ])('refuses an attestation of %s, scanned or typed', (_what, overrides) => {
      const offer = makeDeviceLinkOffer(laptop.attestation);
      const ghost = { ...laptop.attestation, ...overrides };
      expect(offerMatchesAttestation(offer, ghost)).toBe(false);
      expect(offerMatchesAttestation(parseDeviceLinkCode(deviceLinkCode(offer)), ghost)).toBe(false);
    });

    it("refuses another of the person's devices, and any single-bit change of the commitment", () => {
      const offer = makeDeviceLinkOffer(laptop.attestation);
      expect(offerMatchesAttestation(offer, tablet.attestation)).toBe(false);
      for (let index = 0; index < 32; index++) {
        const changed = { ...offer, keyCommitment: flipped(offer.keyCommitment, index) };
        expect(offerMatchesAttestation(changed, laptop.attestation)).toBe(false);
      }
    });
  });
});
