import { useId, useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

/** A locked vault: the passphrase and nothing else (no names, no conversations). */
export function Unlock() {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const unlock = useAction();
  const erase = useAction();
  const [passphrase, setPassphrase] = useState('');
  const [forgotOpen, setForgotOpen] = useState(false);
  const [confirmErase, setConfirmErase] = useState(false);
  const ids = { passphrase: useId(), error: useId(), forgot: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passphrase) return;
    const result = await unlock.run(() => api.unlock(passphrase));
    setPassphrase('');
    if (result.ok) await refresh();
  };

  const eraseDevice = async () => {
    const result = await erase.run(() => api.wipe());
    if (result.ok) await refresh();
  };

  return (
    <GateLayout testId="unlock-screen">
      <h1>{t('unlock.title')}</h1>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={ids.passphrase}>{t('unlock.passphrase')}</label>
          <input
            id={ids.passphrase}
            data-testid="unlock-input"
            type="password"
            autoComplete="current-password"
            value={passphrase}
            onChange={(event) => setPassphrase(event.target.value)}
            aria-describedby={ids.error}
            aria-invalid={unlock.error ? true : undefined}
            required
            autoFocus
          />
        </div>
        <ErrorMessage error={unlock.error} id={ids.error} />
        <button type="submit" className="button primary" data-testid="unlock-submit" disabled={unlock.busy || !passphrase}>
          {unlock.busy ? t('common.working') : t('unlock.submit')}
        </button>
      </form>
      <div className="forgot">
        <button
          type="button"
          className="link-button"
          aria-expanded={forgotOpen}
          aria-controls={ids.forgot}
          onClick={() => {
            setForgotOpen(!forgotOpen);
            setConfirmErase(false);
          }}
        >
          {t('unlock.forgot')}
        </button>
        {forgotOpen && (
          <div id={ids.forgot} className="forgot-panel">
            <p>{t('unlock.forgot-body')}</p>
            <ErrorMessage error={erase.error} />
            {confirmErase ? (
              <button type="button" className="button danger" data-testid="erase-confirm" onClick={eraseDevice} disabled={erase.busy}>
                {t('unlock.erase-confirm')}
              </button>
            ) : (
              <button type="button" className="button" data-testid="erase-device" onClick={() => setConfirmErase(true)}>
                {t('unlock.erase')}
              </button>
            )}
          </div>
        )}
      </div>
    </GateLayout>
  );
}
