'use client';
import { useRouter } from 'next/navigation';
import { useId, useState, type ReactNode } from 'react';
import { postJson } from './api-client';

export interface ConfirmLabels {
  readonly open: string;
  readonly question: string;
  readonly confirm: string;
  readonly cancel: string;
  readonly working: string;
  readonly errorPrefix: string;
}

/**
 * A destructive action in two steps: the first button opens an inline confirmation (with
 * optional extra fields, e.g. a revocation reason), the second does it. No modal: keyboard and
 * screen reader users stay where they are, and focus moves to the question.
 */
export function ConfirmAction({
  url,
  body,
  csrf,
  labels,
  extra,
  doneMessage,
  danger = true,
  testId,
}: {
  url: string;
  /** Plain data (props from a server component cannot carry functions). */
  body: Record<string, unknown>;
  csrf: string;
  labels: ConfirmLabels;
  extra?: ReactNode;
  /** Shown after success, with {field} replaced by the answer's fields. */
  doneMessage?: string;
  danger?: boolean;
  testId?: string;
}) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [working, setWorking] = useState(false);
  const [message, setMessage] = useState('');
  const [failed, setFailed] = useState(false);

  const run = async () => {
    setWorking(true);
    const result = await postJson<Record<string, unknown>>(url, body, csrf);
    setWorking(false);
    if (!result.ok) {
      setFailed(true);
      return setMessage(`${labels.errorPrefix} ${result.message}`);
    }
    setFailed(false);
    setOpen(false);
    setMessage((doneMessage ?? '').replace(/\{(\w+)\}/g, (match, key: string) => (key in result.data ? String(result.data[key]) : match)));
    router.refresh();
  };

  return (
    <div className="confirm" data-testid={testId}>
      {open ? (
        <div role="group" aria-labelledby={`${id}-question`} className="confirm-panel">
          <p id={`${id}-question`} tabIndex={-1} ref={(node) => node?.focus()}>
            {labels.question}
          </p>
          {extra}
          <div className="actions">
            <button type="button" className={danger ? 'danger' : ''} onClick={run} disabled={working}>
              {working ? labels.working : labels.confirm}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {labels.cancel}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className={danger ? 'danger-outline' : 'secondary'} onClick={() => setOpen(true)}>
          {labels.open}
        </button>
      )}
      <p role="status" aria-live="polite" className={failed ? 'error' : 'detail'}>
        {message}
      </p>
    </div>
  );
}
