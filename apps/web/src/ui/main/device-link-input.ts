/**
 * What a person gives an approving device to name the new one (user-keys.md §3.3 step 3): the
 * code typed from the new device's screen, or the text of the QR code it shows. Only plain
 * mistakes are caught here (nothing typed, an enrolment code, another QR code); the code itself is
 * read in the worker, which checks its characters as ASCII before folding case (§3.2). So this
 * side passes the text on as the person typed it, trimmed and never upper-cased.
 */
import type { MessageKey } from '../../i18n';
import { normaliseEnrolmentCode } from '../enrolment-code';

/** The worker refuses a longer argument (worker/rpc.ts). */
export const MAX_LINK_INPUT = 512;

/** What a device-link QR code encodes, then `v=1&o=` and the offer (user-keys.md §3.1). */
const LINK_QR_PREFIX = 'opendescent:link?';

export type LinkInputProblem = 'empty' | 'too-long' | 'enrolment-code' | 'no-qr' | 'other-qr';

export type LinkInput =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: LinkInputProblem };

/** The argument for checkDeviceLink/approveDeviceLink from the text field (a typed code or a pasted QR text). */
export function readTypedLinkInput(text: string): LinkInput {
  const value = text.trim();
  if (value === '') return { ok: false, problem: 'empty' };
  if (value.length > MAX_LINK_INPUT) return { ok: false, problem: 'too-long' };
  // The other code people hold: 24 characters where a link code has 32, so never both.
  if (/^opendescent:enrol/i.test(value) || normaliseEnrolmentCode(value) !== undefined)
    return { ok: false, problem: 'enrolment-code' };
  return { ok: true, value };
}

/** The text of a QR code read by the camera or from a picture: only a device-link offer is taken. */
export function readScannedLinkInput(text: string | undefined): LinkInput {
  const value = text?.trim() ?? '';
  if (value === '') return { ok: false, problem: 'no-qr' };
  // A safety-number or enrolment QR code read by mistake is named as such, not sent to the worker.
  if (!value.toLowerCase().startsWith(LINK_QR_PREFIX)) return { ok: false, problem: 'other-qr' };
  if (value.length > MAX_LINK_INPUT) return { ok: false, problem: 'too-long' };
  return { ok: true, value };
}

const PROBLEM_TEXT: { readonly [problem in LinkInputProblem]: MessageKey } = {
  empty: 'link.empty',
  'too-long': 'link.too-long',
  'enrolment-code': 'link.enrolment-code',
  'no-qr': 'link.qr-none',
  'other-qr': 'link.qr-other',
};

export const linkInputProblemText = (problem: LinkInputProblem): MessageKey => PROBLEM_TEXT[problem];

/** "f0e1 d2c3 b4a5 …": a hex device id in groups of four, to read aloud or compare between two screens. */
export function groupDeviceId(deviceId: string): string {
  return (deviceId.match(/.{1,4}/g) ?? []).join(' ');
}

/** The offer's code in its groups of four, whatever separators the worker used. */
export function linkCodeGroups(code: string): string[] {
  return code.split(/[\s-]+/).filter((group) => group !== '');
}
