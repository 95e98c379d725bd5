import { requireAdminPage } from '../../../src/server/pages';
import { LocalTime } from '../../../src/ui/local-time';
import { adminRows, pendingLinkRows } from '../../../src/server/views';
import { ConfirmAction } from '../../../src/ui/confirm-action';
import { SimpleAction } from '../../../src/ui/simple-action';
import { titleFrom } from '../../../src/ui/page-title';
import { TableScroll } from '../../../src/ui/table-scroll';

export const generateMetadata = titleFrom((t) => t('adminsHeading'));
export const dynamic = 'force-dynamic';

export default async function AdminsPage() {
  const { s, signedIn, csrf, locale, t } = await requireAdminPage();
  const [admins, links] = await Promise.all([adminRows(s), pendingLinkRows(s)]);
  const time = (date: Date | null) => <LocalTime iso={date?.toISOString()} locale={locale} never={t('never')} />;
  const labels = (open: string, question: string) => ({
    open,
    question,
    confirm: open.replace('…', ''),
    cancel: t('cancel'),
    working: t('working'),
    errorPrefix: t('errorPrefix'),
  });
  return (
    <>
      <h1>{t('adminsHeading')}</h1>
      <p className="lead">{t('adminsDetail')}</p>
      <section className="card">
        <TableScroll labelledBy="admins-caption">
          <table>
            <caption id="admins-caption" className="visually-hidden">
              {t('adminsTableCaption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('displayName')}</th>
                <th scope="col">{t('passkeys')}</th>
                <th scope="col">{t('lastSignIn')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('status')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.displayName} {a.id === signedIn.admin.id ? <span className="detail">{t('you')}</span> : null}
                  </th>
                  <td>{a.passkeys}</td>
                  <td>{time(a.lastSignIn)}</td>
                  <td>
                    {a.disabled ? (
                      <span className="badge bad">{t('removed')}</span>
                    ) : a.id === signedIn.admin.id ? null : (
                      <div className="actions">
                        <ConfirmAction
                          url="/api/admin/admins/reset"
                          csrf={csrf}
                          danger={false}
                          body={{ adminId: a.id }}
                          testId="reset-passkeys"
                          labels={labels(t('resetPasskey'), t('resetConfirm', { name: a.displayName }))}
                          doneMessage={`${t.message('linkHeading')}: {link}`}
                        />
                        <ConfirmAction
                          url="/api/admin/admins/disable"
                          csrf={csrf}
                          body={{ adminId: a.id }}
                          testId="remove-admin"
                          doneMessage={t.message('outcomeAdminRemoved')}
                          labels={labels(t('removeAdmin'), t('removeConfirmLinks', { name: a.displayName }))}
                        />
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      <section className="card" aria-labelledby="pending-links-heading">
        <h2 id="pending-links-heading">{t('pendingLinksHeading')}</h2>
        <p className="detail">{t('pendingLinksDetail')}</p>
        {links.length === 0 ? (
          <p className="detail">{t('noPendingLinks')}</p>
        ) : (
          <TableScroll labelledBy="pending-links-heading">
            <table data-testid="pending-links">
              <thead>
                <tr>
                  <th scope="col">{t('linkPurpose')}</th>
                  <th scope="col">{t('linkFor')}</th>
                  <th scope="col">{t('linkMadeBy')}</th>
                  <th scope="col">{t('createdAt')}</th>
                  <th scope="col">{t('expiresAt')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('cancelLinkButton')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {links.map((link) => {
                  const purpose = t(`linkPurpose_${link.purpose}`);
                  const forName = link.forName ?? t('linkForNew');
                  return (
                    <tr key={link.id}>
                      <th scope="row">{purpose}</th>
                      <td>{forName}</td>
                      <td>
                        {link.madeBy.kind === 'admin'
                          ? link.madeBy.name
                          : link.madeBy.kind === 'command'
                            ? t('linkMadeByCommand')
                            : t('linkMadeByServer')}
                      </td>
                      <td>{time(link.createdAt)}</td>
                      <td>{time(link.expiresAt)}</td>
                      <td>
                        <ConfirmAction
                          url="/api/admin/admins/links/cancel"
                          csrf={csrf}
                          body={{ id: link.id }}
                          testId="cancel-link"
                          doneMessage={t.message('outcomeLinkCancelled')}
                          labels={{
                            open: t('cancelLink'),
                            question: t('cancelLinkConfirm', { purpose, name: forName }),
                            confirm: t('cancelLinkButton'),
                            cancel: t('keepLink'),
                            working: t('working'),
                            errorPrefix: t('errorPrefix'),
                          }}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <section className="card" aria-labelledby="invite-heading">
        <h2 id="invite-heading">{t('inviteAdmin')}</h2>
        <p className="detail">{t('inviteDetail')}</p>
        <SimpleAction
          url="/api/admin/admins/invite"
          csrf={csrf}
          testId="invite-admin"
          label={t('inviteAdmin')}
          working={t('working')}
          errorPrefix={t('errorPrefix')}
          show="link"
          linkHeading={t('linkHeading')}
        />
      </section>
      <section className="card" aria-labelledby="my-recovery-heading">
        <h2 id="my-recovery-heading">{t('myRecoveryHeading')}</h2>
        <p className="detail">{t('myRecoveryDetail')}</p>
        <p className="detail">{t('recoverByCommand')}</p>
      </section>
    </>
  );
}
