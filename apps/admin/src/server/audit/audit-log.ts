// The append-only audit log (docs/decisions/0006-admin-auth.md, "Audit log"): every admin action
// and every directory look-up. This module only ever inserts and reads; the database refuses
// UPDATE, DELETE and TRUNCATE on the table (triggers, and on PostgreSQL the app role's privileges:
// decision 0008), and its insert trigger hash-chains every event (docs/protocol/audit-log.md §2),
// serialising appends until the inserting transaction ends.
import type { AuditEvent } from '../../generated/prisma/client';
import type { Db } from '../services';

/** `admin:<uuid>`, `device:<hex id>`, `system`, or `system:cli` (a command run on the server: `npm run admin:reset-link`). */
export type Actor = `admin:${string}` | `device:${string}` | 'system' | 'system:cli';

/**
 * Facts about the event. Never a secret (codes, tokens, keys' private halves), never message
 * bytes, and never the address a device looked up (that would be a log of who contacts whom).
 */
export type AuditDetail = Record<string, string | number | boolean | null | string[]>;

/** Appends one event; seq, prevHash and hash are set by the database. Inside a transaction, audit late: the chain's lock is held until it ends. */
export async function recordAudit(db: Db, actor: Actor, action: string, detail: AuditDetail = {}): Promise<void> {
  await db.auditEvent.create({ data: { actor, action, detail } });
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** Pass as `before` for the next (older) page; undefined on the last page. */
  readonly nextBefore: string | undefined;
}

/** Newest first. Ids are UUIDv7, so they sort by time. */
export async function listAuditEvents(db: Db, options: { before?: string; limit?: number } = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const events = await db.auditEvent.findMany({
    where: options.before ? { id: { lt: options.before } } : {},
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const page = events.slice(0, limit);
  return { events: page, nextBefore: events.length > limit ? page[page.length - 1]?.id : undefined };
}

/** Oldest first, in batches, for an export that does not hold the whole log in memory. */
export async function* allAuditEvents(db: Db, batchSize = 1000): AsyncGenerator<AuditEvent> {
  let after: string | undefined;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    for (const event of batch) yield event;
    if (batch.length < batchSize) return;
    after = batch[batch.length - 1]?.id;
  }
}

const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'detail'] as const;

export function auditCsvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets never run it. */
export function auditCsvRow(event: AuditEvent): string {
  const cells = [event.id, event.at.toISOString(), event.actor, event.action, JSON.stringify(event.detail)];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
