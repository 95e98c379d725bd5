/**
 * A message's identity is what its receiver can authenticate, the sending device and the id that
 * device chose (messages.md §5.2, §5.7), against the real relay. Mallory is a member whose client
 * writes what she likes into what she sends (support.ts `tamper`): she reuses other members' ids,
 * names their messages in her receipts and shares a bundle of her own messages under those ids.
 * None of it replaces, drops or confirms another member's message; a real duplicate (the same
 * device sending the same id again) is still shown once.
 */
import { randomBytes } from 'node:crypto';
import type { MessageView } from '../../src/messenger/api';
import type { AppPayload } from '../../src/messenger/payload';
import type { Tamper } from '../../src/messenger/ports';
import {
  PASSPHRASE,
  conversationWith,
  enrolDevice,
  eventually,
  texts,
  useSpecWorld,
  type TestMessenger,
} from './support';

const ALICE = 'alice@agency.example';
const CAROL = 'carol@agency.example';
const MALLORY = 'mallory@agency.example';
const DAN = 'dan@agency.example';

/** What a test makes a device's client send: the id of its next message, a rewrite of its payloads. */
interface Forgery {
  nextId?: string | undefined;
  rewrite?: ((payload: AppPayload) => AppPayload) | undefined;
}

function tamperWith(forgery: Forgery): Tamper {
  return {
    messageId: () => {
      const id = forgery.nextId;
      forgery.nextId = undefined;
      return id;
    },
    payload: (payload) => forgery.rewrite?.(payload) ?? payload,
  };
}

const world = useSpecWorld();
const atAlice: Forgery = {};
const atMallory: Forgery = {};
let alice: TestMessenger;
let carol: TestMessenger;
let mallory: TestMessenger;
let dan: TestMessenger;

async function device(name: string, address: string, forgery?: Forgery): Promise<TestMessenger> {
  const entry = await enrolDevice(name, address, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    ...(forgery ? { tamper: tamperWith(forgery) } : {}),
  });
  world.devices.push(entry);
  return entry;
}

beforeAll(async () => {
  alice = await device('alice', ALICE, atAlice);
  carol = await device('carol', CAROL);
  mallory = await device('mallory', MALLORY, atMallory);
  dan = await device('dan', DAN);
}, 60_000);

/** Each text as [sender address, text], in order. */
async function lines(api: TestMessenger['api'], conversationId: string): Promise<[string, string][]> {
  return (await api.messages(conversationId))
    .filter((m) => m.text !== undefined)
    .map((m) => [m.sender?.address ?? '', m.text as string]);
}

async function find(api: TestMessenger['api'], conversationId: string, text: string): Promise<MessageView | undefined> {
  return (await api.messages(conversationId)).find((m) => m.text === text);
}

async function groupAt(member: TestMessenger, title: string): Promise<string> {
  return conversationWith(member.api, (t) => t === title);
}

async function until(member: TestMessenger, conversationId: string, text: string): Promise<void> {
  await eventually(async () => (await texts(member.api, conversationId)).includes(text), `"${text}" at ${member.name}`);
}

test('a forged id from another member is a different message, never a replacement', async () => {
  const group = await alice.api.createGroup('Forged ids', [CAROL, MALLORY]);
  const carolGroup = await groupAt(carol, 'Forged ids');
  const malloryGroup = await groupAt(mallory, 'Forged ids');
  await carol.api.lock();
  const id = await alice.api.send(group, 'the real words of alice');
  await until(mallory, malloryGroup, 'the real words of alice');
  // Mallory sends her own words under Alice's id while Carol is offline: both wait in Carol's queues.
  atMallory.nextId = id;
  await mallory.api.send(malloryGroup, 'mallory under the id of alice');
  await carol.api.unlock(PASSPHRASE);
  await eventually(async () => (await texts(carol.api, carolGroup)).length === 2, 'both messages at carol');
  expect((await lines(carol.api, carolGroup)).sort()).toEqual([
    [ALICE, 'the real words of alice'],
    [MALLORY, 'mallory under the id of alice'],
  ]);
  // Carol's receipt reached Alice's real message: it is delivered, with its own words.
  await eventually(
    async () => (await alice.api.messages(group)).find((m) => m.id === id)?.status === 'delivered',
    "alice's message delivered",
  );
  expect((await alice.api.messages(group)).find((m) => m.id === id)?.text).toBe('the real words of alice');
  await until(alice, group, 'mallory under the id of alice');
  expect((await find(alice.api, group, 'mallory under the id of alice'))?.sender?.address).toBe(MALLORY);
}, 60_000);

test("a receipt from a member cannot confirm another member's message", async () => {
  const group = await alice.api.createGroup('Receipts', [CAROL, MALLORY]);
  const direct = await alice.api.startDirect(CAROL);
  const carolGroup = await groupAt(carol, 'Receipts');
  const malloryGroup = await groupAt(mallory, 'Receipts');
  await carol.api.lock();
  const forCarol = await alice.api.send(direct, 'for carol only');
  // Every receipt Mallory sends also names Alice's message to Carol, then Alice's group message.
  const named: string[] = [forCarol];
  atMallory.rewrite = (p) => (p.t === 'receipt' ? { ...p, ids: [...p.ids, ...named] } : p);
  const toGroup = await alice.api.send(group, 'to the group');
  named.push(toGroup);
  await until(mallory, malloryGroup, 'to the group');
  await mallory.api.send(malloryGroup, 'mallory after her receipt');
  await until(alice, group, 'mallory after her receipt');
  // Mallory was never sent the direct message; the group one still waits for Carol.
  expect((await find(alice.api, direct, 'for carol only'))?.status).toBe('sent');
  expect((await find(alice.api, group, 'to the group'))?.status).toBe('sent');

  await carol.api.unlock(PASSPHRASE);
  const carolDirect = await conversationWith(carol.api, (t) => t === 'ALICE');
  await carol.api.send(carolGroup, 'carol is back');
  // Delivered once Alice and Mallory answered: Mallory's receipt, naming Alice's messages too, was applied.
  await eventually(
    async () => (await find(carol.api, carolGroup, 'carol is back'))?.status === 'delivered',
    "carol's message delivered",
  );
  const received = [
    await find(carol.api, carolGroup, 'to the group'),
    await find(carol.api, carolDirect, 'for carol only'),
  ];
  for (const message of received) {
    expect(message?.sender?.address).toBe(ALICE);
    expect(message?.mine).toBe(false);
    expect(message?.status).toBeUndefined();
  }
  // Carol's own receipts still count at Alice.
  await eventually(
    async () => (await find(alice.api, direct, 'for carol only'))?.status === 'delivered',
    'the direct message delivered by carol',
  );
  await eventually(
    async () => (await find(alice.api, group, 'to the group'))?.status === 'delivered',
    'the group message delivered',
  );
  atMallory.rewrite = undefined;
}, 60_000);

test("a history bundle cannot suppress or replace another sender's message with the same id", async () => {
  const group = await alice.api.createGroup('Shared history', [MALLORY]);
  const malloryGroup = await groupAt(mallory, 'Shared history');
  const first = await alice.api.send(group, 'alice said this first');
  await until(mallory, malloryGroup, 'alice said this first');
  atMallory.nextId = first;
  await mallory.api.send(malloryGroup, 'mallory reuses the id of alice');
  // The id Alice's next message will have (the test fixes it; Mallory is there first).
  const next = randomBytes(16).toString('hex');
  atMallory.nextId = next;
  await mallory.api.send(malloryGroup, 'mallory takes an id alice will use');
  await until(alice, group, 'mallory takes an id alice will use');

  await alice.api.addMember(group, DAN);
  const danGroup = await groupAt(dan, 'Shared history');
  await eventually(
    async () =>
      (await mallory.api.snapshot()).conversations
        .find((c) => c.id === malloryGroup)
        ?.members.some((m) => m.address === DAN),
    'dan in the group at mallory',
  );
  expect(await mallory.api.shareHistory(malloryGroup, DAN, 10)).toBe(3);
  await eventually(async () => (await texts(dan.api, danGroup)).length === 3, 'the bundle at dan');
  expect((await lines(dan.api, danGroup)).sort()).toEqual([
    [ALICE, 'alice said this first'],
    [MALLORY, 'mallory reuses the id of alice'],
    [MALLORY, 'mallory takes an id alice will use'],
  ]);
  expect((await dan.api.messages(danGroup)).filter((m) => m.text).every((m) => m.sharedBy === MALLORY)).toBe(true);

  // Alice's real message under the id the bundle brought for Mallory: shown, as Alice's.
  atAlice.nextId = next;
  await alice.api.send(group, 'alice real message, id already shared');
  await until(dan, danGroup, 'alice real message, id already shared');
  const real = await find(dan.api, danGroup, 'alice real message, id already shared');
  expect(real?.sender?.address).toBe(ALICE);
  expect(real?.sharedBy).toBeUndefined();
  expect(await texts(dan.api, danGroup)).toContain('mallory takes an id alice will use');

  // Alice's bundle holds the same four messages: nothing is added twice.
  await alice.api.shareHistory(group, DAN, 10);
  await alice.api.send(group, 'after the second bundle');
  await until(dan, danGroup, 'after the second bundle');
  const all = await texts(dan.api, danGroup);
  expect(all).toHaveLength(5);
  expect(new Set(all).size).toBe(5);
}, 60_000);

test('the same device re-sending an id is shown once (replayed)', async () => {
  const group = await alice.api.createGroup('Replays', [CAROL, MALLORY]);
  const carolGroup = await groupAt(carol, 'Replays');
  const malloryGroup = await groupAt(mallory, 'Replays');
  const id = await mallory.api.send(malloryGroup, 'said once');
  await until(carol, carolGroup, 'said once');
  atMallory.nextId = id;
  await mallory.api.send(malloryGroup, 'said once');
  // A replay cannot change the words either: the first copy stands.
  atMallory.nextId = id;
  await mallory.api.send(malloryGroup, 'said once, changed by a replay');
  await mallory.api.send(malloryGroup, 'after the replays');
  for (const [member, conversation] of [
    [carol, carolGroup],
    [alice, group],
  ] as const) {
    await until(member, conversation, 'after the replays');
    expect(await texts(member.api, conversation)).toEqual(['said once', 'after the replays']);
  }
}, 60_000);
