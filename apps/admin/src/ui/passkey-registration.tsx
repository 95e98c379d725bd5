'use client';
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { useEffect, useState, type FormEvent } from 'react';
import { postJson } from './api-client';
import { RecoveryCodes } from './recovery-codes';

export interface RegistrationLabels {
  readonly displayName: string;
  readonly displayNameHint: string;
  readonly recoveryCode: string;
  readonly create: string;
  readonly working: string;
  readonly errorPrefix: string;
  readonly noToken: string;
  readonly unsupported: string;
  readonly recoveryHeading: string;
  readonly recoveryDetail: string;
  readonly continue: string;
}

type Mode = 'invitation' | 'recovery';

/**
 * Registers a passkey through a one-time link (the token in the URL fragment, never sent to the
 * server in a request line) or a recovery code, then shows the new recovery codes once.
 */
export function PasskeyRegistration({ mode, labels }: { mode: Mode; labels: RegistrationLabels }) {
  // undefined: not read yet; null: the page was opened without a token.
  const [token, setToken] = useState<string | null | undefined>();
  const [displayName, setDisplayName] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState('');
  const [codes, setCodes] = useState<string[] | undefined>();

  useEffect(() => {
    if (mode !== 'invitation') return;
    const match = /^#token=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
    setToken(match?.[1] ?? null);
    // The token has done its job in this page's memory: keep it out of the address bar and history.
    if (match) window.history.replaceState(null, '', window.location.pathname);
  }, [mode]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!browserSupportsWebAuthn()) return setError(labels.unsupported);
    setWorking(true);
    setError('');
    const start = mode === 'invitation' ? { token, displayName } : { recoveryCode };
    const options = await postJson<{ challengeId: string; options: Parameters<typeof startRegistration>[0]['optionsJSON'] }>('/api/auth/register/options', start);
    if (!options.ok) {
      setWorking(false);
      return setError(`${labels.errorPrefix} ${options.message}`);
    }
    try {
      const response = await startRegistration({ optionsJSON: options.data.options });
      const done = await postJson<{ recoveryCodes: string[] }>('/api/auth/register/verify', { challengeId: options.data.challengeId, response });
      if (!done.ok) throw new Error(done.message);
      setCodes(done.data.recoveryCodes);
    } catch (failure) {
      setError(`${labels.errorPrefix} ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      setWorking(false);
    }
  };

  if (codes) return <RecoveryCodes codes={codes} heading={labels.recoveryHeading} detail={labels.recoveryDetail} continueLabel={labels.continue} continueTo="/members" />;
  if (mode === 'invitation' && token === undefined) return null;
  if (mode === 'invitation' && token === null) return <p className="error">{labels.noToken}</p>;
  return (
    <form onSubmit={submit} className="stack">
      {mode === 'invitation' ? (
        <label>
          {labels.displayName}
          <input name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={128} autoComplete="name" aria-describedby="display-name-hint" />
          <span id="display-name-hint" className="detail">
            {labels.displayNameHint}
          </span>
        </label>
      ) : (
        <label>
          {labels.recoveryCode}
          <input name="recoveryCode" value={recoveryCode} onChange={(e) => setRecoveryCode(e.target.value)} required autoComplete="off" spellCheck={false} />
        </label>
      )}
      <button type="submit" disabled={working}>
        {working ? labels.working : labels.create}
      </button>
      <p role="status" aria-live="polite" className="error">
        {error}
      </p>
    </form>
  );
}
