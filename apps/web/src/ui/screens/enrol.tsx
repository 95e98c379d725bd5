import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { parseEnrolmentInput } from '../enrolment-code';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { cameraAvailable, decodeQrPicture, scanWithCamera } from '../qr-scan';

/** First run, step 2: the one-time code (or link) from the administrator. */
export function Enrol() {
  const { t } = useI18n();
  const { api, refresh, adminUrl } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [input, setInput] = useState('');
  const ids = { code: useId(), hint: useId(), error: useId(), picture: useId() };
  const [read, setRead] = useState(false);
  const [scanning, setScanning] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const scan = useRef<AbortController | undefined>(undefined);
  const canScan = cameraAvailable();

  useEffect(() => () => scan.current?.abort(), []);

  /** Text from a QR code goes through the same checks as a typed code or a pasted link. */
  const acceptScanned = (text: string | undefined) => {
    if (!text) return setError({ key: 'enrol.qr-none' });
    const parsed = parseEnrolmentInput(text, adminUrl);
    if (!parsed.ok) {
      return setError(
        parsed.reason === 'other-server'
          ? { key: 'enrol.other-server', params: { server: parsed.server } }
          : { key: 'enrol.link-malformed' },
      );
    }
    setError(undefined);
    setInput(parsed.code);
    setRead(true);
  };

  const startScan = async () => {
    scan.current?.abort();
    const controller = new AbortController();
    scan.current = controller;
    setScanning(true);
    setRead(false);
    // Let the <video> render before the camera is attached to it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      if (!video.current) return;
      acceptScanned(await scanWithCamera(video.current, controller.signal));
    } catch (caught) {
      if (!(caught instanceof DOMException && caught.name === 'AbortError')) setError({ key: 'enrol.camera-failed' });
    } finally {
      setScanning(false);
    }
  };

  const readPicture = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setRead(false);
    acceptScanned(await decodeQrPicture(file).catch(() => undefined));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseEnrolmentInput(input, adminUrl);
    if (!parsed.ok) {
      return setError(
        parsed.reason === 'other-server'
          ? { key: 'enrol.other-server', params: { server: parsed.server } }
          : { key: parsed.reason === 'malformed' ? 'enrol.malformed' : 'enrol.link-malformed' },
      );
    }
    setInput(parsed.code);
    const result = await run(() => api.enrol(parsed.code));
    if (result.ok) await refresh();
  };

  return (
    <GateLayout testId="enrol-screen">
      <h1>{t('enrol.title')}</h1>
      <p className="lead">{t('enrol.body')}</p>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={ids.code}>{t('enrol.code')}</label>
          <input
            id={ids.code}
            className="code-input"
            data-testid="enrol-code-input"
            type="text"
            inputMode="text"
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            value={input}
            onChange={(event) => {
              setInput(event.target.value);
              setRead(false);
            }}
            aria-describedby={`${ids.hint} ${ids.error}`}
            aria-invalid={error ? true : undefined}
            required
            autoFocus
          />
          <p className="hint" id={ids.hint}>
            {t('enrol.code-hint')}
          </p>
        </div>
        <div className="qr-actions">
          {canScan && !scanning && (
            <button type="button" className="button" data-testid="enrol-scan" onClick={() => void startScan()}>
              {t('enrol.scan')}
            </button>
          )}
          <label className="button file-button" htmlFor={ids.picture}>
            {t('enrol.picture')}
          </label>
          <input
            id={ids.picture}
            className="visually-hidden"
            data-testid="enrol-qr-file"
            type="file"
            accept="image/*"
            onChange={(event) => void readPicture(event)}
          />
        </div>
        {scanning && (
          <div className="qr-scan">
            <p className="hint">{t('enrol.scan-help')}</p>
            <video ref={video} className="qr-video" muted playsInline aria-label={t('enrol.scan')} />
            <button type="button" className="button" onClick={() => scan.current?.abort()}>
              {t('enrol.scan-cancel')}
            </button>
          </div>
        )}
        {read && (
          <p className="notice" role="status" data-testid="enrol-qr-read">
            {t('enrol.qr-read')}
          </p>
        )}
        <ErrorMessage error={error} id={ids.error} />
        <button type="submit" className="button primary" data-testid="enrol-submit" disabled={busy}>
          {busy ? t('common.working') : t('enrol.submit')}
        </button>
      </form>
    </GateLayout>
  );
}
