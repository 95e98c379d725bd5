/**
 * Groups as a signed chain (groups.md) with the real messenger over a REAL relay, the organisation
 * played by FakeAdmin. Mallory is a member whose client signs what it likes and sends what its own
 * rules refuse (ports.ts Tamper): every other member checks each change against the chain (the
 * author's right, one successor per state) and shows lines computed from the states. Also: two
 * administrators changing the group at once, a removed member who keeps listening with the old
 * Sender Key, an announcement-only group, a member offline through a run of changes.
 */
import type { GroupChange } from '@opendescent/protocol';
import type { MessengerApi, SystemEvent } from '../../src/messenger/api';
import type { AppPayload } from '../../src/messenger/payload';
import { expectRotatedAndUnreadable, idOf, recordingRelays, type RecordingRelay } from './listening-member';
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
let rewriteChange: ((change: GroupChange) => GroupChange) | undefined;
let rewritePayload: ((payload: AppPayload) => AppPayload) | undefined;
const relays: RecordingRelay[] = [];
let alice: TestMessenger;
let bob: TestMessenger;
let carol: TestMessenger;
let mallory: TestMessenger;

const at = (name: string) => `${name}@agency.example`;

async function device(name: string, options: { hostile?: boolean; recording?: boolean } = {}): Promise<TestMessenger> {
  const entry = await enrolDevice(name, at(name), name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ...(options.recording ? { relayFactory: recordingRelays(relays) } : {}),
    ...(options.hostile
      ? {
          tamper: {
            groupChange: (change: GroupChange) => rewriteChange?.(change) ?? change,
            payload: (payload: AppPayload) => rewritePayload?.(payload) ?? payload,
            sendRefusedGroupChanges: true,
          },
        }
      : {}),
  });
  world.devices.push(entry);
  return entry;
}

beforeAll(async () => {
  alice = await device('alice', { recording: true });
  bob = await device('bob');
  carol = await device('carol');
  mallory = await device('mallory', { hostile: true });
  await device('eve');
  await device('dan');
}, 90_000);

afterEach(() => {
  rewriteChange = undefined;
  rewritePayload = undefined;
});

const viewAt = async (who: TestMessenger, group: string) =>
  (await who.api.snapshot()).conversations.find((c) => c.id === group);
const membersAt = async (who: TestMessenger, group: string): Promise<string[]> =>
  ((await viewAt(who, group))?.members ?? []).map((m) => m.address).sort();
const linesAt = async (api: MessengerApi, group: string): Promise<SystemEvent[]> =>
  (await api.messages(group)).flatMap((m) => (m.system ? [m.system] : []));

/** Alice's group with `others`, known to each of them; returns every member's conversation id. */
async function group(
  title: string,
  others: readonly TestMessenger[],
  settings = {},
): Promise<Map<TestMessenger, string>> {
  const ids = new Map([
    [
      alice,
      await alice.api.createGroup(
        title,
        others.map((o) => at(o.name)),
        settings,
      ),
    ],
  ]);
  for (const other of others) ids.set(other, await conversationWith(other.api, (t) => t === title));
  return ids;
}

/** Mallory's texts reach Bob in the order she sent them: once he reads `marker`, he has seen what she sent before. */
async function afterMallory(ids: Map<TestMessenger, string>, marker: string): Promise<void> {
  await mallory.api.send(ids.get(mallory) as string, marker);
  await eventually(async () => (await texts(bob.api, ids.get(bob) as string)).includes(marker), 'bob reads mallory');
}

test('a member’s change without the right is refused by every member: nothing changes, no line', async () => {
  const ids = await group('rights', [bob, mallory]);
  const atBob = ids.get(bob) as string;
  // An honest client refuses at once.
  await expect(bob.api.removeMember(atBob, at('alice'))).rejects.toMatchObject({ code: 'not_allowed' });
  // Mallory's signs and sends them anyway: a removal, an addition (addBy = admins), a new title.
  const atMallory = ids.get(mallory) as string;
  await mallory.api.removeMember(atMallory, at('alice'));
  await mallory.api.addMember(atMallory, at('eve'));
  await mallory.api.setTitle(atMallory, 'owned');
  await afterMallory(ids, 'mallory was here');
  const expected = [at('alice'), at('bob'), at('mallory')];
  expect(await membersAt(bob, atBob)).toEqual(expected);
  expect(await membersAt(alice, ids.get(alice) as string)).toEqual(expected);
  expect((await viewAt(bob, atBob))?.title).toBe('rights');
  expect((await linesAt(bob.api, atBob)).map((line) => line.type)).toEqual(['group_created']);
}, 60_000);

test('a change at an epoch out of reach is refused; the member who sent it is still removed everywhere and reads nothing after', async () => {
  const ids = await group('overflow', [bob, mallory], { addBy: 'everyone' });
  const atAlice = ids.get(alice) as string;
  const atBob = ids.get(bob) as string;
  const atMallory = ids.get(mallory) as string;
  // Mallory writes to Alice first, so Alice holds a queue of hers (what a listener would watch).
  await afterMallory(ids, 'hello from mallory');
  await eventually(async () => (await texts(alice.api, atAlice)).includes('hello from mallory'), 'alice reads her');
  rewriteChange = (change) => ({ ...change, epoch: 0xffff_ffff });
  await mallory.api.addMember(atMallory, at('dan'));
  rewriteChange = undefined;
  await afterMallory(ids, 'after the overflow');
  expect(await membersAt(bob, atBob)).not.toContain(at('dan'));
  // Mallory holds Alice's current Sender Key: she read Alice before her removal.
  await alice.api.send(atAlice, 'before the removal');
  await eventually(async () => (await texts(mallory.api, atMallory)).includes('before the removal'), 'mallory reads');

  await alice.api.removeMember(atAlice, at('mallory'));
  await eventually(async () => !(await membersAt(bob, atBob)).includes(at('mallory')), 'mallory removed at bob');
  expect(await linesAt(bob.api, atBob)).toContainEqual({
    type: 'member_removed',
    by: at('alice'),
    member: at('mallory'),
  });
  // Mallory is told, and keeps listening on her queues with Alice's old Sender Key.
  await eventually(async () => (await viewAt(mallory, atMallory))?.active === false, 'mallory sees she is out');
  await expectRotatedAndUnreadable(
    { relays, sender: alice, reader: bob, listener: mallory, listenerId: await idOf(mallory), group: atAlice },
    'secret after Mallory was removed',
  );
}, 90_000);

test('two administrators change the group at once: every member ends on the same state and sees both changes', async () => {
  const ids = await group('concurrent', [bob, carol]);
  const atAlice = ids.get(alice) as string;
  const atBob = ids.get(bob) as string;
  const atCarol = ids.get(carol) as string;
  await alice.api.setRole(atAlice, at('bob'), 'admin');
  await eventually(async () => (await viewAt(bob, atBob))?.group?.isAdmin, 'bob is an administrator');
  // Both sign on the same head before either sees the other's change.
  await Promise.all([alice.api.setTitle(atAlice, 'Title by Alice'), bob.api.addMember(atBob, at('dan'))]);
  const converged = async (who: TestMessenger, id: string) => {
    const view = await viewAt(who, id);
    return view?.title === 'Title by Alice' && view.members.some((m) => m.address === at('dan'));
  };
  for (const [who, id] of ids) await eventually(() => converged(who, id), `${who.name} converged`);
  const dan = world.devices.find((d) => d.name === 'dan') as TestMessenger;
  const atDan = await conversationWith(dan.api, (t) => t === 'Title by Alice');
  const expected = [at('alice'), at('bob'), at('carol'), at('dan')];
  for (const [who, id] of [...ids, [dan, atDan] as const]) expect(await membersAt(who, id)).toEqual(expected);
  const carolLines = await linesAt(carol.api, atCarol);
  expect(carolLines).toContainEqual({ type: 'title_changed', by: at('alice'), title: 'Title by Alice' });
  expect(carolLines).toContainEqual({ type: 'member_added', by: at('bob'), member: at('dan') });
  expect(carolLines).toContainEqual({ type: 'role_changed', by: at('alice'), member: at('bob'), role: 'admin' });
}, 90_000);

test('an announcement-only group: members cannot post, a forged post is dropped, the setting change is shown', async () => {
  const ids = await group('announcements', [bob, mallory], { announcementOnly: true });
  const atAlice = ids.get(alice) as string;
  const atBob = ids.get(bob) as string;
  expect((await viewAt(bob, atBob))?.group).toMatchObject({ announcementOnly: true, mayPost: false, isAdmin: false });
  await expect(bob.api.send(atBob, 'may I?')).rejects.toMatchObject({ code: 'not_allowed' });
  await alice.api.send(atAlice, 'official');
  await eventually(async () => (await texts(bob.api, atBob)).includes('official'), 'bob reads the administrator');

  // Mallory's client puts a text into the group anyway: a direct text rewritten to name the group.
  const direct = await mallory.api.startDirect(at('alice'));
  rewritePayload = (payload) =>
    payload.t === 'text' ? { ...payload, conversation: { kind: 'group', groupId: atAlice } } : payload;
  await mallory.api.send(direct, 'not an administrator');
  rewritePayload = undefined;
  await mallory.api.send(direct, 'marker');
  await eventually(async () => (await alice.api.snapshot()).conversations.some((c) => c.kind === 'direct'), 'direct');
  const aliceDirect = (await alice.api.snapshot()).conversations.find((c) => c.kind === 'direct')?.id as string;
  await eventually(async () => (await texts(alice.api, aliceDirect)).includes('marker'), 'alice reads the marker');
  expect(await texts(alice.api, atAlice)).not.toContain('not an administrator');

  await alice.api.setGroupSettings(atAlice, { announcementOnly: false });
  await eventually(async () => (await viewAt(bob, atBob))?.group?.mayPost, 'bob may post');
  expect(await linesAt(bob.api, atBob)).toContainEqual({
    type: 'group_settings_changed',
    by: at('alice'),
    announcementOnly: false,
    addBy: 'admins',
  });
  await bob.api.send(atBob, 'thanks');
  await eventually(async () => (await texts(alice.api, atAlice)).includes('thanks'), 'alice reads bob');
}, 90_000);

test('a member offline through twenty changes follows them all, in order, when back', async () => {
  const ids = await group('offline', [carol]);
  const atAlice = ids.get(alice) as string;
  const atCarol = ids.get(carol) as string;
  await carol.api.lock();
  for (let i = 1; i <= 20; i += 1) await alice.api.setTitle(atAlice, `offline ${i}`);
  await carol.api.unlock(PASSPHRASE);
  await eventually(async () => (await viewAt(carol, atCarol))?.title === 'offline 20', 'carol follows');
  const titles = (await linesAt(carol.api, atCarol)).flatMap((line) =>
    line.type === 'title_changed' ? [line.title] : [],
  );
  expect(titles).toEqual(Array.from({ length: 20 }, (_, i) => `offline ${i + 1}`));
}, 90_000);
