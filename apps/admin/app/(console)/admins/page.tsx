import type { Metadata } from 'next';
import { format } from '../../../src/i18n/messages';
import { formatTime, requireAdminPage } from '../../../src/server/pages';
import { adminRows } from '../../../src/server/views';
import { ConfirmAction } from '../../../src/ui/confirm-action';
import { SimpleAction } from '../../../src/ui/simple-action';

export const metadata: Metadata = { title: 'Administrators · OpenDescent administration' };
export const dynamic = 'force-dynamic';

export default async function AdminsPage() {
  const { s, signedIn, csrf, locale, t } = await requireAdminPage();
  const admins = await adminRows(s);
  const labels = (open: string, question: string) => ({ open, question, confirm: open.replace('…', ''), cancel: t.cancel, working: t.working, errorPrefix: t.errorPrefix });
  return (
    <>
      <h1>{t.adminsHeading}</h1>
      <p className="lead">{t.adminsDetail}</p>
      <section className="card">
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t.adminsTableCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.displayName}</th>
                <th scope="col">{t.passkeys}</th>
                <th scope="col">{t.lastSignIn}</th>
                <th scope="col">
                  <span className="visually-hidden">{t.status}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.displayName} {a.id === signedIn.admin.id ? <span className="detail">{t.you}</span> : null}
                  </th>
                  <td>{a.passkeys}</td>
                  <td>{formatTime(a.lastSignIn, locale, t.never)}</td>
                  <td>
                    {a.disabled ? (
                      <span className="badge bad">{t.removed}</span>
                    ) : a.id === signedIn.admin.id ? null : (
                      <div className="actions">
                        <ConfirmAction
                          url="/api/admin/admins/reset"
                          csrf={csrf}
                          danger={false}
                          body={{ adminId: a.id }}
                          labels={labels(t.resetPasskey, format(t.resetConfirm, { name: a.displayName }))}
                          doneMessage={`${t.linkHeading}: {link}`}
                        />
                        <ConfirmAction url="/api/admin/admins/disable" csrf={csrf} body={{ adminId: a.id }} labels={labels(t.removeAdmin, format(t.removeConfirm, { name: a.displayName }))} />
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="invite-heading">
        <h2 id="invite-heading">{t.inviteAdmin}</h2>
        <p className="detail">{t.inviteDetail}</p>
        <SimpleAction url="/api/admin/admins/invite" csrf={csrf} label={t.inviteAdmin} working={t.working} errorPrefix={t.errorPrefix} show="link" linkHeading={t.linkHeading} />
      </section>
      <section className="card" aria-labelledby="my-recovery-heading">
        <h2 id="my-recovery-heading">{t.myRecoveryHeading}</h2>
        <p className="detail">{t.myRecoveryDetail}</p>
        <p className="detail">{t.recoverByCommand}</p>
      </section>
    </>
  );
}
