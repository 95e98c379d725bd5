/** The transparency log's signed tree head and a client's checks (docs/protocol/transparency-log.md). */
import {
  merkleConsistencyProof,
  merkleInclusionProof,
  merkleLeafHash,
  merkleRoot,
  type Ed25519KeyPair,
} from '@opendescent/crypto';
import fc from 'fast-check';
import {
  ProtocolError,
  TREE_HEAD_BYTES,
  TREE_HEAD_TYPE,
  TREE_HEAD_VERSION,
  checkInclusion,
  checkTreeHeadConsistency,
  decodeTreeHead,
  signTreeHead,
  verifyTreeHead,
  type TreeHead,
  type TreeHeadFields,
} from '../../src/index';
import { expectGolden, fromHex, goldenOrgKey, hex, labelled, newOrgKey, protocolCode } from '../support';

const orgId = labelled('org: ministry of examples', 16);
const NOW = 1_800_000_000;
/** Offsets of §2's table. */
const TREE_SIZE_AT = 26;
const ROOT_AT = 38;

/** A log of `size` entries ("entry 0", "entry 1", ...) and their leaf hashes. */
function log(size: number): { entries: Uint8Array[]; leafHashes: Uint8Array[] } {
  const entries = Array.from({ length: size }, (_, i) => new TextEncoder().encode(`entry ${i}`));
  return { entries, leafHashes: entries.map((entry) => merkleLeafHash(entry)) };
}

function headFields(leafHashes: readonly Uint8Array[], overrides: Partial<TreeHeadFields> = {}): TreeHeadFields {
  return { orgId, treeSize: leafHashes.length, timestamp: NOW, rootHash: merkleRoot(leafHashes), ...overrides };
}

describe('signed tree head', () => {
  let org: Ed25519KeyPair;
  let trusted: { orgId: Uint8Array; publicKey: Uint8Array }[];
  const signedHead = async (leafHashes: readonly Uint8Array[], overrides: Partial<TreeHeadFields> = {}) =>
    verifyTreeHead(await signTreeHead(headFields(leafHashes, overrides), org.privateKey), trusted);

  beforeAll(async () => {
    org = await newOrgKey();
    trusted = [{ orgId, publicKey: org.publicKey }];
  });

  it('matches its golden vector (a format change is a visible diff)', async () => {
    const golden = await goldenOrgKey();
    // The root of the 8 entries of the RFC 6962 reference vectors (crypto.md §14; its spec checks that root).
    const entries = [
      '',
      '00',
      '10',
      '2021',
      '3031',
      '40414243',
      '5051525354555657',
      '606162636465666768696a6b6c6d6e6f',
    ];
    const leafHashes = entries.map((entry) => merkleLeafHash(fromHex(entry)));
    expect(hex(merkleRoot(leafHashes))).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    const bytes = await signTreeHead(headFields(leafHashes), golden.privateKey);
    expect(bytes.length).toBe(TREE_HEAD_BYTES);
    expect((await verifyTreeHead(bytes, [{ orgId, publicKey: golden.publicKey }])).treeSize).toBe(8);
    expectGolden('tree-head-v1', {
      description:
        'transparency-log.md §2: a signed tree head, version 1, over the 8 entries of the RFC 6962 reference vectors, signed by the golden organisation key',
      orgPublicKey: hex(golden.publicKey),
      bytes: hex(bytes),
    });
  });

  it('round-trips: 134 bytes, version and type first, every field back as signed', async () => {
    const { leafHashes } = log(5);
    const bytes = await signTreeHead(headFields(leafHashes), org.privateKey);
    expect(bytes.length).toBe(134);
    expect([bytes[0], bytes[1]]).toEqual([TREE_HEAD_VERSION, TREE_HEAD_TYPE]);
    const head = await verifyTreeHead(bytes, trusted);
    expect(head.treeSize).toBe(5);
    expect(head.timestamp).toBe(NOW);
    expect(hex(head.rootHash)).toBe(hex(merkleRoot(leafHashes)));
    expect(hex(head.orgId)).toBe(hex(orgId));
    expect(decodeTreeHead(bytes).head).toEqual(head);
  });

  it('carries the empty log and a size of 2^53 - 1 (Number.MAX_SAFE_INTEGER)', async () => {
    expect((await signedHead([])).treeSize).toBe(0);
    const largest = await signedHead([], { treeSize: Number.MAX_SAFE_INTEGER });
    expect(largest.treeSize).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('malformed: a tree size above 2^53 - 1, when decoding and when signing', async () => {
    const bytes = await signTreeHead(headFields(log(1).leafHashes), org.privateKey);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(TREE_SIZE_AT, 2 ** 21); // high half: exactly 2^53
    expect(protocolCode(() => decodeTreeHead(huge))).toBe('malformed');
    for (const treeSize of [2 ** 53, -1, 1.5])
      await expect(signTreeHead(headFields([], { treeSize }), org.privateKey)).rejects.toMatchObject({
        code: 'malformed',
      });
  });

  it('malformed when signing: a timestamp that is not a u32, a root or org id of the wrong length', async () => {
    for (const overrides of [
      { timestamp: 2 ** 32 },
      { rootHash: new Uint8Array(31) },
      { orgId: new Uint8Array(15) },
    ] as Partial<TreeHeadFields>[])
      await expect(signTreeHead(headFields([], overrides), org.privateKey)).rejects.toMatchObject({
        code: 'malformed',
      });
  });

  it('refuses truncated bytes (malformed), trailing or oversized bytes (oversized, before parsing) and what is not bytes', async () => {
    const bytes = await signTreeHead(headFields(log(3).leafHashes), org.privateKey);
    for (let length = 0; length < bytes.length; length++)
      expect(protocolCode(() => decodeTreeHead(bytes.slice(0, length)))).toBe('malformed');
    expect(protocolCode(() => decodeTreeHead(Uint8Array.of(...bytes, 0)))).toBe('oversized');
    expect(protocolCode(() => decodeTreeHead(new Uint8Array(100_000)))).toBe('oversized');
    expect(protocolCode(() => decodeTreeHead(hex(bytes)))).toBe('malformed');
  });

  it('malformed: another document type byte (a revocation list, a key statement)', async () => {
    const bytes = await signTreeHead(headFields(log(3).leafHashes), org.privateKey);
    for (const type of [0x01, 0x02, 0x03, 0x04, 0x06]) {
      const other = bytes.slice();
      other[1] = type;
      expect(protocolCode(() => decodeTreeHead(other))).toBe('malformed');
    }
  });

  it('tells version_too_old from version_unknown', async () => {
    const bytes = await signTreeHead(headFields(log(3).leafHashes), org.privateKey);
    const older = bytes.slice();
    older[0] = 0;
    expect(protocolCode(() => decodeTreeHead(older))).toBe('version_too_old');
    const newer = bytes.slice();
    newer[0] = 2;
    expect(protocolCode(() => decodeTreeHead(newer))).toBe('version_unknown');
  });

  it('unknown_signer: a head signed by an unpinned key or naming another organisation', async () => {
    const rogue = await newOrgKey();
    const forged = await signTreeHead(headFields(log(3).leafHashes), rogue.privateKey);
    await expect(verifyTreeHead(forged, trusted)).rejects.toMatchObject({ code: 'unknown_signer' });
    const otherOrg = await signTreeHead(
      headFields(log(3).leafHashes, { orgId: labelled('org: elsewhere', 16) }),
      org.privateKey,
    );
    await expect(verifyTreeHead(otherOrg, trusted)).rejects.toMatchObject({ code: 'unknown_signer' });
  });

  it('bad_signature: any signed field changed (size, timestamp, root) or the signature itself', async () => {
    const bytes = await signTreeHead(headFields(log(3).leafHashes), org.privateKey);
    for (const at of [TREE_SIZE_AT + 7, 34, ROOT_AT, ROOT_AT + 31, TREE_HEAD_BYTES - 1]) {
      const tampered = bytes.slice();
      tampered[at] = (tampered[at] as number) ^ 1;
      await expect(verifyTreeHead(tampered, trusted)).rejects.toMatchObject({ code: 'bad_signature' });
    }
  });

  it('decodes arbitrary and mutated bytes with nothing but ProtocolError', async () => {
    const valid = await signTreeHead(headFields(log(3).leafHashes), org.privateKey);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, value] of edits) copy[at] = value;
              return copy;
            }),
        ),
        (bytes) => {
          try {
            decodeTreeHead(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  describe('consistency between two heads (§3.2)', () => {
    const { leafHashes } = log(13);

    it('accepts a grown log with its consistency proof, and the same head seen twice', async () => {
      const older = await signedHead(leafHashes.slice(0, 6));
      const newer = await signedHead(leafHashes);
      expect(() => checkTreeHeadConsistency(older, newer, merkleConsistencyProof(6, leafHashes))).not.toThrow();
      expect(() => checkTreeHeadConsistency(newer, newer, [])).not.toThrow();
      const resigned = await signedHead(leafHashes, { timestamp: NOW + 60 });
      expect(() => checkTreeHeadConsistency(newer, resigned, [])).not.toThrow();
    });

    it('log_fork: the same size with another root', async () => {
      const held = await signedHead(leafHashes);
      const other = [...leafHashes];
      other[4] = merkleLeafHash(new TextEncoder().encode('a rewritten entry'));
      const forked = await signedHead(other);
      expect(protocolCode(() => checkTreeHeadConsistency(held, forked, []))).toBe('log_fork');
    });

    it('log_fork: a log that shrank, whatever proof comes with it', async () => {
      const held = await signedHead(leafHashes);
      const smaller = await signedHead(leafHashes.slice(0, 6));
      expect(protocolCode(() => checkTreeHeadConsistency(held, smaller, []))).toBe('log_fork');
      expect(protocolCode(() => checkTreeHeadConsistency(held, smaller, merkleConsistencyProof(6, leafHashes)))).toBe(
        'log_fork',
      );
    });

    it('log_fork: a consistency proof from another tree, or none', async () => {
      const older = await signedHead(leafHashes.slice(0, 6));
      const rewritten = [...leafHashes];
      rewritten[2] = merkleLeafHash(new TextEncoder().encode('a rewritten entry'));
      const forked = await signedHead(rewritten);
      // The forked log proves its own history, which does not start with the held head.
      const proof = merkleConsistencyProof(6, rewritten);
      expect(protocolCode(() => checkTreeHeadConsistency(older, forked, proof))).toBe('log_fork');
      const newer = await signedHead(leafHashes);
      expect(protocolCode(() => checkTreeHeadConsistency(older, newer, proof))).toBe('log_fork');
      expect(protocolCode(() => checkTreeHeadConsistency(older, newer, []))).toBe('log_fork');
    });

    it('malformed: heads of two organisations, or a proof that is not a list of byte strings', async () => {
      const older = await signedHead(leafHashes.slice(0, 6));
      const newer = await signedHead(leafHashes);
      const elsewhere: TreeHead = { ...newer, orgId: labelled('org: elsewhere', 16) };
      const proof = merkleConsistencyProof(6, leafHashes);
      expect(protocolCode(() => checkTreeHeadConsistency(older, elsewhere, proof))).toBe('malformed');
      expect(protocolCode(() => checkTreeHeadConsistency(older, newer, 'proof' as unknown as Uint8Array[]))).toBe(
        'malformed',
      );
      expect(protocolCode(() => checkTreeHeadConsistency(older, newer, [hex(proof[0] as Uint8Array)] as never))).toBe(
        'malformed',
      );
    });
  });

  describe('inclusion of an entry (§3.1)', () => {
    const { entries, leafHashes } = log(13);

    it('accepts every entry of the log with its inclusion proof', async () => {
      const head = await signedHead(leafHashes);
      entries.forEach((entry, i) => {
        expect(() => checkInclusion(head, entry, i, merkleInclusionProof(i, leafHashes))).not.toThrow();
      });
    });

    it('not_in_log: a wrong entry, a wrong index, a head the entry came after, a tampered or oversized proof', async () => {
      const head = await signedHead(leafHashes);
      const proof = merkleInclusionProof(7, leafHashes);
      const entry = entries[7] as Uint8Array;
      expect(protocolCode(() => checkInclusion(head, new TextEncoder().encode('entry 77'), 7, proof))).toBe(
        'not_in_log',
      );
      expect(protocolCode(() => checkInclusion(head, entries[6] as Uint8Array, 7, proof))).toBe('not_in_log');
      expect(protocolCode(() => checkInclusion(head, entry, 6, proof))).toBe('not_in_log');
      expect(protocolCode(() => checkInclusion(head, entry, 13, proof))).toBe('not_in_log');
      const before = await signedHead(leafHashes.slice(0, 7));
      expect(protocolCode(() => checkInclusion(before, entry, 7, proof))).toBe('not_in_log');
      const flipped = proof.map((node) => node.slice());
      const first = flipped[0] as Uint8Array;
      first[0] = (first[0] as number) ^ 1;
      expect(protocolCode(() => checkInclusion(head, entry, 7, flipped))).toBe('not_in_log');
      expect(protocolCode(() => checkInclusion(head, entry, 7, [...proof, proof[0] as Uint8Array]))).toBe('not_in_log');
      const oversized = Array.from({ length: 1000 }, () => 'not even bytes') as unknown as Uint8Array[];
      expect(protocolCode(() => checkInclusion(head, entry, 7, oversized))).toBe('not_in_log');
    });

    it('malformed: an entry or proof that is not bytes', async () => {
      const head = await signedHead(leafHashes);
      const proof = merkleInclusionProof(7, leafHashes);
      expect(protocolCode(() => checkInclusion(head, 'entry 7' as unknown as Uint8Array, 7, proof))).toBe('malformed');
      expect(protocolCode(() => checkInclusion(head, entries[7] as Uint8Array, 7, [{}] as never))).toBe('malformed');
    });
  });
});
