/**
 * A large group's chain handed to a new member in parts (messages.md §4 `group_welcome`,
 * groups.md §5.4), with the real messenger over a REAL relay. Alice's client pads each of her
 * title changes with 63 additions (ports.ts Tamper: the changes are still valid and signed, her
 * own chain applies them), so the group passes 500 members, most of them never enrolled, and its
 * chain no longer fits one payload. Bob, added then, joins from the parts. And a contact who
 * sends handover parts for many groups that do not exist leaves at most MAX_GROUP_ARRIVALS of them
 * in Bob's vault.
 */
import { randomBytes } from '@opendescent/crypto';
import { MAX_GROUP_CHANGE_OPS, type GroupChange } from '@opendescent/protocol';
import { MAX_GROUP_ARRIVALS } from '../../src/messenger/group-arrivals';
import type { AppPayload } from '../../src/messenger/payload';
import { GROUP_WELCOME_PART_BYTES } from '../../src/messenger/payload';
import { TABLES, type GroupChainRecord } from '../../src/messenger/records';
import { Vault } from '../../src/store';
import {
  PASSPHRASE,
  conversationWith,
  enrolDevice,
  eventually,
  texts,
  useSpecWorld,
  type TestMessenger,
} from './support';

const world = useSpecWorld();
let padding = 0;
const welcomes: Extract<AppPayload, { t: 'group_welcome' }>[] = [];
let alice: TestMessenger;
let bob: TestMessenger;

const at = (name: string) => `${name}@agency.example`;

/** Fills the change up to 64 ops with additions of people who never enrolled (valid addresses and keys). */
function padded(change: GroupChange): GroupChange {
  const room = MAX_GROUP_CHANGE_OPS - change.ops.length;
  const adds = Array.from({ length: room }, () => ({
    op: 'add' as const,
    address: `absent.member.${(padding += 1)}@agency.example`,
    userKey: randomBytes(32),
    role: 'member' as const,
  }));
  return { ...change, ops: [...change.ops, ...adds] };
}

let pad = false;

beforeAll(async () => {
  alice = await enrolDevice('alice', at('alice'), 'ALICE', {
    relayUrl: world.relay.url,
    admin: world.admin,
    tamper: {
      groupChange: (change) => (pad ? padded(change) : change),
      payload: (payload) => {
        if (payload.t === 'group_welcome') welcomes.push(payload);
        return payload;
      },
    },
  });
  bob = await enrolDevice('bob', at('bob'), 'BOB', { relayUrl: world.relay.url, admin: world.admin });
  world.devices.push(alice, bob);
}, 60_000);

test('a chain too large for one payload is handed over in parts, and the new member joins it', async () => {
  const group = await alice.api.createGroup('large', []);
  pad = true;
  for (let i = 1; i <= 8; i += 1) await alice.api.setTitle(group, `large ${i}`);
  pad = false;
  const members = (await alice.api.snapshot()).conversations.find((c) => c.id === group)?.members ?? [];
  expect(members.length).toBe(1 + 8 * (MAX_GROUP_CHANGE_OPS - 1));

  await alice.api.addMember(group, at('bob'));
  const atBob = await conversationWith(bob.api, (t) => t === 'large 8');
  const toBob = welcomes.filter((w) => w.groupId === group);
  expect(toBob.length).toBeGreaterThan(1);
  expect(toBob.every((w) => w.parts === toBob.length)).toBe(true);
  expect(toBob.reduce((sum, w) => sum + Math.ceil((w.data.length * 3) / 4), 0)).toBeGreaterThan(
    GROUP_WELCOME_PART_BYTES,
  );
  const atBobMembers = (await bob.api.snapshot()).conversations.find((c) => c.id === atBob)?.members ?? [];
  expect(atBobMembers.length).toBe(members.length + 1);
  expect((await bob.api.messages(atBob)).some((m) => m.system?.type === 'member_added')).toBe(true);
  await alice.api.send(group, 'welcome to the large group');
  await eventually(async () => (await texts(bob.api, atBob)).includes('welcome to the large group'), 'bob reads');
}, 120_000);

test('handover parts for groups that do not exist: at most MAX_GROUP_ARRIVALS are kept', async () => {
  let forged = 0;
  const mallory = await enrolDevice('mallory', at('mallory'), 'MALLORY', {
    relayUrl: world.relay.url,
    admin: world.admin,
    tamper: {
      // Each text becomes the first of two parts of a handover for a group id never seen.
      payload: (payload) =>
        payload.t === 'text' && payload.body.startsWith('forge')
          ? {
              t: 'group_welcome',
              groupId: (forged += 1).toString(16).padStart(32, '0'),
              digest: 'A'.repeat(43),
              part: 0,
              parts: 2,
              data: 'AAAA',
            }
          : payload,
    },
  });
  world.devices.push(mallory);
  const direct = await mallory.api.startDirect(at('bob'));
  for (let i = 0; i < MAX_GROUP_ARRIVALS + 4; i += 1) await mallory.api.send(direct, `forge ${i}`);
  await mallory.api.send(direct, 'done');
  await eventually(async () => {
    const atBob = (await bob.api.snapshot()).conversations.find((c) => c.kind === 'direct' && c.title === 'MALLORY');
    return atBob && (await texts(bob.api, atBob.id)).includes('done');
  }, 'bob reads the marker');
  await bob.api.lock();
  const vault = await Vault.unlock(bob.store, PASSPHRASE, {
    kdfParams: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
  });
  const records = await vault.list<GroupChainRecord | { groupIds: string[] }>(TABLES.groupChains, '');
  vault.lock();
  await bob.api.unlock(PASSPHRASE);
  const arriving = records.filter((r): r is GroupChainRecord => 'groupId' in r && r.chain === undefined);
  expect(forged).toBe(MAX_GROUP_ARRIVALS + 4);
  expect(arriving.length).toBe(MAX_GROUP_ARRIVALS);
  // The newest are kept: the forged ids counted up.
  expect(arriving.map((r) => parseInt(r.groupId, 16)).sort((a, b) => a - b)[0]).toBe(5);
}, 90_000);
