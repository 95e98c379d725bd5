/**
 * Choosing a reaction: the QUICK_REACTIONS in one click, or any other single emoji typed or
 * pasted (checked as the worker checks it, reaction-emoji.ts: one grapheme that is an emoji).
 * A small non-modal popover beside the message: focus starts on the first emoji; Escape closes it
 * and gives the focus back to the opener (the caller's `onClose(true)`); a click elsewhere or Tab
 * out of it closes it and leaves the focus where it went.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { QUICK_REACTIONS } from '../../messenger/api';
import { isReactionEmoji } from '../../messenger/reaction-emoji';
import { useI18n } from '../i18n-context';

/** The single emoji typed, trimmed; undefined when it is not exactly one emoji. */
export function typedReaction(value: string): string | undefined {
  const trimmed = value.trim();
  return isReactionEmoji(trimmed) ? trimmed : undefined;
}

export function ReactionPicker({
  mine,
  onPick,
  onClose,
}: {
  /** This user's current reaction to the message, if any. */
  mine: string | undefined;
  /** An emoji to react with, or null to take this user's reaction back. */
  onPick: (emoji: string | null) => void;
  /** `returnFocus`: closed from the keyboard inside it (Escape), so the opener takes the focus back. */
  onClose: (returnFocus: boolean) => void;
}) {
  const { t } = useI18n();
  const root = useRef<HTMLDivElement>(null);
  const [other, setOther] = useState('');
  const [invalid, setInvalid] = useState(false);
  const ids = { input: useId(), hint: useId(), error: useId() };
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    root.current?.querySelector<HTMLElement>('button')?.focus();
    const outside = (event: PointerEvent) => {
      if (event.target instanceof Node && !root.current?.contains(event.target)) onCloseRef.current(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const emoji = typedReaction(other);
    if (emoji === undefined) {
      setInvalid(true);
      return;
    }
    onPick(emoji);
  };

  return (
    <div
      ref={root}
      className="reaction-picker"
      role="dialog"
      aria-label={t('reactions.picker')}
      data-testid="reaction-picker"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        onClose(true);
      }}
      onBlur={(event) => {
        // Tabbing out of the popover closes it, as a click elsewhere does.
        if (event.relatedTarget instanceof Node && !event.currentTarget.contains(event.relatedTarget)) onClose(false);
      }}
    >
      <div className="reaction-quick" role="group" aria-label={t('reactions.quick')}>
        {QUICK_REACTIONS.map((emoji) => (
          <button
            key={emoji}
            type="button"
            className="reaction-choice"
            data-testid="reaction-choice"
            data-emoji={emoji}
            aria-pressed={mine === emoji}
            onClick={() => onPick(mine === emoji ? null : emoji)}
          >
            {emoji}
          </button>
        ))}
      </div>
      <form className="reaction-other" onSubmit={submit} noValidate>
        <label htmlFor={ids.input}>{t('reactions.other')}</label>
        <div className="reaction-other-row">
          <input
            id={ids.input}
            type="text"
            data-testid="reaction-other-input"
            autoComplete="off"
            enterKeyHint="done"
            maxLength={32}
            value={other}
            aria-describedby={invalid ? `${ids.hint} ${ids.error}` : ids.hint}
            aria-invalid={invalid ? true : undefined}
            onChange={(event) => {
              setOther(event.target.value);
              setInvalid(false);
            }}
          />
          <button type="submit" className="button small" data-testid="reaction-other-add">
            {t('reactions.add')}
          </button>
        </div>
        <p id={ids.hint} className="hint">
          {t('reactions.other-hint')}
        </p>
        {invalid && (
          <p id={ids.error} className="error" role="alert" data-testid="reaction-invalid">
            {t('reactions.invalid')}
          </p>
        )}
      </form>
      {mine !== undefined && (
        <button type="button" className="link-button" data-testid="reaction-remove" onClick={() => onPick(null)}>
          {t('reactions.remove')}
        </button>
      )}
    </div>
  );
}
