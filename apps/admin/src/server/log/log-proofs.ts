// The transparency log's reader (docs/protocol/transparency-log.md §5): tree heads signed by the
// organisation key when asked for and kept, proofs made from the stored leaf hashes.
import {
  encodeBase64Url,
  signTreeHead,
  type LogConsistencyAnswerJson,
  type LogInclusionAnswerJson,
} from '@opendescent/protocol';
import { merkleConsistencyProof, merkleInclusionProof, merkleRoot } from '@opendescent/crypto';
import { ApiError } from '../http/api-error';
import { unixSeconds } from '../http/encoding';
import { activeSigner } from '../org/organisation';
import type { AdminServices, Db } from '../services';

/** The first `treeSize` leaf hashes, in order: the tree of that size. */
async function leafHashes(db: Db, treeSize: number): Promise<Uint8Array[]> {
  const rows = await db.logEntry.findMany({ orderBy: { index: 'asc' }, select: { leafHash: true }, take: treeSize });
  return rows.map((row) => new Uint8Array(row.leafHash));
}

/**
 * The signed tree head of the log as it stands: the one already signed for this size, or a new
 * one signed now by the active key and kept (another instance may have signed the same size at
 * the same moment: theirs is used).
 */
export async function currentTreeHead(s: AdminServices): Promise<Uint8Array> {
  // The size first: a head already signed for it is answered without reading every leaf hash.
  const treeSize = await s.prisma.logEntry.count();
  const stored = await s.prisma.logTreeHead.findUnique({ where: { treeSize } });
  if (stored) return new Uint8Array(stored.bytes);
  const signer = await activeSigner(s);
  // The first `treeSize` leaves never change (append-only), whatever was appended since the count.
  const root = merkleRoot(await leafHashes(s.prisma, treeSize));
  const now = s.now();
  const bytes = await signTreeHead(
    { orgId: signer.orgId, treeSize, timestamp: unixSeconds(now), rootHash: root },
    signer.privateKey,
  );
  try {
    await s.prisma.logTreeHead.create({
      data: { treeSize, root: new Uint8Array(root), signedAt: now, bytes: new Uint8Array(bytes) },
    });
    return bytes;
  } catch (error) {
    const raced = await s.prisma.logTreeHead.findUnique({ where: { treeSize } });
    if (raced) return new Uint8Array(raced.bytes);
    throw error;
  }
}

/** Proofs are given against a size the log has signed a head for: the size a client holds. */
async function expectSignedSize(db: Db, treeSize: number): Promise<void> {
  if (!(await db.logTreeHead.findUnique({ where: { treeSize }, select: { treeSize: true } })))
    throw new ApiError(404, 'unknown_tree_size', `no tree head was signed for size ${treeSize}`);
}

/** §5.2: where a leaf is, and its inclusion proof in the tree of a signed size. */
export async function inclusionProof(
  s: AdminServices,
  leafHash: Uint8Array,
  treeSize: number,
): Promise<LogInclusionAnswerJson> {
  await expectSignedSize(s.prisma, treeSize);
  const entry = await s.prisma.logEntry.findFirst({
    where: { leafHash: new Uint8Array(leafHash) },
    orderBy: { index: 'asc' },
    select: { index: true },
  });
  if (!entry || entry.index >= treeSize) throw new ApiError(404, 'not_in_log', 'no such entry in the log of that size');
  const proof = merkleInclusionProof(entry.index, await leafHashes(s.prisma, treeSize));
  return { leafIndex: entry.index, treeSize, proof: proof.map(encodeBase64Url) };
}

/** §5.3: that the log of size `to` extends the log of size `from`, both sizes signed. */
export async function consistencyProof(s: AdminServices, from: number, to: number): Promise<LogConsistencyAnswerJson> {
  if (from > to) throw new ApiError(400, 'malformed', '`from` must not be larger than `to`');
  await expectSignedSize(s.prisma, from);
  await expectSignedSize(s.prisma, to);
  const proof = merkleConsistencyProof(from, await leafHashes(s.prisma, to));
  return { from, to, proof: proof.map(encodeBase64Url) };
}
