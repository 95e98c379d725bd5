import type { WipedView } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { revocationReasonKey } from '../revocation-reason';

/** The device was named on the revocation list: its keys are gone. */
export function Wiped({ wiped }: { wiped: WipedView }) {
  const { t, formatDateTime } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error } = useAction();

  const startOver = async () => {
    const result = await run(() => api.wipe());
    if (result.ok) await refresh();
  };

  return (
    <GateLayout testId="wiped-screen">
      <div className="notice danger" data-testid="wiped-notice" role="alert">
        <Icon name="alert" />
        <div>
          <h1>{t('wiped.title')}</h1>
          <p>{t('wiped.body')}</p>
          <p data-testid="wiped-reason" data-reason={wiped.reason}>
            {t(revocationReasonKey(wiped.reason))}
          </p>
          <p className="hint">{t('wiped.when', { when: formatDateTime(wiped.at) })}</p>
        </div>
      </div>
      <ErrorMessage error={error} />
      <button type="button" className="button primary" data-testid="start-over" onClick={startOver} disabled={busy}>
        {busy ? t('common.working') : t('wiped.start-over')}
      </button>
    </GateLayout>
  );
}
