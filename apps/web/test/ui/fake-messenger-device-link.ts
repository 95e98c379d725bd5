/**
 * The device link as the fake messenger plays it (user-keys.md §3): the offer a new device shows,
 * and how an approving device reads a typed code or a scanned QR text. One code and one QR text
 * are accepted; everything else is refused with the codes the worker uses.
 */
import type { DeviceLinkOfferView } from '../../src/messenger/api';
import { fakeQrSvg } from './fake-messenger-qr';

/** The golden vector's code (user-keys.md §3.2): what a new device shows, and what an approving one accepts by default. */
export const FAKE_LINK_CODE = 'BOZM-RPRK-JKHC-P644-NDBL-DH42-AOKV-3SM2';
/** What the new device's QR code holds: the prefix and 74 bytes in base64url (user-keys.md §3.1), made up. */
export const FAKE_LINK_QR = `opendescent:link?v=1&o=${'AREAESIzRFVmd4iZqrvM3e7_'.repeat(4)}ARE`;
/** The device the accepted code and QR code name. */
export const FAKE_LINKED_DEVICE_ID = 'e1d2c3b4a5968778695a4b3c2d1e0f00';
/** An offer lasts 10 minutes (user-keys.md §3.1). */
const LINK_OFFER_MS = 10 * 60_000;

/** The offer a new device shows from `now` on. */
export function fakeLinkOffer(now: number): DeviceLinkOfferView {
  return {
    code: FAKE_LINK_CODE,
    qrPayload: FAKE_LINK_QR,
    qrSvg: fakeQrSvg(FAKE_LINK_QR),
    expiresAt: now + LINK_OFFER_MS,
  };
}

/**
 * Reads a code or QR text roughly as the worker does (ASCII checked before folding case, §3.2),
 * then says whether it names the waiting device. Throws `link_invalid` for what does not read as
 * a code at all.
 */
export function fakeLinkInputMatches(codeOrQr: string, linkCode: string): boolean {
  const text = codeOrQr.trim();
  if (/^opendescent:link\?/i.test(text)) return text === FAKE_LINK_QR;
  if (!/^[\x20-\x7e]*$/.test(text)) throw { code: 'link_invalid', message: 'not a link code' };
  const symbols = text.replace(/[ -]/g, '').toUpperCase();
  if (!/^[A-Z2-7]{32}$/.test(symbols)) throw { code: 'link_invalid', message: 'not a link code' };
  return symbols === linkCode.replace(/-/g, '').toUpperCase();
}
