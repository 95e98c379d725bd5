import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { DeviceLinkCandidateView } from '../../messenger/api';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { QrCodeField, type QrCodeFieldHandle, type ScannedCode } from '../components/qr-code-field';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { groupDeviceId, linkInputProblemText, readScannedLinkInput, readTypedLinkInput } from './device-link-input';

type Step =
  | { readonly kind: 'enter' }
  /** `argument` is what was checked: the same text is approved, never a re-read of the field. */
  | { readonly kind: 'confirm'; readonly argument: string; readonly candidate: DeviceLinkCandidateView }
  | { readonly kind: 'approved' };

/**
 * On an approved device: approves a new device of the same person (user-keys.md §3.3 steps 3-8).
 * The person types the code the new device shows or reads its QR code, sees which device it names
 * (step 5) and only then approves it; the worker signs its certificate and sends it the user key.
 */
export function LinkDeviceDialog({ onClose }: { onClose: () => void }) {
  const { t, formatDateTime } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [input, setInput] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'enter' });
  const codeField = useRef<QrCodeFieldHandle>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  // Each step replaces the controls of the one before: the focus goes to where the new one starts.
  useEffect(() => {
    if (step.kind === 'confirm') confirmHeading.current?.focus();
    if (step.kind === 'approved') closeButton.current?.focus();
  }, [step.kind]);

  /** A QR code's text goes into the field, where the person sees it before checking. */
  const checkScanned = (text: string | undefined): ScannedCode => {
    const scanned = readScannedLinkInput(text);
    return scanned.ok
      ? { ok: true, code: scanned.value }
      : { ok: false, error: { key: linkInputProblemText(scanned.problem) } };
  };

  const check = async (event: FormEvent) => {
    event.preventDefault();
    const typed = readTypedLinkInput(input);
    if (!typed.ok) return setError({ key: linkInputProblemText(typed.problem) });
    codeField.current?.stopCamera();
    const result = await run(() => api.checkDeviceLink(typed.value));
    if (result.ok) setStep({ kind: 'confirm', argument: typed.value, candidate: result.value });
  };

  const approve = async (argument: string) => {
    const result = await run(() => api.approveDeviceLink(argument));
    if (!result.ok) return;
    // The code's link secret is of no more use here: nothing keeps it once approved.
    setInput('');
    setStep({ kind: 'approved' });
    await refresh();
  };

  return (
    <Dialog title={t('link.title')} onClose={onClose} testId="link-device-dialog">
      {step.kind === 'enter' && (
        <form className="form" onSubmit={check} noValidate autoComplete="off">
          <p className="hint">{t('link.body')}</p>
          <QrCodeField
            ref={codeField}
            name="link"
            value={input}
            onChange={setInput}
            checkScanned={checkScanned}
            error={error}
            onError={setError}
            inputAttributes={{ autoComplete: 'off', 'data-autofocus': true }}
          />
          <div className="form-actions">
            <button type="button" className="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="button primary" data-testid="link-check" disabled={busy}>
              {busy ? t('common.working') : t('link.check')}
            </button>
          </div>
        </form>
      )}

      {step.kind === 'confirm' && (
        <div className="form" data-testid="link-confirm">
          <h3 ref={confirmHeading} tabIndex={-1}>
            {t('link.confirm-title')}
          </h3>
          <dl className="link-candidate">
            <dt>{t('link.name')}</dt>
            <dd data-testid="link-candidate-name">{step.candidate.displayName || t('link.no-name')}</dd>
            <dt>{t('link.device')}</dt>
            <dd className="device-id" data-testid="link-candidate-device" data-device-id={step.candidate.deviceId}>
              {groupDeviceId(step.candidate.deviceId)}
            </dd>
            <dt>{t('link.enrolled')}</dt>
            <dd data-testid="link-candidate-attested">{formatDateTime(step.candidate.attestedAt)}</dd>
          </dl>
          <p className="notice warning">
            <Icon name="alert" />
            <span>{t('link.confirm-body')}</span>
          </p>
          <ErrorMessage error={error} />
          <div className="form-actions">
            <button type="button" className="button" data-testid="link-cancel" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="button primary"
              data-testid="link-approve"
              disabled={busy}
              onClick={() => void approve(step.argument)}
            >
              {busy ? t('common.working') : t('link.approve')}
            </button>
          </div>
        </div>
      )}

      {step.kind === 'approved' && (
        <>
          <p className="notice" role="status" data-testid="link-approved">
            <Icon name="check" />
            <span>{t('link.approved')}</span>
          </p>
          <div className="form-actions">
            <button ref={closeButton} type="button" className="button primary" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
