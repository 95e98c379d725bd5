import { sha256, type Ed25519PrivateKey } from '@opendescent/crypto';
import { SIGNATURE_LENGTH } from '../attestation';
import { encodeHex } from '../encoding';
import { ProtocolError } from '../errors';
import { openOrgDocument, orgDocumentWriter, signOrgDocument, type OrgDocumentFormat } from '../org-document';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, type TrustedOrgKey, verifyOrgSignature } from '../org-key';

/**
 * The token key set (docs/protocol/access-tokens.md §3): the Privacy Pass issuer keys of the
 * organisation's admin app, signed by the organisation key. Relays accept access tokens of these
 * keys only, and clients blind their token requests to them, so both pin the issuer keys through
 * the organisation key they already pin; nobody has to trust the server that hands the set out.
 */
export const TOKEN_KEY_SET_VERSION = 1;
export const TOKEN_KEY_SET_TYPE = 0x03;
/** A previous, the current and the next key, with room for an early rotation. */
export const MAX_TOKEN_KEYS = 8;
/** RFC 9578 §6.5: SHA-256 of the key's SubjectPublicKeyInfo (RSASSA-PSS, 2048-bit modulus). */
export const TOKEN_KEY_ID_LENGTH = 32;
/** A 2048-bit RSASSA-PSS SubjectPublicKeyInfo is 342 bytes; a little room, no more. */
export const MAX_TOKEN_KEY_SPKI_BYTES = 600;
const HEADER_LENGTH = 2 + ORG_ID_LENGTH + ORG_KEY_ID_LENGTH + 4 + 4 + 1;
export const MAX_TOKEN_KEY_SET_BYTES =
  HEADER_LENGTH + MAX_TOKEN_KEYS * (2 + MAX_TOKEN_KEY_SPKI_BYTES + 12) + SIGNATURE_LENGTH;

const FORMAT: OrgDocumentFormat = {
  what: 'token key set',
  version: TOKEN_KEY_SET_VERSION,
  type: TOKEN_KEY_SET_TYPE,
  maxBytes: MAX_TOKEN_KEY_SET_BYTES,
  label: 'OpenDescent token key set v1',
};

export interface TokenKey {
  /** SHA-256 of `spki` (RFC 9578 §6.5); computed, never carried, so it cannot disagree with the key. */
  readonly tokenKeyId: Uint8Array;
  /** The issuer public key, RSASSA-PSS SubjectPublicKeyInfo (DER), as RFC 9578 §6.5 publishes it. */
  readonly spki: Uint8Array;
  /** Unix seconds: the admin app signs token requests for this key from here ... */
  readonly issueFrom: number;
  /** ... until here (exclusive). */
  readonly issueUntil: number;
  /** Relays accept its tokens until here (exclusive); after it, its spent-token records can go. */
  readonly acceptUntil: number;
}

export interface TokenKeySet {
  readonly orgId: Uint8Array;
  readonly orgKeyId: Uint8Array;
  /** Monotonic: a verifier never goes back to a lower version. */
  readonly setVersion: number;
  readonly issuedAt: number;
  readonly keys: readonly TokenKey[];
}

export type TokenKeyFields = Omit<TokenKey, 'tokenKeyId'>;
export type TokenKeySetFields = Omit<TokenKeySet, 'orgKeyId' | 'keys'> & { readonly keys: readonly TokenKeyFields[] };

export function tokenKeyIdOf(spki: Uint8Array): Uint8Array {
  return sha256(spki);
}

export async function signTokenKeySet(fields: TokenKeySetFields, orgKey: Ed25519PrivateKey): Promise<Uint8Array> {
  const set: TokenKeySet = {
    ...fields,
    orgKeyId: orgKeyId(orgKey.publicKey),
    keys: fields.keys.map((key) => ({ ...key, tokenKeyId: tokenKeyIdOf(key.spki) })),
  };
  checkSet(set);
  const writer = orgDocumentWriter(FORMAT, set.orgId, set.orgKeyId)
    .u32(set.setVersion)
    .u32(set.issuedAt)
    .u8(set.keys.length);
  for (const key of set.keys)
    writer.u16(key.spki.length).raw(key.spki).u32(key.issueFrom).u32(key.issueUntil).u32(key.acceptUntil);
  return signOrgDocument(FORMAT, writer.finish(), orgKey);
}

export function decodeTokenKeySet(input: unknown): { set: TokenKeySet; body: Uint8Array; signature: Uint8Array } {
  const document = openOrgDocument(input, FORMAT);
  const { reader, orgId } = document;
  const setVersion = reader.u32('setVersion');
  const issuedAt = reader.u32('issuedAt');
  const count = reader.u8('count');
  if (count > MAX_TOKEN_KEYS)
    throw new ProtocolError('oversized', `token key set: ${count} keys exceeds ${MAX_TOKEN_KEYS}`);
  const keys: TokenKey[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.u16('spki length');
    if (length < 1 || length > MAX_TOKEN_KEY_SPKI_BYTES)
      throw new ProtocolError('malformed', 'token key set: key length out of range');
    const spki = reader.raw(length, 'spki');
    keys.push({
      spki,
      tokenKeyId: tokenKeyIdOf(spki),
      issueFrom: reader.u32('issueFrom'),
      issueUntil: reader.u32('issueUntil'),
      acceptUntil: reader.u32('acceptUntil'),
    });
  }
  const { body, signature } = document.finish();
  const set: TokenKeySet = { orgId, orgKeyId: document.orgKeyId, setVersion, issuedAt, keys };
  checkSet(set);
  return { set, body, signature };
}

/** Decodes and checks the signature by a trusted organisation key. */
export async function verifyTokenKeySet(input: unknown, trusted: readonly TrustedOrgKey[]): Promise<TokenKeySet> {
  const { set, body, signature } = decodeTokenKeySet(input);
  await verifyOrgSignature(FORMAT.what, FORMAT.label, body, signature, set.orgId, set.orgKeyId, trusted);
  return set;
}

/**
 * Whether a verified set should replace the one held: a higher version does; the same version
 * again changes nothing; a lower one is `stale`, so nobody can roll a verifier back to a key set
 * it has left behind (a retired key, say).
 */
export function tokenKeySetSupersedes(current: TokenKeySet | undefined, candidate: TokenKeySet): boolean {
  if (current === undefined || candidate.setVersion > current.setVersion) return true;
  if (candidate.setVersion === current.setVersion) return false;
  throw new ProtocolError(
    'stale',
    `token key set: version ${candidate.setVersion} does not supersede the held version ${current.setVersion}`,
  );
}

/** The key a client should blind new token requests to at `now` (Unix s): the newest one issuing. */
export function issuingTokenKey(set: TokenKeySet, now: number): TokenKey | undefined {
  return [...set.keys]
    .filter((key) => key.issueFrom <= now && now < key.issueUntil)
    .sort((a, b) => b.issueFrom - a.issueFrom)[0];
}

function checkSet(set: TokenKeySet): void {
  if (set.setVersion < 1) throw new ProtocolError('malformed', 'token key set: setVersion starts at 1');
  if (set.keys.length > MAX_TOKEN_KEYS) throw new ProtocolError('oversized', 'token key set: too many keys');
  const seen = new Set<string>();
  for (const key of set.keys) {
    if (key.spki.length < 1 || key.spki.length > MAX_TOKEN_KEY_SPKI_BYTES)
      throw new ProtocolError('malformed', 'token key set: key length out of range');
    if (!(key.issueFrom < key.issueUntil && key.issueUntil <= key.acceptUntil)) {
      throw new ProtocolError(
        'malformed',
        'token key set: a key must issue before it stops, and be accepted at least as long as it issues',
      );
    }
    const id = encodeHex(key.tokenKeyId);
    if (seen.has(id)) throw new ProtocolError('malformed', 'token key set: the same key twice');
    seen.add(id);
  }
}
