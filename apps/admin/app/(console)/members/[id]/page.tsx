import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { requireAdminPage } from '../../../../src/server/pages';
import { richText } from '../../../../src/i18n/rich-text';
import { LocalTime } from '../../../../src/ui/local-time';
import { currentListVersion, memberDetail } from '../../../../src/server/views';
import { ConfirmAction } from '../../../../src/ui/confirm-action';
import { DirectoryMemberPanel } from '../../../../src/ui/directory-alerts';
import { RevokeControl } from '../../../../src/ui/revoke-control';
import { REASONS } from '../../../../src/ui/revocation-reasons';
import { TableScroll } from '../../../../src/ui/table-scroll';

export const dynamic = 'force-dynamic';

/** The signed-in page and the member, read once per request for both the title and the page. */
const memberPage = cache(async (id: string) => {
  const page = await requireAdminPage();
  return { ...page, detail: await memberDetail(page.s, id) };
});

/** "Alice Martin · Members · OpenDescent administration": whose page this is (WCAG 2.4.2). */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { t, detail } = await memberPage((await params).id);
  return { title: detail ? t('memberTitle', { name: detail.member.displayName }) : t('notFoundTitle') };
}

export default async function MemberPage({ params }: { params: Promise<{ id: string }> }) {
  const { s, csrf, locale, t, detail } = await memberPage((await params).id);
  if (!detail) notFound();
  const { member, devices } = detail;
  const listVersion = await currentListVersion(s);
  const time = (date: Date | null) => <LocalTime iso={date?.toISOString()} locale={locale} never={t('never')} />;
  const reasonNames = Object.fromEntries(REASONS.map((r) => [r, t(`reason_${r}`)])) as Record<
    (typeof REASONS)[number],
    string
  >;
  const confirmLabels = (question: string, open: string) => ({
    open,
    question,
    confirm: t('confirmRevoke'),
    cancel: t('cancel'),
    working: t('working'),
    errorPrefix: t('errorPrefix'),
  });
  return (
    <>
      <p>
        <a href="/members">← {t('backToMembers')}</a>
      </p>
      <h1>{member.displayName}</h1>
      <p className="lead">
        <code>{member.address}</code>{' '}
        <span className={`badge ${member.status === 'active' ? 'ok' : 'bad'}`} data-testid="member-status">
          {t(`memberStatus_${member.status}`)}
        </span>
      </p>
      <DirectoryMemberPanel memberId={member.id} csrf={csrf} />
      <section className="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">{t('devicesTableCaption', { name: member.displayName })}</h2>
        <p className="detail" data-testid="revocation-list-version">
          {t('revocationListVersion', { version: listVersion })}
        </p>
        {devices.length === 0 ? (
          <p className="detail">{t('noDevices')}</p>
        ) : (
          <TableScroll labelledBy="devices-heading">
            <table data-testid="devices">
              <thead>
                <tr>
                  <th scope="col">{t('deviceId')}</th>
                  <th scope="col">{t('enrolledAt')}</th>
                  <th scope="col">{t('attestationUntil')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('revoke')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id} data-device-id={d.id}>
                    <th scope="row">
                      <code className="wrap">{d.id}</code>
                    </th>
                    <td>{time(d.enrolledAt)}</td>
                    <td>{time(d.attestedUntil)}</td>
                    <td>
                      <span className={`badge ${d.status === 'active' ? 'ok' : 'bad'}`} data-testid="device-status">
                        {t(`status_${d.status}`)}
                      </span>
                      {d.status === 'revoked' && d.reason ? (
                        <span className="detail block">
                          {richText(
                            t.rich('revokedReason', {
                              time: time(d.revokedAt),
                              reason: t(`reason_${d.reason as (typeof REASONS)[number]}`),
                            }),
                          )}
                        </span>
                      ) : null}
                    </td>
                    <td>
                      {d.status === 'active' ? (
                        <RevokeControl
                          target={{ deviceId: d.id }}
                          csrf={csrf}
                          labels={confirmLabels(t('revokeConfirmDevice', { id: d.id }), t('revoke'))}
                          reasonLabel={t('reasonLabel')}
                          reasonNames={reasonNames}
                          outcome={t.message('revokedOutcome')}
                          testId="revoke-device"
                        />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        {member.active > 1 ? (
          <RevokeControl
            target={{ memberId: member.id }}
            csrf={csrf}
            labels={confirmLabels(
              t('revokeConfirmAll', { count: member.active, name: member.displayName }),
              t('revokeAll'),
            )}
            reasonLabel={t('reasonLabel')}
            reasonNames={reasonNames}
            outcome={t.message('revokedOutcome')}
            testId="revoke-all"
          />
        ) : null}
      </section>
      <section className="card" aria-labelledby="member-status-heading">
        <h2 id="member-status-heading">{t('memberStatus')}</h2>
        {member.status === 'disabled' ? (
          <>
            <p className="detail">{richText(t.rich('memberDisabledSince', { time: time(member.disabledAt) }))}</p>
            <p className="detail">{t('enableMemberDetail')}</p>
            <ConfirmAction
              url="/api/admin/members/enable"
              csrf={csrf}
              danger={false}
              body={{ memberId: member.id }}
              testId="enable-member"
              doneMessage={t.message('outcomeMemberEnabled')}
              labels={{
                open: t('enableMember'),
                question: t('enableMemberDetail'),
                confirm: t('enableMember'),
                cancel: t('cancel'),
                working: t('working'),
                errorPrefix: t('errorPrefix'),
              }}
            />
          </>
        ) : (
          <RevokeControl
            url="/api/admin/members/disable"
            initialReason="left_organisation"
            target={{ memberId: member.id }}
            csrf={csrf}
            labels={{
              open: t('disableMember'),
              question: t('disableMemberConfirm', { count: member.active, name: member.displayName }),
              confirm: t('disableMemberButton'),
              cancel: t('cancel'),
              working: t('working'),
              errorPrefix: t('errorPrefix'),
            }}
            reasonLabel={t('disableMemberReason')}
            reasonNames={reasonNames}
            outcome={t.message('memberDisabledOutcome')}
            testId="disable-member"
          />
        )}
      </section>
    </>
  );
}
