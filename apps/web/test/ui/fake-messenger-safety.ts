/**
 * Safety numbers as the fake messenger plays them (user-keys.md §5): one per person, the same
 * whatever devices they have, and another one once this user accepts a new user key of theirs. A
 * person with no approved device has no number yet. Reading their QR code: one configurable text
 * stands for "their screen" and matches; any other safety QR text is a mismatch, and text that is
 * not a safety QR code at all is `safety_qr_invalid`, as the worker answers.
 */
import type { SafetyNumberView } from '../../src/messenger/api';
import { hasPinnedUserKey, type FakePerson } from './fake-messenger-people';
import { fakeDigits, fakeQrSvg } from './fake-messenger-qr';

/** What a safety QR code encodes first (user-keys.md §5.2; the worker's SAFETY_QR_PREFIX). */
export const FAKE_SAFETY_QR_PREFIX = 'opendescent:verify?v=2&q=';

/** The QR text of "their screen" by default: what verifySafetyQr accepts. Made up: 83 characters, as 62 bytes in base64url. */
export const FAKE_SAFETY_QR_MATCH = `${FAKE_SAFETY_QR_PREFIX}ARM${'theirScreen_'.repeat(6)}theirScr`;

/** The person's safety number with this user (`selfAddress`), as safetyNumbers lists it. */
export function safetyNumberView(selfAddress: string, person: FakePerson): SafetyNumberView {
  const devices = person.devices.map(({ deviceId, trust, key }) => ({ deviceId, trust, approved: key === 'pinned' }));
  const shared = {
    address: person.address,
    displayName: person.displayName,
    verified: person.verified,
    userKeyChanged: person.userKeyChanged,
    devices,
  };
  if (!hasPinnedUserKey(person)) return { ...shared, digits: '', qrPayload: '', qrSvg: '' };
  const digits = fakeDigits(selfAddress, `${person.address}#${person.keyGeneration}`);
  // This side's own code: never FAKE_SAFETY_QR_MATCH, so reading it back is a mismatch (§5.2).
  const qrPayload = `${FAKE_SAFETY_QR_PREFIX}${digits.replace(/\s/g, '')}`;
  return { ...shared, digits, qrPayload, qrSvg: fakeQrSvg(qrPayload) };
}

/** Whether `scanned` is their screen's code (`match`); throws `safety_qr_invalid` for text that is not a safety QR code. */
export function fakeSafetyQrMatches(scanned: string, match: string): boolean {
  const text = scanned.trim();
  if (!text.startsWith(FAKE_SAFETY_QR_PREFIX) || text.length === FAKE_SAFETY_QR_PREFIX.length)
    throw { code: 'safety_qr_invalid', message: 'not a safety QR code' };
  return text === match;
}
