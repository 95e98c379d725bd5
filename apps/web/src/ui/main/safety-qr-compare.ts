/**
 * Comparing the QR code on the other person's screen with ours (user-keys.md §5.2). The worker
 * decides: it holds both user keys, checks the order (our own code read back never matches) and
 * marks the person verified on a match. This side only catches what cannot be a safety QR code
 * before asking, and turns the answer into what the card shows.
 */
import type { MessengerApi } from '../../messenger/api';
import { uiErrorFrom, type UiError } from '../messenger-context';

/** The worker refuses a longer argument as malformed (worker/rpc.ts); a safety QR code holds 108 characters. */
export const MAX_SAFETY_QR_INPUT = 512;

export type SafetyQrOutcome =
  | { readonly kind: 'match' }
  /** The worker compared the codes and they differ: nothing was marked. */
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'error'; readonly error: UiError };

/** The outcome of comparing `text` (a QR code's text; undefined: none was found) with the person at `address`. */
export async function compareSafetyQr(
  api: Pick<MessengerApi, 'verifySafetyQr'>,
  address: string,
  text: string | undefined,
): Promise<SafetyQrOutcome> {
  const scanned = text?.trim() ?? '';
  if (scanned === '') return { kind: 'error', error: { key: 'safety.qr-none' } };
  if (scanned.length > MAX_SAFETY_QR_INPUT) return { kind: 'error', error: { key: 'error.safety_qr_invalid' } };
  try {
    return (await api.verifySafetyQr(address, scanned)) ? { kind: 'match' } : { kind: 'mismatch' };
  } catch (caught) {
    return { kind: 'error', error: uiErrorFrom(caught) };
  }
}
