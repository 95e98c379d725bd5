import {
  GROUP_CHANGE_TYPE,
  MAX_ADDRESS_BYTES,
  MAX_GROUP_CHANGE_BYTES,
  MAX_GROUP_CHANGE_OPS,
  applyGroupChange,
  decodeGroupChange,
  encodeGroupState,
  groupChangeHash,
  type GroupOp,
} from '../../src/index';
import { expectGolden, hex, labelled, protocolCode } from '../support';
import { goldenDeviceIdentity, goldenUserKey } from '../user-keys/fixtures';
import { NOW, add, changeBy, create, person, refusal, step, type Person } from './fixtures';

/** Offset of the first op's tag: version, type, groupId, epoch, parentHash, address, deviceId, issuedAt, count. */
const firstOpOffset = (address: string) => 2 + 16 + 4 + 32 + 1 + address.length + 16 + 4 + 1;

describe('group change encoding (groups.md §3)', () => {
  let alice: Person;
  let bob: Person;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([person('alice'), person('bob')]);
  });

  it('round-trips: decode gives back the fields that were signed', async () => {
    const bytes = await changeBy(alice, undefined, [create(), add(bob)]);
    const { change } = decodeGroupChange(bytes);
    expect(change.epoch).toBe(1);
    expect(change.author.address).toBe(alice.address);
    expect(change.ops).toEqual([create(), add(bob)]);
    expect(bytes[1]).toBe(GROUP_CHANGE_TYPE);
  });

  it('has no free-text description: a decoded change holds only the documented fields and ops', async () => {
    const state = await step(alice, undefined, [create(), add(bob)]);
    const ops: GroupOp[] = [
      { op: 'role', address: bob.address, role: 'admin' },
      { op: 'title', title: 'Board' },
      { op: 'remove', address: bob.address },
      { op: 'leave' },
    ];
    const { change } = decodeGroupChange(await changeBy(alice, state, ops));
    expect(Object.keys(change).sort()).toEqual(['author', 'epoch', 'groupId', 'issuedAt', 'ops', 'parentHash']);
    expect(Object.keys(change.author).sort()).toEqual(['address', 'deviceId']);
    const fields = new Set(change.ops.flatMap((op) => Object.keys(op)));
    expect([...fields].sort()).toEqual(['address', 'op', 'role', 'title']);
  });

  it('refuses malformed input: not bytes, truncated, trailing bytes, an unknown op', async () => {
    const bytes = await changeBy(alice, undefined, [create()]);
    expect(protocolCode(() => decodeGroupChange('change'))).toBe('malformed');
    expect(protocolCode(() => decodeGroupChange(bytes.slice(0, bytes.length - 1)))).toBe('malformed');
    expect(protocolCode(() => decodeGroupChange(Uint8Array.of(...bytes, 0)))).toBe('malformed');
    const unknownOp = bytes.slice();
    unknownOp[firstOpOffset(alice.address)] = 0x7f;
    expect(protocolCode(() => decodeGroupChange(unknownOp))).toBe('malformed');
    expect(await refusal(applyGroupChange(undefined, unknownOp, alice.keys))).toBe('malformed');
  });

  it('refuses another version (too old, unknown) and another type', async () => {
    const bytes = await changeBy(alice, undefined, [create()]);
    expect(protocolCode(() => decodeGroupChange(Uint8Array.of(0, ...bytes.subarray(1))))).toBe('version_too_old');
    expect(protocolCode(() => decodeGroupChange(Uint8Array.of(2, ...bytes.subarray(1))))).toBe('version_unknown');
    expect(protocolCode(() => decodeGroupChange(Uint8Array.of(1, 0x10, ...bytes.subarray(2))))).toBe('malformed');
  });

  it('refuses an oversized change before parsing', () => {
    expect(protocolCode(() => decodeGroupChange(new Uint8Array(MAX_GROUP_CHANGE_BYTES + 1)))).toBe('oversized');
  });

  it('refuses the op limits: no op, more than 64, create elsewhere than first in a creation, a creation without create', async () => {
    const state = await step(alice, undefined, [create()]);
    expect(await refusal(changeBy(alice, state, []))).toBe('malformed');
    const tooMany = Array.from({ length: MAX_GROUP_CHANGE_OPS + 1 }, (): GroupOp => ({ op: 'title', title: 'x' }));
    expect(await refusal(changeBy(alice, state, tooMany))).toBe('malformed');
    expect(await refusal(changeBy(alice, state, [create()]))).toBe('malformed');
    expect(await refusal(changeBy(alice, undefined, [create(), create()]))).toBe('malformed');
    expect(await refusal(changeBy(alice, undefined, [{ op: 'title', title: 'x' }]))).toBe('malformed');
    expect(await refusal(changeBy(alice, state, [{ op: 'title', title: '' }]))).toBe('malformed');
    expect(await refusal(changeBy(alice, state, [{ op: 'title', title: 'a\u0000b' }]))).toBe('malformed');
    expect(await refusal(changeBy(alice, state, [{ op: 'remove', address: 'Bob@Ministry.example' }]))).toBe(
      'malformed',
    );
    const tooLong = { announcementOnly: false, addBy: 'admins', disappearAfter: 31 * 86_400 + 1 } as const;
    expect(await refusal(changeBy(alice, state, [{ op: 'settings', settings: tooLong }]))).toBe('malformed');
  });

  it('fits 64 adds of the longest addresses under MAX_GROUP_CHANGE_BYTES', async () => {
    const longest = (i: number) => {
      const local = `${String(i).padStart(2, '0')}${'a'.repeat(62)}`;
      const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(MAX_ADDRESS_BYTES - 65 - 2 * 63 - 2)}`;
      return `${local}@${domain}`;
    };
    expect(longest(0)).toHaveLength(MAX_ADDRESS_BYTES);
    const state = await step(alice, undefined, [create()]);
    const ops = Array.from({ length: MAX_GROUP_CHANGE_OPS }, (_, i): GroupOp => ({
      op: 'add',
      address: longest(i),
      userKey: labelled(`k${i}`, 32),
      role: 'member',
    }));
    const bytes = await changeBy(alice, state, ops);
    expect(bytes.length).toBeLessThanOrEqual(MAX_GROUP_CHANGE_BYTES);
    expect((await applyGroupChange(state, bytes, alice.keys)).state.members).toHaveLength(65);
  });

  it('matches its golden vector: bytes, change hashes and state hashes (a format change is a visible diff)', async () => {
    const device = await goldenDeviceIdentity('alice laptop');
    const [aliceKey, bobKey] = await Promise.all([goldenUserKey('alice'), goldenUserKey('bob')]);
    const golden: Person = {
      address: 'alice@ministry.example',
      userKey: aliceKey.publicKey,
      deviceId: labelled('device: alice laptop', 16),
      device: device.signing,
      keys: { signingKey: device.signing.publicKey, userKey: aliceKey.publicKey },
    };
    const bobMember = { address: 'bob@ministry.example', userKey: bobKey.publicKey };
    const creation = await changeBy(golden, undefined, [
      create('Example committee', { announcementOnly: false, addBy: 'admins', disappearAfter: 86_400 }),
      { op: 'add', ...bobMember, role: 'member' },
    ]);
    const first = await applyGroupChange(undefined, creation, golden.keys);
    const second = await changeBy(
      golden,
      first.state,
      [
        { op: 'role', address: bobMember.address, role: 'admin' },
        { op: 'title', title: 'Comité d’exemple' },
      ],
      { issuedAt: NOW + 60 },
    );
    const next = await applyGroupChange(first.state, second, golden.keys);
    expect(hex(first.changeHash)).toBe(hex(groupChangeHash(creation)));
    expectGolden('group-change-v1', {
      description:
        'groups.md §3: a group creation (create + add bob) and a second change (role + title) by the golden device "alice laptop" of the golden user key "alice"',
      deviceSigningKey: hex(device.signing.publicKey),
      userKey: hex(aliceKey.publicKey),
      creation: hex(creation),
      creationChangeHash: hex(first.changeHash),
      stateAfterCreation: hex(encodeGroupState(first.state)),
      stateHashAfterCreation: hex(first.stateHash),
      change: hex(second),
      changeHash: hex(next.changeHash),
      stateHash: hex(next.stateHash),
    });
  });
});
