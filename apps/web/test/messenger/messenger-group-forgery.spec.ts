/**
 * What a hostile member's `group` payloads can still do to today's groups (messages.md §5.3),
 * against the real relay, until the signed group chain replaces them (groups.md, issue 14): Mallory
 * is a member whose client rewrites what it sends (support.ts `tamper`). A `sync` that adds
 * someone is shown to everyone as an addition (the lines come from the member lists, never from
 * the sender's `action`), and a version pushed out of reach is refused, so Mallory's removal still
 * reaches everyone.
 */
import type { AppPayload } from '../../src/messenger/payload';
import { MAX_GROUP_VERSION_STEP } from '../../src/messenger/groups';
import { conversationWith, enrolDevice, eventually, useSpecWorld, type TestMessenger } from './support';

const world = useSpecWorld();
let rewrite: ((payload: AppPayload) => AppPayload) | undefined;
let alice: TestMessenger;
let bob: TestMessenger;
let mallory: TestMessenger;

async function device(name: string, tampered = false): Promise<TestMessenger> {
  const entry = await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ...(tampered ? { tamper: { payload: (payload: AppPayload) => rewrite?.(payload) ?? payload } } : {}),
  });
  world.devices.push(entry);
  return entry;
}

beforeAll(async () => {
  alice = await device('alice');
  bob = await device('bob');
  mallory = await device('mallory', true);
  await device('eve');
  await device('dan');
}, 60_000);

const membersAt = async (who: TestMessenger, group: string): Promise<string[]> =>
  ((await who.api.snapshot()).conversations.find((c) => c.id === group)?.members ?? []).map((m) => m.address);

/** A group of Alice, Bob and Mallory, known to all three. */
async function group(title: string): Promise<{ atAlice: string; atBob: string; atMallory: string }> {
  const atAlice = await alice.api.createGroup(title, ['bob@agency.example', 'mallory@agency.example']);
  const atBob = await conversationWith(bob.api, (t) => t === title);
  const atMallory = await conversationWith(mallory.api, (t) => t === title);
  return { atAlice, atBob, atMallory };
}

test('a forged sync that adds someone is shown to every member as an addition, never silent', async () => {
  const { atBob, atMallory } = await group('forged sync');
  rewrite = (payload) => (payload.t === 'group' ? { ...payload, action: 'sync', subject: undefined } : payload);
  await mallory.api.addMember(atMallory, 'eve@agency.example');
  rewrite = undefined;
  await eventually(async () => (await membersAt(bob, atBob)).includes('eve@agency.example'), 'eve at bob');
  const lines = (await bob.api.messages(atBob)).filter((m) => m.system?.type === 'member_added');
  expect(lines.map((m) => m.system)).toEqual([
    { type: 'member_added', by: 'mallory@agency.example', member: 'eve@agency.example' },
  ]);
}, 60_000);

test('a version pushed out of reach is refused; the member who tried is still removed everywhere', async () => {
  const { atAlice, atBob, atMallory } = await group('overflow');
  rewrite = (payload) => (payload.t === 'group' ? { ...payload, version: Number.MAX_SAFE_INTEGER } : payload);
  await mallory.api.addMember(atMallory, 'dan@agency.example');
  rewrite = undefined;
  // Refused at Bob and Alice: the jump is past MAX_GROUP_VERSION_STEP.
  expect((await membersAt(bob, atBob)).sort()).toEqual([
    'alice@agency.example',
    'bob@agency.example',
    'mallory@agency.example',
  ]);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(MAX_GROUP_VERSION_STEP).toBeLessThan(Number.MAX_SAFE_INTEGER);
  expect(await membersAt(bob, atBob)).not.toContain('dan@agency.example');
  expect(await membersAt(alice, atAlice)).not.toContain('dan@agency.example');

  await alice.api.removeMember(atAlice, 'mallory@agency.example');
  await eventually(
    async () => !(await membersAt(bob, atBob)).includes('mallory@agency.example'),
    'mallory removed at bob',
  );
  await alice.api.send(atAlice, 'secret after Mallory was removed');
  await eventually(
    async () => (await bob.api.messages(atBob)).some((m) => m.text === 'secret after Mallory was removed'),
    'bob reads it',
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect((await mallory.api.messages(atMallory)).some((m) => m.text === 'secret after Mallory was removed')).toBe(
    false,
  );
}, 60_000);
