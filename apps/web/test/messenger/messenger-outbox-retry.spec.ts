/**
 * A relay that cannot take a blob for now (relay.md §4.2 `unavailable`, as during a Redis
 * failover; `rate_limited`, `shutting_down`; the client's `offline` and `timeout`): the blob stays
 * in the outbox and is sent again after a growing wait (outbox-retry.ts), in its place, so no
 * recipient device misses a message and nothing queued after it overtakes it. The relay is REAL
 * (child process); Ada's client answers for some entries itself, without putting them, as the
 * relay would have answered.
 */
import { RelayClient, type RelayRequestErrorCode } from '@opendescent/relay-client';
import type { MessageView } from '../../src/messenger/api';
import {
  conversationWith,
  enrolDevice,
  eventually,
  linkDevice,
  texts,
  useSpecWorld,
  type TestMessenger,
} from './support';

const world = useSpecWorld();

/** The real client, except that it answers `code` itself for the entries `refuse` picks, while `refusals` last. */
class RefusingRelay extends RelayClient {
  refusals = 0;
  code: RelayRequestErrorCode = 'unavailable';
  refuse: (index: number) => boolean = () => true;
  /** Held before answering a refusal, as a relay waiting on its store would be. */
  delayMs = 0;
  /** Every put_many: how many entries it had and how many were refused. */
  readonly calls: { entries: number; refused: number }[] = [];

  override async putMany(...args: Parameters<RelayClient['putMany']>): ReturnType<RelayClient['putMany']> {
    const [entries, ttl] = args;
    if (this.refusals <= 0) {
      this.calls.push({ entries: entries.length, refused: 0 });
      return super.putMany(entries, ttl);
    }
    this.refusals -= 1;
    const refused = entries.map((_entry, index) => this.refuse(index));
    const passed = entries.filter((_entry, index) => !refused[index]);
    this.calls.push({ entries: entries.length, refused: entries.length - passed.length });
    const answers = passed.length > 0 ? [...(await super.putMany(passed, ttl))] : [];
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return refused.map((no) => (no ? this.code : (answers.shift() as (typeof answers)[number])));
  }
}

async function device(name: string, address = `${name}@agency.example`): Promise<TestMessenger> {
  const entry = await enrolDevice(name, address, name.toUpperCase(), { relayUrl: world.relay.url, admin: world.admin });
  world.devices.push(entry);
  return entry;
}

/** A sender whose relay client refuses as the test says. */
async function refusingDevice(name: string): Promise<{ entry: TestMessenger; relay: RefusingRelay }> {
  let relay: RefusingRelay | undefined;
  const entry = await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
    relayUrl: world.relay.url,
    admin: world.admin,
    relayFactory: (url, credentials) => {
      relay = new RefusingRelay({ url, credentials, backoff: { initialMs: 50, maxMs: 500 } });
      return relay;
    },
  });
  world.devices.push(entry);
  return { entry, relay: relay as RefusingRelay };
}

/** A refusing sender and a recipient with a conversation open, its first message (`opening`) read. */
async function opened(senderName: string, recipientName: string, opening = 'opening') {
  const { entry: sender, relay } = await refusingDevice(senderName);
  const recipient = await device(recipientName);
  const conversation = await sender.api.startDirect(`${recipientName}@agency.example`);
  await sender.api.send(conversation, opening);
  const at = await conversationWith(recipient.api, (t) => t === senderName.toUpperCase());
  await eventually(
    async () => (await texts(recipient.api, at)).includes(opening),
    `the ${opening} at ${recipientName}`,
  );
  return { sender, relay, recipient, conversation, at };
}

async function sentMessage(entry: TestMessenger, conversationId: string, text: string): Promise<MessageView> {
  return eventually(
    async () => (await entry.api.messages(conversationId)).find((m) => m.text === text),
    `${entry.name}'s message "${text}"`,
  );
}

/** The order in which the page of `entry` was first told of each text (its arrival order). */
function arrivalOrder(entry: TestMessenger): string[] {
  const order: string[] = [];
  for (const delta of entry.deltas)
    for (const message of delta.upserted)
      if (message.text !== undefined && !order.includes(message.text)) order.push(message.text);
  return order;
}

test.each<RelayRequestErrorCode>(['unavailable', 'rate_limited', 'shutting_down', 'offline', 'timeout'])(
  'every entry refused `%s`: the message stays queued, not failed, and arrives once the relay takes it',
  async (code) => {
    const {
      sender: ada,
      relay,
      recipient: ben,
      conversation,
      at: atBen,
    } = await opened(`ada-${code}`, `ben-${code}`, 'first');

    relay.code = code;
    relay.refusals = 2;
    const before = relay.calls.length;
    await ada.api.send(conversation, 'refused twice');
    // Refused: still queued (before this fix, `failed`, and never sent again).
    await eventually(async () => relay.calls.length >= before + 1, 'the first put_many');
    expect((await sentMessage(ada, conversation, 'refused twice')).status).toBe('queued');

    await eventually(async () => (await texts(ben.api, atBen)).includes('refused twice'), 'the message at ben');
    await eventually(
      async () => (await sentMessage(ada, conversation, 'refused twice')).status !== 'queued',
      'sent at last',
    );
    expect(['sent', 'delivered']).toContain((await sentMessage(ada, conversation, 'refused twice')).status);
    expect(relay.calls.slice(before, before + 2).map((c) => c.refused)).toEqual([1, 1]);
    expect((await texts(ben.api, atBen)).filter((t) => t === 'refused twice')).toHaveLength(1);
  },
  60_000,
);

test('one device’s entry refused while another’s is stored: the message shows sent, and that device gets it too', async () => {
  const { entry: cy, relay } = await refusingDevice('cy');
  const dan = await device('dan');
  const danLaptop = await device('danlaptop', 'dan@agency.example');
  await linkDevice(danLaptop, dan);
  const conversation = await cy.api.startDirect('dan@agency.example');
  await cy.api.send(conversation, 'hello both');
  const atDan = await conversationWith(dan.api, (t) => t === 'CY');
  const atLaptop = await conversationWith(danLaptop.api, (t) => t === 'CY');
  for (const [entry, at] of [
    [dan, atDan],
    [danLaptop, atLaptop],
  ] as const)
    await eventually(async () => (await texts(entry.api, at)).includes('hello both'), `the first at ${entry.name}`);

  relay.refusals = 1;
  relay.refuse = (index) => index === 0;
  const before = relay.calls.length;
  await cy.api.send(conversation, 'one of two refused');
  for (const [entry, at] of [
    [dan, atDan],
    [danLaptop, atLaptop],
  ] as const)
    await eventually(
      async () => (await texts(entry.api, at)).includes('one of two refused'),
      `the message at ${entry.name}`,
    );
  const [first, second] = relay.calls.slice(before);
  expect(first).toEqual({ entries: 2, refused: 1 });
  // Sent again: only the refused entry, not the one the relay stored.
  expect(second).toEqual({ entries: 1, refused: 0 });
  expect(['sent', 'delivered']).toContain((await sentMessage(cy, conversation, 'one of two refused')).status);
}, 60_000);

test('nothing queued after a refused blob overtakes it: the recipient reads them in the order they were sent', async () => {
  const { sender: eve, relay, recipient: fay, conversation, at: atFay } = await opened('eve', 'fay');

  // The first refusal is slow, so the next two messages are queued behind it and the next flush
  // holds all three: refused again at the first, it must send neither of the others.
  relay.refusals = 2;
  relay.delayMs = 400;
  const before = relay.calls.length;
  await eve.api.send(conversation, 'one');
  await eventually(async () => relay.calls.length > before, 'the slow refusal');
  await eve.api.send(conversation, 'two');
  await eve.api.send(conversation, 'three');
  await eventually(async () => (await texts(fay.api, atFay)).includes('three'), 'all three at fay');
  await eventually(async () => (await texts(fay.api, atFay)).length === 4, 'nothing else');
  expect(arrivalOrder(fay).filter((t) => ['one', 'two', 'three'].includes(t))).toEqual(['one', 'two', 'three']);
  // The second flush stopped at its refusal: no put_many between the two refusals and the retry.
  expect(relay.calls.slice(before, before + 2).map((c) => c.refused)).toEqual([1, 1]);
}, 60_000);

test('a relay that keeps refusing is asked again after growing waits, not in a loop, and gets the message when it recovers', async () => {
  const { sender: gil, relay, recipient: hal, conversation, at: atHal } = await opened('gil', 'hal');

  relay.refusals = Number.POSITIVE_INFINITY;
  const before = relay.calls.length;
  await gil.api.send(conversation, 'while refused');
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const tries = relay.calls.length - before;
  // Waits of 0.5–1 s, 1–2 s, 2–4 s: at least two tries in 4 s, and no more than the first and three
  // retries (a loop would have made hundreds). The timer ticks each second, so allow one more.
  expect(tries).toBeGreaterThanOrEqual(2);
  expect(tries).toBeLessThanOrEqual(5);
  expect((await sentMessage(gil, conversation, 'while refused')).status).toBe('queued');
  expect(await texts(hal.api, atHal)).not.toContain('while refused');

  relay.refusals = 0;
  await eventually(async () => (await texts(hal.api, atHal)).includes('while refused'), 'the message at hal', 20_000);
}, 60_000);
