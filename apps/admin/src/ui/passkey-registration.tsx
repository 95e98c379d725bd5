'use client';
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { useEffect, useState, type FormEvent } from 'react';
import { postJson } from './api-client';

export interface RegistrationLabels {
  readonly displayName: string;
  readonly displayNameHint: string;
  readonly create: string;
  readonly working: string;
  readonly errorPrefix: string;
  readonly noToken: string;
  readonly unsupported: string;
}

/**
 * Registers a passkey through a one-time link (the token in the URL fragment, never sent to the
 * server in a request line), then goes to the console, signed in.
 */
export function PasskeyRegistration({ labels }: { labels: RegistrationLabels }) {
  // undefined: not read yet; null: the page was opened without a token.
  const [token, setToken] = useState<string | null | undefined>();
  const [displayName, setDisplayName] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    const match = /^#token=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
    setToken(match?.[1] ?? null);
    // The token has done its job in this page's memory: keep it out of the address bar and history.
    if (match) window.history.replaceState(null, '', window.location.pathname);
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // aria-disabled rather than disabled while working: a disabled button would drop focus to <body>.
    if (working) return;
    if (!browserSupportsWebAuthn()) return setError(labels.unsupported);
    setWorking(true);
    setError('');
    const start = { token, displayName };
    const options = await postJson<{
      challengeId: string;
      options: Parameters<typeof startRegistration>[0]['optionsJSON'];
    }>('/api/auth/register/options', start);
    if (!options.ok) {
      setWorking(false);
      return setError(`${labels.errorPrefix} ${options.message}`);
    }
    try {
      const response = await startRegistration({ optionsJSON: options.data.options });
      const done = await postJson<{ signedIn: boolean }>('/api/auth/register/verify', {
        challengeId: options.data.challengeId,
        response,
      });
      if (!done.ok) throw new Error(done.message);
      window.location.assign('/members');
    } catch (failure) {
      setError(`${labels.errorPrefix} ${failure instanceof Error ? failure.message : String(failure)}`);
      setWorking(false);
    }
  };

  if (token === undefined) return null;
  if (token === null) return <p className="error">{labels.noToken}</p>;
  return (
    <form onSubmit={submit} className="stack">
      {/* The hint outside the label: it describes the field (aria-describedby) rather than lengthening its name. */}
      <div className="field">
        <label htmlFor="display-name">{labels.displayName}</label>
        <input
          id="display-name"
          name="displayName"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          maxLength={128}
          autoComplete="name"
          aria-describedby="display-name-hint"
        />
        <span id="display-name-hint" className="detail">
          {labels.displayNameHint}
        </span>
      </div>
      <button type="submit" aria-disabled={working}>
        {working ? labels.working : labels.create}
      </button>
      <p role="status" aria-live="polite" className="error">
        {error}
      </p>
    </form>
  );
}
