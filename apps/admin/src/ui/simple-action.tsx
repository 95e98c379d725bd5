'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useActionOutcome } from './action-outcome';
import { postJson } from './api-client';

/**
 * A one-click action (non-destructive), posting `body` (default `{}`), whose answer may carry
 * something to show once: a one-time link. `inline` keeps it inside a line of text. Once done,
 * focus (WCAG 2.4.3) goes to the link shown, or to the console's outcome line saying `done`:
 * the action may remove its own button (a key prepared, an alert acknowledged).
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
  done,
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
  /** What to say once done, unless the answer shows a link or the page is left (`redirectTo`). */
  done?: string;
  secondary?: boolean;
  redirectTo?: string;
  inline?: boolean;
  testId?: string;
}) {
  const router = useRouter();
  const report = useActionOutcome();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [link, setLink] = useState<string | undefined>();
  const shown = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (link) shown.current?.focus();
  }, [link]);
  const run = async () => {
    // aria-disabled rather than disabled while busy: a disabled button would drop focus to <body>.
    if (busy) return;
    setBusy(true);
    setError('');
    const result = await postJson<{ link?: string }>(url, body, csrf);
    setBusy(false);
    if (!result.ok) return setError(`${errorPrefix} ${result.message}`);
    if (redirectTo) return window.location.assign(redirectTo);
    if (show === 'link') setLink(result.data.link);
    else if (done && report) report(done);
    router.refresh();
  };
  const Wrapper = inline ? 'span' : 'div';
  const Status = inline ? 'span' : 'p';
  return (
    <Wrapper data-testid={testId}>
      <button type="button" className={secondary ? 'secondary' : ''} onClick={run} aria-disabled={busy}>
        {busy ? working : label}
      </button>
      <Status role="status" aria-live="polite" className="error">
        {error}
      </Status>
      {link ? (
        <div className="created">
          <h3 tabIndex={-1} ref={shown}>
            {linkHeading}
          </h3>
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
