import type { GroupChainUpdate, GroupDiff } from '@opendescent/protocol';
import type { SystemEvent } from './api';

/**
 * The lines a group change shows (groups.md §4.3), computed from the states before and after it,
 * never from the sender: the change format has no description. `by` is the author of the change.
 */
export function linesOfDiff(diff: GroupDiff, by: string): SystemEvent[] {
  const lines: SystemEvent[] = [
    ...diff.added.map((member): SystemEvent => ({ type: 'member_added', by, member: member.address })),
    ...diff.removed.map((member): SystemEvent => ({ type: 'member_removed', by, member })),
    ...diff.left.map((member): SystemEvent => ({ type: 'member_left', member })),
    ...diff.roleChanged.map((change): SystemEvent => ({
      type: 'role_changed',
      by,
      member: change.address,
      role: change.to,
    })),
  ];
  if (diff.titleChanged) lines.push({ type: 'title_changed', by, title: diff.titleChanged.to });
  const settings = diff.settingsChanged;
  if (settings) {
    const { from, to } = settings;
    if (from.announcementOnly !== to.announcementOnly || from.addBy !== to.addBy)
      lines.push({ type: 'group_settings_changed', by, announcementOnly: to.announcementOnly, addBy: to.addBy });
    if (from.disappearAfter !== to.disappearAfter)
      lines.push({ type: 'disappearing_set', by, seconds: to.disappearAfter });
  }
  return lines;
}

/**
 * Every line of one received update, in order, with the time its author gave (ms): first what a
 * branch switch undid, then each new change with its author.
 */
export function linesOfUpdate(update: GroupChainUpdate): { event: SystemEvent; at?: number }[] {
  const lines: { event: SystemEvent; at?: number }[] = [];
  if (update.undone) lines.push({ event: { type: 'group_change_undone' } });
  for (const step of update.steps)
    for (const event of linesOfDiff(step.diff, step.author.address)) lines.push({ event, at: step.issuedAt * 1000 });
  return lines;
}
