/**
 * Several relays (messages.md §5.1): contact slots and intro queues on the first, each device's
 * queues for its peers spread over every configured relay, and every message arrives whichever
 * relay holds the queue it goes to.
 */
import { FakeAdmin } from './fake-admin';
import { RelayProcess, newOrg } from '../net/support/relay-process';
import { conversationWith, enrolDevice, eventually, texts, type TestMessenger } from './support';

let first: RelayProcess;
let second: RelayProcess;
let admin: FakeAdmin;
const devices: TestMessenger[] = [];

async function storedBlobs(relay: RelayProcess): Promise<number> {
  const metrics = await (await fetch(`${relay.url}/metrics`)).text();
  return Number(/^relay_blobs_stored_total (\d+)/m.exec(metrics)?.[1] ?? 'NaN');
}

beforeAll(async () => {
  const org = await newOrg();
  [first, second] = await Promise.all([RelayProcess.start(org), RelayProcess.start(org)]);
  admin = new FakeAdmin(org);
}, 60_000);

afterAll(async () => {
  for (const d of devices) await d.api.lock().catch(() => undefined);
  await Promise.all([first?.stop(), second?.stop()]);
});

test('three devices on two relays: queues spread over both and every message arrives', async () => {
  for (const name of ['mia', 'ned', 'ola'])
    devices.push(
      await enrolDevice(name, `${name}@agency.example`, name.toUpperCase(), {
        relayUrl: [first.url, second.url],
        admin,
      }),
    );
  const [mia, ned, ola] = devices as [TestMessenger, TestMessenger, TestMessenger];
  for (const d of devices) expect((await d.api.snapshot()).relays.map((r) => r.status)).toEqual(['online', 'online']);
  const secondBefore = await storedBlobs(second);
  const pairs: [TestMessenger, TestMessenger][] = [
    [mia, ned],
    [ned, ola],
    [ola, mia],
  ];
  for (const [from, to] of pairs) {
    const conversation = await from.api.startDirect(`${to.name}@agency.example`);
    await from.api.send(conversation, `${from.name} to ${to.name}`);
    const at = await conversationWith(to.api, (t) => t === from.name.toUpperCase());
    await eventually(
      async () => (await texts(to.api, at)).includes(`${from.name} to ${to.name}`),
      `${from.name} → ${to.name}`,
    );
    await to.api.send(at, `${to.name} back to ${from.name}`);
    await eventually(
      async () => (await texts(from.api, conversation)).includes(`${to.name} back to ${from.name}`),
      `${to.name} → ${from.name}`,
    );
  }
  // Each device made one queue per peer, taking the two relays in turn: the second relay, which
  // holds no slot and no intro queue, carried part of the conversation.
  expect(await storedBlobs(second)).toBeGreaterThan(secondBefore);
  expect(await storedBlobs(first)).toBeGreaterThan(0);
}, 90_000);
