import { constantTimeEqual } from '@opendescent/crypto';
import { groupMember, type GroupRole, type GroupSettings, type GroupState } from './group-state';

/**
 * What changed between two states (docs/protocol/groups.md §4.3): the only source of the system
 * lines a client shows ("Alice added Bob"). It is computed by comparing the states, never taken
 * from the sender: a change carries operations and no description, so it cannot say one thing and
 * do another.
 */
export interface GroupDiff {
  readonly added: readonly { readonly address: string; readonly role: GroupRole }[];
  /** Gone by someone else's `remove`. */
  readonly removed: readonly string[];
  /** Gone by their own `leave`. */
  readonly left: readonly string[];
  readonly roleChanged: readonly { readonly address: string; readonly from: GroupRole; readonly to: GroupRole }[];
  readonly titleChanged?: { readonly from: string; readonly to: string };
  readonly settingsChanged?: { readonly from: GroupSettings; readonly to: GroupSettings };
}

export const EMPTY_GROUP_DIFF: GroupDiff = { added: [], removed: [], left: [], roleChanged: [] };

function sameSettings(a: GroupSettings, b: GroupSettings): boolean {
  return a.announcementOnly === b.announcementOnly && a.addBy === b.addBy && a.disappearAfter === b.disappearAfter;
}

/**
 * Compares `before` (undefined: the group did not exist) with `after`. `leavers` are the
 * addresses that left by their own `leave` (a change's author, who cannot `remove` themselves);
 * every other member gone was removed. A member whose user key changed under the same address
 * shows as removed and added: it is another person's key.
 */
export function diffGroupStates(
  before: GroupState | undefined,
  after: GroupState,
  leavers: ReadonlySet<string> = new Set(),
): GroupDiff {
  const added: { address: string; role: GroupRole }[] = [];
  const removed: string[] = [];
  const left: string[] = [];
  const roleChanged: { address: string; from: GroupRole; to: GroupRole }[] = [];
  const previous = before?.members ?? [];
  for (const old of previous) {
    const now = groupMember(after, old.address);
    if (now === undefined || !constantTimeEqual(now.userKey, old.userKey)) {
      (leavers.has(old.address) && now === undefined ? left : removed).push(old.address);
    } else if (now.role !== old.role) {
      roleChanged.push({ address: old.address, from: old.role, to: now.role });
    }
  }
  for (const member of after.members) {
    const old = before === undefined ? undefined : groupMember(before, member.address);
    if (old === undefined || !constantTimeEqual(old.userKey, member.userKey))
      added.push({ address: member.address, role: member.role });
  }
  const diff: GroupDiff = { added, removed, left, roleChanged };
  return {
    ...diff,
    ...(before !== undefined && before.title !== after.title
      ? { titleChanged: { from: before.title, to: after.title } }
      : {}),
    ...(before !== undefined && !sameSettings(before.settings, after.settings)
      ? { settingsChanged: { from: before.settings, to: after.settings } }
      : {}),
  };
}

/** Whether `address` may post to the group: a member, and an administrator when announcementOnly. */
export function mayPost(state: GroupState, address: string): boolean {
  const member = groupMember(state, address);
  if (member === undefined) return false;
  return !state.settings.announcementOnly || member.role === 'admin';
}
