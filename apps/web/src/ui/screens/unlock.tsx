import { useEffect, useId, useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { useI18n } from '../i18n-context';
import { isMessengerError } from '../../worker/rpc';
import { Icon } from '../components/icon';
import { useAction, useMessenger } from '../messenger-context';
import { evaluatePasskey, PasskeyError, passkeysOffered, sendPrfOutput } from '../passkey';

/**
 * A locked vault: the passphrase, or the passkey when one was set up (the snapshot names its
 * credential id and PRF salt, nothing else), and nothing more (no names, no conversations).
 */
export function Unlock() {
  const { t } = useI18n();
  const { api, snapshot, refresh } = useMessenger();
  const unlock = useAction();
  const passkeyUnlock = useAction();
  const [passkeyOffered, setPasskeyOffered] = useState(false);
  const passkey = passkeyOffered ? snapshot.passkey : undefined;
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

  useEffect(() => {
    let current = true;
    void passkeysOffered().then((value) => current && setPasskeyOffered(value));
    return () => {
      current = false;
    };
  }, []);

  const unlockWithPasskey = async () => {
    if (!passkey) return;
    const result = await passkeyUnlock.run(async () => {
      const output = await evaluatePasskey(passkey);
      try {
        await sendPrfOutput(output, (prfOutput) => api.unlockWithPasskey(prfOutput));
      } catch (error) {
        // The worker says wrong_passphrase for a PRF output that does not open the vault.
        if (isMessengerError(error) && error.code === 'wrong_passphrase') throw new PasskeyError('not_accepted', 'the passkey does not open this vault');
        throw error;
      }
    });
    if (result.ok) await refresh();
  };

  const eraseDevice = async () => {
    const result = await erase.run(() => api.wipe());
    if (result.ok) await refresh();
  };

  return (
    <GateLayout testId="unlock-screen">
      <h1>{t('unlock.title')}</h1>
      {passkey && (
        <div className="form passkey-unlock">
          <button
            type="button"
            className="button primary"
            data-testid="unlock-passkey"
            onClick={() => void unlockWithPasskey()}
            disabled={passkeyUnlock.busy || unlock.busy}
          >
            <Icon name="key" />
            {passkeyUnlock.busy ? t('common.working') : t('unlock.passkey')}
          </button>
          <ErrorMessage error={passkeyUnlock.error} />
          <p className="hint">{t('unlock.or-passphrase')}</p>
        </div>
      )}
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
        <button
          type="submit"
          className={passkey ? 'button' : 'button primary'}
          data-testid="unlock-submit"
          disabled={unlock.busy || passkeyUnlock.busy || !passphrase}
        >
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
