import { constantTimeEqual, type Ed25519PrivateKey } from '@opendescent/crypto';
import { ALLOWED_CLOCK_SKEW_SECONDS, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './attestation';
import { ProtocolError } from './errors';
import { openOrgDocument, orgDocumentWriter, signOrgDocument, type OrgDocumentFormat } from './org-document';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, type TrustedOrgKey, verifyOrgSignature } from './org-key';

/**
 * Organisation-key statements (docs/protocol/attestations.md §4): how a verifier that pinned the
 * organisation's keys once follows a rotation without trusting whoever serves it the next key.
 * A key is introduced only by a statement signed by a key the verifier already honours, and a
 * key's end is stated the same way; past its end a key is dropped. The admin app makes one
 * statement when it prepares a next key (introduce), one when it activates it (the previous key
 * retires itself, with the end of its last attestation) and one when it discards a prepared key.
 */
export const ORG_KEY_STATEMENT_VERSION = 1;
export const ORG_KEY_STATEMENT_TYPE = 0x04;
export const ORG_KEY_STATEMENT_BYTES =
  2 + ORG_ID_LENGTH + ORG_KEY_ID_LENGTH + 4 + 4 + 1 + PUBLIC_KEY_LENGTH + 4 + SIGNATURE_LENGTH;

const FORMAT: OrgDocumentFormat = {
  what: 'organisation key statement',
  version: ORG_KEY_STATEMENT_VERSION,
  type: ORG_KEY_STATEMENT_TYPE,
  maxBytes: ORG_KEY_STATEMENT_BYTES,
  label: 'OpenDescent organisation key statement v1',
};

/** `introduce`: the subject key may sign for the organisation. `retire`: it may do so until `until`. */
export const ORG_KEY_STATEMENT_KINDS = ['introduce', 'retire'] as const;
export type OrgKeyStatementKind = (typeof ORG_KEY_STATEMENT_KINDS)[number];

export interface OrgKeyStatement {
  readonly orgId: Uint8Array;
  /** The key that signed the statement. */
  readonly orgKeyId: Uint8Array;
  /** Strictly increasing per organisation: a verifier applies each statement once, in order (§4.3). */
  readonly sequence: number;
  readonly issuedAt: number;
  readonly kind: OrgKeyStatementKind;
  /** The public key the statement is about. */
  readonly subject: Uint8Array;
  /** `retire`: Unix seconds from which the subject is no longer honoured. `introduce`: 0. */
  readonly until: number;
}

export type OrgKeyStatementFields = Omit<OrgKeyStatement, 'orgKeyId'>;

export async function signOrgKeyStatement(
  fields: OrgKeyStatementFields,
  signer: Ed25519PrivateKey,
): Promise<Uint8Array> {
  const statement: OrgKeyStatement = { ...fields, orgKeyId: orgKeyId(signer.publicKey) };
  checkStatement(statement);
  const body = orgDocumentWriter(FORMAT, statement.orgId, statement.orgKeyId)
    .u32(statement.sequence)
    .u32(statement.issuedAt)
    .u8(ORG_KEY_STATEMENT_KINDS.indexOf(statement.kind) + 1)
    .raw(statement.subject, PUBLIC_KEY_LENGTH)
    .u32(statement.until)
    .finish();
  return signOrgDocument(FORMAT, body, signer);
}

/** Parses without checking the signature: `applyOrgKeyStatements` is how a verifier trusts one. */
export function decodeOrgKeyStatement(input: unknown): {
  statement: OrgKeyStatement;
  body: Uint8Array;
  signature: Uint8Array;
} {
  const document = openOrgDocument(input, FORMAT);
  const { reader } = document;
  const sequence = reader.u32('sequence');
  const issuedAt = reader.u32('issuedAt');
  const kind = ORG_KEY_STATEMENT_KINDS[reader.u8('kind') - 1];
  if (kind === undefined) throw new ProtocolError('malformed', 'organisation key statement: unknown kind');
  const subject = reader.raw(PUBLIC_KEY_LENGTH, 'subject');
  const until = reader.u32('until');
  const { body, signature } = document.finish();
  const statement: OrgKeyStatement = {
    orgId: document.orgId,
    orgKeyId: document.orgKeyId,
    sequence,
    issuedAt,
    kind,
    subject,
    until,
  };
  checkStatement(statement);
  return { statement, body, signature };
}

/** One pinned organisation key and, once a statement gave it one, its end. */
export interface PinnedOrgKey {
  readonly publicKey: Uint8Array;
  /** Unix seconds; absent while no statement has ended the key. */
  readonly until?: number;
}

/** What a verifier pins for its organisation: plain data, stored as it is. */
export interface PinnedOrgKeys {
  readonly orgId: Uint8Array;
  readonly keys: readonly PinnedOrgKey[];
  /** The sequence of the last statement applied (0: none). */
  readonly sequence: number;
}

/** A statement refused, by its sequence and the ProtocolError code (for the alert a client shows). */
export interface RefusedOrgKeyStatement {
  readonly sequence: number | undefined;
  readonly code: string;
}

/** The keys honoured at `now` (attestations.md §4.3 step 6): the ones whose end has not come. */
export function honouredOrgKeys(pinned: PinnedOrgKeys, now: number): TrustedOrgKey[] {
  return pinned.keys
    .filter((key) => key.until === undefined || now < key.until)
    .map((key) => ({ orgId: pinned.orgId, publicKey: key.publicKey }));
}

/** Drops the keys whose end has come: they are never honoured again. */
export function withoutEndedOrgKeys(pinned: PinnedOrgKeys, now: number): PinnedOrgKeys {
  const keys = pinned.keys.filter((key) => key.until === undefined || now < key.until);
  return keys.length === pinned.keys.length ? pinned : { ...pinned, keys };
}

/**
 * Applies statements to what a verifier pins (attestations.md §4.3), in sequence order: each one
 * not applied before must be signed by a key honoured at that point, so a chain of rotations is
 * followed even by a verifier that missed them all, and nothing else can add a key. Pure: the
 * state goes in and comes out; a refused statement changes nothing and is reported.
 */
export async function applyOrgKeyStatements(
  pinned: PinnedOrgKeys,
  statements: readonly Uint8Array[],
  now: number,
): Promise<{ pinned: PinnedOrgKeys; applied: number; refused: RefusedOrgKeyStatement[] }> {
  const decoded: { statement: OrgKeyStatement; body: Uint8Array; signature: Uint8Array }[] = [];
  const refused: RefusedOrgKeyStatement[] = [];
  for (const bytes of statements) {
    try {
      decoded.push(decodeOrgKeyStatement(bytes));
    } catch (error) {
      refused.push({ sequence: undefined, code: error instanceof ProtocolError ? error.code : 'malformed' });
    }
  }
  decoded.sort((a, b) => a.statement.sequence - b.statement.sequence);
  let state = pinned;
  let applied = 0;
  for (const { statement, body, signature } of decoded) {
    if (statement.sequence <= state.sequence) continue;
    try {
      state = await applyOne(state, statement, body, signature, now);
      applied += 1;
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      refused.push({ sequence: statement.sequence, code: error.code });
    }
  }
  return { pinned: withoutEndedOrgKeys(state, now), applied, refused };
}

async function applyOne(
  state: PinnedOrgKeys,
  statement: OrgKeyStatement,
  body: Uint8Array,
  signature: Uint8Array,
  now: number,
): Promise<PinnedOrgKeys> {
  if (!constantTimeEqual(statement.orgId, state.orgId))
    throw new ProtocolError('unknown_signer', 'organisation key statement: of another organisation');
  if (statement.issuedAt > now + ALLOWED_CLOCK_SKEW_SECONDS)
    throw new ProtocolError('not_yet_valid', 'organisation key statement: issued in the future');
  await verifyOrgSignature(
    FORMAT.what,
    FORMAT.label,
    body,
    signature,
    statement.orgId,
    statement.orgKeyId,
    honouredOrgKeys(state, now),
  );
  const index = state.keys.findIndex((key) => constantTimeEqual(key.publicKey, statement.subject));
  let keys = state.keys;
  if (statement.kind === 'introduce' && index < 0) keys = [...keys, { publicKey: statement.subject }];
  if (statement.kind === 'retire' && index >= 0) {
    const key = keys[index] as PinnedOrgKey;
    // An end is only ever brought forward: a later statement never extends a key's life.
    const until = key.until === undefined ? statement.until : Math.min(key.until, statement.until);
    keys = keys.map((k, i) => (i === index ? { publicKey: k.publicKey, until } : k));
  }
  return { ...state, keys, sequence: statement.sequence };
}

function checkStatement(s: OrgKeyStatement): void {
  const bad = (why: string) => new ProtocolError('malformed', `organisation key statement: ${why}`);
  if (!Number.isSafeInteger(s.sequence) || s.sequence < 1) throw bad('sequence starts at 1');
  if (s.subject.length !== PUBLIC_KEY_LENGTH) throw bad('subject must be a 32-byte public key');
  if (s.kind === 'introduce') {
    if (s.until !== 0) throw bad('an introduction has no end (until = 0)');
    if (constantTimeEqual(orgKeyId(s.subject), s.orgKeyId)) throw bad('a key cannot introduce itself');
  }
  if (s.kind === 'retire' && s.until === 0) throw bad('a retirement states an end');
}
