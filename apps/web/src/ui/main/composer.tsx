import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';
import { measureMessage, MESSAGE_LIMIT } from '../text-limits';

/**
 * Enter sends, Shift+Enter starts a new line (and Enter while composing with an IME does neither).
 * Over the limit nothing is sent and nothing is cut: the whole text stays for the person to shorten
 * or split (one message stays one unit for receipts and, later, edits).
 */
export function Composer({ conversationId, onSent }: { conversationId: string; onSent?: () => void }) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const [error, setError] = useState<UiError | undefined>();
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const ids = { input: useId(), hint: useId(), error: useId(), counter: useId(), limit: useId() };
  const measured = measureMessage(text);

  const send = async () => {
    const message = text.trim();
    if (!message) return;
    if (measured.problem) {
      input.current?.focus();
      return;
    }
    setText('');
    setError(undefined);
    try {
      await api.send(conversationId, message);
      onSent?.();
    } catch (caught) {
      setError(uiErrorFrom(caught));
      setText((current) => current || message); // give the words back unless new ones were typed
    }
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form
      className="composer"
      autoComplete="off"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void send();
      }}
    >
      <ErrorMessage error={error} id={ids.error} />
      <ErrorMessage error={measured.problem} id={ids.limit} />
      <div className="composer-row">
        <label htmlFor={ids.input} className="visually-hidden">
          {t('composer.label')}
        </label>
        {/* autoComplete off: Chromium then keeps no copy of a draft in its session files (form state). */}
        <textarea
          id={ids.input}
          ref={input}
          className="composer-input"
          data-testid="composer-input"
          rows={1}
          autoComplete="off"
          placeholder={t('composer.placeholder')}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={`${ids.hint} ${ids.counter} ${ids.limit} ${ids.error}`}
          aria-invalid={measured.problem ? true : undefined}
          autoFocus
        />
        <button
          type="submit"
          className="send-button"
          data-testid="composer-send"
          aria-label={t('composer.send')}
          disabled={!text.trim()}
        >
          <Icon name="send" />
        </button>
      </div>
      <p id={ids.hint} className="visually-hidden">
        {t('composer.hint')}
      </p>
      {measured.showCounter && (
        <p
          id={ids.counter}
          className="composer-counter"
          data-testid="composer-counter"
          data-over={measured.problem !== undefined}
        >
          <span aria-hidden="true">{t('composer.count', { count: measured.length, max: MESSAGE_LIMIT })}</span>
          <span className="visually-hidden">
            {t('composer.count-label', { count: measured.length, max: MESSAGE_LIMIT })}
          </span>
        </p>
      )}
    </form>
  );
}
