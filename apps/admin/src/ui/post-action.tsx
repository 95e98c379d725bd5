'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { postJson } from './api-client';

/** A one-click, non-destructive action that posts a small body, then refreshes the page. */
export function PostAction({
  url,
  body,
  csrf,
  label,
  working,
  errorPrefix,
  secondary = false,
  testId,
}: {
  url: string;
  /** Plain data (props from a server component cannot carry functions). */
  body: Record<string, string>;
  csrf: string;
  label: string;
  working: string;
  errorPrefix: string;
  secondary?: boolean;
  testId?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async () => {
    setBusy(true);
    setError('');
    const result = await postJson<Record<string, unknown>>(url, body, csrf);
    setBusy(false);
    if (!result.ok) return setError(`${errorPrefix} ${result.message}`);
    router.refresh();
  };
  return (
    <span data-testid={testId}>
      <button type="button" className={secondary ? 'secondary' : ''} onClick={run} disabled={busy}>
        {busy ? working : label}
      </button>
      <span role="status" aria-live="polite" className="error">
        {error}
      </span>
    </span>
  );
}
