/**
 * Deltas and paging (decision 0012): the page is told what each commit did to messages (the
 * message itself, its status changes, its removal at expiry) and reads a conversation a page at a
 * time through its index. Two devices over a REAL relay; the organisation is FakeAdmin.
 */
import type { MessageView } from '../../src/messenger/api';
import { FakeAdmin } from './fake-admin';
import { RelayProcess, newOrg } from '../net/support/relay-process';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

let relay: RelayProcess;
let alice: TestMessenger;
let bob: TestMessenger;

beforeAll(async () => {
  const org = await newOrg();
  relay = await RelayProcess.start(org);
  const admin = new FakeAdmin(org);
  alice = await enrolDevice('alice', 'alice@ministry.example', 'Alice Martin', {
    relayUrl: relay.url,
    admin,
    indexedDb: true,
  });
  bob = await enrolDevice('bob', 'bob@ministry.example', 'Bob Durand', { relayUrl: relay.url, admin });
}, 90_000);

afterAll(async () => {
  for (const d of [alice, bob]) await d?.api.lock().catch(() => undefined);
  await relay?.stop();
});

const textOf = (messages: readonly MessageView[]) => messages.map((m) => m.text);

test('25 messages paged back 10 at a time: the newest first page, then older ones, each in order, hasMore until the first', async () => {
  const conversation = await alice.api.startDirect('bob@ministry.example');
  const sent = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`);
  for (const text of sent) await alice.api.send(conversation, text);
  const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
  await eventually(async () => (await texts(bob.api, atBob)).length === 25, '25 messages at Bob', 30_000);

  const newest = await bob.api.messagePage(atBob, { limit: 10 });
  expect(textOf(newest.messages)).toEqual(sent.slice(15));
  expect(newest.hasMore).toBe(true);
  const first = newest.messages[0] as MessageView;
  const older = await bob.api.messagePage(atBob, {
    limit: 10,
    before: { sentAt: first.sentAt, receivedAt: first.receivedAt, id: first.id },
  });
  expect(textOf(older.messages)).toEqual(sent.slice(5, 15));
  const oldestCursor = older.messages[0] as MessageView;
  const oldest = await bob.api.messagePage(atBob, {
    limit: 10,
    before: { sentAt: oldestCursor.sentAt, receivedAt: oldestCursor.receivedAt, id: oldestCursor.id },
  });
  expect(textOf(oldest.messages)).toEqual(sent.slice(0, 5));
  expect(oldest.hasMore).toBe(false);
  // The same as reading the whole conversation, which the index does not change.
  expect(textOf((await alice.api.messagePage(conversation, { limit: 200 })).messages)).toEqual(
    await texts(alice.api, conversation),
  );
}, 90_000);

test('deltas: the receiver is sent each message as it is stored; the sender each status change, up to delivered', async () => {
  const conversation = await alice.api.startDirect('bob@ministry.example');
  const id = await alice.api.send(conversation, 'watch the deltas');
  const atBob = await conversationWith(bob.api, (t) => t === 'Alice Martin');
  await eventually(
    async () =>
      bob.deltas.some(
        (d) =>
          d.conversationId === atBob && // The receiver keys it by the sending device and the id (message-identity.ts).
          d.upserted.some((m) => m.id.endsWith(`:${id}`) && m.text === 'watch the deltas'),
      ),
    'the message as a delta at Bob',
  );
  await eventually(
    async () => alice.deltas.some((d) => d.upserted.some((m) => m.id === id && m.status === 'delivered')),
    'delivered as a delta at Alice',
  );
  const statuses = alice.deltas.flatMap((d) => d.upserted.filter((m) => m.id === id).map((m) => m.status));
  expect(statuses[0]).toBe('queued');
  expect(statuses).toContain('sent');
  expect(statuses.at(-1)).toBe('delivered');
}, 60_000);

test('a disappearing message leaves as a removal delta at expiry, and no page has it afterwards', async () => {
  const conversation = await alice.api.startDirect('bob@ministry.example');
  await alice.api.setDisappearing(conversation, 5);
  const id = await alice.api.send(conversation, 'gone in five seconds');
  await eventually(
    async () => alice.deltas.some((d) => d.conversationId === conversation && d.removed.includes(id)),
    'the removal delta at Alice',
    20_000,
  );
  expect((await alice.api.messagePage(conversation, { limit: 200 })).messages.some((m) => m.id === id)).toBe(false);
}, 40_000);

test('malformed page requests are refused and change nothing', async () => {
  const conversation = await alice.api.startDirect('bob@ministry.example');
  await expect(alice.api.messagePage(conversation, { limit: 0 })).rejects.toMatchObject({ code: 'not_found' });
  await expect(alice.api.messagePage(conversation, { limit: 201 })).rejects.toMatchObject({ code: 'not_found' });
  expect((await alice.api.messagePage('no-such-conversation', { limit: 5 })).messages).toEqual([]);
});
