import { useId, useRef, useState, type ClipboardEvent, type FormEvent, type KeyboardEvent } from 'react';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';
import { measureMessage, MESSAGE_LIMIT } from '../text-limits';
import { AttachmentDropOverlay, useFileDrag } from './attachment-drop-zone';
import { pastedFiles, type PickedFiles } from './attachment-input';
import { AttachmentPicker } from './attachment-picker';
import { sendAttachment } from './attachment-send';

/**
 * Enter sends, Shift+Enter starts a new line (and Enter while composing with an IME does neither).
 * Over the limit nothing is sent and nothing is cut: the whole text stays for the person to shorten
 * or split (one message stays one unit for receipts and, later, edits).
 *
 * A file comes by the Attach button, a paste or a drop on the conversation, one at a time; the text
 * typed goes with it as its caption. Sealing a large file takes a moment (about a second for
 * 100 MB): the composer says so until the worker has it, then the message shows its own progress.
 */
export function Composer({ conversationId, onSent }: { conversationId: string; onSent?: () => void }) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const [error, setError] = useState<UiError | undefined>();
  const [text, setText] = useState('');
  /** The name of the file being sealed, while `sendFile` has not resolved. */
  const [sealing, setSealing] = useState<string | undefined>();
  const sealingNow = useRef(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const dropZone = useRef<HTMLDivElement>(null);
  const dragging = useFileDrag(dropZone);
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

  const attach = async (picked: PickedFiles) => {
    if (picked.kind === 'none') return;
    if (picked.kind === 'several') {
      setError({ key: 'composer.attach-one', params: { count: picked.count } });
      return;
    }
    if (sealingNow.current) return;
    if (measured.problem) {
      input.current?.focus();
      return;
    }
    const caption = text;
    sealingNow.current = true;
    setSealing(picked.file.name);
    setError(undefined);
    setText('');
    const result = await sendAttachment(api, conversationId, picked.file, caption);
    sealingNow.current = false;
    setSealing(undefined);
    if (result.ok) onSent?.();
    else {
      setError(result.error);
      setText((current) => current || caption); // the caption comes back, as a message's words do
    }
    input.current?.focus();
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const picked = pastedFiles(event.clipboardData);
    if (picked.kind === 'none') return; // text: pasted as usual
    event.preventDefault();
    void attach(picked);
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
      aria-busy={sealing !== undefined ? true : undefined}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void send();
      }}
    >
      {/* Always there, so that what it comes to say is announced: a drag of files, a file being sealed. */}
      <p className="visually-hidden" role="status" data-testid="composer-status">
        {dragging ? t('composer.drop-here') : sealing !== undefined ? t('composer.sealing', { name: sealing }) : ''}
      </p>
      {dragging && <AttachmentDropOverlay zone={dropZone} onDropped={(picked) => void attach(picked)} />}
      <ErrorMessage error={error} id={ids.error} />
      {sealing !== undefined && (
        // For the eye; screen readers have the status above.
        <p className="composer-sealing" data-testid="composer-sealing" aria-hidden="true">
          <span className="spinner" />
          <span>{t('composer.sealing', { name: sealing })}</span>
        </p>
      )}
      <ErrorMessage error={measured.problem} id={ids.limit} />
      <div className="composer-row">
        <AttachmentPicker disabled={sealing !== undefined} onPicked={(picked) => void attach(picked)} />
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
          onPaste={onPaste}
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
