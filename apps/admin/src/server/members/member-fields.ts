// The two facts an attestation says about a person (attestations.md §2.2): their address, the
// directory's exact-match key, and their display name. The rule is the protocol library's
// (docs/protocol/identifiers.md), applied here before anything is stored or signed, so that the
// admin app never makes what a verifier would refuse. Preparation (case folding, NFC) happens
// here, once; verifiers never fold.
import { addressProblem, displayNameProblem, prepareAddress, prepareDisplayName } from '@opendescent/protocol';
import { ApiError } from '../http/api-error';

/** Wildcards a directory query might try. The look-up is an exact match, never LIKE, so they could
 * not list anything anyway; they are refused so that the attempt is visible as one. */
const WILDCARDS = /[*%?]/;

/** What a pasted value often carries at its ends. Anything else invisible is refused, not removed. */
const trimPasted = (text: string) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

/** The address as it is stored and signed: trimmed, NFC, lower case, inside the address profile. */
export function requireAddress(input: unknown): string {
  if (typeof input !== 'string') throw new ApiError(400, 'invalid_address', 'expected an email address local@domain');
  const address = prepareAddress(trimPasted(input));
  const problem = addressProblem(address);
  if (problem) throw new ApiError(400, 'invalid_address', `the address ${problem}`);
  return address;
}

/**
 * A directory query: one exact address, no pattern. Anything that looks like a listing attempt
 * (empty, a wildcard, a bare domain or prefix) is refused rather than answered with nothing, so
 * that it is visible in the audit log for what it is.
 */
export function requireExactAddressQuery(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '' || WILDCARDS.test(input)) {
    throw new ApiError(
      400,
      'invalid_address',
      'the directory answers one exact address; patterns, prefixes and empty queries are refused',
    );
  }
  return requireAddress(input);
}

/** The display name as it is stored and signed: NFC, single spaces, no hidden characters, a letter. */
export function requireDisplayName(input: unknown): string {
  if (typeof input !== 'string') throw new ApiError(400, 'invalid_display_name', 'expected a display name');
  const name = prepareDisplayName(trimPasted(input));
  const problem = displayNameProblem(name);
  if (problem) throw new ApiError(400, 'invalid_display_name', `the display name ${problem}`);
  return name;
}
