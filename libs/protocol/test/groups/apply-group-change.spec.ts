import {
  MAX_GROUP_EPOCH,
  MAX_GROUP_MEMBERS,
  applyGroupChange,
  groupStateHash,
  mayPost,
  type GroupMember,
  type GroupState,
} from '../../src/index';
import { hex, labelled } from '../support';
import { SETTINGS, add, changeBy, create, groupId, person, refusal, step, type Person } from './fixtures';

describe('applyGroupChange (groups.md §4)', () => {
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let dave: Person;
  let group: GroupState; // alice admin, bob and carol members
  beforeAll(async () => {
    [alice, bob, carol, dave] = await Promise.all([person('alice'), person('bob'), person('carol'), person('dave')]);
    group = await step(alice, undefined, [create(), add(bob), add(carol)]);
  });

  it('creates a group: epoch 1, the author its only administrator, members sorted by address', async () => {
    const applied = await applyGroupChange(
      undefined,
      await changeBy(alice, undefined, [create(), add(carol), add(bob)]),
      alice.keys,
    );
    expect(applied.state.epoch).toBe(1);
    expect(applied.state.members.map((m) => [m.address, m.role])).toEqual([
      [alice.address, 'admin'],
      [bob.address, 'member'],
      [carol.address, 'member'],
    ]);
    expect(hex(applied.stateHash)).toBe(hex(groupStateHash(applied.state)));
    expect(applied.diff.added.map((a) => a.address)).toEqual([alice.address, bob.address, carol.address]);
  });

  it('refuses a bad signature: signed by another device than the author keys vouched for', async () => {
    const bytes = await changeBy(alice, group, [{ op: 'title', title: 'New' }]);
    expect(await refusal(applyGroupChange(group, bytes, { ...alice.keys, signingKey: bob.keys.signingKey }))).toBe(
      'bad_signature',
    );
    const tampered = bytes.slice();
    tampered[20] = (tampered[20] as number) ^ 1;
    expect(await refusal(applyGroupChange(group, tampered, alice.keys))).toBe('bad_signature');
  });

  it('refuses wrong group, wrong parent and wrong epoch', async () => {
    const title = [{ op: 'title', title: 'New' } as const];
    const otherGroup = await changeBy(alice, group, title, { groupId: labelled('another group', 16) });
    expect(await refusal(applyGroupChange(group, otherGroup, alice.keys))).toBe('wrong_group');
    const otherParent = await changeBy(alice, group, title, { parentHash: labelled('another state', 32) });
    expect(await refusal(applyGroupChange(group, otherParent, alice.keys))).toBe('wrong_parent');
    const creationOnState = await changeBy(alice, undefined, [create()]);
    expect(await refusal(applyGroupChange(group, creationOnState, alice.keys))).toBe('wrong_parent');
    const noParentGiven = await changeBy(alice, group, title);
    expect(await refusal(applyGroupChange(undefined, noParentGiven, alice.keys))).toBe('wrong_parent');
    const skipped = await changeBy(alice, group, title, { epoch: group.epoch + 2 });
    expect(await refusal(applyGroupChange(group, skipped, alice.keys))).toBe('wrong_epoch');
    const creationAt2 = await changeBy(alice, undefined, [create()], { epoch: 2 });
    expect(await refusal(applyGroupChange(undefined, creationAt2, alice.keys))).toBe('wrong_epoch');
  });

  it('refuses every change on a state at the last epoch (overflow epoch: u32 max)', async () => {
    const last: GroupState = { ...group, epoch: MAX_GROUP_EPOCH };
    const bytes = await changeBy(alice, last, [{ op: 'title', title: 'New' }], { epoch: MAX_GROUP_EPOCH });
    expect(await refusal(applyGroupChange(last, bytes, alice.keys))).toBe('wrong_epoch');
    expect(await refusal(changeBy(alice, last, [{ op: 'title', title: 'New' }]))).toBe('malformed');
  });

  it('refuses a non-member author, and a member author under another user key (wrong user key)', async () => {
    const byDave = await changeBy(dave, group, [{ op: 'leave' }]);
    expect(await refusal(applyGroupChange(group, byDave, dave.keys))).toBe('not_a_member');
    const byBob = await changeBy(bob, group, [{ op: 'leave' }]);
    expect(await refusal(applyGroupChange(group, byBob, { ...bob.keys, userKey: dave.userKey }))).toBe('not_a_member');
  });

  it('refuses a non-admin add while addBy is admins', async () => {
    expect(await refusal(applyGroupChange(group, await changeBy(bob, group, [add(dave)]), bob.keys))).toBe(
      'not_allowed',
    );
  });

  it('lets any member add with addBy everyone, but only as member, never as admin', async () => {
    const open = await step(alice, group, [{ op: 'settings', settings: { ...SETTINGS, addBy: 'everyone' } }]);
    const added = await step(bob, open, [add(dave)]);
    expect(added.members.map((m) => m.address)).toContain(dave.address);
    const asAdmin = await changeBy(bob, open, [add(dave, 'admin')]);
    expect(await refusal(applyGroupChange(open, asAdmin, bob.keys))).toBe('not_allowed');
  });

  it('refuses a non-admin remove, role, title and settings change', async () => {
    const ops = [
      { op: 'remove', address: carol.address },
      { op: 'role', address: bob.address, role: 'admin' },
      { op: 'title', title: 'Mine now' },
      { op: 'settings', settings: { ...SETTINGS, announcementOnly: true } },
    ] as const;
    for (const op of ops)
      expect(await refusal(applyGroupChange(group, await changeBy(bob, group, [op]), bob.keys))).toBe('not_allowed');
  });

  it('refuses removing oneself (that is leave), even for an administrator', async () => {
    const bytes = await changeBy(alice, group, [{ op: 'remove', address: alice.address }]);
    expect(await refusal(applyGroupChange(group, bytes, alice.keys))).toBe('not_allowed');
  });

  it('lets a member leave; the diff says left, not removed', async () => {
    const applied = await applyGroupChange(group, await changeBy(bob, group, [{ op: 'leave' }]), bob.keys);
    expect(applied.state.members.map((m) => m.address)).toEqual([alice.address, carol.address]);
    expect(applied.diff).toEqual({ added: [], removed: [], left: [bob.address], roleChanged: [] });
  });

  it('refuses the last admin leaving or demoting themselves while others remain (last_admin)', async () => {
    expect(await refusal(applyGroupChange(group, await changeBy(alice, group, [{ op: 'leave' }]), alice.keys))).toBe(
      'last_admin',
    );
    const demote = await changeBy(alice, group, [{ op: 'role', address: alice.address, role: 'member' }]);
    expect(await refusal(applyGroupChange(group, demote, alice.keys))).toBe('last_admin');
    // Promoting someone first in the same change makes both allowed.
    const handOver = await step(alice, group, [{ op: 'role', address: bob.address, role: 'admin' }, { op: 'leave' }]);
    expect(handOver.members.map((m) => [m.address, m.role])).toEqual([
      [bob.address, 'admin'],
      [carol.address, 'member'],
    ]);
  });

  it('lets the last member leave: the group ends with 0 members and no change applies after', async () => {
    const alone = await step(alice, undefined, [create()]);
    const ended = await step(alice, alone, [{ op: 'leave' }]);
    expect(ended.members).toEqual([]);
    const after = await changeBy(alice, ended, [{ op: 'title', title: 'Back' }]);
    expect(await refusal(applyGroupChange(ended, after, alice.keys))).toBe('not_a_member');
  });

  it('takes 1000 members and refuses the 1001st (too_many_members)', async () => {
    const others = (count: number): GroupMember[] =>
      Array.from({ length: count }, (_, i) => ({
        address: `m${String(i).padStart(4, '0')}@ministry.example`,
        userKey: labelled(`member ${i}`, 32),
        role: 'member' as const,
      }));
    const adminOf = { address: alice.address, userKey: alice.userKey, role: 'admin' as const };
    const sorted = (members: GroupMember[]) => [...members].sort((a, b) => (a.address < b.address ? -1 : 1));
    const at999: GroupState = { ...group, members: sorted([adminOf, ...others(MAX_GROUP_MEMBERS - 2)]) };
    const full = await step(alice, at999, [add(dave)]);
    expect(full.members).toHaveLength(MAX_GROUP_MEMBERS);
    const over = await changeBy(alice, full, [add(await person('eve'))]);
    expect(await refusal(applyGroupChange(full, over, alice.keys))).toBe('too_many_members');
  });

  it('refuses a duplicate add and a remove or role change of an unknown member', async () => {
    expect(await refusal(applyGroupChange(group, await changeBy(alice, group, [add(bob)]), alice.keys))).toBe(
      'duplicate_member',
    );
    const remove = await changeBy(alice, group, [{ op: 'remove', address: dave.address }]);
    expect(await refusal(applyGroupChange(group, remove, alice.keys))).toBe('unknown_member');
    const role = await changeBy(alice, group, [{ op: 'role', address: dave.address, role: 'admin' }]);
    expect(await refusal(applyGroupChange(group, role, alice.keys))).toBe('unknown_member');
  });

  it('is all or nothing: a refused last op leaves no trace of the earlier ones', async () => {
    const bytes = await changeBy(alice, group, [{ op: 'title', title: 'Half' }, add(bob)]);
    expect(await refusal(applyGroupChange(group, bytes, alice.keys))).toBe('duplicate_member');
    expect(group.title).toBe('Example committee');
  });

  it('computes the diff from the two states: added, removed, roles, title, settings', async () => {
    const next = { ...SETTINGS, announcementOnly: true, disappearAfter: 3600 };
    const bytes = await changeBy(alice, group, [
      { op: 'remove', address: carol.address },
      add(dave),
      { op: 'role', address: bob.address, role: 'admin' },
      { op: 'title', title: 'Board' },
      { op: 'settings', settings: next },
    ]);
    const { diff } = await applyGroupChange(group, bytes, alice.keys);
    expect(diff).toEqual({
      added: [{ address: dave.address, role: 'member' }],
      removed: [carol.address],
      left: [],
      roleChanged: [{ address: bob.address, from: 'member', to: 'admin' }],
      titleChanged: { from: 'Example committee', to: 'Board' },
      settingsChanged: { from: SETTINGS, to: next },
    });
  });

  it('mayPost: members only, and only administrators when announcementOnly', async () => {
    expect([mayPost(group, alice.address), mayPost(group, bob.address), mayPost(group, dave.address)]).toEqual([
      true,
      true,
      false,
    ]);
    const announcements = await step(alice, group, [
      { op: 'settings', settings: { ...SETTINGS, announcementOnly: true } },
    ]);
    expect([mayPost(announcements, alice.address), mayPost(announcements, bob.address)]).toEqual([true, false]);
  });

  it('keeps the group id of the chain it belongs to', () => {
    expect(hex(group.groupId)).toBe(hex(groupId));
  });
});
