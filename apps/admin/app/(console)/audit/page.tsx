import type { Metadata } from 'next';
import { listAuditEvents } from '../../../src/server/audit/audit-log';
import { formatTime, requireAdminPage } from '../../../src/server/pages';
import { isUuid } from '../../../src/server/http/ids';

export const metadata: Metadata = { title: 'Audit log · OpenDescent administration' };
export const dynamic = 'force-dynamic';

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { s, locale, t } = await requireAdminPage();
  const before = (await searchParams).before;
  const page = await listAuditEvents(s.prisma, { before: isUuid(before) ? before : undefined, limit: 50 });
  return (
    <>
      <h1>{t.auditHeading}</h1>
      <p className="lead">{t.auditDetail}</p>
      <p className="actions">
        <a className="button secondary" href="/api/admin/audit-log?format=csv" download>
          {t.exportCsv}
        </a>
        <a className="button secondary" href="/api/admin/audit-log?format=json" download>
          {t.exportJson}
        </a>
      </p>
      <section className="card">
        <div className="table-wrap">
          <table data-testid="audit-log">
            <caption className="visually-hidden">{t.auditTableCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.at}</th>
                <th scope="col">{t.actor}</th>
                <th scope="col">{t.action}</th>
                <th scope="col">{t.detail}</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatTime(e.at, locale, t.never)}</td>
                  <td>
                    <code className="wrap">{e.actor}</code>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <code className="wrap small">{JSON.stringify(e.detail)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="actions">
          {before ? <a href="/audit">{t.newestEvents}</a> : null}
          {page.nextBefore ? <a href={`/audit?before=${page.nextBefore}`}>{t.olderEvents} →</a> : null}
        </p>
      </section>
    </>
  );
}
