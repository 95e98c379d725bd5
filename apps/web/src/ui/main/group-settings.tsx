import { useId } from 'react';
import type { ConversationView, GroupSettingsInput } from '../../messenger/api';
import { useI18n } from '../i18n-context';

/**
 * A group's settings (groups.md §2): administrators change who posts and who adds members, each
 * change a signed change every member sees as a line; other members read what holds.
 */
export function GroupSettings({
  conversation,
  busy,
  onChange,
}: {
  conversation: ConversationView;
  busy: boolean;
  onChange: (settings: GroupSettingsInput) => void;
}) {
  const { t } = useI18n();
  const ids = { heading: useId(), announcement: useId(), addBy: useId() };
  const group = conversation.group;
  if (!group) return null;
  if (!group.isAdmin || !conversation.active)
    return (
      <p className="hint" data-testid="group-settings-summary">
        {t('details.settings-summary', {
          announcementOnly: String(group.announcementOnly),
          addBy: group.addBy,
        })}
      </p>
    );
  return (
    <section aria-labelledby={ids.heading} className="group-settings">
      <h3 id={ids.heading}>{t('details.settings')}</h3>
      <div className="checkbox">
        <input
          id={ids.announcement}
          type="checkbox"
          data-testid="group-setting-announcement"
          checked={group.announcementOnly}
          disabled={busy}
          onChange={(event) => onChange({ announcementOnly: event.target.checked })}
        />
        <label htmlFor={ids.announcement}>{t('details.announcement')}</label>
      </div>
      <div className="field">
        <label htmlFor={ids.addBy}>{t('details.add-by')}</label>
        <select
          id={ids.addBy}
          data-testid="group-setting-add-by"
          value={group.addBy}
          disabled={busy}
          onChange={(event) => onChange({ addBy: event.target.value === 'everyone' ? 'everyone' : 'admins' })}
        >
          <option value="admins">{t('details.add-by-admins')}</option>
          <option value="everyone">{t('details.add-by-everyone')}</option>
        </select>
      </div>
    </section>
  );
}
