// The two facts an attestation says about a person (attestations.md §2.2): their address, the
// directory's exact-match key, and their display name. Case folding happens here, once, before
// anything is stored or signed; verifiers never fold.
import { isNormalisedAddress } from '@opendescent/protocol';
import { ApiError } from '../http/api-error';

const MAX_ADDRESS_BYTES = 254;
const MAX_DISPLAY_NAME_BYTES = 128;
/** Wildcards a directory query might try. The look-up is an exact match, never LIKE, so they could
 * not list anything anyway; they are refused so that the attempt is visible as one. */
const WILDCARDS = /[*%?]/;

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** NFC, lower case, `local@domain`; undefined when it cannot be an address. */
export function normaliseAddress(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const address = input.trim().normalize('NFC').toLowerCase();
  const bytes = utf8Length(address);
  if (bytes < 3 || bytes > MAX_ADDRESS_BYTES || !isNormalisedAddress(address)) return undefined;
  const [local, domain] = address.split('@');
  if (!local || !domain || domain.startsWith('.') || domain.endsWith('.')) return undefined;
  return address;
}

export function requireAddress(input: unknown): string {
  const address = normaliseAddress(input);
  if (!address) throw new ApiError(400, 'invalid_address', 'expected an email address local@domain (at most 254 bytes)');
  return address;
}

/**
 * A directory query: one exact address, no pattern. Anything that looks like a listing attempt
 * (empty, a wildcard, a bare domain or prefix) is refused rather than answered with nothing, so
 * that it is visible in the audit log for what it is.
 */
export function requireExactAddressQuery(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '' || WILDCARDS.test(input)) {
    throw new ApiError(400, 'invalid_address', 'the directory answers one exact address; patterns, prefixes and empty queries are refused');
  }
  return requireAddress(input);
}

export function requireDisplayName(input: unknown): string {
  if (typeof input !== 'string') throw new ApiError(400, 'invalid_display_name', 'expected a display name');
  const name = input.trim().replace(/\s+/g, ' ').normalize('NFC');
  const bytes = utf8Length(name);
  if (bytes < 1 || bytes > MAX_DISPLAY_NAME_BYTES || /\p{Cc}/u.test(name)) {
    throw new ApiError(400, 'invalid_display_name', 'expected a display name of 1-128 bytes without control characters');
  }
  return name;
}
