// Directory alerts in the console (docs/protocol/admin-api.md §8): a banner on every page (the
// layout) linking to the member, and a panel on the member's page to acknowledge an alert or
// resume a suspended member's directory access. An organisation-wide alert has no member page:
// the banner itself offers to acknowledge it. Server components: they read the database.
import type { ReactNode } from 'react';
import type { AdminTranslator, Locale, MessageKey } from '../i18n/messages';
import { richText } from '../i18n/rich-text';
import { directorySuspendedAt, openDirectoryAlerts, type AlertView } from '../server/directory/directory-alert-views';
import { pageLanguage } from '../server/pages';
import { adminServices } from '../server/services';
import { LocalTime } from './local-time';
import { SimpleAction } from './simple-action';

const BANNER_ALERTS = 5;

type AlertKey = Extract<MessageKey, `dirAlert_${string}`>;

function alertText(t: AdminTranslator, locale: Locale, alert: AlertView): ReactNode {
  const values = {
    name: alert.member?.displayName ?? t('dirOrganisation'),
    address: alert.member?.address ?? '',
    hits: alert.hits,
    time: <LocalTime iso={alert.lastHitAt.toISOString()} locale={locale} never={t('never')} />,
    scope: alert.scope,
    level: alert.level,
  };
  const key = `dirAlert_${alert.scope}_${alert.level}`;
  const known = (k: string): k is AlertKey => k.startsWith('dirAlert_') && t.has(k);
  return richText(known(key) ? t.rich(key, values) : t.rich('dirAlertOther', values));
}

/** The button that marks one alert as seen (admin-api.md §10). */
function AcknowledgeAlert({
  id,
  t,
  testId,
  ...action
}: {
  id: string;
  t: AdminTranslator;
  testId: string;
  csrf: string;
  working: string;
  errorPrefix: string;
}) {
  return (
    <SimpleAction
      url="/api/admin/directory/alerts/acknowledge"
      body={{ id }}
      label={t('dirAcknowledge')}
      done={t('outcomeAlertAcknowledged')}
      secondary
      testId={testId}
      inline
      {...action}
    />
  );
}

/** Every console page: the open alerts, newest first. Renders nothing when there are none. */
export async function DirectoryAlertBanner({ csrf }: { csrf: string }) {
  const s = await adminServices();
  const { locale, t } = await pageLanguage();
  const { alerts, total } = await openDirectoryAlerts(s, { take: BANNER_ALERTS });
  if (total === 0) return null;
  const action = { csrf, working: t('working'), errorPrefix: t('errorPrefix') };
  return (
    <section className="card notice" aria-labelledby="directory-alerts-heading" data-testid="directory-alerts">
      <h2 id="directory-alerts-heading">{t('dirAlertsHeading')}</h2>
      <ul>
        {alerts.map((alert) => (
          <li key={alert.id} data-alert-level={alert.level}>
            {alertText(t, locale, alert)}{' '}
            {alert.member ? (
              <a href={`/members/${alert.member.id}`}>{t('dirReview')}</a>
            ) : (
              <AcknowledgeAlert id={alert.id} t={t} testId="directory-acknowledge-organisation" {...action} />
            )}
          </li>
        ))}
      </ul>
      {total > alerts.length ? <p className="detail">{t('dirAlertsMore', { count: total - alerts.length })}</p> : null}
    </section>
  );
}

/** A member's page: their suspension (with Resume) and open alerts (with Acknowledge). */
export async function DirectoryMemberPanel({ memberId, csrf }: { memberId: string; csrf: string }) {
  const s = await adminServices();
  const { locale, t } = await pageLanguage();
  const suspendedAt = await directorySuspendedAt(s, memberId);
  const { alerts } = await openDirectoryAlerts(s, { memberId });
  if (!suspendedAt && alerts.length === 0) return null;
  const action = { csrf, working: t('working'), errorPrefix: t('errorPrefix') };
  return (
    <section className="card" aria-labelledby="directory-heading" data-testid="directory-panel">
      <h2 id="directory-heading">{t('dirPanelHeading')}</h2>
      {suspendedAt ? (
        <div className="notice">
          <p data-testid="directory-suspended">
            {richText(
              t.rich('dirSuspended', {
                time: <LocalTime iso={suspendedAt.toISOString()} locale={locale} never={t('never')} />,
              }),
            )}
          </p>
          <SimpleAction
            url="/api/admin/directory/resume"
            body={{ memberId }}
            label={t('dirResume')}
            done={t('outcomeDirectoryResumed')}
            testId="directory-resume"
            inline
            {...action}
          />
        </div>
      ) : null}
      <ul>
        {alerts.map((alert) => (
          <li key={alert.id} data-alert-level={alert.level}>
            {alertText(t, locale, alert)}{' '}
            <AcknowledgeAlert id={alert.id} t={t} testId="directory-acknowledge" {...action} />
          </li>
        ))}
      </ul>
    </section>
  );
}
