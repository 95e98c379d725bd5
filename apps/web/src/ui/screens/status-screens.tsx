/** Screens shown before the messenger runs: loading, another tab, an unsupported browser, a crash. */
import type { MessageKey } from '../../i18n';
import type { Capability } from '../capabilities';
import { GateLayout } from '../components/gate-layout';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';

export function Loading() {
  const { t } = useI18n();
  return (
    <GateLayout testId="loading-screen">
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('app.loading')}
      </p>
    </GateLayout>
  );
}

export function OtherTab() {
  const { t } = useI18n();
  return (
    <GateLayout testId="other-tab-screen">
      <div className="notice" role="status" data-testid="other-tab-notice">
        <Icon name="info" />
        <div>
          <h1>{t('tab.title')}</h1>
          <p>{t('tab.body')}</p>
        </div>
      </div>
    </GateLayout>
  );
}

const CAPABILITY_KEYS: { readonly [name in Capability]: MessageKey } = {
  'secure-context': 'unsupported.secure-context',
  worker: 'unsupported.worker',
  locks: 'unsupported.locks',
  indexeddb: 'unsupported.indexeddb',
  ed25519: 'unsupported.ed25519',
  x25519: 'unsupported.x25519',
};

export function Unsupported({ missing }: { missing: readonly Capability[] }) {
  const { t } = useI18n();
  return (
    <GateLayout testId="unsupported-screen">
      <div className="notice danger" role="alert" data-testid="error-message">
        <Icon name="alert" />
        <div>
          <h1>{t('unsupported.title')}</h1>
          <p>{t('unsupported.body')}</p>
          <ul>
            {missing.map((name) => (
              <li key={name}>{t(CAPABILITY_KEYS[name])}</li>
            ))}
          </ul>
        </div>
      </div>
    </GateLayout>
  );
}

export function Failed() {
  const { t } = useI18n();
  return (
    <GateLayout testId="failed-screen">
      <div className="notice danger" role="alert" data-testid="error-message">
        <Icon name="alert" />
        <div>
          <h1>{t('failed.title')}</h1>
          <p>{t('failed.body')}</p>
        </div>
      </div>
      <button type="button" className="button primary" onClick={() => window.location.reload()}>
        {t('failed.reload')}
      </button>
    </GateLayout>
  );
}
