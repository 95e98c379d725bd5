import type { Ed25519PrivateKey } from '@opendescent/crypto';
import { DEVICE_ID_LENGTH, SIGNATURE_LENGTH } from './attestation';
import { ProtocolError } from './errors';
import { openOrgDocument, orgDocumentWriter, signOrgDocument, type OrgDocumentFormat } from './org-document';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, type TrustedOrgKey, verifyOrgSignature } from './org-key';

/**
 * The signed revocation list (docs/protocol/attestations.md §3): every device the organisation
 * has revoked, under a version number that only goes up, and the time by which the next list is
 * due. Relays forward it to every connection; clients stop encrypting to the devices it names and
 * re-key their groups. Version 2 added `nextUpdate` (§3.5): version 1 is refused `version_too_old`.
 */
export const REVOCATION_LIST_VERSION = 2;
export const REVOCATION_LIST_TYPE = 0x02;
/** Enough for a large organisation's whole history of lost devices; refused above it (§3.3). */
export const MAX_REVOKED_DEVICES = 100_000;
/**
 * The longest a list may announce itself valid (§3.5): `nextUpdate - issuedAt` is at most this.
 * A week bounds how long a blocked admin app can keep holders believing a stale list is fresh.
 */
export const MAX_REVOCATION_LIST_VALIDITY_SECONDS = 7 * 86_400;
const ENTRY_LENGTH = DEVICE_ID_LENGTH + 4 + 1;
const HEADER_LENGTH = 2 + ORG_ID_LENGTH + ORG_KEY_ID_LENGTH + 4 + 4 + 4 + 4;
export const MAX_REVOCATION_LIST_BYTES = HEADER_LENGTH + MAX_REVOKED_DEVICES * ENTRY_LENGTH + SIGNATURE_LENGTH;

const FORMAT: OrgDocumentFormat = {
  what: 'revocation list',
  version: REVOCATION_LIST_VERSION,
  type: REVOCATION_LIST_TYPE,
  maxBytes: MAX_REVOCATION_LIST_BYTES,
  label: 'OpenDescent revocation list v2',
};

/** Why a device was revoked (§3.2). Unknown codes are malformed, so the list stays unambiguous. */
export const REVOCATION_REASONS = [
  'unspecified',
  'lost_or_stolen',
  'compromised',
  'left_organisation',
  'replaced',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface RevokedDevice {
  readonly deviceId: Uint8Array;
  /** Unix seconds. */
  readonly revokedAt: number;
  readonly reason: RevocationReason;
}

export interface RevocationList {
  readonly orgId: Uint8Array;
  readonly orgKeyId: Uint8Array;
  /** Monotonic: a verifier never goes back to a lower version (§3.4). */
  readonly listVersion: number;
  /** Unix seconds. */
  readonly issuedAt: number;
  /**
   * Unix seconds: by then the admin app will have signed a newer list (§3.5). Past it the list is
   * stale: still applied (its revocations are real), but its holder can no longer tell whether a
   * device was revoked since.
   */
  readonly nextUpdate: number;
  /** Sorted by deviceId, no duplicates. */
  readonly revoked: readonly RevokedDevice[];
}

export type RevocationListFields = Omit<RevocationList, 'orgKeyId'>;

export async function signRevocationList(fields: RevocationListFields, orgKey: Ed25519PrivateKey): Promise<Uint8Array> {
  const list: RevocationList = {
    ...fields,
    orgKeyId: orgKeyId(orgKey.publicKey),
    revoked: sortedByDevice(fields.revoked),
  };
  return signOrgDocument(FORMAT, encodeBody(list), orgKey);
}

export function decodeRevocationList(input: unknown): {
  list: RevocationList;
  body: Uint8Array;
  signature: Uint8Array;
} {
  const document = openOrgDocument(input, FORMAT);
  const { reader, orgId } = document;
  const listVersion = reader.u32('listVersion');
  const issuedAt = reader.u32('issuedAt');
  const nextUpdate = reader.u32('nextUpdate');
  const count = reader.u32('count');
  if (count > MAX_REVOKED_DEVICES)
    throw new ProtocolError('oversized', `revocation list: ${count} entries exceeds ${MAX_REVOKED_DEVICES}`);
  if (reader.remaining !== count * ENTRY_LENGTH + SIGNATURE_LENGTH) {
    throw new ProtocolError('malformed', 'revocation list: length does not match its entry count');
  }
  const revoked: RevokedDevice[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = reader.raw(DEVICE_ID_LENGTH, 'deviceId');
    const revokedAt = reader.u32('revokedAt');
    const reason = REVOCATION_REASONS[reader.u8('reason')];
    if (reason === undefined) throw new ProtocolError('malformed', 'revocation list: unknown reason code');
    revoked.push({ deviceId, revokedAt, reason });
  }
  const { body, signature } = document.finish();
  const list: RevocationList = { orgId, orgKeyId: document.orgKeyId, listVersion, issuedAt, nextUpdate, revoked };
  checkList(list);
  return { list, body, signature };
}

/** Decodes and checks the signature by a trusted organisation key. */
export async function verifyRevocationList(input: unknown, trusted: readonly TrustedOrgKey[]): Promise<RevocationList> {
  const { list, body, signature } = decodeRevocationList(input);
  await verifyOrgSignature(FORMAT.what, FORMAT.label, body, signature, list.orgId, list.orgKeyId, trusted);
  return list;
}

/**
 * Whether a verified candidate should replace the list already held (§3.4): a higher version
 * does; the same version is a no-op only if it is the same list, every field included; anything
 * else is 'stale'. Returns false for the idempotent re-delivery of the current list.
 */
export function supersedes(current: RevocationList | undefined, candidate: RevocationList): boolean {
  if (current === undefined || candidate.listVersion > current.listVersion) return true;
  if (
    candidate.listVersion === current.listVersion &&
    sameEntries(current, candidate) &&
    candidate.issuedAt === current.issuedAt &&
    candidate.nextUpdate === current.nextUpdate
  )
    return false;
  throw new ProtocolError(
    'stale',
    `revocation list: version ${candidate.listVersion} does not supersede the held version ${current.listVersion}`,
  );
}

export type RevocationListFreshness = 'fresh' | 'stale';

/**
 * §3.5: a list is stale from its `nextUpdate` on (`now` in Unix seconds, the holder's clock). A
 * state, never a refusal: a stale list is still applied and never dropped for being stale, since
 * the revocations it names are real; its holder says so and, past its own grace, stops vouching.
 */
export function revocationListFreshness(list: RevocationList, now: number): RevocationListFreshness {
  return now >= list.nextUpdate ? 'stale' : 'fresh';
}

/** Looks a device up in a list (binary search over the sorted ids). */
export function isRevoked(list: RevocationList, deviceId: Uint8Array): boolean {
  let low = 0;
  let high = list.revoked.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const order = compareBytes((list.revoked[middle] as RevokedDevice).deviceId, deviceId);
    if (order === 0) return true;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

function encodeBody(list: RevocationList): Uint8Array {
  checkList(list);
  const writer = orgDocumentWriter(FORMAT, list.orgId, list.orgKeyId)
    .u32(list.listVersion)
    .u32(list.issuedAt)
    .u32(list.nextUpdate)
    .u32(list.revoked.length);
  for (const entry of list.revoked) {
    writer.raw(entry.deviceId, DEVICE_ID_LENGTH).u32(entry.revokedAt).u8(REVOCATION_REASONS.indexOf(entry.reason));
  }
  return writer.finish();
}

function checkList(list: RevocationList): void {
  if (list.listVersion < 1) throw new ProtocolError('malformed', 'revocation list: listVersion starts at 1');
  // §3.5: a next update after the issue, at most a week later (a list that never goes stale, or
  // is stale from birth, would defeat the point of the field).
  if (!(list.issuedAt < list.nextUpdate))
    throw new ProtocolError('malformed', 'revocation list: nextUpdate must be after issuedAt');
  if (list.nextUpdate - list.issuedAt > MAX_REVOCATION_LIST_VALIDITY_SECONDS)
    throw new ProtocolError(
      'malformed',
      `revocation list: nextUpdate is more than ${MAX_REVOCATION_LIST_VALIDITY_SECONDS} s after issuedAt`,
    );
  if (list.revoked.length > MAX_REVOKED_DEVICES)
    throw new ProtocolError('oversized', 'revocation list: too many entries');
  for (let i = 0; i < list.revoked.length; i++) {
    const entry = list.revoked[i] as RevokedDevice;
    if (!REVOCATION_REASONS.includes(entry.reason))
      throw new ProtocolError('malformed', 'revocation list: unknown reason');
    const previous = list.revoked[i - 1];
    if (previous && compareBytes(previous.deviceId, entry.deviceId) >= 0) {
      throw new ProtocolError('malformed', 'revocation list: device ids must be sorted and unique');
    }
  }
}

function sortedByDevice(revoked: readonly RevokedDevice[]): RevokedDevice[] {
  return [...revoked].sort((a, b) => compareBytes(a.deviceId, b.deviceId));
}

function sameEntries(a: RevocationList, b: RevocationList): boolean {
  return (
    a.revoked.length === b.revoked.length &&
    a.revoked.every((entry, i) => {
      const other = b.revoked[i] as RevokedDevice;
      return (
        compareBytes(entry.deviceId, other.deviceId) === 0 &&
        entry.revokedAt === other.revokedAt &&
        entry.reason === other.reason
      );
    })
  );
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}
