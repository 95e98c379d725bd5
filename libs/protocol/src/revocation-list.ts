import type { Ed25519PrivateKey } from '@opendescent/crypto';
import { DEVICE_ID_LENGTH, SIGNATURE_LENGTH } from './attestation';
import { ByteReader, ByteWriter, expectBytesInput } from './codec';
import { ProtocolError } from './errors';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, signWithOrgKey, type TrustedOrgKey, verifyOrgSignature } from './org-key';

/**
 * The signed revocation list (docs/protocol/attestations.md §3): every device the organisation
 * has revoked, under a version number that only goes up. Relays cut revoked devices off; clients
 * stop encrypting to them and re-key their groups.
 */
export const REVOCATION_LIST_VERSION = 1;
export const REVOCATION_LIST_TYPE = 0x02;
/** Enough for a large organisation's whole history of lost devices; refused above it (§3.3). */
export const MAX_REVOKED_DEVICES = 100_000;
const ENTRY_LENGTH = DEVICE_ID_LENGTH + 4 + 1;
const HEADER_LENGTH = 2 + ORG_ID_LENGTH + ORG_KEY_ID_LENGTH + 4 + 4 + 4;
export const MAX_REVOCATION_LIST_BYTES = HEADER_LENGTH + MAX_REVOKED_DEVICES * ENTRY_LENGTH + SIGNATURE_LENGTH;

const SIGNATURE_LABEL = 'OpenDescent revocation list v1';

/** Why a device was revoked (§3.2). Unknown codes are malformed, so the list stays unambiguous. */
export const REVOCATION_REASONS = ['unspecified', 'lost_or_stolen', 'compromised', 'left_organisation', 'replaced'] as const;
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
  readonly issuedAt: number;
  /** Sorted by deviceId, no duplicates. */
  readonly revoked: readonly RevokedDevice[];
}

export type RevocationListFields = Omit<RevocationList, 'orgKeyId'>;

export async function signRevocationList(fields: RevocationListFields, orgKey: Ed25519PrivateKey): Promise<Uint8Array> {
  const list: RevocationList = { ...fields, orgKeyId: orgKeyId(orgKey.publicKey), revoked: sortedByDevice(fields.revoked) };
  const body = encodeBody(list);
  return new ByteWriter().bytes(body).bytes(await signWithOrgKey(SIGNATURE_LABEL, body, orgKey), SIGNATURE_LENGTH).finish();
}

export function decodeRevocationList(input: unknown): { list: RevocationList; body: Uint8Array; signature: Uint8Array } {
  const bytes = expectBytesInput(input, 'revocation list', MAX_REVOCATION_LIST_BYTES);
  const reader = new ByteReader(bytes, 'revocation list');
  const version = reader.u8('version');
  if (version < REVOCATION_LIST_VERSION) throw new ProtocolError('version_too_old', `revocation list: version ${version} is no longer accepted`);
  if (version > REVOCATION_LIST_VERSION) throw new ProtocolError('version_unknown', `revocation list: version ${version} is newer than this code knows`);
  if (reader.u8('type') !== REVOCATION_LIST_TYPE) throw new ProtocolError('malformed', 'revocation list: not a revocation list (type byte)');
  const orgId = reader.bytesOf(ORG_ID_LENGTH, 'orgId');
  const keyId = reader.bytesOf(ORG_KEY_ID_LENGTH, 'orgKeyId');
  const listVersion = reader.u32('listVersion');
  const issuedAt = reader.u32('issuedAt');
  const count = reader.u32('count');
  if (count > MAX_REVOKED_DEVICES) throw new ProtocolError('oversized', `revocation list: ${count} entries exceeds ${MAX_REVOKED_DEVICES}`);
  if (reader.remaining !== count * ENTRY_LENGTH + SIGNATURE_LENGTH) {
    throw new ProtocolError('malformed', 'revocation list: length does not match its entry count');
  }
  const revoked: RevokedDevice[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = reader.bytesOf(DEVICE_ID_LENGTH, 'deviceId');
    const revokedAt = reader.u32('revokedAt');
    const reason = REVOCATION_REASONS[reader.u8('reason')];
    if (reason === undefined) throw new ProtocolError('malformed', 'revocation list: unknown reason code');
    revoked.push({ deviceId, revokedAt, reason });
  }
  const bodyLength = reader.offset;
  const signature = reader.bytesOf(SIGNATURE_LENGTH, 'signature');
  reader.finish();
  const list: RevocationList = { orgId, orgKeyId: keyId, listVersion, issuedAt, revoked };
  checkList(list);
  return { list, body: bytes.slice(0, bodyLength), signature };
}

/** Decodes and checks the signature by a trusted organisation key. */
export async function verifyRevocationList(input: unknown, trusted: readonly TrustedOrgKey[]): Promise<RevocationList> {
  const { list, body, signature } = decodeRevocationList(input);
  await verifyOrgSignature('revocation list', SIGNATURE_LABEL, body, signature, list.orgId, list.orgKeyId, trusted);
  return list;
}

/**
 * Whether a verified candidate should replace the list already held (§3.4): a higher version
 * does; the same version is a no-op only if it is the same list; anything else is 'stale'.
 * Returns false for the idempotent re-delivery of the current list.
 */
export function supersedes(current: RevocationList | undefined, candidate: RevocationList): boolean {
  if (current === undefined || candidate.listVersion > current.listVersion) return true;
  if (candidate.listVersion === current.listVersion && sameEntries(current, candidate) && candidate.issuedAt === current.issuedAt) return false;
  throw new ProtocolError(
    'stale',
    `revocation list: version ${candidate.listVersion} does not supersede the held version ${current.listVersion}`,
  );
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
  const writer = new ByteWriter()
    .u8(REVOCATION_LIST_VERSION)
    .u8(REVOCATION_LIST_TYPE)
    .bytes(list.orgId, ORG_ID_LENGTH)
    .bytes(list.orgKeyId, ORG_KEY_ID_LENGTH)
    .u32(list.listVersion)
    .u32(list.issuedAt)
    .u32(list.revoked.length);
  for (const entry of list.revoked) {
    writer.bytes(entry.deviceId, DEVICE_ID_LENGTH).u32(entry.revokedAt).u8(REVOCATION_REASONS.indexOf(entry.reason));
  }
  return writer.finish();
}

function checkList(list: RevocationList): void {
  if (list.listVersion < 1) throw new ProtocolError('malformed', 'revocation list: listVersion starts at 1');
  if (list.revoked.length > MAX_REVOKED_DEVICES) throw new ProtocolError('oversized', 'revocation list: too many entries');
  for (let i = 0; i < list.revoked.length; i++) {
    const entry = list.revoked[i] as RevokedDevice;
    if (!REVOCATION_REASONS.includes(entry.reason)) throw new ProtocolError('malformed', 'revocation list: unknown reason');
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
      return compareBytes(entry.deviceId, other.deviceId) === 0 && entry.revokedAt === other.revokedAt && entry.reason === other.reason;
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
