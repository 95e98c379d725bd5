import { merkleLeafHash, sha256 } from '@opendescent/crypto';
import { ProtocolError } from '../errors';

/**
 * A leaf of the transparency log (docs/protocol/transparency-log.md §4): a commitment to one
 * document the admin app issued, `version ‖ kind ‖ SHA-256(document)`. The document itself is not
 * in the log: attestations carry addresses and names, and a log anyone in the organisation can
 * read must not be a copy of the directory. Whoever holds a document computes its leaf and asks
 * for its inclusion proof.
 */
export const LOG_LEAF_VERSION = 1;
export const LOG_LEAF_BYTES = 2 + 32;

/** What a leaf commits to; the code is the leaf's second byte (§4.1). */
export const LOG_LEAF_KINDS = ['attestation', 'revocation_list', 'org_key_statement', 'device_certificate'] as const;
export type LogLeafKind = (typeof LOG_LEAF_KINDS)[number];

export function logLeaf(kind: LogLeafKind, document: Uint8Array): Uint8Array {
  const code = LOG_LEAF_KINDS.indexOf(kind) + 1;
  if (code === 0) throw new ProtocolError('malformed', `log leaf: unknown kind ${String(kind)}`);
  if (!(document instanceof Uint8Array) || document.length === 0)
    throw new ProtocolError('malformed', 'log leaf: the document is empty');
  const leaf = new Uint8Array(LOG_LEAF_BYTES);
  leaf[0] = LOG_LEAF_VERSION;
  leaf[1] = code;
  leaf.set(sha256(document), 2);
  return leaf;
}

/** The Merkle leaf hash of a document's leaf: what an inclusion proof starts from (crypto.md §14). */
export function logLeafHash(kind: LogLeafKind, document: Uint8Array): Uint8Array {
  return merkleLeafHash(logLeaf(kind, document));
}
