import type { ConversationView, SystemEvent } from '../../messenger/api';
import { findMember } from '../conversation-format';
import type { I18n } from '../i18n-context';

/** A system line for people: names instead of addresses, "you" for this user. */
export function describeSystemEvent(
  event: SystemEvent,
  conversation: ConversationView,
  i18n: Pick<I18n, 't' | 'formatDuration'>,
  /** This user's address: "you" also in a group they were removed from or left. */
  selfAddress?: string,
): string {
  const { t, formatDuration } = i18n;
  const isSelf = (address: string) =>
    findMember(conversation, address)?.isSelf === true || address.toLowerCase() === selfAddress?.toLowerCase();
  const name = (address: string) => {
    if (isSelf(address)) return t('common.you');
    return findMember(conversation, address)?.displayName || address;
  };
  const text = (() => {
    switch (event.type) {
      case 'group_created':
        return t('system.group_created', { by: name(event.by) });
      case 'member_added':
        return isSelf(event.member)
          ? t('system.member_added-you', { by: name(event.by) })
          : t('system.member_added', { by: name(event.by), member: name(event.member) });
      case 'member_removed':
        return isSelf(event.member)
          ? t('system.member_removed-you', { by: name(event.by) })
          : t('system.member_removed', { by: name(event.by), member: name(event.member) });
      case 'member_left':
        return isSelf(event.member)
          ? t('system.member_left-you')
          : t('system.member_left', { member: name(event.member) });
      case 'key_changed':
        return t('system.key_changed', { member: name(event.member) });
      case 'device_added':
        return isSelf(event.member)
          ? t('system.device_added-you')
          : t('system.device_added', { member: name(event.member) });
      case 'device_revoked':
        return isSelf(event.member)
          ? t('system.device_revoked-you')
          : t('system.device_revoked', { member: name(event.member) });
      case 'device_not_logged':
        return isSelf(event.member)
          ? t('system.device_not_logged-you')
          : t('system.device_not_logged', { member: name(event.member) });
      case 'device_log_pending':
        return t('system.device_log_pending', { member: name(event.member) });
      case 'device_unapproved':
        return isSelf(event.member)
          ? t('system.device_unapproved-you')
          : t('system.device_unapproved', { member: name(event.member) });
      case 'user_key_changed':
        return isSelf(event.member)
          ? t('system.user_key_changed-you')
          : t('system.user_key_changed', { member: name(event.member) });
      case 'user_key_accepted':
        return isSelf(event.member)
          ? t('system.user_key_accepted-you')
          : t('system.user_key_accepted', { member: name(event.member) });
      case 'disappearing_set':
        return event.seconds === null
          ? t('system.disappearing_off', { by: name(event.by) })
          : t('system.disappearing_set', { by: name(event.by), duration: formatDuration(event.seconds) });
      case 'history_shared':
        // Shared with the sharer's own other devices: said as such, not "with Alice" by Alice.
        if (event.with === event.by)
          return isSelf(event.by)
            ? t('system.history_shared-own-you', { count: event.count })
            : t('system.history_shared-own', { count: event.count, by: name(event.by) });
        return isSelf(event.by)
          ? t('system.history_shared-by-you', { count: event.count, member: name(event.with) })
          : t('system.history_shared', { count: event.count, by: name(event.by), member: name(event.with) });
      case 'role_changed':
        return isSelf(event.member)
          ? t('system.role_changed-you', { by: name(event.by), role: event.role })
          : t('system.role_changed', { by: name(event.by), member: name(event.member), role: event.role });
      case 'title_changed':
        return t('system.title_changed', { by: name(event.by), title: event.title });
      case 'group_settings_changed':
        return t('system.group_settings_changed', {
          by: name(event.by),
          announcementOnly: String(event.announcementOnly),
          addBy: event.addBy,
        });
      case 'group_change_undone':
        return t('system.group_change_undone');
      case 'group_change_pending':
        return t('system.group_change_pending', { member: name(event.member) });
    }
  })();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
