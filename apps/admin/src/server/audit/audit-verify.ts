// Verifies the audit log (docs/protocol/audit-log.md §4): walks the chain in seq order, recomputes
// every hash, checks that seq has no gap and that each event links to the one before, and checks
// every signed checkpoint against the organisation's public keys and against the chain. Reads only,
// so it runs as the app's role too. What it cannot detect is listed in §5.
import { constantTimeEqual } from '@opendescent/crypto';
import { encodeHex, orgKeyId } from '@opendescent/protocol';
import type { PrismaClient } from '../../generated/prisma/client';
import { auditEventHash, GENESIS_PREV_HASH, type ChainedEventFields } from './audit-chain';
import { verifyCheckpointSignature } from './audit-checkpoints';

export type AuditProblemKind = 'deleted' | 'changed' | 'reordered' | 'forged_checkpoint' | 'rewritten';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The seq where it shows. */
  readonly seq: bigint;
  readonly message: string;
}

export interface AuditVerification {
  readonly events: number;
  readonly lastSeq: bigint;
  readonly checkpoints: number;
  /** The newest checkpoint that matched the chain; events after it are covered by the chain only. */
  readonly lastCheckpointSeq: bigint | null;
  /** Lowest seq first; empty when the log is intact. */
  readonly problems: AuditProblem[];
}

export interface VerifyOptions {
  /**
   * Public keys to trust for checkpoints, e.g. RELAY_ORG_PUBLIC_KEYS as pinned by the relays.
   * Default: every key in the database's org_keys, which whoever can rewrite the log could also add to.
   */
  readonly trustedPublicKeys?: readonly Uint8Array[];
  readonly batchSize?: number;
}

interface EventRow {
  seq: bigint;
  id: string;
  at: Date;
  actor: string;
  action: string;
  detail: string;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

interface CheckpointRow {
  seq: bigint;
  hash: Uint8Array;
  signedAt: Date;
  orgKeyId: Uint8Array;
  signature: Uint8Array;
}

/** How far from its seq a moved event's original seq is looked for (re-ordered, or renumbered after a deletion). */
const RENUMBER_SEARCH = 1000n;

export async function verifyAuditLog(prisma: PrismaClient, options: VerifyOptions = {}): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? 1000;
  const problems: AuditProblem[] = [];
  const { valid: checkpoints, total: checkpointTotal } = await loadCheckpoints(prisma, options, problems);
  let previous: { seq: bigint; hash: Uint8Array } = { seq: 0n, hash: GENESIS_PREV_HASH };
  let events = 0;
  let lastCheckpointSeq: bigint | null = null;
  let chainBroken = false;

  walk: for (;;) {
    const batch = await prisma.$queryRaw<EventRow[]>`
      SELECT "seq", "id"::text AS "id", "at", "actor", "action", "detail"::text AS "detail", "prev_hash", "hash"
      FROM "audit_events" WHERE "seq" > ${previous.seq} ORDER BY "seq" LIMIT ${batchSize}`;
    for (const row of batch) {
      events += 1;
      const problem = await checkEvent(prisma, row, previous);
      if (problem) {
        problems.push(problem);
        chainBroken = true;
        break walk;
      }
      const checkpoint = checkpoints.get(row.seq);
      if (checkpoint) {
        checkpoints.delete(row.seq);
        if (!constantTimeEqual(new Uint8Array(checkpoint.hash), new Uint8Array(row.hash))) {
          problems.push({
            kind: 'rewritten',
            seq: row.seq,
            message: `the checkpoint signed at ${checkpoint.signedAt.toISOString()} for seq ${row.seq} names another hash than the chain has: events up to seq ${row.seq} were rewritten and re-hashed`,
          });
          chainBroken = true;
          break walk;
        }
        lastCheckpointSeq = row.seq;
      }
      previous = { seq: row.seq, hash: new Uint8Array(row.hash) };
    }
    if (batch.length < batchSize) break;
  }

  if (!chainBroken) {
    // Checkpoints past the end of the chain: the newest events were removed.
    for (const checkpoint of checkpoints.values()) {
      if (checkpoint.seq > previous.seq) {
        problems.push({
          kind: 'deleted',
          seq: previous.seq + 1n,
          message: `the log ends at seq ${previous.seq}, but a checkpoint signed at ${checkpoint.signedAt.toISOString()} covers seq ${checkpoint.seq}: events ${previous.seq + 1n} to ${checkpoint.seq} (at least) were deleted`,
        });
        break;
      }
    }
  }
  problems.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  return { events, lastSeq: previous.seq, checkpoints: checkpointTotal, lastCheckpointSeq, problems };
}

/** The checkpoints whose signature verifies, by seq; the others become problems. */
async function loadCheckpoints(
  prisma: PrismaClient,
  options: VerifyOptions,
  problems: AuditProblem[],
): Promise<{ valid: Map<bigint, CheckpointRow>; total: number }> {
  const organisation = await prisma.organisation.findUnique({ where: { id: 1 } });
  const rows: CheckpointRow[] = await prisma.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
  const keys =
    options.trustedPublicKeys ??
    (await prisma.orgKey.findMany({ select: { publicKey: true } })).map((k) => new Uint8Array(k.publicKey));
  const byKeyId = new Map(keys.map((publicKey) => [encodeHex(orgKeyId(publicKey)), publicKey]));
  const valid = new Map<bigint, CheckpointRow>();
  for (const row of rows) {
    const publicKey = byKeyId.get(encodeHex(new Uint8Array(row.orgKeyId)));
    const fields = {
      orgId: new Uint8Array(organisation?.orgId ?? new Uint8Array(16)),
      seq: row.seq,
      hash: new Uint8Array(row.hash),
      signedAt: row.signedAt,
    };
    const ok =
      publicKey !== undefined &&
      organisation !== null &&
      (await verifyCheckpointSignature(publicKey, fields, new Uint8Array(row.signature)));
    if (!ok) {
      problems.push({
        kind: 'forged_checkpoint',
        seq: row.seq,
        message: publicKey
          ? `the checkpoint for seq ${row.seq} (signed at ${row.signedAt.toISOString()}) does not verify with the organisation key ${encodeHex(new Uint8Array(row.orgKeyId))}: forged or altered`
          : `the checkpoint for seq ${row.seq} names the key ${encodeHex(new Uint8Array(row.orgKeyId))}, which is not a trusted organisation key: forged`,
      });
      continue;
    }
    valid.set(row.seq, row);
  }
  return { valid, total: rows.length };
}

function fieldsOf(row: EventRow, seq: bigint = row.seq): ChainedEventFields {
  return { seq, id: row.id, at: row.at, actor: row.actor, action: row.action, detailText: row.detail };
}

/** The first thing wrong with `row`, said as precisely as the stored hashes allow, or null. */
async function checkEvent(
  prisma: PrismaClient,
  row: EventRow,
  previous: { seq: bigint; hash: Uint8Array },
): Promise<AuditProblem | null> {
  const seq = row.seq;
  const prevHash = new Uint8Array(row.prev_hash);
  const hash = new Uint8Array(row.hash);
  if (seq !== previous.seq + 1n) {
    const missing =
      seq === previous.seq + 2n
        ? `seq ${previous.seq + 1n} is missing`
        : `seq ${previous.seq + 1n} to ${seq - 1n} are missing`;
    return {
      kind: 'deleted',
      seq: previous.seq + 1n,
      message: `gap in the chain: ${missing} (seq ${previous.seq} is followed by seq ${seq}): deleted`,
    };
  }
  const contentIntact = prevHash.length === 32 && constantTimeEqual(auditEventHash(prevHash, fieldsOf(row)), hash);
  const linked = constantTimeEqual(prevHash, previous.hash);
  if (contentIntact && linked) return null;

  // Where does the stored link point? At another event (re-ordered) or at nothing (deleted).
  const linkedTo = await eventWithHash(prisma, prevHash);
  if (!contentIntact) {
    // The event may be intact but moved: look for the seq it was hashed with.
    const original = prevHash.length === 32 ? originalSeq(row, prevHash, hash) : null;
    if (original !== null && linkedTo === null) {
      return {
        kind: 'deleted',
        seq,
        message: `broken link at seq ${seq}: the event now at seq ${seq} (${row.id}) was recorded as seq ${original}, after an event no longer in the log: events were deleted and the rest renumbered`,
      };
    }
    if (original !== null) {
      return {
        kind: 'reordered',
        seq,
        message: `the event at seq ${seq} (${row.id}) was recorded as seq ${original}: events were re-ordered`,
      };
    }
    return {
      kind: 'changed',
      seq,
      message: `hash mismatch at seq ${seq} (${row.id}): the event was changed after it was recorded`,
    };
  }
  if (linkedTo !== null) {
    return {
      kind: 'reordered',
      seq,
      message: `broken link at seq ${seq} (${row.id}): it was chained after seq ${linkedTo}, not after seq ${previous.seq}: events were re-ordered`,
    };
  }
  return {
    kind: 'deleted',
    seq,
    message: `broken link at seq ${seq} (${row.id}): the event it was chained after is no longer in the log: deleted`,
  };
}

/** The seq (other than its own, within RENUMBER_SEARCH of it) that the event's hash was computed with, or null. */
function originalSeq(row: EventRow, prevHash: Uint8Array, hash: Uint8Array): bigint | null {
  for (let distance = 1n; distance <= RENUMBER_SEARCH; distance += 1n) {
    for (const candidate of [row.seq + distance, row.seq - distance]) {
      if (candidate > 0n && constantTimeEqual(auditEventHash(prevHash, fieldsOf(row, candidate)), hash))
        return candidate;
    }
  }
  return null;
}

async function eventWithHash(prisma: PrismaClient, hash: Uint8Array): Promise<bigint | null> {
  const rows = await prisma.$queryRaw<
    { seq: bigint }[]
  >`SELECT "seq" FROM "audit_events" WHERE "hash" = ${new Uint8Array(hash)} LIMIT 1`;
  return rows[0]?.seq ?? null;
}
