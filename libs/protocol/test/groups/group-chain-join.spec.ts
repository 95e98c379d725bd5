import { GroupChain, applyGroupChange, type GroupAuthorResolver, type GroupState } from '../../src/index';
import { hex, labelled } from '../support';
import { add, changeBy, create, person, refusal, type Person } from './fixtures';

/** Joining from a chain a member hands over (groups.md §5.4), as a new member or a new device does. */
describe('GroupChain.join (groups.md §5.4)', () => {
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let dave: Person;
  let resolve: GroupAuthorResolver;
  let creation: Uint8Array;
  let start: GroupState;
  beforeAll(async () => {
    [alice, bob, carol, dave] = await Promise.all([person('alice'), person('bob'), person('carol'), person('dave')]);
    const people = [alice, bob, carol, dave];
    resolve = (address, deviceId) =>
      people.find((p) => p.address === address && hex(p.deviceId) === hex(deviceId))?.keys;
    creation = await changeBy(alice, undefined, [create(), add(bob, 'admin'), add(carol)]);
    start = (await applyGroupChange(undefined, creation, alice.keys)).state;
  });

  /** Alice's chain after she added Dave; one change waits for a parent she has not seen. */
  async function handedOver(): Promise<{ chain: GroupChain; addDave: Uint8Array }> {
    const chain = await GroupChain.create(creation, alice.keys);
    const addDave = await changeBy(alice, start, [add(dave)]);
    await chain.receive(addDave, resolve);
    const orphan = await changeBy(bob, chain.head.state, [{ op: 'title', title: 'x' }], {
      parentHash: labelled('unseen', 32),
    });
    expect((await chain.receive(orphan, resolve)).pending).toBe(true);
    return { chain, addDave };
  }

  it('gives the joiner the same head and branch, without the pending changes, every change verified', async () => {
    const { chain, addDave } = await handedOver();
    const { chain: joined, unverified } = await GroupChain.join(chain.serialise(), resolve);
    expect(unverified).toBe(0);
    expect(hex(joined.head.hash)).toBe(hex(chain.head.hash));
    expect(joined.branch().map(hex)).toEqual([hex(creation), hex(addDave)]);
    expect(joined.serialise().length).toBeLessThan(chain.serialise().length);
    // The joiner then follows the group like any member.
    const title = await changeBy(bob, joined.head.state, [{ op: 'title', title: 'After Dave' }]);
    expect((await joined.receive(title, resolve)).applied).toHaveLength(1);
    expect(joined.head.state.title).toBe('After Dave');
  });

  it('counts the changes by authors the joiner does not know, and verifies the rest', async () => {
    const { chain } = await handedOver();
    const onlyDave: GroupAuthorResolver = (address, deviceId) =>
      address === dave.address ? resolve(address, deviceId) : undefined;
    const { unverified } = await GroupChain.join(chain.serialise(), onlyDave);
    expect(unverified).toBe(2);
  });

  it('refuses a handover with a forged signature (bad_signature)', async () => {
    const { chain } = await handedOver();
    const record = chain.serialise();
    const forged: GroupAuthorResolver = (address, deviceId) =>
      address === alice.address ? { ...alice.keys, signingKey: bob.keys.signingKey } : resolve(address, deviceId);
    expect(await refusal(GroupChain.join(record, forged))).toBe('bad_signature');
  });

  it('refuses a change whose author is known here under another user key (not_a_member)', async () => {
    const { chain } = await handedOver();
    const otherKey: GroupAuthorResolver = (address, deviceId) => {
      const keys = resolve(address, deviceId);
      return keys && address === alice.address ? { ...keys, userKey: labelled('another user key', 32) } : keys;
    };
    expect(await refusal(GroupChain.join(chain.serialise(), otherKey))).toBe('not_a_member');
  });

  it('refuses a handed-over branch with a change its author had no right to make', async () => {
    const chain = await GroupChain.create(creation, alice.keys);
    const record = chain.serialise();
    // Carol, a member, removes Bob: spliced into the record as a later change of the branch.
    const byCarol = await changeBy(carol, start, [{ op: 'remove', address: bob.address }]);
    const spliced = new Uint8Array([
      ...record.subarray(0, record.length - 3),
      1,
      byCarol.length >> 8,
      byCarol.length & 0xff,
      ...byCarol,
      0,
      0,
    ]);
    expect(await refusal(GroupChain.join(spliced, resolve))).toBe('not_allowed');
  });

  it('refuses malformed and truncated handovers', async () => {
    const { chain } = await handedOver();
    const record = chain.serialise();
    expect(await refusal(GroupChain.join(record.subarray(0, record.length - 5), resolve))).toBe('malformed');
    expect(await refusal(GroupChain.join(new Uint8Array([9, 0, 0]), resolve))).toBe('version_unknown');
    expect(await refusal(GroupChain.join('not bytes', resolve))).toBe('malformed');
  });
});
