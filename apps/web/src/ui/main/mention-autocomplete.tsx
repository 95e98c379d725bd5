/**
 * The list of members offered after `@` in the composer (mention-input.ts holds the rules). The
 * field keeps the focus: the active option is named by aria-activedescendant, a live status says
 * how many there are, and Down, Up, Enter, Tab and Escape work as in an ARIA combobox. A
 * <textarea> may not take the combobox role (ARIA in HTML), so it stays a text box with
 * aria-autocomplete and aria-controls, as GitHub's and Slack's message fields do.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n-context';
import { insertMention, mentionKeyAction, openMentionList, type Mentionable } from './mention-input';

export interface MentionAutocomplete {
  /** The members offered now (none: the list is closed). */
  readonly choices: readonly Mentionable[];
  readonly active: number;
  readonly listboxId: string;
  readonly optionId: (index: number) => string;
  /** The members picked since the last send (mentionsInText keeps those still named). */
  readonly picked: () => readonly Mentionable[];
  /** The caret moved or the text changed: where the caret is now. */
  readonly caretAt: (caret: number) => void;
  /** Handles a key while the list is open; true when it was the list's. */
  readonly onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** Writes `@Name ` for choice `index`; the new text and caret. */
  readonly pick: (index: number) => { readonly text: string; readonly caret: number } | undefined;
  /** After a send: nothing picked any more. */
  readonly reset: () => void;
}

export function useMentionAutocomplete(
  members: readonly Mentionable[],
  text: string,
  enabled: boolean,
  onPicked: (result: { readonly text: string; readonly caret: number }) => void,
): MentionAutocomplete {
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | undefined>();
  const picked = useRef<Mentionable[]>([]);
  const listboxId = useId();
  const { query, choices } = enabled
    ? openMentionList(members, text, caret, dismissed)
    : { query: undefined, choices: [] as readonly Mentionable[] };
  const queryKey = query ? `${query.start}:${query.query}` : undefined;

  useEffect(() => {
    setActive(0);
    if (queryKey === undefined) setDismissed(undefined);
  }, [queryKey]);

  const pick = (index: number) => {
    const member = choices[index];
    if (!member || !query) return undefined;
    picked.current = [...picked.current.filter((other) => other.address !== member.address), member];
    // This `@` is answered: typing on after the name must not reopen the list.
    setDismissed(query.start);
    return insertMention(text, query, caret, member);
  };

  const current = Math.min(active, Math.max(choices.length - 1, 0));
  return {
    choices,
    active: current,
    listboxId,
    optionId: (index) => `${listboxId}-${index}`,
    picked: () => picked.current,
    caretAt: setCaret,
    onKeyDown: (event) => {
      const action = mentionKeyAction(event.key, event.shiftKey, current, choices.length);
      if (action.kind === 'none') return false;
      event.preventDefault();
      if (action.kind === 'move') setActive(action.active);
      else if (action.kind === 'close') setDismissed(query?.start);
      else {
        const result = pick(action.index);
        if (result) onPicked(result);
      }
      return true;
    },
    pick,
    reset: () => {
      picked.current = [];
    },
  };
}

/** The listbox under the field; a click picks (mousedown keeps the focus in the field). */
export function MentionListbox({
  autocomplete,
  onPick,
}: {
  autocomplete: MentionAutocomplete;
  onPick: (index: number) => void;
}) {
  const { t } = useI18n();
  if (autocomplete.choices.length === 0) return null;
  return (
    <ul
      id={autocomplete.listboxId}
      role="listbox"
      aria-label={t('mentions.label')}
      className="mention-listbox"
      data-testid="mention-listbox"
    >
      {autocomplete.choices.map((member, index) => (
        <li
          key={member.address}
          id={autocomplete.optionId(index)}
          role="option"
          aria-selected={index === autocomplete.active}
          className="mention-option"
          data-testid="mention-option"
          data-address={member.address}
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => onPick(index)}
        >
          <span className="mention-option-name">{member.displayName || member.address}</span>
          <span className="mention-option-address">{member.address}</span>
        </li>
      ))}
    </ul>
  );
}
