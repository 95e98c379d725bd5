import { constantTimeEqual } from '@opendescent/crypto';
import { PUBLIC_KEY_LENGTH } from '../attestation';
import { ProtocolError } from '../errors';
import { groupChangeHash, isCreation, verifyGroupChange, type GroupChange, type GroupOp } from './group-change';
import { diffGroupStates, type GroupDiff } from './group-diff';
import {
  groupMember,
  groupStateHash,
  MAX_GROUP_EPOCH,
  MAX_GROUP_MEMBERS,
  type GroupMember,
  type GroupState,
} from './group-state';

/**
 * Verifying and applying one change (docs/protocol/groups.md §4): pure, all or nothing. The
 * caller vouches for the author: `signingKey` is the identity key of a device that the person's
 * user key `userKey` approved (user-keys.md §2.5); this function checks that the change is signed
 * by that device, that the person is the member it names, and that the member's role allows
 * every operation.
 */
export interface GroupChangeAuthorKeys {
  /** The author device's Ed25519 identity signing key. */
  readonly signingKey: Uint8Array;
  /** The author person's Ed25519 user key. */
  readonly userKey: Uint8Array;
}

export interface AppliedGroupChange {
  readonly change: GroupChange;
  readonly state: GroupState;
  readonly stateHash: Uint8Array;
  /** SHA-256 of the signed change bytes: what the concurrent-change rule compares (§5). */
  readonly changeHash: Uint8Array;
  readonly diff: GroupDiff;
}

const refuse = (code: ConstructorParameters<typeof ProtocolError>[0], why: string) =>
  new ProtocolError(code, `group change: ${why}`);

export async function applyGroupChange(
  parent: GroupState | undefined,
  signedChange: Uint8Array,
  author: GroupChangeAuthorKeys,
): Promise<AppliedGroupChange> {
  const change = await verifyGroupChange(signedChange, author.signingKey);
  if (!(author.userKey instanceof Uint8Array) || author.userKey.length !== PUBLIC_KEY_LENGTH)
    throw refuse('malformed', 'the author user key must be 32 bytes');
  const state = applyGroupOps(parent, change, author.userKey);
  return {
    change,
    state,
    stateHash: groupStateHash(state),
    changeHash: groupChangeHash(signedChange),
    diff: diffGroupStates(parent, state, leaversOf(parent, state, change)),
  };
}

/** The change's author when its own `leave` took it out of the group (the only way to leave oneself). */
export function leaversOf(parent: GroupState | undefined, state: GroupState, change: GroupChange): Set<string> {
  const address = change.author.address;
  const gone = parent !== undefined && groupMember(parent, address) && !groupMember(state, address);
  return new Set(gone ? [address] : []);
}

/**
 * The state checks and the operations of §4, without the signature (checked by the caller, or
 * when the change was first received: group-chain.ts re-applies stored changes this way).
 * `authorUserKey` is the person key the author's device is approved under.
 */
export function applyGroupOps(
  parent: GroupState | undefined,
  change: GroupChange,
  authorUserKey: Uint8Array,
): GroupState {
  let members: GroupMember[];
  let { title, settings } = parent ?? { title: '', settings: undefined };
  const address = change.author.address;
  if (parent === undefined) {
    if (!isCreation(change)) throw refuse('wrong_parent', 'names a parent state, but none is given');
    if (change.epoch !== 1) throw refuse('wrong_epoch', 'a creation has epoch 1');
    members = [{ address, userKey: authorUserKey, role: 'admin' }];
  } else {
    if (!constantTimeEqual(change.groupId, parent.groupId)) throw refuse('wrong_group', 'for another group');
    if (isCreation(change)) throw refuse('wrong_parent', 'a creation cannot apply to an existing state');
    if (!constantTimeEqual(change.parentHash, groupStateHash(parent)))
      throw refuse('wrong_parent', 'names another parent state');
    if (parent.epoch >= MAX_GROUP_EPOCH) throw refuse('wrong_epoch', 'the group has reached its last epoch');
    if (change.epoch !== parent.epoch + 1) throw refuse('wrong_epoch', "must be the parent's epoch plus one");
    const recorded = groupMember(parent, address);
    if (recorded === undefined) throw refuse('not_a_member', 'the author is not a member');
    if (!constantTimeEqual(recorded.userKey, authorUserKey))
      throw refuse('not_a_member', 'the author is a member under another user key');
    members = [...parent.members];
  }
  for (const op of change.ops) {
    if (op.op === 'create') {
      ({ title, settings } = op);
      continue;
    }
    if (settings === undefined) throw refuse('malformed', 'a creation starts with create');
    const next = applyOp(members, settings.addBy, address, op);
    if (next.title !== undefined) title = next.title;
    if (next.settings !== undefined) settings = next.settings;
    members = next.members;
  }
  if (settings === undefined) throw refuse('malformed', 'a creation starts with create');
  if (members.length > 0 && !members.some((member) => member.role === 'admin'))
    throw refuse('last_admin', 'would leave members but no administrator');
  members.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { groupId: change.groupId, epoch: change.epoch, title, settings, members };
}

/**
 * One operation under the rights of §4.2, against the members as the earlier operations of the
 * same change left them (a change is the same as its operations made one by one).
 */
function applyOp(
  members: GroupMember[],
  addBy: 'admins' | 'everyone',
  authorAddress: string,
  op: Exclude<GroupOp, { op: 'create' }>,
): { members: GroupMember[]; title?: string; settings?: GroupState['settings'] } {
  const author = members.find((member) => member.address === authorAddress);
  if (author === undefined) throw refuse('not_a_member', 'the author is no longer a member');
  const admin = author.role === 'admin';
  const indexOf = (address: string) => members.findIndex((member) => member.address === address);
  const needAdmin = (what: string) => {
    if (!admin) throw refuse('not_allowed', `only an administrator may ${what}`);
  };
  switch (op.op) {
    case 'add': {
      if (!admin && !(addBy === 'everyone' && op.role === 'member'))
        throw refuse('not_allowed', 'this member may not add (or not with this role)');
      if (indexOf(op.address) >= 0) throw refuse('duplicate_member', 'adds a member');
      if (members.length >= MAX_GROUP_MEMBERS)
        throw refuse('too_many_members', `a group has at most ${MAX_GROUP_MEMBERS} members`);
      return { members: [...members, { address: op.address, userKey: op.userKey, role: op.role }] };
    }
    case 'remove': {
      if (op.address === authorAddress) throw refuse('not_allowed', 'nobody removes themselves: that is leave');
      needAdmin('remove members');
      const index = indexOf(op.address);
      if (index < 0) throw refuse('unknown_member', 'removes someone who is not a member');
      return { members: members.filter((_, i) => i !== index) };
    }
    case 'leave':
      return { members: members.filter((member) => member !== author) };
    case 'role': {
      needAdmin('change roles');
      const index = indexOf(op.address);
      if (index < 0) throw refuse('unknown_member', 'changes the role of someone who is not a member');
      return { members: members.map((member, i) => (i === index ? { ...member, role: op.role } : member)) };
    }
    case 'title':
      needAdmin('change the title');
      return { members, title: op.title };
    case 'settings':
      needAdmin('change the settings');
      return { members, settings: op.settings };
  }
}
