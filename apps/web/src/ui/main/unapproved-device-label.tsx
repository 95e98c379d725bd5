import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';

/**
 * "Not approved by Ann: receives nothing": a device its person's user key did not approve
 * (user-keys.md §2.5), perhaps one the admin app added without them. Said in words, not only by
 * colour, wherever a device is listed.
 */
export function UnapprovedDeviceLabel({
  name,
  isSelf,
  deviceId,
  deviceNumber,
}: {
  /** The device's person, as shown (their display name, else their address). */
  name: string;
  /** One of this user's own devices: "not approved by you". */
  isSelf: boolean;
  deviceId: string;
  /** "Device ab12 cd34", where nothing else near the label tells the person's devices apart. */
  deviceNumber?: string;
}) {
  const { t } = useI18n();
  return (
    <span className="device-unapproved" data-testid="device-unapproved" data-device-id={deviceId}>
      <Icon name="alert" />
      <span>
        {deviceNumber && (
          <>
            <span className="device-id">{deviceNumber}</span>
            {' · '}
          </>
        )}
        {isSelf ? t('device.unapproved-you') : t('device.unapproved', { name })}
      </span>
    </span>
  );
}
