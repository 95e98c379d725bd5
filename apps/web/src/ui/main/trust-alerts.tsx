import type { ThisDeviceView } from '../../messenger/api';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { groupDeviceId } from './device-link-input';

/**
 * What this device could not verify about its organisation (attestations.md §4.3,
 * transparency-log.md §3): a key rotation it was shown but could not follow, and what its watch
 * over the transparency log found; and devices on this person's own address that their user key
 * did not approve (user-keys.md §2.5). Each is an alert (role="alert"): something the person
 * should act on or report, never skipped in silence.
 */
export function TrustAlerts({ device }: { device: ThisDeviceView }) {
  const { t, formatDateTime } = useI18n();
  const { orgKeysAlert, logAlert } = device;
  // Only an approved device knows which of its person's devices are certified (the list is empty before).
  const unapproved = device.approval === 'approved' ? device.unapprovedOwnDevices : [];
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
      {unapproved.length > 0 && (
        <div className="notice danger" role="alert" data-testid="unapproved-own-device-alert">
          <Icon name="shield" />
          <div>
            <p>{t('trust.unapproved-own-device', { count: unapproved.length })}</p>
            <ul aria-label={t('trust.unapproved-own-device-list')}>
              {unapproved.map((deviceId) => (
                <li key={deviceId} className="device-id" data-device-id={deviceId}>
                  {groupDeviceId(deviceId)}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </>
  );
}
