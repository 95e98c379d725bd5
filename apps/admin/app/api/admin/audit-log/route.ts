import { allAuditEvents, auditCsvHeader, auditCsvRow, recordAudit } from '../../../../src/server/audit/audit-log';
import { actorOf } from '../../../../src/server/auth/sessions';
import { ApiError } from '../../../../src/server/http/api-error';
import { adminRead } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** The whole audit log as a download, CSV or JSON Lines, streamed oldest first. The export is itself logged. */
export function GET(request: Request): Promise<Response> {
  return adminRead(request, async (s, admin) => {
    const format = new URL(request.url).searchParams.get('format') ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new ApiError(400, 'malformed', 'format: expected csv or json');
    await recordAudit(s.prisma, actorOf(admin), 'audit.exported', { format });
    const encoder = new TextEncoder();
    const events = allAuditEvents(s.prisma);
    let headerSent = format !== 'csv';
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(auditCsvHeader()));
          return;
        }
        const next = await events.next();
        if (next.done) {
          controller.close();
          return;
        }
        const event = next.value;
        const line =
          format === 'csv'
            ? auditCsvRow(event)
            : `${JSON.stringify({ id: event.id, at: event.at.toISOString(), actor: event.actor, action: event.action, detail: event.detail })}\n`;
        controller.enqueue(encoder.encode(line));
      },
    });
    const stamp = s.now().toISOString().slice(0, 10);
    return new Response(stream, {
      headers: {
        'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="opendescent-audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
        'Cache-Control': 'no-store',
      },
    });
  });
}
