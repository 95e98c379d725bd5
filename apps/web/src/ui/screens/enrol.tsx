import { useId, useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { parseEnrolmentInput } from '../enrolment-code';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

/** First run, step 2: the one-time code (or link) from the administrator. */
export function Enrol() {
  const { t } = useI18n();
  const { api, refresh, adminUrl } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [input, setInput] = useState('');
  const ids = { code: useId(), hint: useId(), error: useId() };

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
            maxLength={2048}
            value={input}
            onChange={(event) => setInput(event.target.value)}
            aria-describedby={`${ids.hint} ${ids.error}`}
            aria-invalid={error ? true : undefined}
            required
            autoFocus
          />
          <p className="hint" id={ids.hint}>
            {t('enrol.code-hint')}
          </p>
        </div>
        <ErrorMessage error={error} id={ids.error} />
        <button type="submit" className="button primary" data-testid="enrol-submit" disabled={busy}>
          {busy ? t('common.working') : t('enrol.submit')}
        </button>
      </form>
    </GateLayout>
  );
}
