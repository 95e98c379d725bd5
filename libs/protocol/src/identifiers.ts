// What a person reads to decide who they are talking to: a member's address and display name
// (docs/protocol/identifiers.md). One rule, applied by the admin app before it stores or signs,
// and by every verifier when it decodes an attestation, so that no client ever shows a name or
// an address that hides a character or imitates another member.
import { utf8Encode } from '@opendescent/crypto';
import { ASCII_CONFUSABLES } from './confusables-ascii';
import { ProtocolError } from './errors';

export const MIN_ADDRESS_BYTES = 3;
export const MAX_ADDRESS_BYTES = 254;
/** RFC 5321 §4.5.3.1.1. */
export const MAX_LOCAL_PART_BYTES = 64;
/** RFC 1035 §2.3.4. */
export const MAX_DOMAIN_LABEL_BYTES = 63;
export const MAX_DISPLAY_NAME_BYTES = 128;

const LOCAL_PART = /^[a-z0-9._+-]+$/;
/** An LDH label (RFC 5890 §2.3.1): letters, digits, inner hyphens. */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/**
 * Control, format (zero-width and bidi controls among them), line and paragraph separators,
 * private use, surrogates and unassigned code points: all invisible or of unknown look
 * (identifiers.md §3).
 */
const HIDDEN_OR_UNKNOWN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;
/**
 * Look-alikes the TR39 data leaves out but that read the same in the fonts clients use; each
 * makes more addresses collide, never fewer (identifiers.md §2.2).
 */
const LOCAL_CONFUSABLES: ReadonlyMap<string, string> = new Map([['w', 'vv']]);

/** `U+043E`: how a refusal names a character without printing it (it may be invisible). */
export function codePointName(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** §2.1: NFC, then lower case. Trimming is the input form's business, not the profile's. */
export function prepareAddress(input: string): string {
  return input.normalize('NFC').toLowerCase();
}

/** Why `address` is outside the address profile (§2.1), or undefined when it is inside it. */
export function addressProblem(address: string): string | undefined {
  const outside = /[^a-z0-9._+@-]/u.exec(address);
  if (outside) {
    return `contains ${codePointName(outside[0])}, which is not in the address profile (lower-case a-z, 0-9, . _ + - and one @)`;
  }
  // Every character is ASCII from here on: one byte each.
  if (address.length < MIN_ADDRESS_BYTES || address.length > MAX_ADDRESS_BYTES) {
    return `must be ${MIN_ADDRESS_BYTES}-${MAX_ADDRESS_BYTES} bytes long`;
  }
  const parts = address.split('@');
  if (parts.length !== 2) return 'must contain exactly one @';
  const [local = '', domain = ''] = parts;
  if (local.length === 0 || local.length > MAX_LOCAL_PART_BYTES)
    return `must have 1-${MAX_LOCAL_PART_BYTES} characters before the @`;
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'must not start or end its local part with a dot, nor have two dots in a row';
  }
  for (const label of domain.split('.')) {
    if (label.length === 0 || label.length > MAX_DOMAIN_LABEL_BYTES || !LDH_LABEL.test(label)) {
      return 'must have a domain of dot-separated labels of 1-63 letters, digits and inner hyphens';
    }
    // Hyphens in positions 3-4 are reserved for A-labels (RFC 5891 §4.2.3.1).
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--'))
      return `has a reserved domain label "${label}" (only xn-- A-labels may have -- there)`;
  }
  return undefined;
}

export function isProfileAddress(address: string): boolean {
  return addressProblem(address) === undefined;
}

/**
 * The confusable skeleton of a profile address (§2.2): UTS #39 §4 `skeleton` with the ASCII rows
 * of confusables.txt, then lower case, because addresses are compared in lower case (the data maps
 * 0 to a capital O). NFD, which the UTS #39 algorithm applies before and after, leaves ASCII
 * unchanged. Two addresses with the same skeleton may not belong to two members.
 */
export function addressSkeleton(address: string): string {
  const problem = addressProblem(address);
  if (problem) throw new ProtocolError('malformed', `address: ${problem}`);
  let skeleton = '';
  for (const character of address) {
    const prototype = (ASCII_CONFUSABLES.get(character) ?? character).toLowerCase();
    skeleton += LOCAL_CONFUSABLES.get(prototype) ?? prototype;
  }
  return skeleton;
}

/** §3.1: NFC, runs of space separators folded to one U+0020, outer spaces trimmed. */
export function prepareDisplayName(input: string): string {
  return input
    .normalize('NFC')
    .replace(/\p{Zs}+/gu, ' ')
    .replace(/^ | $/g, '');
}

/** Why `name` is not a prepared, acceptable display name (§3.2), or undefined when it is one. */
export function displayNameProblem(name: string): string | undefined {
  const hidden = HIDDEN_OR_UNKNOWN.exec(name);
  if (hidden) return `contains ${codePointName(hidden[0])}, an invisible, control, private-use or unassigned character`;
  const bytes = utf8Encode(name).length;
  if (bytes < 1 || bytes > MAX_DISPLAY_NAME_BYTES) return `must be 1-${MAX_DISPLAY_NAME_BYTES} bytes long`;
  if (!/\p{L}/u.test(name)) return 'must contain at least one letter';
  // A leading mark would sit on whatever a client prints just before the name.
  if (/^\p{M}/u.test(name)) return 'must not start with a combining mark';
  if (prepareDisplayName(name) !== name) return 'must be in NFC with single spaces and no outer spaces';
  return undefined;
}

export function isAcceptableDisplayName(name: string): boolean {
  return displayNameProblem(name) === undefined;
}
