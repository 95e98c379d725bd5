import { useId } from 'react';
import type { ConversationView, NotifyLevel } from '../../messenger/api';
import { ErrorMessage } from '../components/error-message';
import { Icon } from '../components/icon';
import { useI18n } from '../i18n-context';
import { useAction, useMessenger } from '../messenger-context';

const LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'none'];

/**
 * The levels offered for `conversation`: "Mentions only" in groups, where mentions exist (in a
 * direct conversation it would silence every message, which "Off" already says), and the current
 * level always, so the select never shows another one than the worker applies.
 */
export function notifyLevelChoices(conversation: ConversationView): readonly NotifyLevel[] {
  return LEVELS.filter(
    (level) => level !== 'mentions' || conversation.kind === 'group' || conversation.notify === level,
  );
}

function isNotifyLevel(value: string): value is NotifyLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/**
 * Which messages of the conversation raise a notification on this device (NotifyLevel): an icon,
 * a visually hidden label and the select, beside the disappearing-messages one in the header.
 */
export function NotifyLevelSelect({ conversation }: { conversation: ConversationView }) {
  const { t } = useI18n();
  const { api, refresh } = useMessenger();
  const { run, busy, error } = useAction();
  const id = useId();
  const label = t('notify.label');

  return (
    <div className="notify-level" data-level={conversation.notify}>
      <label htmlFor={id} title={label}>
        <Icon name={conversation.notify === 'none' ? 'bell-off' : 'bell'} />
        <span className="visually-hidden">{label}</span>
      </label>
      <select
        id={id}
        data-testid="notify-level-select"
        value={conversation.notify}
        disabled={busy || !conversation.active}
        onChange={(event) => {
          const level = event.target.value;
          if (!isNotifyLevel(level)) return;
          void run(() => api.setNotify(conversation.id, level)).then(async (result) => {
            if (result.ok) await refresh();
          });
        }}
      >
        {notifyLevelChoices(conversation).map((level) => (
          <option key={level} value={level}>
            {t(`notify.${level}`)}
          </option>
        ))}
      </select>
      {error && <ErrorMessage error={error} />}
    </div>
  );
}
