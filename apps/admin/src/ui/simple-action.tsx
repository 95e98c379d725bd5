'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { postJson } from './api-client';

/**
 * A one-click action (non-destructive), posting `body` (default `{}`), whose answer may carry
 * something to show once: a one-time link. `inline` keeps it inside a line of text.
 */
export function SimpleAction({
  url,
  body = {},
  csrf,
  label,
  working,
  errorPrefix,
  show,
  linkHeading,
  secondary = false,
  redirectTo,
  inline = false,
  testId,
}: {
  url: string;
  /** Plain data (props from a server component cannot carry functions). */
  body?: Record<string, string>;
  csrf: string;
  label: string;
  working: string;
  errorPrefix: string;
  show?: 'link';
  linkHeading?: string;
  secondary?: boolean;
  redirectTo?: string;
  inline?: boolean;
  testId?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [link, setLink] = useState<string | undefined>();
  const run = async () => {
    setBusy(true);
    setError('');
    const result = await postJson<{ link?: string }>(url, body, csrf);
    setBusy(false);
    if (!result.ok) return setError(`${errorPrefix} ${result.message}`);
    if (redirectTo) return window.location.assign(redirectTo);
    if (show === 'link') setLink(result.data.link);
    router.refresh();
  };
  const Wrapper = inline ? 'span' : 'div';
  const Status = inline ? 'span' : 'p';
  return (
    <Wrapper data-testid={testId}>
      <button type="button" className={secondary ? 'secondary' : ''} onClick={run} disabled={busy}>
        {busy ? working : label}
      </button>
      <Status role="status" aria-live="polite" className="error">
        {error}
      </Status>
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
    </Wrapper>
  );
}
