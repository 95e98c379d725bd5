import { useEffect, useId, useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { GateLayout } from '../components/gate-layout';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';
import { loadPassphraseEstimator, MIN_PASSPHRASE_SCORE, type PassphraseScore } from './passphrase-strength';

export const MIN_PASSPHRASE_LENGTH = 8;

const SCORE_LABELS = [
  'create.strength.0',
  'create.strength.1',
  'create.strength.2',
  'create.strength.3',
  'create.strength.4',
] as const;

/**
 * The strength of `passphrase` as it is typed, once the estimator's dictionaries have loaded
 * (they start loading with the screen); undefined while empty or still loading.
 */
function usePassphraseScore(passphrase: string): PassphraseScore | undefined {
  const [estimate, setEstimate] = useState<{ passphrase: string; score: PassphraseScore }>();
  useEffect(() => {
    let current = true;
    loadPassphraseEstimator().then(
      (estimator) => current && passphrase !== '' && setEstimate({ passphrase, score: estimator(passphrase) }),
      () => undefined, // the submit tries again and says so if it still cannot
    );
    return () => {
      current = false;
    };
  }, [passphrase]);
  return estimate?.passphrase === passphrase && passphrase !== '' ? estimate.score : undefined;
}

/** First run, step 1: the passphrase that seals this device's vault. */
export function CreatePassphrase() {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error, setError } = useAction();
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [visible, setVisible] = useState(false);
  const score = usePassphraseScore(passphrase);
  const ids = {
    passphrase: useId(),
    hint: useId(),
    strength: useId(),
    confirm: useId(),
    show: useId(),
    error: useId(),
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ([...passphrase].length < MIN_PASSPHRASE_LENGTH)
      return setError({ key: 'create.too-short', params: { min: MIN_PASSPHRASE_LENGTH } });
    let strength: PassphraseScore;
    try {
      strength = (await loadPassphraseEstimator())(passphrase);
    } catch {
      return setError({ key: 'create.strength-unavailable' });
    }
    if (strength < MIN_PASSPHRASE_SCORE) return setError({ key: 'create.too-weak' });
    if (passphrase !== confirm) return setError({ key: 'create.mismatch' });
    const result = await run(() => api.createVault(passphrase));
    if (result.ok) {
      setPassphrase('');
      setConfirm('');
      await refresh();
    }
  };

  return (
    <GateLayout testId="create-passphrase-screen">
      <h1>{t('create.title')}</h1>
      <p className="lead">{t('create.body')}</p>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={ids.passphrase}>{t('create.passphrase')}</label>
          <input
            id={ids.passphrase}
            data-testid="passphrase-input"
            type={visible ? 'text' : 'password'}
            autoComplete="new-password"
            value={passphrase}
            onChange={(event) => setPassphrase(event.target.value)}
            aria-describedby={`${ids.hint} ${ids.strength} ${ids.error}`}
            aria-invalid={error ? true : undefined}
            required
            autoFocus
          />
          <p className="hint" id={ids.hint}>
            {t('create.passphrase-hint', { min: MIN_PASSPHRASE_LENGTH })}
          </p>
          {/* Polite: read when the verdict changes, not at every keystroke (the text changes less often). */}
          <p className="hint" id={ids.strength} data-testid="passphrase-strength" data-score={score} aria-live="polite">
            {score !== undefined && (
              <>
                <meter
                  min={0}
                  max={4}
                  low={MIN_PASSPHRASE_SCORE}
                  high={4}
                  optimum={4}
                  value={score}
                  aria-hidden="true"
                />{' '}
                {t(SCORE_LABELS[score])}
              </>
            )}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.confirm}>{t('create.confirm')}</label>
          <input
            id={ids.confirm}
            data-testid="passphrase-confirm"
            type={visible ? 'text' : 'password'}
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            aria-describedby={ids.error}
            required
          />
        </div>
        <div className="checkbox">
          <input
            id={ids.show}
            type="checkbox"
            checked={visible}
            onChange={(event) => setVisible(event.target.checked)}
          />
          <label htmlFor={ids.show}>{t('common.show-passphrase')}</label>
        </div>
        <ErrorMessage error={error} id={ids.error} />
        <button type="submit" className="button primary" data-testid="passphrase-submit" disabled={busy}>
          {busy ? t('common.working') : t('create.submit')}
        </button>
      </form>
    </GateLayout>
  );
}
