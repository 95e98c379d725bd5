import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_CHARACTERS } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';

/** Shown once fewer than this many characters are left. */
const COUNTER_FROM = 200;

/** Enter sends, Shift+Enter starts a new line (and Enter while composing with an IME does neither). */
export function Composer({ conversationId, onSent }: { conversationId: string; onSent: () => void }) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const [error, setError] = useState<UiError | undefined>();
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const ids = { input: useId(), hint: useId(), error: useId() };
  const remaining = MAX_MESSAGE_CHARACTERS - text.length;

  const send = async () => {
    const message = text.trim();
    if (!message || message.length > MAX_MESSAGE_CHARACTERS) return;
    setText('');
    setError(undefined);
    try {
      await api.send(conversationId, message);
      onSent();
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
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void send();
      }}
    >
      <ErrorMessage error={error} id={ids.error} />
      <div className="composer-row">
        <label htmlFor={ids.input} className="visually-hidden">
          {t('composer.label')}
        </label>
        <textarea
          id={ids.input}
          ref={input}
          className="composer-input"
          data-testid="composer-input"
          rows={1}
          maxLength={MAX_MESSAGE_CHARACTERS}
          placeholder={t('composer.placeholder')}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={`${ids.hint} ${ids.error}`}
          autoFocus
        />
        <button type="submit" className="send-button" data-testid="composer-send" aria-label={t('composer.send')} disabled={!text.trim()}>
          <Icon name="send" />
        </button>
      </div>
      <p id={ids.hint} className="visually-hidden">
        {t('composer.hint')}
      </p>
      {remaining < COUNTER_FROM && (
        <p className="composer-counter" aria-live="polite">
          {t('composer.remaining', { count: remaining })}
        </p>
      )}
    </form>
  );
}
