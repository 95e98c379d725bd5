import type { AdminTranslator } from '../../../src/i18n/messages';
import { auditView, type ActorView } from '../../../src/server/audit/audit-view';
import { requireAdminPage } from '../../../src/server/pages';
import { LocalTime } from '../../../src/ui/local-time';
import { titleFrom } from '../../../src/ui/page-title';
import { TableScroll } from '../../../src/ui/table-scroll';

export const generateMetadata = titleFrom((t) => t('auditHeading'));
export const dynamic = 'force-dynamic';

/** Who acted, in words; the stored actor is the cell's tooltip. */
function Actor({ view, actor, t }: { view: ActorView; actor: string; t: AdminTranslator }) {
  switch (view.kind) {
    case 'admin':
      return view.name === undefined ? (
        <span>{t('actorAdminGone', { id: view.id })}</span>
      ) : (
        <span>
          {view.name} <span className="detail">({t('actorAdminRole')})</span>
        </span>
      );
    case 'device':
      return view.member ? (
        <span>
          <a href={`/members/${view.member.id}`}>
            {t('actorDevice', { name: view.member.displayName, address: view.member.address })}
          </a>{' '}
          <span className="detail">
            {t('actorDeviceLabel')} <code>{view.shortId}</code>
          </span>
        </span>
      ) : (
        <span>{t('actorDeviceGone', { device: view.shortId })}</span>
      );
    case 'system':
      return <span>{t('actorSystem')}</span>;
    case 'command':
      return <span>{t('actorCommand')}</span>;
    default:
      return <span>{t('actorUnknown', { actor })}</span>;
  }
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { s, locale, t } = await requireAdminPage();
  const before = (await searchParams).before;
  const page = await auditView(s, { before, limit: 50 });
  return (
    <>
      <h1>{t('auditHeading')}</h1>
      <p className="lead">{t('auditDetail')}</p>
      <p className="actions">
        <a className="button secondary" href="/api/admin/audit-log?format=csv" download>
          {t('exportCsv')}
        </a>
        <a className="button secondary" href="/api/admin/audit-log?format=json" download>
          {t('exportJson')}
        </a>
      </p>
      <section className="card">
        <p className="detail">{t('auditTimesNote')}</p>
        <TableScroll labelledBy="audit-caption">
          <table data-testid="audit-log">
            <caption id="audit-caption" className="visually-hidden">
              {t('auditTableCaption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('at')}</th>
                <th scope="col">{t('actor')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('detail')}</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">
                    <LocalTime iso={e.at.toISOString()} locale={locale} never={t('never')} />
                  </td>
                  <td title={e.actor} data-testid="audit-actor">
                    <Actor view={e.actorView} actor={e.actor} t={t} />
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
        </TableScroll>
        <p className="actions">
          {before ? <a href="/audit">{t('newestEvents')}</a> : null}
          {page.nextBefore ? <a href={`/audit?before=${page.nextBefore}`}>{t('olderEvents')} →</a> : null}
        </p>
      </section>
    </>
  );
}
