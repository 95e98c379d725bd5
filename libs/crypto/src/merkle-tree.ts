/**
 * The Merkle tree of the transparency log (docs/protocol/crypto.md §14): RFC 9162 §2.1, which is
 * the tree of RFC 6962 §2.1, over SHA-256. Leaves and interior nodes are hashed with different
 * prefixes (0x00, 0x01; §2.1.1) so that a leaf can never pass for a node. The generators are for
 * the log (the admin app); the verifiers are for whoever checks it (clients, gossip peers).
 *
 * Why no library: in December 2026 the npm packages that build Merkle proofs (merkletreejs,
 * merkle-lib, merkle-tools, @openzeppelin/merkle-tree, ...) build other trees (no 0x00/0x01
 * domain separation, a duplicated last leaf, sorted pairs), and @sigstore/verify checks Rekor's
 * RFC 6962 inclusion proofs but neither makes proofs nor checks consistency and brings its
 * TUF/bundle stack along. What is left is some 150 lines over our audited SHA-256, written
 * step by step after the RFC's algorithms and checked against the RFC 6962 reference vectors.
 *
 * Sizes and indexes are numbers up to 2^53 - 1, so the arithmetic is `% 2` and `Math.floor(x / 2)`,
 * never the 32-bit bitwise operators.
 */
import { constantTimeEqual, expectBytes, isBytes } from './bytes';
import { CryptoError } from './errors';
import { SHA256_LENGTH, sha256 } from './kdf';

export const MERKLE_HASH_LENGTH = SHA256_LENGTH;
/**
 * Above any proof of a tree of up to 2^53 - 1 leaves (inclusion: at most ⌈log2 n⌉ = 53 nodes;
 * consistency: at most ⌈log2 n⌉ + 1 = 54), so a verifier refuses a longer one before reading it.
 */
export const MAX_MERKLE_PROOF_LENGTH = 64;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
/** MTH({}) = SHA-256() (§2.1.1). */
const EMPTY_TREE_ROOT = sha256(new Uint8Array(0));

/** SHA-256(0x00 ‖ entry) (§2.1.1). */
export function merkleLeafHash(entry: Uint8Array): Uint8Array {
  expectBytes(entry, 'merkleLeafHash: entry');
  const input = new Uint8Array(1 + entry.length);
  input[0] = LEAF_PREFIX;
  input.set(entry, 1);
  return sha256(input);
}

/** SHA-256(0x01 ‖ left ‖ right) (§2.1.1); both halves are 32-byte hashes. */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return nodeHash(
    expectBytes(left, 'merkleNodeHash: left', MERKLE_HASH_LENGTH),
    expectBytes(right, 'merkleNodeHash: right', MERKLE_HASH_LENGTH),
  );
}

/** MTH(D[n]) over the leaf hashes (§2.1.1); the empty tree's root is SHA-256 of the empty string. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  checkLeafHashes(leafHashes, 'merkleRoot');
  if (leafHashes.length === 0) return EMPTY_TREE_ROOT.slice();
  return subtreeRoot(leafHashes, 0, leafHashes.length).slice();
}

/** PATH(m, D[n]) (§2.1.3.1): the audit path of leaf `leafIndex`, leaf end first. */
export function merkleInclusionProof(leafIndex: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkLeafHashes(leafHashes, 'merkleInclusionProof');
  if (!isSize(leafIndex) || leafIndex >= leafHashes.length) {
    throw new CryptoError(
      'bad_parameter',
      `merkleInclusionProof: leaf ${leafIndex} is not in a tree of ${leafHashes.length}`,
    );
  }
  // The recursion of §2.1.3.1 unrolled from the root down: each step keeps the half holding the
  // leaf and records the other half's root. The RFC lists those roots leaf end first.
  const path: Uint8Array[] = [];
  let start = 0;
  let end = leafHashes.length;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (leafIndex < split) {
      path.push(subtreeRoot(leafHashes, split, end));
      end = split;
    } else {
      path.push(subtreeRoot(leafHashes, start, split));
      start = split;
    }
  }
  return path.reverse().map((node) => node.slice());
}

/**
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (§2.1.4.1) that the first `oldSize` leaves are a prefix
 * of the whole tree. The RFC defines it for 0 < m < n; for m = n it is SUBPROOF(n, D[n], true) = {},
 * and for m = 0 it is empty too (the empty tree is a prefix of every tree; crypto.md §14.4).
 */
export function merkleConsistencyProof(oldSize: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkLeafHashes(leafHashes, 'merkleConsistencyProof');
  if (!isSize(oldSize) || oldSize > leafHashes.length) {
    throw new CryptoError(
      'bad_parameter',
      `merkleConsistencyProof: old size ${oldSize} is not 0..${leafHashes.length}, the new tree's size`,
    );
  }
  if (oldSize === 0 || oldSize === leafHashes.length) return [];
  const proof: Uint8Array[] = [];
  let start = 0;
  let end = leafHashes.length;
  // `whole`: SUBPROOF's boolean, true while the old tree is a prefix of the current subtree that
  // starts where the whole tree starts, so that the verifier already holds its root.
  let whole = true;
  for (;;) {
    const oldEnd = oldSize - start;
    if (oldEnd === end - start) {
      if (!whole) proof.push(subtreeRoot(leafHashes, start, end));
      break;
    }
    const split = start + largestPowerOfTwoBelow(end - start);
    if (oldSize <= split) {
      proof.push(subtreeRoot(leafHashes, split, end));
      end = split;
    } else {
      proof.push(subtreeRoot(leafHashes, start, split));
      start = split;
      whole = false;
    }
  }
  return proof.reverse().map((node) => node.slice());
}

export interface MerkleInclusionCheck {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

/**
 * The verification of §2.1.3.2, step by step. False for every bad input (an index outside the
 * tree, a proof too short or too long, a node of the wrong length, ...); a TypeError only for
 * what is not bytes at all (crypto.md, conventions).
 */
export function verifyMerkleInclusion(check: MerkleInclusionCheck): boolean {
  const { leafIndex, treeSize } = check;
  const leafHash = expectBytes(check.leafHash, 'verifyMerkleInclusion: leafHash');
  const root = expectBytes(check.root, 'verifyMerkleInclusion: root');
  const path = proofNodes(check.proof, 'verifyMerkleInclusion: proof');
  if (path === undefined || !isSize(leafIndex) || !isSize(treeSize)) return false;
  if (leafHash.length !== MERKLE_HASH_LENGTH || root.length !== MERKLE_HASH_LENGTH) return false;
  // 1.
  if (leafIndex >= treeSize) return false;
  // 2. and 3.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  // 4.
  for (const p of path) {
    // 4a: a proof longer than the path of this leaf in this tree.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // 4b: `p` is a left sibling; a right edge node (fn = sn, even) skips the levels it was promoted through.
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    // 4c.
    fn = half(fn);
    sn = half(sn);
  }
  // 5: sn = 0 also refuses a proof shorter than the path.
  return sn === 0 && constantTimeEqual(r, root);
}

export interface MerkleConsistencyCheck {
  readonly oldSize: number;
  readonly newSize: number;
  readonly oldRoot: Uint8Array;
  readonly newRoot: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * The verification of §2.1.4.2, step by step, for 0 < oldSize < newSize. For equal sizes the proof
 * must be empty and the roots equal; for oldSize 0 the proof must be empty and the old root the
 * empty tree's (crypto.md §14.4). An old size above the new one is false: a log never shrinks.
 */
export function verifyMerkleConsistency(check: MerkleConsistencyCheck): boolean {
  const { oldSize, newSize } = check;
  const oldRoot = expectBytes(check.oldRoot, 'verifyMerkleConsistency: oldRoot');
  const newRoot = expectBytes(check.newRoot, 'verifyMerkleConsistency: newRoot');
  const path = proofNodes(check.proof, 'verifyMerkleConsistency: proof');
  if (path === undefined || !isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (oldRoot.length !== MERKLE_HASH_LENGTH || newRoot.length !== MERKLE_HASH_LENGTH) return false;
  if (oldSize === newSize) return path.length === 0 && constantTimeEqual(oldRoot, newRoot);
  if (oldSize === 0) return path.length === 0 && constantTimeEqual(oldRoot, EMPTY_TREE_ROOT);
  // 1.
  if (path.length === 0) return false;
  // 2: when the old tree is a complete subtree, its root is the proof's implicit first node.
  const nodes = isPowerOfTwo(oldSize) ? [oldRoot, ...path] : path;
  // 3.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // 4.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  let fr = nodes[0] as Uint8Array;
  let sr = fr;
  // 6.
  for (let i = 1; i < nodes.length; i++) {
    const c = nodes[i] as Uint8Array;
    // 6a.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // 6b: `c` is a left sibling of both paths.
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // Otherwise: `c` lies right of the old tree, in the new tree only.
      sr = nodeHash(sr, c);
    }
    // 6c.
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return sn === 0 && constantTimeEqual(fr, oldRoot) && constantTimeEqual(sr, newRoot);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + 2 * MERKLE_HASH_LENGTH);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + MERKLE_HASH_LENGTH);
  return sha256(input);
}

/**
 * MTH(D[start:end]) for a non-empty range (§2.1.1), on index ranges so no array is ever copied:
 * O(end - start) hashes, recursion depth log2 of the range. May return a leaf hash by reference.
 */
function subtreeRoot(leafHashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) return leafHashes[start] as Uint8Array;
  const split = start + largestPowerOfTwoBelow(end - start);
  return nodeHash(subtreeRoot(leafHashes, start, split), subtreeRoot(leafHashes, split, end));
}

/** k of §2.1.1: the largest power of two smaller than n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkLeafHashes(leafHashes: readonly Uint8Array[], what: string): void {
  if (!Array.isArray(leafHashes)) throw new TypeError(`${what}: leafHashes must be an array of Uint8Array`);
  for (const leafHash of leafHashes) expectBytes(leafHash, `${what}: a leaf hash`, MERKLE_HASH_LENGTH);
}

/** The proof's nodes, or undefined (the proof fails) when it is too long or a node is not 32 bytes. */
function proofNodes(proof: readonly Uint8Array[], what: string): readonly Uint8Array[] | undefined {
  if (!Array.isArray(proof)) throw new TypeError(`${what} must be an array of Uint8Array`);
  if (proof.length > MAX_MERKLE_PROOF_LENGTH) return undefined;
  let wellFormed = true;
  for (const node of proof) {
    if (!isBytes(node)) throw new TypeError(`${what}: a node must be a Uint8Array`);
    if (node.length !== MERKLE_HASH_LENGTH) wellFormed = false;
  }
  return wellFormed ? proof : undefined;
}

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isOdd(value: number): boolean {
  return value % 2 === 1;
}

function half(value: number): number {
  return Math.floor(value / 2);
}

function isPowerOfTwo(value: number): boolean {
  let rest = value;
  while (rest > 1 && !isOdd(rest)) rest = half(rest);
  return rest === 1;
}
