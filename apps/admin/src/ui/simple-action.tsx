'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { postJson } from './api-client';
import { RecoveryCodes } from './recovery-codes';

/**
 * A one-click action (non-destructive) whose answer may carry something to show once: a one-time
 * link, or recovery codes.
 */
export function SimpleAction({
  url,
  csrf,
  label,
  working,
  errorPrefix,
  show,
  linkHeading,
  codesHeading,
  codesDetail,
  secondary = false,
  redirectTo,
}: {
  url: string;
  csrf: string;
  label: string;
  working: string;
  errorPrefix: string;
  show?: 'link' | 'codes';
  linkHeading?: string;
  codesHeading?: string;
  codesDetail?: string;
  secondary?: boolean;
  redirectTo?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [link, setLink] = useState<string | undefined>();
  const [codes, setCodes] = useState<string[] | undefined>();
  const run = async () => {
    setBusy(true);
    setError('');
    const result = await postJson<{ link?: string; recoveryCodes?: string[] }>(url, {}, csrf);
    setBusy(false);
    if (!result.ok) return setError(`${errorPrefix} ${result.message}`);
    if (redirectTo) return window.location.assign(redirectTo);
    if (show === 'link') setLink(result.data.link);
    if (show === 'codes') setCodes(result.data.recoveryCodes);
    router.refresh();
  };
  return (
    <div>
      <button type="button" className={secondary ? 'secondary' : ''} onClick={run} disabled={busy}>
        {busy ? working : label}
      </button>
      <p role="status" aria-live="polite" className="error">
        {error}
      </p>
      {link ? (
        <div className="created">
          <h3>{linkHeading}</h3>
          <p>
            <code className="wrap" data-testid="one-time-link">
              {link}
            </code>
          </p>
        </div>
      ) : null}
      {codes ? <RecoveryCodes codes={codes} heading={codesHeading ?? ''} detail={codesDetail ?? ''} /> : null}
    </div>
  );
}
