'use client';
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * Where focus goes once an action is done (WCAG 2.4.3, 4.1.3). An action often removes its own
 * button (a revoked device has no "Revoke…", an acknowledged alert goes away), which would drop
 * focus to <body> and leave a screen reader user lost and unaware of what happened. Instead the
 * console says what happened in one line at the top of its content and moves focus there, as
 * GOV.UK's success notification banner does. It lives in the console's layout, so it survives
 * the page's refresh with the new state.
 */
const Report = createContext<((message: string) => void) | undefined>(undefined);

/** The console's outcome line, or undefined outside the console (the caller then says it itself). */
export function useActionOutcome(): ((message: string) => void) | undefined {
  return useContext(Report);
}

export function ActionOutcome({ children }: { children: ReactNode }) {
  // The count makes a repeated identical message a new one, so focus moves to it again.
  const [outcome, setOutcome] = useState<{ message: string; count: number }>({ message: '', count: 0 });
  const line = useRef<HTMLParagraphElement>(null);
  const report = useCallback(
    (message: string) => setOutcome((previous) => ({ message, count: previous.count + 1 })),
    [],
  );
  useEffect(() => {
    if (outcome.count > 0) line.current?.focus();
  }, [outcome]);
  return (
    <Report.Provider value={report}>
      <p ref={line} role="status" tabIndex={-1} className="outcome" data-testid="action-outcome">
        {outcome.message}
      </p>
      {children}
    </Report.Provider>
  );
}
