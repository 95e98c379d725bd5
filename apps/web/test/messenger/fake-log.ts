/**
 * The transparency log's three endpoints (transparency-log.md §5) as FakeAdmin serves them, over
 * whatever leaves a view of the log shows: the log kept for everyone, or a split view made for
 * one audience (FakeAdmin.forkedView, aheadView). Heads are signed when first asked for a size
 * and kept, as the admin app does; a size the view never reached was never signed, so a
 * consistency proof to it is refused `unknown_tree_size` (§5.3).
 */
import { merkleConsistencyProof, merkleInclusionProof, merkleRoot, type Ed25519KeyPair } from '@opendescent/crypto';
import { signTreeHead } from '@opendescent/protocol';
import type { AdminPort } from '../../src/messenger/ports';
import { AdminRequestError } from '../../src/net/admin-client';
import { nowSeconds } from '../net/support/relay-process';

export interface LogView {
  readonly orgId: Uint8Array;
  /** The leaf hashes this view shows now. */
  leaves(): readonly Uint8Array[];
  /** Heads signed so far, by tree size. */
  readonly heads: Map<number, Uint8Array>;
  /** The organisation key that signs heads now. */
  signer(): Ed25519KeyPair;
}

export type LogEndpoints = Pick<AdminPort, 'logHead' | 'logInclusion' | 'logConsistency'>;

export function logEndpoints(view: LogView): LogEndpoints {
  return {
    logHead: async () => {
      const leaves = [...view.leaves()];
      let head = view.heads.get(leaves.length);
      if (!head) {
        head = await signTreeHead(
          { orgId: view.orgId, treeSize: leaves.length, timestamp: nowSeconds(), rootHash: merkleRoot(leaves) },
          view.signer().privateKey,
        );
        view.heads.set(leaves.length, head);
      }
      return head;
    },
    logInclusion: async (leafHash, treeSize) => {
      const leaves = [...view.leaves()];
      const leafIndex = leaves.findIndex((leaf) => Buffer.compare(Buffer.from(leaf), Buffer.from(leafHash)) === 0);
      if (leafIndex < 0 || leafIndex >= treeSize) throw new AdminRequestError(404, 'not_in_log', 'not in the log');
      return { leafIndex, treeSize, proof: merkleInclusionProof(leafIndex, leaves.slice(0, treeSize)) };
    },
    logConsistency: async (from, to) => {
      const leaves = [...view.leaves()];
      if (to > leaves.length) throw new AdminRequestError(404, 'unknown_tree_size', 'no head of that size');
      return merkleConsistencyProof(from, leaves.slice(0, to));
    },
  };
}
