// The organisation-key statements verifiers follow across a rotation (docs/protocol/attestations.md
// §4): written inside the rotation step's transaction, signed by a key verifiers already honour,
// numbered by the database (the org_key_statements trigger refuses a gap or a rewrite).
import {
  ALLOWED_CLOCK_SKEW_SECONDS,
  encodeHex,
  orgKeyId,
  signOrgKeyStatement,
  type OrgKeyStatementKind,
} from '@opendescent/protocol';
import type { Ed25519PrivateKey } from '@opendescent/crypto';
import type { Prisma } from '../../generated/prisma/client';
import { unixSeconds } from '../http/encoding';
import { appendToLog } from '../log/log-append';
import type { Db } from '../services';

/** The newest statements the organisation document carries (admin-api.md §9.1); a few per rotation. */
export const ORG_DOCUMENT_STATEMENTS = 64;

export interface StatementToSign {
  readonly orgId: Uint8Array;
  /** A key verifiers honour now: the active key, or (retiring itself) the key being retired. */
  readonly signer: Ed25519PrivateKey;
  readonly kind: OrgKeyStatementKind;
  readonly subject: Uint8Array;
  /** `retire` only: when the subject stops being honoured. */
  readonly until?: Date;
}

/** Signs and stores the next statement; the caller holds the organisation lock (lockOrganisation). */
export async function appendOrgKeyStatement(
  tx: Prisma.TransactionClient,
  statement: StatementToSign,
  now: Date,
): Promise<number> {
  const latest = await tx.orgKeyStatement.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true } });
  const sequence = (latest?.sequence ?? 0) + 1;
  const bytes = await signOrgKeyStatement(
    {
      orgId: statement.orgId,
      sequence,
      issuedAt: unixSeconds(now),
      kind: statement.kind,
      subject: statement.subject,
      until: statement.until ? unixSeconds(statement.until) : 0,
    },
    statement.signer,
  );
  await tx.orgKeyStatement.create({
    data: {
      sequence,
      kind: statement.kind,
      subjectId: new Uint8Array(orgKeyId(statement.subject)),
      createdAt: now,
      bytes: new Uint8Array(bytes),
    },
  });
  await appendToLog(tx, 'org_key_statement', bytes, now);
  return sequence;
}

/**
 * Until when verifiers must honour a key retired now (§4.2): past the expiry of every attestation
 * it may have signed. Attestations are signed outside the organisation lock, so one could still be
 * in flight: the bound is the later of the newest stored expiry and a full lifetime from now, plus
 * the clock skew verifiers allow.
 */
export async function retiredKeyEnd(
  tx: Prisma.TransactionClient,
  keyId: Uint8Array,
  lifetimeSeconds: number,
  now: Date,
): Promise<Date> {
  const newest = await tx.attestation.aggregate({
    where: { orgKeyId: new Uint8Array(keyId) },
    _max: { expiresAt: true },
  });
  const inFlight = now.getTime() + lifetimeSeconds * 1000;
  const last = Math.max(newest._max.expiresAt?.getTime() ?? 0, inFlight);
  return new Date(last + ALLOWED_CLOCK_SKEW_SECONDS * 1000);
}

/** The newest statements, oldest first, as §9.1 lists them. */
export async function latestOrgKeyStatements(db: Db): Promise<Uint8Array[]> {
  const rows = await db.orgKeyStatement.findMany({
    orderBy: { sequence: 'desc' },
    take: ORG_DOCUMENT_STATEMENTS,
    select: { bytes: true },
  });
  return rows.reverse().map((row) => new Uint8Array(row.bytes));
}

/** For logs and the audit trail: which key a statement is about. */
export const subjectKeyId = (subject: Uint8Array): string => encodeHex(orgKeyId(subject));
