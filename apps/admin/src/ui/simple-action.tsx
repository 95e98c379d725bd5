'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { postJson } from './api-client';

/**
 * A one-click action (non-destructive) whose answer may carry something to show once: a one-time
 * link.
 */
export function SimpleAction({
  url,
  csrf,
  label,
  working,
  errorPrefix,
  show,
  linkHeading,
  secondary = false,
  redirectTo,
}: {
  url: string;
  csrf: string;
  label: string;
  working: string;
  errorPrefix: string;
  show?: 'link';
  linkHeading?: string;
  secondary?: boolean;
  redirectTo?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [link, setLink] = useState<string | undefined>();
  const run = async () => {
    setBusy(true);
    setError('');
    const result = await postJson<{ link?: string }>(url, {}, csrf);
    setBusy(false);
    if (!result.ok) return setError(`${errorPrefix} ${result.message}`);
    if (redirectTo) return window.location.assign(redirectTo);
    if (show === 'link') setLink(result.data.link);
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
    </div>
  );
}
