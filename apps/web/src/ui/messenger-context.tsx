import { createContext, useCallback, useContext, useRef, useState } from 'react';
import type { ClientSnapshot, MessengerApi, MessengerEvent } from '../messenger/api';
import type { MessageKey, MessageParams } from '../i18n';
import { isMessengerError } from '../worker/rpc';
import { PasskeyError } from './passkey';

export interface MessengerContextValue {
  readonly api: MessengerApi;
  readonly snapshot: ClientSnapshot;
  /** Asks the worker for a fresh snapshot (after a command that changes it). */
  refresh(): Promise<void>;
  subscribe(listener: (event: MessengerEvent) => void): () => void;
  /** The admin app this client is configured for (enrolment links must name it). */
  readonly adminUrl: string;
}

export const MessengerContext = createContext<MessengerContextValue | undefined>(undefined);

export function useMessenger(): MessengerContextValue {
  const value = useContext(MessengerContext);
  if (!value) throw new Error('useMessenger outside MessengerContext');
  return value;
}

/** An error for people: a dictionary key (a translated MessengerErrorCode, or a UI check). */
export interface UiError {
  readonly key: MessageKey;
  readonly params?: MessageParams;
}

export function uiErrorFrom(error: unknown): UiError {
  if (error instanceof PasskeyError) return { key: `passkey.error.${error.reason}` };
  return { key: isMessengerError(error) ? `error.${error.code}` : 'error.internal' };
}

export type ActionResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** Runs one command at a time for a form: busy while it runs, and its error for people. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | undefined>();
  const running = useRef(false);

  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<ActionResult<T>> => {
    if (running.current) return { ok: false };
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      return { ok: true, value: await action() };
    } catch (caught) {
      setError(uiErrorFrom(caught));
      return { ok: false };
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);

  return { run, busy, error, setError };
}
