/**
 * What the approving device sends the worker for a typed code or a scanned QR code
 * (user-keys.md §3.2, §3.3 step 3): the text as given, trimmed, never re-cased (the worker checks
 * ASCII before folding case); plain mistakes refused here with a message of their own.
 */
import { translate } from '../../src/i18n';
import {
  groupDeviceId,
  linkCodeGroups,
  linkInputProblemText,
  MAX_LINK_INPUT,
  readScannedLinkInput,
  readTypedLinkInput,
  type LinkInputProblem,
} from '../../src/ui/main/device-link-input';
import { FAKE_LINK_CODE, FAKE_LINK_QR } from './fake-messenger';

describe('a typed device-link code', () => {
  it('is passed on trimmed, with the case and separators the person typed', () => {
    expect(readTypedLinkInput(`  ${FAKE_LINK_CODE.toLowerCase()}\n`)).toEqual({
      ok: true,
      value: FAKE_LINK_CODE.toLowerCase(),
    });
    expect(readTypedLinkInput('BOZM RPRK JKHC P644 NDBL DH42 AOKV 3SM2')).toEqual({
      ok: true,
      value: 'BOZM RPRK JKHC P644 NDBL DH42 AOKV 3SM2',
    });
  });

  it('is never folded here: a non-ASCII look-alike reaches the worker as typed, to be refused there', () => {
    // 'ı' upper-cases to 'I' and 'ſ' to 'S' (§3.2): folding on this side would turn them into code letters.
    const lookAlike = 'ſozm-rprk-jkhc-p644-ndbl-dh42-aokv-3ſm2';
    expect(readTypedLinkInput(lookAlike)).toEqual({ ok: true, value: lookAlike });
  });

  it('may be a pasted QR payload (its 256-bit commitment is the stronger check)', () => {
    expect(readTypedLinkInput(FAKE_LINK_QR)).toEqual({ ok: true, value: FAKE_LINK_QR });
  });

  it('refuses nothing typed', () => {
    expect(readTypedLinkInput(' \t ')).toEqual({ ok: false, problem: 'empty' });
  });

  it('refuses a paste longer than the worker accepts, and takes one at the limit', () => {
    expect(readTypedLinkInput('A'.repeat(MAX_LINK_INPUT + 1))).toEqual({ ok: false, problem: 'too-long' });
    expect(readTypedLinkInput('A'.repeat(MAX_LINK_INPUT)).ok).toBe(true);
  });

  it('refuses an enrolment code or link typed by mistake, saying which code it is', () => {
    expect(readTypedLinkInput('ABCD-EFGH-JKMN-PQRS-TVWX-YZ12')).toEqual({ ok: false, problem: 'enrolment-code' });
    expect(readTypedLinkInput('opendescent:enrol?v=1&code=ABCD-EFGH-JKMN-PQRS-TVWX-YZ12')).toEqual({
      ok: false,
      problem: 'enrolment-code',
    });
  });
});

describe('a scanned QR code', () => {
  it('is taken when it is a device-link offer', () => {
    expect(readScannedLinkInput(`${FAKE_LINK_QR}\n`)).toEqual({ ok: true, value: FAKE_LINK_QR });
  });

  it('none found in the picture', () => {
    expect(readScannedLinkInput(undefined)).toEqual({ ok: false, problem: 'no-qr' });
    expect(readScannedLinkInput('  ')).toEqual({ ok: false, problem: 'no-qr' });
  });

  it.each([
    ['an enrolment link', 'opendescent:enrol?v=1&code=ABCD-EFGH-JKMN-PQRS-TVWX-YZ12'],
    ['a safety number', '123451234512345123451234512345123451234512345123451234512345'],
    ['a web address', 'https://example.org/opendescent:link?v=1'],
    ['the typed code itself', FAKE_LINK_CODE],
  ])('refuses %s: not the QR code of a new device', (_what, text) => {
    expect(readScannedLinkInput(text)).toEqual({ ok: false, problem: 'other-qr' });
  });

  it('refuses an oversized link QR code', () => {
    expect(readScannedLinkInput(`opendescent:link?v=1&o=${'A'.repeat(MAX_LINK_INPUT)}`)).toEqual({
      ok: false,
      problem: 'too-long',
    });
  });
});

describe('what the person reads', () => {
  it.each<LinkInputProblem>(['empty', 'too-long', 'enrolment-code', 'no-qr', 'other-qr'])(
    'the problem %s has a message in both languages',
    (problem) => {
      const key = linkInputProblemText(problem);
      expect(translate('en', key)).not.toBe(translate('fr', key));
      expect(translate('en', key).length).toBeGreaterThan(20);
    },
  );

  it('a device id in eight groups of four', () => {
    expect(groupDeviceId('f0e1d2c3b4a5968778695a4b3c2d1e0f')).toBe('f0e1 d2c3 b4a5 9687 7869 5a4b 3c2d 1e0f');
  });

  it('an offer code in its groups, whatever the separators', () => {
    const groups = ['BOZM', 'RPRK', 'JKHC', 'P644', 'NDBL', 'DH42', 'AOKV', '3SM2'];
    expect(linkCodeGroups(FAKE_LINK_CODE)).toEqual(groups);
    expect(linkCodeGroups(' BOZM RPRK-JKHC  P644-NDBL DH42-AOKV 3SM2 ')).toEqual(groups);
  });
});
