import { Fragment, useId } from 'react';
import type { ContactDeviceView, ConversationView, DeviceTrust, SafetyNumberView } from '../../messenger/api';
import { Address } from '../components/address';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { findMember, groupSafetyNumber } from '../conversation-format';
import { useI18n } from '../i18n-context';
import { AcceptUserKeyButton, useAcceptUserKey } from './accept-user-key-button';
import { SafetyQrCheck } from './safety-qr-check';
import { UnapprovedDeviceLabel } from './unapproved-device-label';

/** The QR code the worker drew, as an image: an SVG in an <img> runs no script. */
export function svgDataUrl(svg: string): string | undefined {
  const text = svg.trim();
  if (!text.startsWith('<svg') && !text.startsWith('<?xml')) return undefined;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
}

/** "ab12 cd34": enough of the device id to tell a person's devices apart. */
export const shortDeviceId = (deviceId: string) => (deviceId.slice(0, 8).match(/.{1,4}/g) ?? []).join(' ');

export function TrustBadge({ trust }: { trust: DeviceTrust }) {
  const { t } = useI18n();
  return (
    <span className={`trust-badge trust-${trust}`} data-trust={trust}>
      {trust === 'verified' && <Icon name="check" />}
      {(trust === 'key_changed' || trust === 'revoked') && <Icon name="alert" />}
      {t(`trust.${trust}`)}
    </span>
  );
}

/** Verified or not, as a person (user-keys.md §5); "previous key" while a new one waits for acceptance. */
function VerifiedBadge({ view }: { view: SafetyNumberView }) {
  const { t } = useI18n();
  if (!view.verified) return <span className="trust-badge trust-unverified">{t('safety.not-verified')}</span>;
  return (
    <span className="trust-badge trust-verified" data-testid="safety-verified">
      <Icon name="check" />
      {view.userKeyChanged ? t('safety.verified-before') : t('safety.verified')}
    </span>
  );
}

/**
 * The number on screen is still the pinned key's (SafetyNumberView.userKeyChanged). Their screen
 * tells the two cases apart: a person who started again shows a new number, while under an attack
 * their real device still shows this one. So the notice says both, and offers the acceptance here.
 */
function PreviousKeyNotice({
  view,
  name,
  onAccepted,
}: {
  view: SafetyNumberView;
  name: string;
  onAccepted: () => Promise<void>;
}) {
  const { t } = useI18n();
  const { accept, busy, error } = useAcceptUserKey(view.address, onAccepted);
  return (
    <div className="notice warning" data-testid="safety-previous-key">
      <Icon name="key" />
      <div className="user-key-banner-body">
        <p>{t('safety.previous-key', { name })}</p>
        <AcceptUserKeyButton
          address={view.address}
          name={name}
          busy={busy}
          onAccept={() => void accept()}
          testId="safety-accept-user-key"
        />
        <ErrorMessage error={error} />
      </div>
    </div>
  );
}

/** The person's devices, each with its number, and in words which ones their user key did not approve (§2.5). */
function DeviceList({
  devices,
  name,
  isSelf,
}: {
  devices: readonly ContactDeviceView[];
  name: string;
  isSelf: boolean;
}) {
  const { t } = useI18n();
  if (devices.length === 0) return null;
  return (
    <ul className="member-list safety-devices" aria-label={t('safety.devices', { name })} data-testid="safety-devices">
      {devices.map((device) => {
        const deviceNumber = t('safety.device', { id: shortDeviceId(device.deviceId) });
        return (
          <li key={device.deviceId} data-device-id={device.deviceId}>
            {device.approved ? (
              <span className="device-id hint">{deviceNumber}</span>
            ) : (
              <UnapprovedDeviceLabel
                name={name}
                isSelf={isSelf}
                deviceId={device.deviceId}
                deviceNumber={deviceNumber}
              />
            )}
            {(device.trust === 'key_changed' || device.trust === 'revoked') && (
              <>
                {' '}
                <TrustBadge trust={device.trust} />
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * One person's safety number (user-keys.md §5): the same whatever devices either side has, to
 * compare in person, by reading their QR code, or not yet there while none of their devices is
 * approved. With it: whether this user verified them, a changed key waiting for acceptance, and
 * their devices.
 */
export function SafetyNumberCard({
  view,
  conversation,
  onMarkVerified,
  onChanged,
  busy,
}: {
  view: SafetyNumberView;
  /** Where the members are: a person's own devices are labelled "not approved by you". */
  conversation: ConversationView;
  onMarkVerified: (address: string) => void;
  /** The worker changed the person (verified by QR code, new key accepted): reload what is shown. */
  onChanged: () => Promise<void>;
  busy: boolean;
}) {
  const { t } = useI18n();
  const nameId = useId();
  const qr = svgDataUrl(view.qrSvg);
  const groups = groupSafetyNumber(view.digits);
  const name = view.displayName || view.address;
  const hasNumber = groups.length > 0;
  // Comparing or marking is for the key pinned now; while a new one waits, the notice comes first.
  const canVerify = hasNumber && !view.userKeyChanged;
  const unapproved = view.devices.some((device) => !device.approved);
  return (
    <article
      className={unapproved ? 'safety-card unapproved' : 'safety-card'}
      aria-labelledby={nameId}
      data-testid="safety-number"
      data-address={view.address}
      data-verified={view.verified}
      data-trust={view.userKeyChanged ? 'key_changed' : view.verified ? 'verified' : 'unverified'}
    >
      <header className="safety-header">
        <span>
          <span className="member-name" id={nameId}>
            {name}
          </span>
          <span className="member-address">
            <Address value={view.address} />
          </span>
        </span>
        <VerifiedBadge view={view} />
      </header>
      {view.userKeyChanged && <PreviousKeyNotice view={view} name={name} onAccepted={onChanged} />}
      {hasNumber ? (
        <div className="safety-body">
          {qr && (
            <img
              className="safety-qr"
              data-testid="safety-qr-code"
              src={qr}
              width={160}
              height={160}
              alt={t('safety.qr', { name })}
            />
          )}
          <h4 className="visually-hidden">{t('safety.digits')}</h4>
          <p className="safety-digits" data-testid="safety-number-digits">
            {groups.map((group, index) => (
              <Fragment key={index}>
                {index > 0 && ' '}
                <span>{group}</span>
              </Fragment>
            ))}
          </p>
        </div>
      ) : (
        <p className="hint" data-testid="safety-number-none">
          {t('safety.none-yet', { name })}
        </p>
      )}
      {canVerify && !view.verified && (
        <button
          type="button"
          className="button primary"
          data-testid="mark-verified"
          data-address={view.address}
          aria-label={t('safety.mark-verified-named', { name })}
          onClick={() => onMarkVerified(view.address)}
          disabled={busy}
        >
          {t('safety.mark-verified')}
        </button>
      )}
      {canVerify && <SafetyQrCheck address={view.address} name={name} onVerified={onChanged} />}
      <DeviceList devices={view.devices} name={name} isSelf={findMember(conversation, view.address)?.isSelf === true} />
    </article>
  );
}
