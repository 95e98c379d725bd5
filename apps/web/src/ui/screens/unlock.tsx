import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ClientSnapshot } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { useI18n } from '../i18n-context';
import { isMessengerError } from '../../worker/rpc';
import { Icon } from '../components/icon';
import { useAction, useMessenger } from '../messenger-context';
import { evaluatePasskey, PasskeyError, passkeysOffered, sendPrfOutput } from '../passkey';

/**
 * When the worker tries the next passphrase (ms since the epoch), after too many wrong ones
 * (storage.md §5): the snapshot's `unlockRetryAt`. Read through `in` so that this screen works
 * whether or not the snapshot carries it yet; without it the worker still refuses early tries.
 */
function unlockRetryAt(snapshot: ClientSnapshot): number | undefined {
  const value: unknown = 'unlockRetryAt' in snapshot ? snapshot.unlockRetryAt : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** Whole seconds left until `at` (0 once it has passed), rendered again twice a second while waiting. */
function useSecondsUntil(at: number | undefined): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (at === undefined) return;
    const timer = setInterval(() => {
      setTick((tick) => tick + 1);
      if (Date.now() >= at) clearInterval(timer);
    }, 500);
    return () => clearInterval(timer);
  }, [at]);
  // Read at render, not kept in state: a stale time would show (and announce) a wrong wait.
  return at === undefined ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The wait after wrong passphrases: its text, shown and counting down, and what a screen reader
 * is told once when it starts and once when it ends (a countdown read every second would drown
 * everything else out).
 */
function useUnlockWait(snapshot: ClientSnapshot) {
  const { t, formatDuration } = useI18n();
  const secondsLeft = useSecondsUntil(unlockRetryAt(snapshot));
  const waiting = secondsLeft > 0;
  // Minutes once it is a minute or more: "3 minutes" reads better than "137 seconds".
  const text = waiting
    ? t('unlock.wait', { time: formatDuration(secondsLeft < 60 ? secondsLeft : Math.ceil(secondsLeft / 60) * 60) })
    : '';
  const [announcement, setAnnouncement] = useState('');
  const wasWaiting = useRef(false);
  useEffect(() => {
    if (waiting !== wasWaiting.current) setAnnouncement(waiting ? text : t('unlock.wait-over'));
    wasWaiting.current = waiting;
  }, [waiting, text, t]);
  return { waiting, text, announcement };
}

/**
 * A locked vault: the passphrase, or the passkey when one was set up (the snapshot names its
 * credential id and PRF salt, nothing else), and nothing more (no names, no conversations).
 * After too many wrong passphrases the Unlock button waits (the worker enforces it); the passkey
 * does not.
 */
export function Unlock() {
  const { t } = useI18n();
  const { api, snapshot, refresh } = useMessenger();
  const unlock = useAction();
  const wait = useUnlockWait(snapshot);
  const passkeyUnlock = useAction();
  const [passkeyOffered, setPasskeyOffered] = useState(false);
  const passkey = passkeyOffered ? snapshot.passkey : undefined;
  const erase = useAction();
  const [passphrase, setPassphrase] = useState('');
  const [forgotOpen, setForgotOpen] = useState(false);
  const [confirmErase, setConfirmErase] = useState(false);
  const ids = { passphrase: useId(), error: useId(), wait: useId(), forgot: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passphrase || wait.waiting) return;
    await unlock.run(() => api.unlock(passphrase));
    setPassphrase('');
    // Unlocked, or a wrong passphrase that may have started a wait: either way the snapshot changed.
    await refresh();
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
        if (isMessengerError(error) && error.code === 'wrong_passphrase')
          throw new PasskeyError('not_accepted', 'the passkey does not open this vault');
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
            aria-describedby={wait.waiting ? `${ids.error} ${ids.wait}` : ids.error}
            aria-invalid={unlock.error ? true : undefined}
            required
            autoFocus
          />
        </div>
        <ErrorMessage error={unlock.error} id={ids.error} />
        {wait.waiting && (
          <p className="hint" id={ids.wait} data-testid="unlock-wait" role="timer">
            {wait.text}
          </p>
        )}
        <p className="visually-hidden" role="status">
          {wait.announcement}
        </p>
        <button
          type="submit"
          className={passkey ? 'button' : 'button primary'}
          data-testid="unlock-submit"
          disabled={unlock.busy || passkeyUnlock.busy || !passphrase || wait.waiting}
          aria-describedby={wait.waiting ? ids.wait : undefined}
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
              <button
                type="button"
                className="button danger"
                data-testid="erase-confirm"
                onClick={eraseDevice}
                disabled={erase.busy}
              >
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
