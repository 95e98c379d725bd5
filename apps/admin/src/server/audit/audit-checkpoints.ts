// Signed checkpoints of the audit chain (docs/protocol/audit-log.md §3): every housekeeping round
// (5 minutes) with new events, the organisation's active key signs the newest event's seq and
// hash. Whoever later rewrites the chain, even re-hashing every event after the change, cannot
// make it match a checkpoint without the organisation key.
import { concatBytes, ed25519Sign, ed25519Verify, utf8Encode } from '@opendescent/crypto';
import { ORG_ID_LENGTH } from '@opendescent/protocol';
import { AUDIT_HASH_LENGTH } from './audit-chain';
import { activeSigner } from '../org/organisation';
import { dbBytes } from '../http/encoding';
import type { AdminServices } from '../services';

/** §3: the domain label of a checkpoint signature. */
export const AUDIT_CHECKPOINT_LABEL = 'OpenDescent audit checkpoint v1';
const LABEL_BYTES = concatBytes(utf8Encode(AUDIT_CHECKPOINT_LABEL), Uint8Array.of(0));

export interface CheckpointFields {
  readonly orgId: Uint8Array;
  readonly seq: bigint;
  readonly hash: Uint8Array;
  readonly signedAt: Date;
}

/** §3: label || 0x00 || orgId (16) || seq (int64 BE) || hash (32) || signedAt (int64 BE, ms). */
export function checkpointSigningInput(c: CheckpointFields): Uint8Array {
  if (c.orgId.length !== ORG_ID_LENGTH) throw new Error(`orgId must be ${ORG_ID_LENGTH} bytes`);
  if (c.hash.length !== AUDIT_HASH_LENGTH) throw new Error(`hash must be ${AUDIT_HASH_LENGTH} bytes`);
  const numbers = new Uint8Array(8);
  new DataView(numbers.buffer).setBigInt64(0, c.seq, false);
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigInt64(0, BigInt(c.signedAt.getTime()), false);
  return concatBytes(LABEL_BYTES, c.orgId, numbers, c.hash, time);
}

export async function verifyCheckpointSignature(
  publicKey: Uint8Array,
  c: CheckpointFields,
  signature: Uint8Array,
): Promise<boolean> {
  return ed25519Verify(publicKey, checkpointSigningInput(c), signature);
}

/**
 * Signs the newest event when it is newer than the last checkpoint; returns the seq signed, or
 * null when there was nothing new (or no organisation yet: nothing can sign). Several instances
 * may run it at once: the checkpoint's seq is its primary key, so the second insert is a no-op.
 */
export async function writeAuditCheckpoint(s: AdminServices): Promise<bigint | null> {
  const newest = await s.prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  if (!newest) return null;
  const last = await s.prisma.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  if (last && last.seq >= newest.seq) return null;
  if (!(await s.prisma.organisation.findUnique({ where: { id: 1 } }))) return null;
  const signer = await activeSigner(s);
  const signedAt = s.now();
  const fields = { orgId: signer.orgId, seq: newest.seq, hash: new Uint8Array(newest.hash), signedAt };
  const signature = await ed25519Sign(signer.privateKey, checkpointSigningInput(fields));
  const { count } = await s.prisma.auditCheckpoint.createMany({
    data: [
      {
        seq: newest.seq,
        hash: dbBytes(fields.hash),
        signedAt,
        orgKeyId: dbBytes(signer.keyId),
        signature: dbBytes(signature),
      },
    ],
    skipDuplicates: true,
  });
  return count === 1 ? newest.seq : null;
}
