import {
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
  type ChangeEvent,
  type InputHTMLAttributes,
  type Ref,
} from 'react';
import { useI18n } from '../i18n-context';
import type { UiError } from '../messenger-context';
import { cameraAvailable, decodeQrPicture, scanWithCamera } from '../qr-scan';
import { ErrorMessage } from './error-message';

/** What a screen makes of a QR code's text: the code to put in the field, or the error saying why not. */
export type ScannedCode =
  { readonly ok: true; readonly code: string } | { readonly ok: false; readonly error: UiError };

export interface QrCodeFieldHandle {
  /** Ends a camera scan, if one runs: a screen does so before it acts on the field's text. */
  stopCamera(): void;
}

export interface QrCodeFieldProps {
  /**
   * The screen the field is on: its messages are `${name}.code`, `.code-hint`, `.scan`,
   * `.scan-help`, `.scan-cancel`, `.picture`, `.qr-read` and `.camera-failed`, and the end-to-end
   * tests find it by `${name}-code-input`, `-scan`, `-qr-file` and `-qr-read` (enrol-code-input,
   * enrol-scan, enrol-qr-file, enrol-qr-read; link-code-input, link-scan, link-qr-file, link-qr-read).
   */
  readonly name: 'enrol' | 'link';
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** The screen's own checks on a QR code's text (undefined: no QR code found), as on a typed or pasted code. */
  readonly checkScanned: (text: string | undefined) => ScannedCode;
  /** The form's error: shown under the field, which is marked invalid and described by it. */
  readonly error: UiError | undefined;
  readonly onError: (error: UiError | undefined) => void;
  /** What differs between screens: autocomplete hints, and `autoFocus` on a page or `data-autofocus` in a Dialog. */
  readonly inputAttributes?: Pick<InputHTMLAttributes<HTMLInputElement>, 'autoComplete' | 'autoFocus' | 'inputMode'> & {
    readonly 'data-autofocus'?: boolean;
  };
  readonly ref?: Ref<QrCodeFieldHandle>;
}

/**
 * A text field for a code, which the person can also fill from a QR code: with the camera when the
 * browser can ask for one, or from a picture of it (qr-scan.ts). The decoded text goes through the
 * screen's checks and into the field, where the person sees it before submitting the form.
 */
export function QrCodeField(props: QrCodeFieldProps) {
  const { name, value, onChange, checkScanned, error, onError, inputAttributes, ref } = props;
  const { t } = useI18n();
  const ids = { code: useId(), hint: useId(), error: useId(), picture: useId() };
  const [read, setRead] = useState(false);
  const [scanning, setScanning] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const scan = useRef<AbortController | undefined>(undefined);
  const canScan = cameraAvailable();

  useEffect(() => () => scan.current?.abort(), []);
  useImperativeHandle(ref, () => ({ stopCamera: () => scan.current?.abort() }), []);

  const acceptScanned = (text: string | undefined) => {
    const scanned = checkScanned(text);
    if (!scanned.ok) return onError(scanned.error);
    onError(undefined);
    onChange(scanned.code);
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
      if (!(caught instanceof DOMException && caught.name === 'AbortError')) onError({ key: `${name}.camera-failed` });
    } finally {
      setScanning(false);
    }
  };

  const readPicture = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Emptied so that choosing the same picture again reads it again.
    event.target.value = '';
    if (!file) return;
    setRead(false);
    acceptScanned(await decodeQrPicture(file).catch(() => undefined));
  };

  return (
    <>
      <div className="field">
        <label htmlFor={ids.code}>{t(`${name}.code`)}</label>
        <input
          {...inputAttributes}
          id={ids.code}
          className="code-input"
          data-testid={`${name}-code-input`}
          type="text"
          autoCapitalize="characters"
          spellCheck={false}
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
            // The notice would otherwise vouch for text the QR code did not give.
            setRead(false);
          }}
          aria-describedby={`${ids.hint} ${ids.error}`}
          aria-invalid={error ? true : undefined}
          required
        />
        <p className="hint" id={ids.hint}>
          {t(`${name}.code-hint`)}
        </p>
      </div>
      <div className="qr-actions">
        {canScan && !scanning && (
          <button type="button" className="button" data-testid={`${name}-scan`} onClick={() => void startScan()}>
            {t(`${name}.scan`)}
          </button>
        )}
        <label className="button file-button" htmlFor={ids.picture}>
          {t(`${name}.picture`)}
        </label>
        <input
          id={ids.picture}
          className="visually-hidden"
          data-testid={`${name}-qr-file`}
          type="file"
          accept="image/*"
          onChange={(event) => void readPicture(event)}
        />
      </div>
      {scanning && (
        <div className="qr-scan">
          <p className="hint">{t(`${name}.scan-help`)}</p>
          <video ref={video} className="qr-video" muted playsInline aria-label={t(`${name}.scan`)} />
          <button type="button" className="button" onClick={() => scan.current?.abort()}>
            {t(`${name}.scan-cancel`)}
          </button>
        </div>
      )}
      {read && (
        <p className="notice" role="status" data-testid={`${name}-qr-read`}>
          {t(`${name}.qr-read`)}
        </p>
      )}
      <ErrorMessage error={error} id={ids.error} />
    </>
  );
}
