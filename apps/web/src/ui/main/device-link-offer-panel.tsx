import { Fragment, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { DeviceLinkOfferView, ThisDeviceView } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';
import { groupDeviceId, linkCodeGroups } from './device-link-input';
import { svgDataUrl } from './safety-numbers-dialog';
import { createSerialCalls } from './serial-calls';

/** One queue for the page, so a panel unmounted and mounted again still starts and cancels in order. */
const offerCalls = createSerialCalls();

/** setTimeout takes at most 2^31 - 1 ms; an offer lasts 10 minutes, this only guards odd clocks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * On a device not approved yet (user-keys.md §3.3 step 2): the offer that another device of the
 * same person reads, as a QR code and as a code to type. The offer lives while this panel is shown
 * (10 minutes at most, then "New code"); the panel goes once the user key has arrived and
 * `approval` turns approved. The conversations stay readable beside it.
 */
export function DeviceLinkOfferPanel({ device }: { device: ThisDeviceView }) {
  const { t, formatTime } = useI18n();
  const { api } = useMessenger();
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [offer, setOffer] = useState<DeviceLinkOfferView | undefined>();
  const [expired, setExpired] = useState(false);
  const [error, setError] = useState<UiError | undefined>();
  const [busy, setBusy] = useState(false);
  /** The request whose answer is shown: an answer to an older one, or after unmounting, is dropped. */
  const latest = useRef(0);

  const requestOffer = useCallback(
    async (asked: boolean) => {
      const request = ++latest.current;
      setBusy(true);
      setError(undefined);
      try {
        const fresh = await offerCalls(() => api.startDeviceLink());
        if (request !== latest.current) return;
        setOffer(fresh);
        setExpired(fresh.expiresAt <= Date.now());
        // The "New code" button goes away with the expired code: the focus moves to the panel's title.
        if (asked) heading.current?.focus();
      } catch (caught) {
        if (request !== latest.current) return;
        setOffer(undefined);
        setError(uiErrorFrom(caught));
      } finally {
        if (request === latest.current) setBusy(false);
      }
    },
    [api],
  );

  useEffect(() => {
    void requestOffer(false);
    const requests = latest;
    return () => {
      requests.current += 1;
      // The offer holds the link secret: the worker drops it as soon as nobody shows it (§3.1).
      void offerCalls(() => api.cancelDeviceLink()).catch(() => undefined);
    };
  }, [api, requestOffer]);

  useEffect(() => {
    if (!offer || expired) return;
    const timer = setTimeout(() => setExpired(true), Math.min(Math.max(0, offer.expiresAt - Date.now()), MAX_TIMER_MS));
    return () => clearTimeout(timer);
  }, [offer, expired]);

  const shown = offer && !expired ? offer : undefined;
  const qr = shown ? svgDataUrl(shown.qrSvg) : undefined;

  return (
    <section
      className="link-offer"
      aria-labelledby={titleId}
      data-testid="link-offer-panel"
      data-state={shown ? 'ready' : expired ? 'expired' : error ? 'failed' : 'loading'}
    >
      <h2 id={titleId} ref={heading} tabIndex={-1}>
        {t('link-offer.title')}
      </h2>
      <p>{t('link-offer.body')}</p>
      <p>{t('link-offer.steps')}</p>
      {!offer && !error && <p role="status">{t('link-offer.loading')}</p>}
      {shown && (
        <div className="link-offer-body">
          {qr && (
            <img
              className="safety-qr link-qr"
              data-testid="link-qr"
              src={qr}
              width={240}
              height={240}
              alt={t('link-offer.qr')}
            />
          )}
          <div className="link-offer-code">
            <p className="hint">{t('link-offer.code')}</p>
            {/* Its text is the code exactly as the worker wrote it; the breaks only help it wrap. */}
            <p className="link-code" data-testid="link-code">
              {linkCodeGroups(shown.code).map((group, index) => (
                <Fragment key={index}>
                  {index > 0 && '-'}
                  {index > 0 && <wbr />}
                  <span>{group}</span>
                </Fragment>
              ))}
            </p>
            <p className="hint">{t('link-offer.valid-until', { time: formatTime(shown.expiresAt) })}</p>
          </div>
        </div>
      )}
      {expired && (
        <p role="status" data-testid="link-offer-expired">
          {t('link-offer.expired')}
        </p>
      )}
      <ErrorMessage error={error} />
      {(expired || error) && (
        <button
          type="button"
          className="button primary"
          data-testid="link-new-code"
          disabled={busy}
          onClick={() => void requestOffer(true)}
        >
          {busy ? t('common.working') : t(error ? 'link-offer.retry' : 'link-offer.new-code')}
        </button>
      )}
      <p className="hint" data-testid="link-offer-device">
        {t('link-offer.device', { id: groupDeviceId(device.deviceId) })}
      </p>
    </section>
  );
}
