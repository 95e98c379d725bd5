import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import type { ConversationView, MessageView } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { uiErrorFrom, useMessenger, type UiError } from '../messenger-context';
import { measureMessage, MESSAGE_LIMIT } from '../text-limits';
import { AttachmentDropOverlay, useFileDrag } from './attachment-drop-zone';
import { pastedFiles, type PickedFiles } from './attachment-input';
import { AttachmentPicker } from './attachment-picker';
import { sendAttachment } from './attachment-send';
import { ComposerBanner } from './composer-banner';
import { sendOptions, type ComposerMode } from './composer-mode';
import { MentionListbox, useMentionAutocomplete } from './mention-autocomplete';
import type { Mentionable } from './mention-input';
import { useTypingNotice } from './typing-notice';

const NO_MEMBERS: readonly Mentionable[] = [];

/**
 * Enter sends, Shift+Enter starts a new line (and Enter while composing with an IME does neither).
 * Over the limit nothing is sent and nothing is cut: the whole text stays for the person to shorten
 * or split (one message stays one unit for receipts and edits).
 *
 * A file comes by the Attach button, a paste or a drop on the conversation, one at a time; the text
 * typed goes with it as its caption. Sealing a large file takes a moment (about a second for
 * 100 MB): the composer says so until the worker has it, then the message shows its own progress.
 *
 * In a group, `@` offers the members to mention (mention-autocomplete.tsx). The composer may be
 * answering a message (its quote goes with the text) or editing one of ours (the draft is put
 * aside meanwhile and comes back after); Escape cancels either, and Up in an empty field edits our
 * last message still within the edit window. While the draft changes, the others are told this
 * user is typing (typing-notice.ts).
 */
export function Composer({
  conversation,
  mode,
  onModeChange,
  lastEditable,
  onSent,
}: {
  conversation: ConversationView;
  mode?: ComposerMode | undefined;
  onModeChange?: (mode: ComposerMode | undefined) => void;
  /** Our newest message that may still be edited, for Up in an empty field. */
  lastEditable?: () => MessageView | undefined;
  onSent?: () => void;
}) {
  const { t } = useI18n();
  const { api } = useMessenger();
  const conversationId = conversation.id;
  const [error, setError] = useState<UiError | undefined>();
  const [text, setText] = useState('');
  /** The name of the file being sealed, while `sendFile` has not resolved. */
  const [sealing, setSealing] = useState<string | undefined>();
  const sealingNow = useRef(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const dropZone = useRef<HTMLDivElement>(null);
  const dragging = useFileDrag(dropZone);
  const ids = {
    input: useId(),
    hint: useId(),
    error: useId(),
    counter: useId(),
    limit: useId(),
    banner: useId(),
  };
  const measured = measureMessage(text);
  const editing = mode?.kind === 'edit' ? mode.message : undefined;
  const typing = useTypingNotice(conversationId);
  /** Where the caret goes once the text set with it is rendered (after a mention is picked). */
  const pendingCaret = useRef<number | undefined>(undefined);
  const textNow = useRef(text);
  textNow.current = text;
  /** The draft put aside while a message is edited. */
  const draftBeforeEdit = useRef<string | undefined>(undefined);

  const members = conversation.kind === 'group' ? conversation.members.filter((member) => !member.isSelf) : NO_MEMBERS;
  const mentions = useMentionAutocomplete(members, text, members.length > 0 && !editing, (result) =>
    replaceText(result.text, result.caret),
  );

  const replaceText = (value: string, caret: number) => {
    pendingCaret.current = caret;
    setText(value);
    mentions.caretAt(caret);
    if (!editing) typing.changed(value);
  };

  useLayoutEffect(() => {
    const caret = pendingCaret.current;
    if (caret === undefined) return;
    pendingCaret.current = undefined;
    input.current?.setSelectionRange(caret, caret);
  }, [text]);

  // Editing: the old words in the field, the draft aside; back to the draft once done or cancelled.
  const editingId = editing?.id;
  useEffect(() => {
    if (editingId !== undefined && editing) {
      draftBeforeEdit.current ??= textNow.current;
      const words = editing.text ?? '';
      pendingCaret.current = words.length;
      setText(words);
    } else if (draftBeforeEdit.current !== undefined) {
      setText(draftBeforeEdit.current);
      draftBeforeEdit.current = undefined;
    }
    // Only when another message is edited or editing ends: later deltas of it must not reset the words.
  }, [editingId]);

  // A reply or an edit started from a message's menu: the words go here now.
  const modeKey = mode ? `${mode.kind}:${mode.message.id}` : undefined;
  useEffect(() => {
    if (modeKey !== undefined) input.current?.focus();
  }, [modeKey]);

  const cancelMode = () => {
    onModeChange?.(undefined);
    setError(undefined);
    input.current?.focus();
  };

  const saveEdit = async (message: MessageView, words: string) => {
    setError(undefined);
    if (words === message.text) return cancelMode();
    try {
      await api.editMessage(conversationId, message.id, words);
      onModeChange?.(undefined);
    } catch (caught) {
      setError(uiErrorFrom(caught));
    }
    input.current?.focus();
  };

  const send = async () => {
    const message = text.trim();
    if (!message) return;
    if (measured.problem) {
      input.current?.focus();
      return;
    }
    if (editing) return saveEdit(editing, message);
    const options = sendOptions(mode, message, mentions.picked());
    const replying = mode;
    setText('');
    setError(undefined);
    typing.stopped();
    mentions.reset();
    onModeChange?.(undefined);
    try {
      await (options ? api.send(conversationId, message, options) : api.send(conversationId, message));
      onSent?.();
    } catch (caught) {
      setError(uiErrorFrom(caught));
      setText((current) => current || message); // give the words back unless new ones were typed
      if (replying) onModeChange?.(replying);
    }
    input.current?.focus();
  };

  const attach = async (picked: PickedFiles) => {
    if (picked.kind === 'none' || editing) return;
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
    // The file answers the message being replied to, and its caption mentions whom it names.
    const options = sendOptions(mode, caption, mentions.picked());
    const replying = mode;
    sealingNow.current = true;
    setSealing(picked.file.name);
    setError(undefined);
    setText('');
    typing.stopped();
    mentions.reset();
    onModeChange?.(undefined);
    const result = await sendAttachment(api, conversationId, picked.file, caption, options);
    sealingNow.current = false;
    setSealing(undefined);
    if (result.ok) onSent?.();
    else {
      setError(result.error);
      setText((current) => current || caption); // the caption comes back, as a message's words do
      if (replying) onModeChange?.(replying);
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
    if (event.nativeEvent.isComposing) return;
    if (mentions.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape' && mode) {
      event.preventDefault();
      cancelMode();
    } else if (event.key === 'ArrowUp' && text === '' && !mode && lastEditable) {
      const last = lastEditable();
      if (!last) return;
      event.preventDefault();
      onModeChange?.({ kind: 'edit', message: last });
    }
  };

  const listOpen = mentions.choices.length > 0;
  const status = dragging
    ? t('composer.drop-here')
    : sealing !== undefined
      ? t('composer.sealing', { name: sealing })
      : listOpen
        ? t('mentions.choices', { count: mentions.choices.length })
        : '';
  const describedBy = [mode ? ids.banner : '', ids.hint, ids.counter, ids.limit, ids.error].filter(Boolean).join(' ');

  return (
    <form
      className="composer"
      autoComplete="off"
      aria-busy={sealing !== undefined ? true : undefined}
      data-mode={mode?.kind}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void send();
      }}
    >
      {/* Always there, so that what it comes to say is announced: a drag of files, a file being sealed, mentions offered. */}
      <p className="visually-hidden" role="status" data-testid="composer-status">
        {status}
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
      {mode && <ComposerBanner id={ids.banner} mode={mode} conversation={conversation} onCancel={cancelMode} />}
      <ErrorMessage error={measured.problem} id={ids.limit} />
      <MentionListbox
        autocomplete={mentions}
        onPick={(index) => {
          const result = mentions.pick(index);
          if (result) replaceText(result.text, result.caret);
          input.current?.focus();
        }}
      />
      <div className="composer-row">
        <AttachmentPicker
          disabled={sealing !== undefined || editing !== undefined}
          onPicked={(picked) => void attach(picked)}
        />
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
          onChange={(event) => {
            const value = event.target.value;
            setText(value);
            mentions.caretAt(event.target.selectionStart);
            if (!editing) typing.changed(value);
          }}
          onSelect={(event) => mentions.caretAt(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-describedby={describedBy}
          aria-invalid={measured.problem ? true : undefined}
          aria-autocomplete={members.length > 0 && !editing ? 'list' : undefined}
          aria-controls={listOpen ? mentions.listboxId : undefined}
          aria-activedescendant={listOpen ? mentions.optionId(mentions.active) : undefined}
          autoFocus
        />
        <button
          type="submit"
          className="send-button"
          data-testid="composer-send"
          aria-label={editing ? t('composer.save-edit') : t('composer.send')}
          title={editing ? t('composer.save-edit') : undefined}
          disabled={!text.trim()}
        >
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
      <p id={ids.hint} className="visually-hidden">
        {t('composer.hint')}
        {mode ? ` ${t('composer.escape-to-cancel')}` : lastEditable ? ` ${t('composer.edit-last-hint')}` : ''}
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
