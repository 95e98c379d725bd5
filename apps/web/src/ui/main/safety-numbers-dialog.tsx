import { Fragment, useCallback, useEffect, useState } from 'react';
import type { ConversationView, DeviceTrust, SafetyNumberView } from '../../messenger/api';
import { Address } from '../components/address';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { groupSafetyNumber } from '../conversation-format';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useAction, useMessenger, type UiError } from '../messenger-context';

/** The QR code the worker drew, as an image: an SVG in an <img> runs no script. */
export function svgDataUrl(svg: string): string | undefined {
  const text = svg.trim();
  if (!text.startsWith('<svg') && !text.startsWith('<?xml')) return undefined;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
}

/** "ab12 cd34": enough of the device id to tell a person's devices apart. */
const shortDeviceId = (deviceId: string) => (deviceId.slice(0, 8).match(/.{1,4}/g) ?? []).join(' ');

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

/** One safety number per contact device, to compare in person or by scanning. */
export function SafetyNumbersDialog({
  conversation,
  onClose,
}: {
  conversation: ConversationView;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const verify = useAction();
  const [views, setViews] = useState<readonly SafetyNumberView[] | undefined>();
  const [loadError, setLoadError] = useState<UiError | undefined>();

  const load = useCallback(async () => {
    try {
      setViews(await api.safetyNumbers(conversation.id));
    } catch (caught) {
      setLoadError(uiErrorFrom(caught));
    }
  }, [api, conversation.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const markVerified = async (view: SafetyNumberView) => {
    const result = await verify.run(() => api.markVerified(view.address, view.deviceId));
    if (result.ok) await Promise.all([load(), refresh()]);
  };

  return (
    <Dialog title={t('safety.title')} onClose={onClose} testId="safety-numbers-dialog">
      <p className="hint">{t('safety.body')}</p>
      <ErrorMessage error={loadError ?? verify.error} />
      {!views && !loadError && <p role="status">{t('safety.loading')}</p>}
      {views?.length === 0 && <p>{t('safety.none')}</p>}
      {views?.map((view) => {
        const qr = svgDataUrl(view.qrSvg);
        const groups = groupSafetyNumber(view.digits);
        return (
          <article
            key={`${view.address}/${view.deviceId}`}
            className="safety-card"
            data-testid="safety-number"
            data-address={view.address}
            data-device-id={view.deviceId}
            data-trust={view.trust}
          >
            <header className="safety-header">
              <span>
                <span className="member-name">{view.displayName || view.address}</span>
                <span className="member-address">
                  <Address value={view.address} /> ·{' '}
                  <span className="device-id">{t('safety.device', { id: shortDeviceId(view.deviceId) })}</span>
                </span>
              </span>
              <TrustBadge trust={view.trust} />
            </header>
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
              {qr && (
                <img
                  className="safety-qr"
                  src={qr}
                  width={160}
                  height={160}
                  alt={t('safety.qr', { name: view.displayName || view.address })}
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
            {(view.trust === 'unverified' || view.trust === 'key_changed') && (
              <button
                type="button"
                className="button primary"
                data-testid="mark-verified"
                data-device-id={view.deviceId}
                onClick={() => void markVerified(view)}
                disabled={verify.busy}
              >
                {t('safety.mark-verified')}
              </button>
            )}
          </article>
        );
      })}
    </Dialog>
  );
}
