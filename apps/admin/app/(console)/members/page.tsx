import { requireAdminPage } from '../../../src/server/pages';
import { LocalTime } from '../../../src/ui/local-time';
import { codeRows, memberRows } from '../../../src/server/views';
import { ConfirmAction } from '../../../src/ui/confirm-action';
import { EnrolmentCodeForm } from '../../../src/ui/enrolment-code-form';
import { titleFrom } from '../../../src/ui/page-title';
import { TableScroll } from '../../../src/ui/table-scroll';

export const generateMetadata = titleFrom((t) => t('membersHeading'));
export const dynamic = 'force-dynamic';

export default async function MembersPage() {
  const { s, csrf, locale, t } = await requireAdminPage();
  const [members, codes] = await Promise.all([memberRows(s), codeRows(s)]);
  const time = (date: Date) => <LocalTime iso={date.toISOString()} locale={locale} never={t('never')} />;
  return (
    <>
      <h1>{t('membersHeading')}</h1>
      <p className="lead">{t('membersDetail')}</p>

      <section className="card" aria-labelledby="new-code-heading">
        <h2 id="new-code-heading">{t('newCodeHeading')}</h2>
        <p className="detail">{t('newCodeDetail', { hours: s.config.enrolmentCodeLifetimeSeconds / 3600 })}</p>
        <EnrolmentCodeForm
          csrf={csrf}
          locale={locale}
          labels={{
            email: t('emailLabel'),
            name: t('staffNameLabel'),
            create: t('createCode'),
            working: t('working'),
            errorPrefix: t('errorPrefix'),
            createdHeading: t.message('codeCreatedHeading'),
            createdDetail: t.message('codeCreatedDetail'),
            qrAlt: t.message('qrAlt'),
            copy: t('copy'),
            copied: t('copied'),
          }}
        />
      </section>

      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">{t('membersTableCaption')}</h2>
        {members.length === 0 ? (
          <p className="detail">{t('noMembers')}</p>
        ) : (
          <TableScroll labelledBy="members-heading">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('address')}</th>
                  <th scope="col">{t('displayName')}</th>
                  <th scope="col">{t('devices')}</th>
                  <th scope="col">{t('memberStatus')}</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">
                      <a href={`/members/${m.id}`}>{m.address}</a>
                    </th>
                    <td>{m.displayName}</td>
                    <td>
                      <span className="badge ok">{t('activeDevices', { count: m.active })}</span>{' '}
                      {m.revoked ? (
                        <span className="badge bad">{t('revokedDevices', { count: m.revoked })}</span>
                      ) : null}
                    </td>
                    <td>
                      <span className={`badge ${m.status === 'active' ? 'ok' : 'bad'}`} data-testid="member-status">
                        {t(`memberStatus_${m.status}`)}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section className="card" aria-labelledby="codes-heading">
        <h2 id="codes-heading">{t('pendingCodesHeading')}</h2>
        {codes.length === 0 ? (
          <p className="detail">{t('noCodes')}</p>
        ) : (
          <TableScroll labelledBy="codes-heading">
            <table data-testid="enrolment-codes">
              <thead>
                <tr>
                  <th scope="col">{t('codeHandle')}</th>
                  <th scope="col">{t('address')}</th>
                  <th scope="col">{t('createdAt')}</th>
                  <th scope="col">{t('expiresAt')}</th>
                  <th scope="col">{t('state')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('cancelCode')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {codes.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <code>{c.handle}-…</code>
                    </td>
                    <td>{c.address}</td>
                    <td>{time(c.createdAt)}</td>
                    <td>{time(c.expiresAt)}</td>
                    <td>
                      <span className={`badge ${c.state === 'pending' ? 'ok' : c.state === 'used' ? '' : 'bad'}`}>
                        {t(`codeState_${c.state}`)}
                      </span>
                    </td>
                    <td>
                      {c.state === 'pending' ? (
                        <ConfirmAction
                          url="/api/admin/enrolment-codes/cancel"
                          csrf={csrf}
                          body={{ id: c.id }}
                          testId="cancel-code"
                          doneMessage={t.message('outcomeCodeCancelled')}
                          labels={{
                            open: t('cancelCode'),
                            question: `${t('cancelCode')} ${c.handle}?`,
                            confirm: t('cancelCode'),
                            cancel: t('cancel'),
                            working: t('working'),
                            errorPrefix: t('errorPrefix'),
                          }}
                        />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </>
  );
}
