import { encodeHex } from '@opendescent/protocol';
import { requireAdminPage } from '../../../src/server/pages';
import { richText } from '../../../src/i18n/rich-text';
import { LocalTime } from '../../../src/ui/local-time';
import type { RelayPushStatus } from '../../../src/server/relay-push';
import { orgOverview } from '../../../src/server/views';
import { ConfirmAction } from '../../../src/ui/confirm-action';
import { SimpleAction } from '../../../src/ui/simple-action';
import { titleFrom } from '../../../src/ui/page-title';
import { TableScroll } from '../../../src/ui/table-scroll';

export const generateMetadata = titleFrom((t) => t('orgHeading'));
export const dynamic = 'force-dynamic';

export default async function OrganisationPage() {
  const { s, csrf, locale, t } = await requireAdminPage();
  const org = await orgOverview(s);
  const time = (date: Date | null) => <LocalTime iso={date?.toISOString()} locale={locale} never={t('never')} />;
  const hasPending = org.keys.some((k) => k.status === 'pending');
  /** What each relay holds of one pushed document (admin-api.md §6.3). */
  const relayStates = (relays: readonly RelayPushStatus[]) =>
    relays.length === 0 ? (
      <p className="detail">{t('relayNone')}</p>
    ) : (
      <ul className="plain">
        {relays.map((r) => (
          <li key={r.relayUrl}>
            <code>{r.relayUrl}</code>:{' '}
            {r.pendingVersion !== null
              ? t('relayPending', { version: r.pendingVersion, attempts: r.attempts, error: r.lastError ?? '' })
              : r.confirmedVersion !== null
                ? t('relayConfirmed', { version: r.confirmedVersion })
                : t('relayUnknown')}
          </li>
        ))}
      </ul>
    );
  return (
    <>
      <h1>{t('orgHeading')}</h1>
      <p className="lead">{t('orgDetail')}</p>
      <section className="card" aria-labelledby="org-id-heading">
        <h2 id="org-id-heading">{t('orgId')}</h2>
        <p>
          <code className="wrap" data-testid="org-id">
            {org.orgId}
          </code>
        </p>
        <p>
          <a className="button" href="/api/admin/relay-config" download>
            {t('downloadRelayConfig')}
          </a>
        </p>
        <p className="detail">{t('relayConfigDetail')}</p>
      </section>

      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">{t('keysHeading')}</h2>
        <TableScroll labelledBy="keys-heading">
          <table data-testid="org-keys">
            <thead>
              <tr>
                <th scope="col">{t('keyId')}</th>
                <th scope="col">{t('publicKey')}</th>
                <th scope="col">{t('keyStatus')}</th>
                <th scope="col">{t('createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {org.keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">
                    <code>{encodeHex(k.keyId)}</code>
                  </th>
                  <td>
                    <code className="wrap">{encodeHex(k.publicKey)}</code>
                  </td>
                  <td>
                    <span className={`badge ${k.status === 'active' ? 'ok' : ''}`}>{t(`keyStatus_${k.status}`)}</span>
                    {k.status === 'retired' && k.pinnedUntil ? (
                      <span className="detail block">
                        {richText(t.rich('pinnedUntil', { time: time(k.pinnedUntil) }))}
                      </span>
                    ) : null}
                  </td>
                  <td>{time(k.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <h3>{t('rotationHeading')}</h3>
        <p className="detail">{t('rotationDetail')}</p>
        <div className="actions">
          {hasPending ? (
            <>
              <ConfirmAction
                url="/api/admin/org-keys/activate"
                csrf={csrf}
                body={{}}
                testId="activate-key"
                doneMessage={t.message('outcomeKeyActivated')}
                labels={{
                  open: t('activateKey'),
                  question: t('activateConfirm'),
                  confirm: t('activateKey').replace('…', ''),
                  cancel: t('cancel'),
                  working: t('working'),
                  errorPrefix: t('errorPrefix'),
                }}
              />
              <SimpleAction
                url="/api/admin/org-keys/discard"
                csrf={csrf}
                label={t('discardKey')}
                done={t('outcomeKeyDiscarded')}
                working={t('working')}
                errorPrefix={t('errorPrefix')}
                secondary
              />
            </>
          ) : (
            <SimpleAction
              url="/api/admin/org-keys/prepare"
              csrf={csrf}
              label={t('prepareKey')}
              done={t('outcomeKeyPrepared')}
              working={t('working')}
              errorPrefix={t('errorPrefix')}
              secondary
            />
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="revocation-heading">
        <h2 id="revocation-heading">{t('revocationHeading')}</h2>
        <p data-testid="revocation-list-version">
          {richText(
            t.rich('revocationVersion', {
              version: org.list.version,
              time: time(org.list.issuedAt),
              count: org.list.count,
            }),
          )}
        </p>
        <p className="detail">
          {t('revocationUrl', { url: '' })}
          <code className="wrap">{org.revocationListUrl}</code>
        </p>
        <h3>{t('relaysHeading')}</h3>
        {relayStates(org.relays)}
      </section>

      <section className="card" aria-labelledby="token-keys-heading">
        <h2 id="token-keys-heading">{t('tokenKeysHeading')}</h2>
        <p className="detail">{t('tokenKeysDetail')}</p>
        {org.tokenKeySet ? (
          <p data-testid="token-key-set-version">
            {richText(
              t.rich('tokenKeySetVersion', {
                version: org.tokenKeySet.version,
                time: time(org.tokenKeySet.issuedAt),
                count: org.tokenKeySet.count,
              }),
            )}
          </p>
        ) : (
          <p className="detail">{t('tokenKeysNone')}</p>
        )}
        <p className="detail">
          {t('revocationUrl', { url: '' })}
          <code className="wrap">{org.tokenKeysUrl}</code>
        </p>
        <h3>{t('tokenRelaysHeading')}</h3>
        {relayStates(org.tokenKeyRelays)}
      </section>
    </>
  );
}
