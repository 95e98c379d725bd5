'use client';
import { formatMessage, type MessageValue } from '@opendescent/i18n';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useActionOutcome } from './action-outcome';
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
 * screen reader users stay where they are. Focus (WCAG 2.4.3) moves to the question when it
 * opens, back to the first button when it is cancelled (Cancel or Escape), and to the console's
 * outcome line once done, since the action may remove this very control.
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
  /** Said once done (where focus then goes): a catalogue message whose arguments are the answer's fields. */
  doneMessage: string;
  danger?: boolean;
  testId?: string;
}) {
  const router = useRouter();
  const report = useActionOutcome();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [working, setWorking] = useState(false);
  const [message, setMessage] = useState('');
  const [failed, setFailed] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const question = useRef<HTMLParagraphElement>(null);
  // Where focus goes after the next open/close, set by whoever opens or closes.
  const focusNext = useRef<'question' | 'opener' | undefined>(undefined);

  useEffect(() => {
    if (focusNext.current === 'question') question.current?.focus();
    if (focusNext.current === 'opener') opener.current?.focus();
    focusNext.current = undefined;
  }, [open]);

  const show = () => {
    focusNext.current = 'question';
    setMessage('');
    setOpen(true);
  };
  const cancel = () => {
    focusNext.current = 'opener';
    setOpen(false);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !working) {
      event.preventDefault();
      cancel();
    }
  };

  const run = async () => {
    // aria-disabled rather than disabled while working: a disabled button would drop focus to <body>.
    if (working) return;
    setWorking(true);
    const result = await postJson<Record<string, unknown>>(url, body, csrf);
    setWorking(false);
    if (!result.ok) {
      setFailed(true);
      return setMessage(`${labels.errorPrefix} ${result.message}`);
    }
    const fields = Object.entries(result.data).filter(
      ([, value]) => typeof value === 'string' || typeof value === 'number',
    );
    // The page's language, as the root layout set it from the same negotiation as the message's.
    const done = formatMessage(
      doneMessage,
      document.documentElement.lang || 'en',
      Object.fromEntries(fields) as Record<string, MessageValue>,
    );
    setFailed(false);
    setOpen(false);
    if (report) report(done);
    else setMessage(done);
    router.refresh();
  };

  return (
    <div className="confirm" data-testid={testId}>
      {open ? (
        <div role="group" aria-labelledby={`${id}-question`} className="confirm-panel" onKeyDown={onKeyDown}>
          <p id={`${id}-question`} tabIndex={-1} ref={question}>
            {labels.question}
          </p>
          {extra}
          <div className="actions">
            <button type="button" className={danger ? 'danger' : ''} onClick={run} aria-disabled={working}>
              {working ? labels.working : labels.confirm}
            </button>
            <button type="button" className="secondary" onClick={cancel}>
              {labels.cancel}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" ref={opener} className={danger ? 'danger-outline' : 'secondary'} onClick={show}>
          {labels.open}
        </button>
      )}
      <p role="status" aria-live="polite" className={failed ? 'error' : 'detail'}>
        {message}
      </p>
    </div>
  );
}
