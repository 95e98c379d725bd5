import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { useMessenger } from '../messenger-context';
import { cameraAvailable, decodeQrPicture, scanWithCamera } from '../qr-scan';
import { compareSafetyQr, type SafetyQrOutcome } from './safety-qr-compare';

/**
 * What comparing the QR codes gave, in words. A mismatch is said plainly and as an alert: it is
 * not a failure to read, it is two different numbers.
 */
export function SafetyQrResult({ outcome, name }: { outcome: SafetyQrOutcome | undefined; name: string }) {
  const { t } = useI18n();
  if (!outcome) return null;
  if (outcome.kind === 'error') return <ErrorMessage error={outcome.error} />;
  const matches = outcome.kind === 'match';
  return (
    <p
      className={matches ? 'notice' : 'notice danger'}
      role={matches ? 'status' : 'alert'}
      data-testid="safety-qr-result"
      data-matches={matches}
    >
      <Icon name={matches ? 'check' : 'alert'} />
      <span>{matches ? t('safety.qr-match', { name }) : t('safety.qr-mismatch', { name })}</span>
    </p>
  );
}

/**
 * Reads the QR code on the other person's screen, with the camera where the browser can ask for
 * one or from a picture of it (qr-scan.ts), and has the worker compare it with ours
 * (safety-qr-compare.ts). The worker marks the person verified on a match; `onVerified` then
 * reloads what the dialog shows.
 */
export function SafetyQrCheck({
  address,
  name,
  onVerified,
}: {
  address: string;
  name: string;
  onVerified: () => Promise<void>;
}) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const pictureId = useId();
  const [outcome, setOutcome] = useState<SafetyQrOutcome | undefined>();
  const [comparing, setComparing] = useState(false);
  const [scanning, setScanning] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const scan = useRef<AbortController | undefined>(undefined);
  const canScan = cameraAvailable();

  useEffect(() => () => scan.current?.abort(), []);

  const compare = async (text: string | undefined) => {
    setComparing(true);
    const result = await compareSafetyQr(api, address, text);
    setComparing(false);
    setOutcome(result);
    if (result.kind === 'match') await onVerified();
  };

  const startScan = async () => {
    scan.current?.abort();
    const controller = new AbortController();
    scan.current = controller;
    setScanning(true);
    setOutcome(undefined);
    // Let the <video> render before the camera is attached to it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    let text: string;
    try {
      if (!video.current) return;
      text = await scanWithCamera(video.current, controller.signal);
    } catch (caught) {
      if (!(caught instanceof DOMException && caught.name === 'AbortError'))
        setOutcome({ kind: 'error', error: { key: 'safety.qr-camera-failed' } });
      return;
    } finally {
      setScanning(false);
    }
    await compare(text);
  };

  const readPicture = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Emptied so that choosing the same picture again reads it again.
    event.target.value = '';
    if (!file) return;
    setOutcome(undefined);
    await compare(await decodeQrPicture(file).catch(() => undefined));
  };

  return (
    <>
      <div className="qr-actions">
        {canScan && !scanning && (
          <button
            type="button"
            className="button"
            data-testid="safety-qr-scan"
            onClick={() => void startScan()}
            disabled={comparing}
          >
            {t('safety.qr-scan')}
          </button>
        )}
        <label className="button file-button" htmlFor={pictureId}>
          {t('safety.qr-picture')}
        </label>
        <input
          id={pictureId}
          className="visually-hidden"
          data-testid="safety-qr-file"
          type="file"
          accept="image/*"
          onChange={(event) => void readPicture(event)}
          disabled={comparing}
        />
      </div>
      {scanning && (
        <div className="qr-scan">
          <p className="hint">{t('safety.qr-scan-help', { name })}</p>
          <video ref={video} className="qr-video" muted playsInline aria-label={t('safety.qr-scan')} />
          <button type="button" className="button" onClick={() => scan.current?.abort()}>
            {t('safety.qr-scan-cancel')}
          </button>
        </div>
      )}
      {comparing && <p role="status">{t('safety.qr-comparing')}</p>}
      <SafetyQrResult outcome={outcome} name={name} />
    </>
  );
}
