import type { Metadata } from 'next';
import { format } from '../../../src/i18n/messages';
import { toHex } from '../../../src/server/http/encoding';
import { requireAdminPage } from '../../../src/server/pages';
import { formatNodes } from '../../../src/ui/format-nodes';
import { LocalTime } from '../../../src/ui/local-time';
import { orgOverview } from '../../../src/server/views';
import { ConfirmAction } from '../../../src/ui/confirm-action';
import { SimpleAction } from '../../../src/ui/simple-action';

export const metadata: Metadata = { title: 'Organisation · OpenDescent administration' };
export const dynamic = 'force-dynamic';

export default async function OrganisationPage() {
  const { s, csrf, locale, t } = await requireAdminPage();
  const org = await orgOverview(s);
  const time = (date: Date | null) => <LocalTime iso={date?.toISOString()} locale={locale} never={t.never} />;
  const hasPending = org.keys.some((k) => k.status === 'pending');
  return (
    <>
      <h1>{t.orgHeading}</h1>
      <p className="lead">{t.orgDetail}</p>
      <section className="card" aria-labelledby="org-id-heading">
        <h2 id="org-id-heading">{t.orgId}</h2>
        <p>
          <code className="wrap" data-testid="org-id">
            {org.orgId}
          </code>
        </p>
        <p>
          <a className="button" href="/api/admin/relay-config" download>
            {t.downloadRelayConfig}
          </a>
        </p>
        <p className="detail">{t.relayConfigDetail}</p>
      </section>

      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">{t.keysHeading}</h2>
        <div className="table-wrap">
          <table data-testid="org-keys">
            <thead>
              <tr>
                <th scope="col">{t.keyId}</th>
                <th scope="col">{t.publicKey}</th>
                <th scope="col">{t.keyStatus}</th>
                <th scope="col">{t.createdAt}</th>
              </tr>
            </thead>
            <tbody>
              {org.keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">
                    <code>{toHex(k.keyId)}</code>
                  </th>
                  <td>
                    <code className="wrap">{toHex(k.publicKey)}</code>
                  </td>
                  <td>
                    <span className={`badge ${k.status === 'active' ? 'ok' : ''}`}>{t[`keyStatus_${k.status}`]}</span>
                    {k.status === 'retired' && k.pinnedUntil ? <span className="detail block">{formatNodes(t.pinnedUntil, { time: time(k.pinnedUntil) })}</span> : null}
                  </td>
                  <td>{time(k.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3>{t.rotationHeading}</h3>
        <p className="detail">{t.rotationDetail}</p>
        <div className="actions">
          {hasPending ? (
            <>
              <ConfirmAction
                url="/api/admin/org-keys/activate"
                csrf={csrf}
                body={{}}
                labels={{ open: t.activateKey, question: t.activateConfirm, confirm: t.activateKey.replace('…', ''), cancel: t.cancel, working: t.working, errorPrefix: t.errorPrefix }}
              />
              <SimpleAction url="/api/admin/org-keys/discard" csrf={csrf} label={t.discardKey} working={t.working} errorPrefix={t.errorPrefix} secondary />
            </>
          ) : (
            <SimpleAction url="/api/admin/org-keys/prepare" csrf={csrf} label={t.prepareKey} working={t.working} errorPrefix={t.errorPrefix} secondary />
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="revocation-heading">
        <h2 id="revocation-heading">{t.revocationHeading}</h2>
        <p data-testid="revocation-list-version">{formatNodes(t.revocationVersion, { version: org.list.version, time: time(org.list.issuedAt), count: org.list.count })}</p>
        <p className="detail">
          {format(t.revocationUrl, { url: '' })}
          <code className="wrap">{org.revocationListUrl}</code>
        </p>
        <h3>{t.relaysHeading}</h3>
        {org.relays.length === 0 ? (
          <p className="detail">{t.relayNone}</p>
        ) : (
          <ul className="plain">
            {org.relays.map((r) => (
              <li key={r.relayUrl}>
                <code>{r.relayUrl}</code>:{' '}
                {r.pendingVersion !== null
                  ? format(t.relayPending, { version: r.pendingVersion, attempts: r.attempts, error: r.lastError ?? '' })
                  : r.confirmedVersion !== null
                    ? format(t.relayConfirmed, { version: r.confirmedVersion })
                    : t.relayUnknown}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
