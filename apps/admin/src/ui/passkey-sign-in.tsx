'use client';
import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { useState } from 'react';
import { postJson } from './api-client';

export function PasskeySignIn({
  labels,
}: {
  labels: { button: string; working: string; failed: string; unsupported: string };
}) {
  const [state, setState] = useState<'idle' | 'working' | 'failed' | 'unsupported'>('idle');
  const signIn = async () => {
    // aria-disabled rather than disabled while working: a disabled button would drop focus to <body>.
    if (state === 'working') return;
    if (!browserSupportsWebAuthn()) return setState('unsupported');
    setState('working');
    const options = await postJson<{
      challengeId: string;
      options: Parameters<typeof startAuthentication>[0]['optionsJSON'];
    }>('/api/auth/sign-in/options', {});
    if (!options.ok) return setState('failed');
    try {
      const response = await startAuthentication({ optionsJSON: options.data.options });
      const verified = await postJson('/api/auth/sign-in/verify', { challengeId: options.data.challengeId, response });
      if (!verified.ok) return setState('failed');
      window.location.assign('/members');
    } catch {
      setState('failed');
    }
  };
  return (
    <div>
      <button type="button" onClick={signIn} aria-disabled={state === 'working'} aria-describedby="sign-in-status">
        {state === 'working' ? labels.working : labels.button}
      </button>
      <p
        id="sign-in-status"
        role="status"
        aria-live="polite"
        className={state === 'failed' || state === 'unsupported' ? 'error' : 'detail'}
      >
        {state === 'failed' ? labels.failed : state === 'unsupported' ? labels.unsupported : ''}
      </p>
    </div>
  );
}
