// The transparency log's writer (docs/protocol/transparency-log.md §4): every attestation,
// revocation list and organisation-key statement the admin app signs is appended as a leaf
// committing to the document, in the transaction that stores the document.
import { logLeafHash, type LogLeafKind } from '@opendescent/protocol';
import type { Prisma } from '../../generated/prisma/client';

/**
 * Appends one document's leaf, inside the caller's transaction: it is in the log if and only if
 * the document was stored. Appends are serialised (one index each, no gap; the log_entries
 * trigger refuses anything else).
 */
export async function appendToLog(
  tx: Prisma.TransactionClient,
  kind: LogLeafKind,
  document: Uint8Array,
  now: Date,
): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('opendescent:transparency-log', 0))`;
  const last = await tx.logEntry.findFirst({ orderBy: { index: 'desc' }, select: { index: true } });
  const index = (last?.index ?? -1) + 1;
  await tx.logEntry.create({
    data: { index, kind, leafHash: new Uint8Array(logLeafHash(kind, document)), createdAt: now },
  });
  return index;
}
