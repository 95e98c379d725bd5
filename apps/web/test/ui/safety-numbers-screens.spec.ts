/**
 * A person's safety-number card as the server renders it (user-keys.md §5; no effects run, so no
 * worker call and no camera): one number per person, or words saying why there is none yet;
 * verified or not; the number of a key that changed, with the acceptance beside it; the ways to
 * compare; and what comparing QR codes gave. The end-to-end tests' ids are checked where they
 * drive the card.
 */
import { createElement } from 'react';
import type { ContactDeviceView, ConversationView, MemberView, SafetyNumberView } from '../../src/messenger/api';
import { SafetyNumberCard } from '../../src/ui/main/safety-number-card';
import { SafetyQrResult } from '../../src/ui/main/safety-qr-check';
import type { SafetyQrOutcome } from '../../src/ui/main/safety-qr-compare';
import { cameraAvailable } from '../../src/ui/qr-scan';
import { labelledInput, renderScreen } from './render-screen';
import { conversationView } from './view-fixtures';

// Node has no camera API; whether the browser has one is what these tests choose.
jest.mock('../../src/ui/qr-scan', () => ({
  cameraAvailable: jest.fn(() => false),
  decodeQrPicture: jest.fn(),
  scanWithCamera: jest.fn(),
}));

const DEVICE: ContactDeviceView = { deviceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', trust: 'unverified', approved: true };
const GHOST: ContactDeviceView = { deviceId: '9a8b7c6d5e4f30211203f4e5d6c7b8a9', trust: 'unverified', approved: false };
const DIGITS = '01234 56789 01234 56789 01234 56789 01234 56789 01234 56789 01234 56789';

function person(fields: Partial<SafetyNumberView> = {}): SafetyNumberView {
  return {
    address: 'ann@example.org',
    displayName: 'Ann',
    digits: DIGITS,
    qrPayload: `opendescent:verify?v=2&q=${'A'.repeat(83)}`,
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    verified: false,
    userKeyChanged: false,
    devices: [DEVICE],
    ...fields,
  };
}

const self: MemberView = { address: 'me@example.org', displayName: 'Dominique', devices: [], isSelf: true };
const conversation: ConversationView = conversationView({
  id: 'c1',
  kind: 'direct',
  title: 'Ann',
  members: [self, { address: 'ann@example.org', displayName: 'Ann', devices: [DEVICE], isSelf: false }],
});

const card = (view: SafetyNumberView) =>
  renderScreen(
    createElement(SafetyNumberCard, {
      view,
      conversation,
      onMarkVerified: () => undefined,
      onChanged: async () => undefined,
      busy: false,
    }),
  );

/** The first element with `data-testid="<id>"`: its opening tag and what follows, up to the next such id. */
const part = (html: string, testId: string) => html.split(`data-testid="${testId}"`)[1];

describe('a person’s safety number', () => {
  beforeEach(() => jest.mocked(cameraAvailable).mockReturnValue(false));

  it('shows one card for the person, named by them, with the 60 digits in 12 groups and the QR code', () => {
    const html = card(person());
    expect(html.split('data-testid="safety-number"')).toHaveLength(2);
    expect(html).toMatch(/<article [^>]*aria-labelledby="([^"]+)"[^>]*data-address="ann@example.org"/);
    const labelledBy = /aria-labelledby="([^"]+)"/.exec(html)?.[1];
    expect(html).toContain(`id="${labelledBy}">Ann</span>`);
    const digits = part(html, 'safety-number-digits')?.split('</p>')[0] ?? '';
    expect(digits.match(/<span>\d{5}<\/span>/g)).toHaveLength(12);
    expect(digits.replace(/<[^>]+>|\D/g, '')).toBe(DIGITS.replace(/\D/g, ''));
    expect(html).toMatch(/<img [^>]*data-testid="safety-qr-code"[^>]*alt="QR code of the safety number with Ann"/);
    expect(html).toMatch(/src="data:image\/svg\+xml;charset=utf-8,%3Csvg/);
  });

  it('unverified: says so, offers “Mark as verified” named with the person, and a picture of their QR code to compare', () => {
    const html = card(person());
    expect(html).toContain('Not verified');
    expect(html).not.toContain('safety-verified');
    expect(html).toMatch(
      /<button [^>]*data-testid="mark-verified"[^>]*data-address="ann@example.org"[^>]*aria-label="Mark as verified: Ann"[^>]*>Mark as verified</,
    );
    const picture = labelledInput(html, 'Compare with a picture of their QR code');
    expect(picture).toContain('data-testid="safety-qr-file"');
    expect(picture).toContain('type="file"');
    expect(picture).toContain('accept="image/*"');
    // Nothing compared yet, so no result of any kind.
    expect(html).not.toContain('safety-qr-result');
    expect(html).not.toContain('role="alert"');
  });

  it('offers the camera only where the browser can ask for one', () => {
    expect(card(person())).not.toContain('safety-qr-scan');
    jest.mocked(cameraAvailable).mockReturnValue(true);
    const html = card(person());
    expect(html).toMatch(/<button type="button"[^>]*data-testid="safety-qr-scan"[^>]*>Scan their QR code<\/button>/);
    expect(html).not.toContain('<video');
  });

  it('verified: carries the verified mark and no “Mark as verified”; reading their QR code again stays possible', () => {
    const html = card(person({ verified: true }));
    expect(html).toMatch(/<span class="trust-badge trust-verified" data-testid="safety-verified">.*Verified<\/span>/);
    expect(html).toContain('data-verified="true"');
    expect(html).not.toContain('mark-verified');
    expect(html).toContain('data-testid="safety-qr-file"');
  });

  it('without a user key pinned yet: says why there is no number, and offers nothing to compare or mark', () => {
    const html = card(person({ digits: '', qrPayload: '', qrSvg: '', devices: [GHOST] }));
    expect(part(html, 'safety-number-none')).toContain('No safety number yet: none of Ann’s devices is approved.');
    for (const absent of ['safety-number-digits', 'safety-qr-code', 'mark-verified', 'safety-qr-file', '<img'])
      expect(html).not.toContain(absent);
    // The device that has no approval is still listed, in words.
    expect(part(html, 'device-unapproved')).toContain('Not approved by Ann: receives nothing');
  });

  it('after a key change: says the number is the previous key’s and how to tell the two cases apart, and offers the acceptance', () => {
    const html = card(person({ userKeyChanged: true, devices: [DEVICE, GHOST] }));
    const notice = part(html, 'safety-previous-key') ?? '';
    expect(notice).toContain('The account key of Ann changed: this number is for their previous key.');
    expect(notice).toContain('their screen now shows another number: accept the new key, then compare the new number');
    expect(notice).toContain('If their screen still shows this number, do not accept the new key');
    expect(notice).toMatch(
      /<button [^>]*data-testid="safety-accept-user-key"[^>]*data-address="ann@example.org"[^>]*aria-label="Accept the new key of Ann"[^>]*>Accept the new key</,
    );
    // The old number stays readable beside the notice; nothing marks or compares it any more.
    expect(html).toContain('data-testid="safety-number-digits"');
    expect(html).toContain('data-trust="key_changed"');
    expect(html).not.toContain('mark-verified');
    expect(html).not.toContain('safety-qr-file');
    expect(html).not.toContain('data-testid="accept-user-key"');
  });

  it('after a key change of a verified person: the mark says it was for the previous key', () => {
    const html = card(person({ userKeyChanged: true, verified: true }));
    expect(part(html, 'safety-verified')).toMatch(/^>.*Verified \(previous key\)<\/span>/);
    expect(html).toContain('data-testid="safety-previous-key"');
  });

  it('lists a revoked device as revoked', () => {
    const html = card(person({ devices: [DEVICE, { ...GHOST, trust: 'revoked', approved: true }] }));
    expect(html).toMatch(/<span class="trust-badge trust-revoked" data-trust="revoked">.*Revoked<\/span>/);
  });
});

describe('what comparing QR codes gave', () => {
  const result = (outcome: SafetyQrOutcome | undefined) =>
    renderScreen(createElement(SafetyQrResult, { outcome, name: 'Ann' }));

  it('a match: a status saying the person is now verified', () => {
    const html = result({ kind: 'match' });
    expect(html).toMatch(/<p class="notice" role="status" data-testid="safety-qr-result" data-matches="true">/);
    expect(html).toContain('The QR code matches: you have verified Ann.');
  });

  it('a mismatch: an alert saying plainly that the numbers differ, nothing was marked, and why it may be', () => {
    const html = result({ kind: 'mismatch' });
    expect(html).toMatch(/<p class="notice danger" role="alert" data-testid="safety-qr-result" data-matches="false">/);
    expect(html).toContain('The numbers differ, so Ann was not marked as verified.');
    expect(html).toContain('an old screen');
    expect(html).toContain('someone is intercepting your messages');
  });

  it('a code that is not a safety QR code: the error, and no result either way', () => {
    const html = result({ kind: 'error', error: { key: 'error.safety_qr_invalid' } });
    expect(html).toMatch(/role="alert"[^>]*data-error="error.safety_qr_invalid"/);
    expect(html).toContain('This QR code is not a safety number.');
    expect(html).not.toContain('safety-qr-result');
  });

  it('nothing compared yet: nothing shown', () => {
    expect(result(undefined)).toBe('');
  });
});
