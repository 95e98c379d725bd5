/** The reason on the revocation list (attestations.md §3.2), as a sentence for the revoked device's owner. */
import type { RevocationReason } from '@opendescent/protocol';
import type { MessageKey } from '../i18n';

// Every reason the protocol defines has a sentence (a new reason fails type-checking here).
const REASON_KEYS: { readonly [reason in RevocationReason]: MessageKey } = {
  unspecified: 'wiped.reason.unspecified',
  lost_or_stolen: 'wiped.reason.lost_or_stolen',
  compromised: 'wiped.reason.compromised',
  left_organisation: 'wiped.reason.left_organisation',
  replaced: 'wiped.reason.replaced',
};

/** The sentence for a reason code; a code this version does not know reads as "no reason given". */
export function revocationReasonKey(reason: string): MessageKey {
  return Object.hasOwn(REASON_KEYS, reason) ? REASON_KEYS[reason as RevocationReason] : 'wiped.reason.unspecified';
}
