/**
 * The reactions under a message: one chip per emoji with its count, pressed when this user's
 * reaction is among them. A click on a chip toggles this user's reaction to that emoji (one per
 * person: it replaces another). Its name says who reacted.
 */
import type { ConversationView, ReactionView } from '../../messenger/api';
import { useI18n } from '../i18n-context';

/** The people behind a reaction, by name ("you" for this user), in the order the worker gives. */
export function reactorNames(
  reaction: ReactionView,
  conversation: ConversationView,
  selfAddress: string | undefined,
  you: string,
): string[] {
  const names = reaction.addresses.map((address) => {
    const member = conversation.members.find((candidate) => candidate.address === address);
    if (address === selfAddress || member?.isSelf) return you;
    return member?.displayName || address;
  });
  // The worker lists this user when `mine`; a view that forgot still says so.
  return reaction.mine && !names.includes(you) ? [...names, you] : names;
}

export function MessageReactions({
  reactions,
  conversation,
  selfAddress,
  onToggle,
}: {
  reactions: readonly ReactionView[];
  conversation: ConversationView;
  selfAddress: string | undefined;
  /** Absent: the chips are shown, not pressed (a conversation this user left). */
  onToggle: ((reaction: ReactionView) => void) | undefined;
}) {
  const { t, language } = useI18n();
  if (reactions.length === 0) return null;
  const list = new Intl.ListFormat(language, { style: 'long', type: 'conjunction' });
  return (
    <ul className="message-reactions" aria-label={t('reactions.label')} data-testid="message-reactions">
      {reactions.map((reaction) => {
        const names = list.format(reactorNames(reaction, conversation, selfAddress, t('common.you')));
        const label = t(reaction.mine ? 'reactions.chip-mine' : 'reactions.chip', { emoji: reaction.emoji, names });
        const count = Math.max(reaction.addresses.length, 1);
        return (
          <li key={reaction.emoji}>
            <button
              type="button"
              className="reaction-chip"
              data-testid="reaction-chip"
              data-emoji={reaction.emoji}
              aria-pressed={reaction.mine}
              title={label}
              disabled={!onToggle}
              onClick={() => onToggle?.(reaction)}
            >
              {/* The name starts with what is seen (WCAG 2.5.3), then says who reacted. */}
              <span className="reaction-emoji">{reaction.emoji}</span>
              <span className="reaction-count">{count}</span>
              <span className="visually-hidden">, {label}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
