import { useState, type FormEvent } from 'react';
import { GateLayout } from '../components/gate-layout';
import { QrCodeField, type ScannedCode } from '../components/qr-code-field';
import { parseEnrolmentInput } from '../enrolment-code';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

/** First run, step 2: the one-time code (or link) from the administrator. */
export function Enrol() {
  const { t } = useI18n();
  const { api, refresh, adminUrl } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [input, setInput] = useState('');

  /** Text from a QR code goes through the same checks as a typed code or a pasted link. */
  const checkScanned = (text: string | undefined): ScannedCode => {
    if (!text) return { ok: false, error: { key: 'enrol.qr-none' } };
    const parsed = parseEnrolmentInput(text, adminUrl);
    if (parsed.ok) return { ok: true, code: parsed.code };
    return {
      ok: false,
      error:
        parsed.reason === 'other-server'
          ? { key: 'enrol.other-server', params: { server: parsed.server } }
          : { key: 'enrol.link-malformed' },
    };
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
        <QrCodeField
          name="enrol"
          value={input}
          onChange={setInput}
          checkScanned={checkScanned}
          error={error}
          onError={setError}
          inputAttributes={{ inputMode: 'text', autoComplete: 'one-time-code', autoFocus: true }}
        />
        <button type="submit" className="button primary" data-testid="enrol-submit" disabled={busy}>
          {busy ? t('common.working') : t('enrol.submit')}
        </button>
      </form>
    </GateLayout>
  );
}
