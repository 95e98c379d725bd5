/**
 * The transparency log's Merkle tree (RFC 9162 §2.1; docs/protocol/crypto.md §14): the RFC 6962
 * reference vectors, fast-check properties over random trees, and the failure modes by name.
 */
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import fc from 'fast-check';
import {
  MAX_MERKLE_PROOF_LENGTH,
  merkleConsistencyProof,
  merkleInclusionProof,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  verifyMerkleConsistency,
  verifyMerkleInclusion,
  type MerkleConsistencyCheck,
  type MerkleInclusionCheck,
} from '../src/merkle-tree';
import { sha256 } from '../src/kdf';
import { expectCode } from './expect-code';
import { CONSISTENCY_PROOFS, INCLUSION_PROOFS, LEAF_HASHES, LEAF_INPUTS, ROOTS } from './merkle-vectors';

/** `list[index]`, which must exist (the non-null assertion the lint rule forbids). */
function at<T>(list: readonly T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`no element at ${index}`);
  return value;
}

const referenceLeaves = (size: number): Uint8Array[] => LEAF_HASHES.slice(0, size).map((h) => hexToBytes(h));
const hexes = (nodes: readonly Uint8Array[]): string[] => nodes.map((node) => bytesToHex(node));

/** A tree of `size` distinct leaves, named by `seed`. */
function randomTree(seed: number, size: number): Uint8Array[] {
  return Array.from({ length: size }, (_, i) =>
    merkleLeafHash(Uint8Array.of(seed >>> 24, seed >>> 16, seed >>> 8, seed, i >>> 8, i)),
  );
}

function withBitFlipped(proof: readonly Uint8Array[], node: number, bit: number): Uint8Array[] {
  return proof.map((hash, i) => {
    if (i !== node) return hash;
    const copy = hash.slice();
    copy[bit >>> 3] = (copy[bit >>> 3] as number) ^ (1 << (bit & 7));
    return copy;
  });
}

const withoutNode = (proof: readonly Uint8Array[], at: number): Uint8Array[] => proof.filter((_, i) => i !== at);
const withNode = (proof: readonly Uint8Array[], at: number, node: Uint8Array): Uint8Array[] => [
  ...proof.slice(0, at),
  node,
  ...proof.slice(at),
];

/** An independent construction: hash pairs level by level, promoting an unpaired last node unchanged. */
function bottomUpRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  let level = [...leafHashes];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNodeHash(at(level, i), at(level, i + 1)));
    if (level.length % 2 === 1) next.push(at(level, level.length - 1));
    level = next;
  }
  return at(level, 0);
}

const treeArbitrary = fc.record({ seed: fc.nat(), size: fc.integer({ min: 1, max: 300 }) });

describe('RFC 6962 reference vectors (transparency-dev/merkle)', () => {
  it('hashes the eight reference leaves as SHA-256(0x00 ‖ entry)', () => {
    expect(LEAF_INPUTS.map((input) => bytesToHex(merkleLeafHash(hexToBytes(input))))).toEqual(LEAF_HASHES);
  });

  it('hashes an interior node as SHA-256(0x01 ‖ left ‖ right): the root of the first two leaves', () => {
    const [first, second] = referenceLeaves(2) as [Uint8Array, Uint8Array];
    expect(bytesToHex(merkleNodeHash(first, second))).toBe(ROOTS[2]);
  });

  it('gives the reference root for every size from the empty tree to 8 leaves', () => {
    for (let size = 0; size <= 8; size++) expect(bytesToHex(merkleRoot(referenceLeaves(size)))).toBe(ROOTS[size]);
  });

  it('makes exactly the reference inclusion proofs, and each verifies against the reference root', () => {
    for (const { leafIndex, treeSize, proof } of INCLUSION_PROOFS) {
      const leaves = referenceLeaves(treeSize);
      expect(hexes(merkleInclusionProof(leafIndex, leaves))).toEqual(proof);
      const check = { leafIndex, treeSize, leafHash: at(leaves, leafIndex), proof: proof.map((h) => hexToBytes(h)) };
      expect(verifyMerkleInclusion({ ...check, root: hexToBytes(at(ROOTS, treeSize)) })).toBe(true);
    }
  });

  it('makes exactly the reference consistency proofs, and each verifies between the reference roots', () => {
    for (const { oldSize, newSize, proof } of CONSISTENCY_PROOFS) {
      expect(hexes(merkleConsistencyProof(oldSize, referenceLeaves(newSize)))).toEqual(proof);
      const check = {
        oldSize,
        newSize,
        oldRoot: hexToBytes(at(ROOTS, oldSize)),
        newRoot: hexToBytes(at(ROOTS, newSize)),
      };
      expect(verifyMerkleConsistency({ ...check, proof: proof.map((h) => hexToBytes(h)) })).toBe(true);
    }
  });
});

describe('properties over random trees of 1 to 300 leaves (fast-check)', () => {
  it('computes the same root as an independent bottom-up construction', () => {
    fc.assert(
      fc.property(treeArbitrary, ({ seed, size }) => {
        const leaves = randomTree(seed, size);
        expect(bytesToHex(merkleRoot(leaves))).toBe(bytesToHex(bottomUpRoot(leaves)));
      }),
      { numRuns: 100 },
    );
  });

  it('verifies the inclusion proof of every leaf of a tree', () => {
    fc.assert(
      fc.property(treeArbitrary, ({ seed, size }) => {
        const leaves = randomTree(seed, size);
        const root = merkleRoot(leaves);
        leaves.forEach((leafHash, leafIndex) => {
          const proof = merkleInclusionProof(leafIndex, leaves);
          expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
          expect(verifyMerkleInclusion({ leafIndex, treeSize: size, leafHash, proof, root })).toBe(true);
        });
      }),
      { numRuns: 8 }, // each run makes n proofs of O(n) hashes each
    );
  });

  it('refuses an inclusion proof with a wrong index, a wrong leaf, a size whose path differs, a flipped bit, a node dropped or added', () => {
    fc.assert(
      fc.property(
        treeArbitrary,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        ({ seed, size }, index, otherIndex, otherSize, bit, extra) => {
          const leaves = randomTree(seed, size + 300);
          const tree = leaves.slice(0, size);
          const leafIndex = index % size;
          const root = merkleRoot(tree);
          const proof = merkleInclusionProof(leafIndex, tree);
          const leafHash = at(tree, leafIndex);
          const verifies = (changes: Partial<MerkleInclusionCheck>): boolean =>
            verifyMerkleInclusion({ leafIndex, treeSize: size, leafHash, proof, root, ...changes });
          expect(verifies({})).toBe(true);

          const wrongIndex = (leafIndex + 1 + (otherIndex % size)) % size;
          if (wrongIndex !== leafIndex) expect(verifies({ leafIndex: wrongIndex })).toBe(false);
          expect(verifies({ leafIndex: size })).toBe(false);
          expect(verifies({ leafHash: at(leaves, size) })).toBe(false);
          // The loop's turns depend only on index and size (§2.1.3.2): a size for which this leaf's
          // path has another length always fails. One with the same path is bound by the tree head.
          const wrongSize = 1 + (otherSize % (size + 300));
          if (
            wrongSize > leafIndex &&
            merkleInclusionProof(leafIndex, leaves.slice(0, wrongSize)).length !== proof.length
          )
            expect(verifies({ treeSize: wrongSize })).toBe(false);
          proof.forEach((_, node) => {
            expect(verifies({ proof: withBitFlipped(proof, node, bit) })).toBe(false);
            expect(verifies({ proof: withoutNode(proof, node) })).toBe(false);
          });
          for (let at = 0; at <= proof.length; at++)
            expect(verifies({ proof: withNode(proof, at, extra) })).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('verifies every consistency proof between a tree and each of its prefixes', () => {
    fc.assert(
      fc.property(treeArbitrary, ({ seed, size }) => {
        const leaves = randomTree(seed, size);
        const newRoot = merkleRoot(leaves);
        for (let oldSize = 0; oldSize <= size; oldSize++) {
          const proof = merkleConsistencyProof(oldSize, leaves);
          expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)) + 1);
          const oldRoot = merkleRoot(leaves.slice(0, oldSize));
          expect(verifyMerkleConsistency({ oldSize, newSize: size, oldRoot, newRoot, proof })).toBe(true);
        }
      }),
      { numRuns: 6 }, // as above: n + 1 proofs of O(n) hashes each
    );
  });

  it('refuses a consistency proof tampered with, with its sizes swapped, or for the old root of another tree', () => {
    fc.assert(
      fc.property(
        treeArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        ({ seed, size }, old, bit, extra) => {
          const leaves = randomTree(seed, size);
          const oldSize = old % (size + 1);
          const oldRoot = merkleRoot(leaves.slice(0, oldSize));
          const newRoot = merkleRoot(leaves);
          const proof = merkleConsistencyProof(oldSize, leaves);
          const verifies = (changes: Partial<MerkleConsistencyCheck>): boolean =>
            verifyMerkleConsistency({ oldSize, newSize: size, oldRoot, newRoot, proof, ...changes });
          expect(verifies({})).toBe(true);

          proof.forEach((_, node) => {
            expect(verifies({ proof: withBitFlipped(proof, node, bit) })).toBe(false);
            expect(verifies({ proof: withoutNode(proof, node) })).toBe(false);
          });
          for (let at = 0; at <= proof.length; at++)
            expect(verifies({ proof: withNode(proof, at, extra) })).toBe(false);
          if (oldSize < size) {
            expect(verifies({ oldSize: size, newSize: oldSize })).toBe(false);
            expect(verifies({ oldSize: size, newSize: oldSize, oldRoot: newRoot, newRoot: oldRoot })).toBe(false);
          }
          if (oldSize > 0) {
            // The same number of leaves, one of them different: another log's history.
            const other = leaves.slice(0, oldSize);
            other[oldSize - 1] = merkleLeafHash(extra);
            expect(verifies({ oldRoot: merkleRoot(other) })).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('failure modes', () => {
  const leaves = referenceLeaves(8);
  const root = hexToBytes(at(ROOTS, 8));
  const inclusion = {
    leafIndex: 5,
    treeSize: 8,
    leafHash: at(leaves, 5),
    proof: merkleInclusionProof(5, leaves),
    root,
  };
  const consistency = {
    oldSize: 6,
    newSize: 8,
    oldRoot: hexToBytes(at(ROOTS, 6)),
    newRoot: root,
    proof: merkleConsistencyProof(6, leaves),
  };

  it('index out of range: the generator throws bad_parameter, the verifier answers false', () => {
    for (const leafIndex of [-1, 8, 1.5, Number.NaN, 2 ** 53]) {
      expectCode(() => merkleInclusionProof(leafIndex, leaves), 'bad_parameter');
      expect(verifyMerkleInclusion({ ...inclusion, leafIndex })).toBe(false);
    }
    expectCode(() => merkleInclusionProof(0, []), 'bad_parameter');
    expect(verifyMerkleInclusion({ ...inclusion, leafIndex: 0, treeSize: 0, proof: [] })).toBe(false);
  });

  it('tree size above 2^53 - 1 or not an integer: false', () => {
    for (const treeSize of [2 ** 53, 8.5, -8, Number.POSITIVE_INFINITY]) {
      expect(verifyMerkleInclusion({ ...inclusion, treeSize })).toBe(false);
      expect(verifyMerkleConsistency({ ...consistency, newSize: treeSize })).toBe(false);
    }
  });

  it('empty proof for a non-trivial tree: false, for inclusion and for consistency', () => {
    expect(verifyMerkleInclusion({ ...inclusion, proof: [] })).toBe(false);
    expect(verifyMerkleConsistency({ ...consistency, proof: [] })).toBe(false);
  });

  it('truncated proof (a node short of the path): false', () => {
    expect(verifyMerkleInclusion({ ...inclusion, proof: inclusion.proof.slice(0, -1) })).toBe(false);
    expect(verifyMerkleConsistency({ ...consistency, proof: consistency.proof.slice(0, -1) })).toBe(false);
  });

  it('oversized proof: longer than the path, or than any tree allows (refused before it is read)', () => {
    expect(verifyMerkleInclusion({ ...inclusion, proof: [...inclusion.proof, root] })).toBe(false);
    const huge = Array.from({ length: MAX_MERKLE_PROOF_LENGTH + 1 }, () => root);
    expect(verifyMerkleInclusion({ ...inclusion, proof: huge })).toBe(false);
    expect(verifyMerkleConsistency({ ...consistency, proof: huge })).toBe(false);
    // Beyond the bound the nodes are not even looked at, so not-bytes in them is no TypeError.
    expect(verifyMerkleInclusion({ ...inclusion, proof: [...huge, 'x' as unknown as Uint8Array] })).toBe(false);
  });

  it('a node, leaf hash or root of the wrong length: false (the verifier never throws on hostile lengths)', () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0)]) {
      expect(verifyMerkleInclusion({ ...inclusion, proof: [bad, ...inclusion.proof.slice(1)] })).toBe(false);
      expect(verifyMerkleInclusion({ ...inclusion, leafHash: bad })).toBe(false);
      expect(verifyMerkleInclusion({ ...inclusion, root: bad })).toBe(false);
      expect(verifyMerkleConsistency({ ...consistency, proof: [bad, ...consistency.proof.slice(1)] })).toBe(false);
      expect(verifyMerkleConsistency({ ...consistency, oldRoot: bad })).toBe(false);
      expect(verifyMerkleConsistency({ ...consistency, newRoot: bad })).toBe(false);
    }
  });

  it('old size greater than new size: false (a log never shrinks), and the generator throws bad_parameter', () => {
    expect(verifyMerkleConsistency({ ...consistency, oldSize: 8, newSize: 6 })).toBe(false);
    expect(verifyMerkleConsistency({ ...consistency, oldSize: 9, proof: [] })).toBe(false);
    for (const oldSize of [9, -1, 2.5]) expectCode(() => merkleConsistencyProof(oldSize, leaves), 'bad_parameter');
  });

  it('equal sizes: consistent only with the same root and an empty proof', () => {
    const same = { oldSize: 8, newSize: 8, oldRoot: root, newRoot: root, proof: [] };
    expect(verifyMerkleConsistency(same)).toBe(true);
    expect(verifyMerkleConsistency({ ...same, newRoot: hexToBytes(at(ROOTS, 7)) })).toBe(false);
    expect(verifyMerkleConsistency({ ...same, proof: [root] })).toBe(false);
    expect(merkleConsistencyProof(8, leaves)).toEqual([]);
  });

  it('old size 0: consistent only with the empty tree root and an empty proof', () => {
    const empty = { oldSize: 0, newSize: 8, oldRoot: sha256(new Uint8Array(0)), newRoot: root, proof: [] };
    expect(verifyMerkleConsistency(empty)).toBe(true);
    expect(verifyMerkleConsistency({ ...empty, oldRoot: root })).toBe(false);
    expect(verifyMerkleConsistency({ ...empty, proof: [root] })).toBe(false);
    expect(merkleConsistencyProof(0, leaves)).toEqual([]);
  });

  it('a leaf never hashes like a node: the 0x00 and 0x01 prefixes (§2.1.1)', () => {
    const [left, right] = leaves as [Uint8Array, Uint8Array];
    const joined = new Uint8Array([...left, ...right]);
    expect(bytesToHex(merkleLeafHash(joined))).not.toBe(bytesToHex(merkleNodeHash(left, right)));
    // A forged one-leaf "tree" whose leaf is an interior node's children does not prove their inclusion.
    expect(
      verifyMerkleInclusion({
        leafIndex: 0,
        treeSize: 1,
        leafHash: merkleLeafHash(joined),
        proof: [],
        root: hexToBytes(at(ROOTS, 2)),
      }),
    ).toBe(false);
  });

  it('bad_length: a node hash input or a leaf hash that is not 32 bytes', () => {
    expectCode(() => merkleNodeHash(new Uint8Array(31), at(leaves, 0)), 'bad_length');
    expectCode(() => merkleNodeHash(at(leaves, 0), new Uint8Array(33)), 'bad_length');
    expectCode(() => merkleRoot([at(leaves, 0), new Uint8Array(31)]), 'bad_length');
    expectCode(() => merkleInclusionProof(0, [new Uint8Array(33)]), 'bad_length');
  });

  it('TypeError for what is not bytes at all (a programming error, not hostile input)', () => {
    const notBytes = 'ab' as unknown as Uint8Array;
    expect(() => merkleLeafHash(notBytes)).toThrow(TypeError);
    expect(() => merkleRoot('leaves' as unknown as Uint8Array[])).toThrow(TypeError);
    expect(() => verifyMerkleInclusion({ ...inclusion, leafHash: notBytes })).toThrow(TypeError);
    expect(() => verifyMerkleInclusion({ ...inclusion, proof: [notBytes] })).toThrow(TypeError);
    expect(() => verifyMerkleConsistency({ ...consistency, proof: notBytes as unknown as Uint8Array[] })).toThrow(
      TypeError,
    );
  });

  it('returns copies: changing a root or a proof node changes nothing in the caller’s leaves', () => {
    const oneLeaf = [at(leaves, 0).slice()];
    merkleRoot(oneLeaf).fill(0);
    at(merkleInclusionProof(0, leaves.slice(0, 2)), 0).fill(0);
    expect(bytesToHex(at(oneLeaf, 0))).toBe(LEAF_HASHES[0]);
    expect(bytesToHex(at(leaves, 1))).toBe(LEAF_HASHES[1]);
  });

  it('does not bind the tree size by itself: size and root must come from the same signed tree head', () => {
    // Leaf 0 takes the same two left turns in trees of 3 and 4 leaves, so the size-3 proof checks
    // against the size-3 root under either size. crypto.md §14.3; transparency-log.md §3.
    const three = referenceLeaves(3);
    const proof = merkleInclusionProof(0, three);
    const check = { leafIndex: 0, leafHash: at(three, 0), proof, root: hexToBytes(at(ROOTS, 3)) };
    expect(verifyMerkleInclusion({ ...check, treeSize: 3 })).toBe(true);
    expect(verifyMerkleInclusion({ ...check, treeSize: 4 })).toBe(true);
    expect(verifyMerkleInclusion({ ...check, treeSize: 4, root: hexToBytes(at(ROOTS, 4)) })).toBe(false);
  });
});
