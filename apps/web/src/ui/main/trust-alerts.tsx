import type { ThisDeviceView } from '../../messenger/api';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';

/**
 * What this device could not verify about its organisation (attestations.md §4.3,
 * transparency-log.md §3): a key rotation it was shown but could not follow, and what its watch
 * over the transparency log found. Each is an alert (role="alert"): something the person should
 * report, never skipped in silence.
 */
export function TrustAlerts({ device }: { device: ThisDeviceView }) {
  const { t, formatDateTime } = useI18n();
  const { orgKeysAlert, logAlert } = device;
  return (
    <>
      {orgKeysAlert && (
        <p className="notice danger" role="alert" data-testid="org-keys-alert" data-code={orgKeysAlert.code}>
          <Icon name="shield" />
          <span>{t('trust.org-keys', { at: formatDateTime(orgKeysAlert.at) })}</span>
        </p>
      )}
      {logAlert && (
        <p className="notice danger" role="alert" data-testid="log-alert" data-code={logAlert.code}>
          <Icon name="shield" />
          <span>
            {t(
              logAlert.code === 'log_fork'
                ? 'trust.log-fork'
                : logAlert.code === 'not_in_log'
                  ? 'trust.not-in-log'
                  : 'trust.bad-tree-head',
              {
                at: formatDateTime(logAlert.at),
              },
            )}
          </span>
        </p>
      )}
    </>
  );
}
