import {
  GROUP_CHAIN_HISTORY,
  GroupChain,
  MAX_PENDING_GROUP_CHANGES,
  applyGroupChange,
  groupChangeHash,
  type GroupAuthorResolver,
  type GroupState,
} from '../../src/index';
import { hex, labelled } from '../support';
import { add, changeBy, create, person, refusal, type Person } from './fixtures';

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('GroupChain (groups.md §5)', () => {
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let resolve: GroupAuthorResolver;
  let creation: Uint8Array;
  let start: GroupState; // alice and bob administrators, carol a member
  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')]);
    const people = [alice, bob, carol];
    resolve = (address, deviceId) =>
      people.find((p) => p.address === address && hex(p.deviceId) === hex(deviceId))?.keys;
    creation = await changeBy(alice, undefined, [create(), add(bob, 'admin'), add(carol)]);
    start = (await applyGroupChange(undefined, creation, alice.keys)).state;
  });

  const newChain = () => GroupChain.create(creation, alice.keys);
  const after = async (parent: GroupState, bytes: Uint8Array, author: Person) =>
    (await applyGroupChange(parent, bytes, author.keys)).state;

  it('ends every member on the same head whatever order two admins’ concurrent changes arrive in, dropping the losing branch and its child', async () => {
    const byAlice = await changeBy(alice, start, [{ op: 'title', title: 'Alice’s title' }]);
    const byBob = await changeBy(bob, start, [{ op: 'remove', address: carol.address }]);
    const aliceWins = hex(groupChangeHash(byAlice)) < hex(groupChangeHash(byBob));
    const [winner, loser] = aliceWins ? [byAlice, byBob] : [byBob, byAlice];
    const [winnerAuthor, loserAuthor] = aliceWins ? [alice, bob] : [bob, alice];
    const winnerState = await after(start, winner, winnerAuthor);
    const loserState = await after(start, loser, loserAuthor);
    const winnerChild = await changeBy(winnerAuthor, winnerState, [{ op: 'title', title: 'Then this' }]);
    const loserChild = await changeBy(loserAuthor, loserState, [{ op: 'title', title: 'Lost' }]);
    const expectedHead = hex((await applyGroupChange(winnerState, winnerChild, winnerAuthor.keys)).stateHash);
    const named = new Map([
      [hex(groupChangeHash(winner)), 'winner'],
      [hex(groupChangeHash(loser)), 'loser'],
      [hex(groupChangeHash(winnerChild)), 'winnerChild'],
      [hex(groupChangeHash(loserChild)), 'loserChild'],
    ]);
    const orders = permutations([winner, loser, winnerChild, loserChild]);
    expect(orders).toHaveLength(24);
    for (const order of orders) {
      const chain = await newChain();
      const applied = new Set<string>();
      const dropped = new Set<string>();
      for (const bytes of order) {
        const update = await chain.receive(bytes, resolve);
        update.applied.forEach((h) => applied.add(named.get(hex(h)) ?? 'other'));
        update.dropped.forEach((h) => dropped.add(named.get(hex(h)) ?? 'other'));
        expect(update.refused).toEqual([]);
      }
      expect(hex(chain.head.hash)).toBe(expectedHead);
      expect([...dropped].sort()).toEqual(['loser', 'loserChild']);
      expect(applied.has('winner') && applied.has('winnerChild')).toBe(true);
    }
  });

  it('switches branch when a lower competitor arrives late, and the diff goes from the old head to the new one', async () => {
    const a = await changeBy(alice, start, [{ op: 'title', title: 'By alice' }]);
    const b = await changeBy(bob, start, [{ op: 'title', title: 'By bob' }]);
    const [low, high] = hex(groupChangeHash(a)) < hex(groupChangeHash(b)) ? [a, b] : [b, a];
    const chain = await newChain();
    await chain.receive(creation, resolve); // replayed creation: no-op
    const first = await chain.receive(high, resolve);
    expect(first.applied.map(hex)).toEqual([hex(groupChangeHash(high))]);
    const switched = await chain.receive(low, resolve);
    expect(switched.applied.map(hex)).toEqual([hex(groupChangeHash(low))]);
    expect(switched.dropped.map(hex)).toEqual([hex(groupChangeHash(high))]);
    const titles = low === a ? ['By bob', 'By alice'] : ['By alice', 'By bob'];
    expect(switched.diff.titleChanged).toEqual({ from: titles[0], to: titles[1] });
  });

  it('treats a replayed change as a no-op (applied: [])', async () => {
    const chain = await newChain();
    const change = await changeBy(alice, start, [{ op: 'title', title: 'Once' }]);
    await chain.receive(change, resolve);
    const head = hex(chain.head.hash);
    const replay = await chain.receive(change, resolve);
    expect(replay).toMatchObject({ applied: [], dropped: [], pending: false });
    expect(hex(chain.head.hash)).toBe(head);
  });

  it('holds an out-of-order child until its parent arrives, then applies both', async () => {
    const parent = await changeBy(alice, start, [{ op: 'title', title: 'Parent' }]);
    const child = await changeBy(bob, await after(start, parent, alice), [{ op: 'title', title: 'Child' }]);
    const chain = await newChain();
    const early = await chain.receive(child, resolve);
    expect(early).toMatchObject({ applied: [], pending: true });
    const late = await chain.receive(parent, resolve);
    expect(late.applied.map(hex)).toEqual([parent, child].map((c) => hex(groupChangeHash(c))));
    expect(chain.head.state.title).toBe('Child');
    expect(late.diff.titleChanged).toEqual({ from: 'Example committee', to: 'Child' });
  });

  it('reports a pending change that is invalid on its parent as refused, and still applies the parent', async () => {
    const parent = await changeBy(alice, start, [{ op: 'title', title: 'Parent' }]);
    const byMember = await changeBy(carol, await after(start, parent, alice), [{ op: 'title', title: 'Not allowed' }]);
    const chain = await newChain();
    await chain.receive(byMember, resolve);
    const update = await chain.receive(parent, resolve);
    expect(update.refused.map((r) => r.code)).toEqual(['not_allowed']);
    expect(chain.head.state.title).toBe('Parent');
  });

  it('refuses an unknown author device (unknown_author) and leaves the chain as it was', async () => {
    const chain = await newChain();
    const head = hex(chain.head.hash);
    const change = await changeBy(alice, start, [{ op: 'title', title: 'x' }]);
    expect(await refusal(chain.receive(change, () => undefined))).toBe('unknown_author');
    const bad = await changeBy(carol, start, [{ op: 'title', title: 'x' }]);
    expect(await refusal(chain.receive(bad, resolve))).toBe('not_allowed');
    expect(hex(chain.head.hash)).toBe(head);
  });

  it(`refuses a competitor for a state older than the last ${GROUP_CHAIN_HISTORY} (too_old)`, async () => {
    const chain = await newChain();
    let state = start;
    for (let i = 0; i < GROUP_CHAIN_HISTORY; i += 1) {
      const change = await changeBy(alice, state, [{ op: 'title', title: `Title ${i}` }]);
      await chain.receive(change, resolve);
      state = chain.head.state;
    }
    const rewrite = await changeBy(bob, start, [{ op: 'title', title: 'Rewrite history' }]);
    expect(await refusal(chain.receive(rewrite, resolve))).toBe('too_old');
  });

  it(`refuses more than ${MAX_PENDING_GROUP_CHANGES} changes waiting for a parent (too_many_pending)`, async () => {
    const chain = await newChain();
    const orphan = (i: number) =>
      changeBy(alice, start, [{ op: 'title', title: 'Orphan' }], { parentHash: labelled(`unseen ${i}`, 32) });
    for (let i = 0; i < MAX_PENDING_GROUP_CHANGES; i += 1)
      expect((await chain.receive(await orphan(i), resolve)).pending).toBe(true);
    expect(await refusal(chain.receive(await orphan(MAX_PENDING_GROUP_CHANGES), resolve))).toBe('too_many_pending');
  });

  it('refuses a pending change with a bad signature before holding it', async () => {
    const chain = await newChain();
    const orphan = await changeBy(alice, start, [{ op: 'title', title: 'x' }], { parentHash: labelled('unseen', 32) });
    const forged = (address: string, deviceId: Uint8Array) =>
      address === alice.address ? { ...alice.keys, signingKey: bob.keys.signingKey } : resolve(address, deviceId);
    expect(await refusal(chain.receive(orphan, forged))).toBe('bad_signature');
  });

  it('serialises and deserialises: same head, pending changes kept', async () => {
    const chain = await newChain();
    const one = await changeBy(alice, start, [{ op: 'title', title: 'One' }, add(await person('dave'))]);
    await chain.receive(one, resolve);
    const two = await changeBy(bob, chain.head.state, [{ op: 'leave' }]);
    const three = await changeBy(alice, await after(chain.head.state, two, bob), [{ op: 'title', title: 'Three' }]);
    await chain.receive(three, resolve); // pending: its parent `two` is not seen yet
    const restored = GroupChain.deserialise(chain.serialise());
    expect(hex(restored.head.hash)).toBe(hex(chain.head.hash));
    const update = await restored.receive(two, resolve);
    expect(update.applied).toHaveLength(2);
    expect(update.diff.left).toEqual([bob.address]);
    expect(restored.head.state.title).toBe('Three');
  });
  it('reports each new change with its author and its own diff, and what a branch switch undid', async () => {
    const chain = await newChain();
    const byAlice = await changeBy(alice, start, [{ op: 'title', title: 'Alice’s title' }]);
    const byBob = await changeBy(bob, start, [{ op: 'remove', address: carol.address }]);
    const aliceWins = hex(groupChangeHash(byAlice)) < hex(groupChangeHash(byBob));
    const [winner, loser] = aliceWins ? [byAlice, byBob] : [byBob, byAlice];
    const [winnerAuthor, loserAuthor] = aliceWins ? [alice, bob] : [bob, alice];
    const first = await chain.receive(loser, resolve);
    expect(first.steps).toHaveLength(1);
    expect(first.steps[0]?.author.address).toBe(loserAuthor.address);
    expect(first.undone).toBeUndefined();
    const child = await changeBy(winnerAuthor, await after(start, winner, winnerAuthor), [{ op: 'leave' }]);
    await chain.receive(child, resolve); // waits for its parent
    const second = await chain.receive(winner, resolve);
    expect(second.steps.map((step) => step.author.address)).toEqual([winnerAuthor.address, winnerAuthor.address]);
    expect(second.steps[1]?.diff.left).toEqual([winnerAuthor.address]);
    expect(second.dropped.map(hex)).toEqual([hex(groupChangeHash(loser))]);
    // The loser's effect is undone: a removed Carol comes back, or a changed title returns.
    const undone = second.undone;
    expect(undone).toBeDefined();
    if (aliceWins) expect(undone?.added.map((m) => m.address)).toEqual([carol.address]);
    else expect(undone?.titleChanged).toEqual({ from: 'Alice’s title', to: start.title });
  });
});
