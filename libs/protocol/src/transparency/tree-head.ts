import {
  MAX_MERKLE_PROOF_LENGTH,
  MERKLE_HASH_LENGTH,
  constantTimeEqual,
  merkleLeafHash,
  verifyMerkleConsistency,
  verifyMerkleInclusion,
  type Ed25519PrivateKey,
} from '@opendescent/crypto';
import { SIGNATURE_LENGTH } from '../attestation';
import { ProtocolError } from '../errors';
import { openOrgDocument, orgDocumentWriter, signOrgDocument, type OrgDocumentFormat } from '../org-document';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, type TrustedOrgKey, verifyOrgSignature } from '../org-key';

/**
 * The signed tree head of the organisation's transparency log (docs/protocol/transparency-log.md
 * §2): the size of the log and the Merkle root of its entries (RFC 9162 §2.1; crypto.md §14),
 * signed by the organisation key like every organisation document (attestations.md §1). Clients
 * keep the last head they verified, check each new one against it (§3.2) and check that what
 * concerns them is in the log (§3.1).
 */
export const TREE_HEAD_VERSION = 1;
/** Organisation documents: 0x01 attestation, 0x02 revocation list, 0x03 token key set, 0x04 key statement. */
export const TREE_HEAD_TYPE = 0x05;
export const TREE_HEAD_BYTES = 2 + ORG_ID_LENGTH + ORG_KEY_ID_LENGTH + 8 + 4 + MERKLE_HASH_LENGTH + SIGNATURE_LENGTH;

const FORMAT: OrgDocumentFormat = {
  what: 'tree head',
  version: TREE_HEAD_VERSION,
  type: TREE_HEAD_TYPE,
  maxBytes: TREE_HEAD_BYTES,
  label: 'OpenDescent log tree head v1',
};

export interface TreeHead {
  readonly orgId: Uint8Array;
  readonly orgKeyId: Uint8Array;
  /** Number of entries in the log, at most 2^53 - 1 (§2). */
  readonly treeSize: number;
  /** Unix seconds at which the admin app signed the head. */
  readonly timestamp: number;
  /** MTH of the first `treeSize` entries (crypto.md §14.1). */
  readonly rootHash: Uint8Array;
}

export type TreeHeadFields = Omit<TreeHead, 'orgKeyId'>;

export async function signTreeHead(fields: TreeHeadFields, orgKey: Ed25519PrivateKey): Promise<Uint8Array> {
  const head: TreeHead = { ...fields, orgKeyId: orgKeyId(orgKey.publicKey) };
  // The writer refuses, as 'malformed', a size that is not a safe integer ≥ 0, a timestamp that is
  // not a u32 and an id or root of the wrong length.
  const body = orgDocumentWriter(FORMAT, head.orgId, head.orgKeyId)
    .u64(head.treeSize)
    .u32(head.timestamp)
    .raw(head.rootHash, MERKLE_HASH_LENGTH)
    .finish();
  return signOrgDocument(FORMAT, body, orgKey);
}

/** Parses strictly, without checking the signature (verifyTreeHead does). */
export function decodeTreeHead(input: unknown): { head: TreeHead; body: Uint8Array; signature: Uint8Array } {
  const document = openOrgDocument(input, FORMAT);
  const { reader } = document;
  // u64 on the wire; a value of 2^53 or more is 'malformed' (the reader's bound, §2).
  const treeSize = reader.u64('treeSize');
  const timestamp = reader.u32('timestamp');
  const rootHash = reader.raw(MERKLE_HASH_LENGTH, 'rootHash');
  const { body, signature } = document.finish();
  return {
    head: { orgId: document.orgId, orgKeyId: document.orgKeyId, treeSize, timestamp, rootHash },
    body,
    signature,
  };
}

/** Decodes and checks the signature by a trusted organisation key (like verifyRevocationList). */
export async function verifyTreeHead(input: unknown, trusted: readonly TrustedOrgKey[]): Promise<TreeHead> {
  const { head, body, signature } = decodeTreeHead(input);
  await verifyOrgSignature(FORMAT.what, FORMAT.label, body, signature, head.orgId, head.orgKeyId, trusted);
  return head;
}

/**
 * That `newer` extends `older` (§3.2): both verified heads of one organisation's log, `older` the
 * one the client held, `newer` the one it was just given. Same size: the roots must be equal (the
 * proof is not looked at). A smaller newer tree, a different root at the same size, or a proof
 * that fails are all `log_fork`: the log showed two histories, and the client raises an alert.
 */
export function checkTreeHeadConsistency(older: TreeHead, newer: TreeHead, proof: readonly Uint8Array[]): void {
  if (!constantTimeEqual(older.orgId, newer.orgId))
    throw new ProtocolError('malformed', 'tree heads: two organisations, not one log');
  const nodes = expectProof(proof, 'consistency proof');
  if (newer.treeSize < older.treeSize)
    throw new ProtocolError('log_fork', `log: the tree shrank from ${older.treeSize} to ${newer.treeSize} entries`);
  if (newer.treeSize === older.treeSize) {
    if (!constantTimeEqual(older.rootHash, newer.rootHash))
      throw new ProtocolError('log_fork', `log: two roots for the same size ${newer.treeSize}`);
    return;
  }
  const consistent = verifyMerkleConsistency({
    oldSize: older.treeSize,
    newSize: newer.treeSize,
    oldRoot: older.rootHash,
    newRoot: newer.rootHash,
    proof: nodes,
  });
  if (!consistent)
    throw new ProtocolError(
      'log_fork',
      `log: no proof that the tree of ${newer.treeSize} entries extends the one of ${older.treeSize}`,
    );
}

/**
 * That `entry` (the leaf's bytes, not its hash) is the log's entry `leafIndex` under `head` (§3.1).
 * The tree size and the root both come from the one verified head: an inclusion proof alone does
 * not bind the size (crypto.md §14.3).
 */
export function checkInclusion(
  head: TreeHead,
  entry: Uint8Array,
  leafIndex: number,
  proof: readonly Uint8Array[],
): void {
  if (!(entry instanceof Uint8Array)) throw new ProtocolError('malformed', 'log entry: expected bytes');
  const included = verifyMerkleInclusion({
    leafIndex,
    treeSize: head.treeSize,
    leafHash: merkleLeafHash(entry),
    proof: expectProof(proof, 'inclusion proof'),
    root: head.rootHash,
  });
  if (!included)
    throw new ProtocolError('not_in_log', `log: entry ${leafIndex} is not proven in the tree of ${head.treeSize}`);
}

/**
 * This library throws only ProtocolError: a proof that is not a list of byte strings is 'malformed'.
 * One longer than any tree needs is passed on unread; the verifier refuses it before reading it.
 */
function expectProof(proof: unknown, what: string): readonly Uint8Array[] {
  if (!Array.isArray(proof)) throw new ProtocolError('malformed', `${what}: expected a list of byte strings`);
  if (proof.length <= MAX_MERKLE_PROOF_LENGTH && !proof.every((node) => node instanceof Uint8Array))
    throw new ProtocolError('malformed', `${what}: expected a list of byte strings`);
  return proof as readonly Uint8Array[];
}
