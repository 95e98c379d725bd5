import { Fragment } from 'react';
import type { ConversationView, DeviceTrust, SafetyNumberView } from '../../messenger/api';
import { Address } from '../components/address';
import { Icon } from '../components/icon';
import { findMember, groupSafetyNumber } from '../conversation-format';
import { useI18n } from '../i18n-context';
import { UnapprovedDeviceLabel } from './unapproved-device-label';
import { isUnapprovedDevice } from './user-key-status';

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

/**
 * One contact device's safety number, to compare in person or by scanning, with what is known
 * about the device: its trust, and whether its person's user key approved it (user-keys.md §2.5).
 */
export function SafetyNumberCard({
  view,
  conversation,
  onMarkVerified,
  busy,
}: {
  view: SafetyNumberView;
  /** Where the members' devices say which ones their user key approved. */
  conversation: ConversationView;
  onMarkVerified: (view: SafetyNumberView) => void;
  busy: boolean;
}) {
  const { t } = useI18n();
  const qr = svgDataUrl(view.qrSvg);
  const groups = groupSafetyNumber(view.digits);
  const name = view.displayName || view.address;
  const unapproved = isUnapprovedDevice(conversation, view.address, view.deviceId);
  return (
    <article
      className={unapproved ? 'safety-card unapproved' : 'safety-card'}
      data-testid="safety-number"
      data-address={view.address}
      data-device-id={view.deviceId}
      data-trust={view.trust}
    >
      <header className="safety-header">
        <span>
          <span className="member-name">{name}</span>
          <span className="member-address">
            <Address value={view.address} /> ·{' '}
            <span className="device-id">{t('safety.device', { id: shortDeviceId(view.deviceId) })}</span>
          </span>
        </span>
        <TrustBadge trust={view.trust} />
      </header>
      {unapproved && (
        <UnapprovedDeviceLabel
          name={name}
          isSelf={findMember(conversation, view.address)?.isSelf === true}
          deviceId={view.deviceId}
        />
      )}
      {view.trust === 'key_changed' && (
        <p className="notice warning" role="alert" data-testid="key-changed-warning">
          <Icon name="alert" />
          <span>{t('safety.key-changed')}</span>
        </p>
      )}
      {view.trust === 'revoked' && (
        <p className="notice danger">
          <Icon name="alert" />
          <span>{t('safety.revoked-warning')}</span>
        </p>
      )}
      <div className="safety-body">
        {qr && <img className="safety-qr" src={qr} width={160} height={160} alt={t('safety.qr', { name })} />}
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
      {(view.trust === 'unverified' || view.trust === 'key_changed') && (
        <button
          type="button"
          className="button primary"
          data-testid="mark-verified"
          data-device-id={view.deviceId}
          onClick={() => onMarkVerified(view)}
          disabled={busy}
        >
          {t('safety.mark-verified')}
        </button>
      )}
    </article>
  );
}
