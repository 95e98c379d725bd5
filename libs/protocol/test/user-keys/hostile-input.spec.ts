/**
 * Every user-key decoder throws nothing but a ProtocolError, whatever it is fed (README.md,
 * "Conventions"; DESIGN.md A5): random bytes behind the right version and type bytes, so the
 * fuzzing reaches the fields, and any text for the typed code.
 */
import fc from 'fast-check';
import {
  ProtocolError,
  decodeDeviceCertificate,
  decodeDeviceLinkOffer,
  decodePersonSafetyQr,
  makeDeviceLinkOffer,
  openDeviceLinkTransfer,
  parseDeviceLinkCode,
} from '../../src/index';
import { device, type TestDevice } from './fixtures';

function onlyProtocolErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
  }
}

const framed = (type: number, maxLength: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.uint8Array({ maxLength }).map((rest) => Uint8Array.of(1, type, ...rest)),
  );

describe('user-key decoders under hostile input', () => {
  let tablet: TestDevice;
  beforeAll(async () => {
    tablet = await device('alice tablet');
  });

  it('device certificate, device link offer, person safety QR code: ProtocolError only (property)', () => {
    fc.assert(
      fc.property(framed(0x10, 500), (input) => onlyProtocolErrors(() => decodeDeviceCertificate(input))),
      { numRuns: 1_000 },
    );
    fc.assert(
      fc.property(framed(0x11, 80), (input) => onlyProtocolErrors(() => decodeDeviceLinkOffer(input))),
      { numRuns: 1_000 },
    );
    fc.assert(
      fc.property(framed(0x13, 70), (input) => onlyProtocolErrors(() => decodePersonSafetyQr(input))),
      { numRuns: 1_000 },
    );
  });

  it('typed code: any text, ProtocolError only (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 140 }), fc.stringMatching(/^[A-Za-z2-7 -]{30,40}$/)), (text) =>
        onlyProtocolErrors(() => parseDeviceLinkCode(text)),
      ),
      { numRuns: 2_000 },
    );
  });

  it('device link transfer: any bytes, ProtocolError only (property)', async () => {
    const opening = {
      offer: makeDeviceLinkOffer(tablet.attestation),
      agreementPrivateKey: tablet.identity.agreement.privateKey,
      attestation: tablet.attestation,
    };
    await fc.assert(
      fc.asyncProperty(framed(0x12, 600), async (input) => {
        await openDeviceLinkTransfer(opening, input).catch((error: unknown) =>
          expect(error).toBeInstanceOf(ProtocolError),
        );
      }),
      { numRuns: 300 },
    );
  });
});
