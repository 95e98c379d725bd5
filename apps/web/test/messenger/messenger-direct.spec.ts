/**
 * Direct channels between devices (docs/protocol/direct.md), over a fake WebRTC network
 * (fake-direct-network.ts) and a REAL relay: the lower device id offers once both share a session,
 * messages then go over the channel and the relay stores none of them; the relay can stop and the
 * pair keeps talking; a cut channel, a missing ack, a wrong certificate, a malformed frame or the
 * setting `off` all leave the relay carrying everything, nothing lost and nothing shown twice.
 */
import {
  countOf,
  exchange,
  nextSerial,
  pairOnNetwork,
  pathOf,
  storedBlobs,
  TIMING,
  waitForDirect,
} from './direct-support';
import { FakeDirectNetwork, fingerprintOf } from './fake-direct-network';
import { conversationWith, enrolDevice, eventually, texts, useSpecWorld, type TestMessenger } from './support';

const world = useSpecWorld();
jest.setTimeout(30_000);
const pair = (network: FakeDirectNetwork, options: Parameters<typeof pairOnNetwork>[2] = {}) =>
  pairOnNetwork(world, network, options);

test('two devices open a channel; messages and receipts then go direct and the relay stores none', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA, atB } = await pair(network);
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  expect(network.connections).toBe(1);
  const before = await storedBlobs(world.relay);
  for (let i = 0; i < 5; i++) {
    await exchange(a, atA, b, atB, `direct ${i} from a`);
    await exchange(b, atB, a, atA, `direct ${i} from b`);
  }
  // Receipts too went direct: a's last message shows delivered.
  await eventually(
    async () => (await a.api.messages(atA)).find((m) => m.text === 'direct 4 from a')?.status === 'delivered',
    'a receipt over the channel',
  );
  expect(await storedBlobs(world.relay)).toBe(before);
  const shown = await texts(b.api, atB);
  for (let i = 0; i < 5; i++) expect(countOf(shown, `direct ${i} from a`)).toBe(1);
});

test('the relay stops mid-conversation: the pair keeps talking over the channel, and both ways after it returns', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA, atB } = await pair(network);
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  await world.relay.stop();
  try {
    await eventually(
      async () => (await a.api.snapshot()).relays.every((r) => r.status !== 'online'),
      'a sees the relay down',
    );
    await exchange(a, atA, b, atB, 'while the relay is down');
    await exchange(b, atB, a, atA, 'still here');
    const mine = (await a.api.messages(atA)).find((m) => m.text === 'while the relay is down');
    expect(mine?.status).toMatch(/sent|delivered/);
  } finally {
    await world.relay.restart();
  }
  await eventually(async () => (await a.api.snapshot()).relays.every((r) => r.status === 'online'), 'relay back');
  await exchange(a, atA, b, atB, 'after the relay came back');
});

test('a cut channel: messages fall back to the relay, nothing lost or shown twice, and a new channel opens', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA, atB } = await pair(network);
  await waitForDirect(a, atA);
  await exchange(a, atA, b, atB, 'before the cut');
  network.unreachable = true;
  network.cutAll();
  await eventually(async () => (await pathOf(a, atA)) === 'relay', 'a back on the relay');
  const before = await storedBlobs(world.relay);
  for (let i = 0; i < 3; i++) await a.api.send(atA, `after the cut ${i}`);
  await eventually(async () => (await texts(b.api, atB)).includes('after the cut 2'), 'the relay carries them');
  expect(await storedBlobs(world.relay)).toBeGreaterThan(before);
  network.unreachable = false;
  await waitForDirect(a, atA, true);
  await exchange(b, atB, a, atA, 'direct again');
  const shown = await texts(b.api, atB);
  for (const text of ['before the cut', 'after the cut 0', 'after the cut 1', 'after the cut 2'])
    expect(countOf(shown, text)).toBe(1);
});

test('an ack that never comes: the same bytes go through the relay after the timeout and are shown once', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA, atB } = await pair(network);
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  // Acks from b to a are lost on the way (a data frame starts 0x01, an ack 0x02).
  let dropAcks = true;
  network.rewriteFrame = (frame) => (dropAcks && frame[0] === 0x02 ? undefined : frame);
  const before = await storedBlobs(world.relay);
  await a.api.send(atA, 'acked late');
  await eventually(async () => (await storedBlobs(world.relay)) > before, 'the relay gets the copy');
  dropAcks = false;
  await eventually(async () => (await texts(b.api, atB)).includes('acked late'), 'b has it');
  // The relay's copy arrived too: it is acknowledged, not shown a second time.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(countOf(await texts(b.api, atB), 'acked late')).toBe(1);
});

test('malformed frames from the peer close the channel; what was sent goes through the relay', async () => {
  const network = new FakeDirectNetwork();
  // No second channel within the test: the first one's closing is what is looked at.
  const { a, b, atA, atB } = await pair(network, { timing: { ...TIMING, firstRetryWaitMs: 60_000 } });
  await waitForDirect(a, atA);
  await waitForDirect(b, atB);
  // Every data frame from a arrives with a sequence number out of order (a hostile or broken peer).
  network.rewriteFrame = (frame) => {
    if (frame[0] !== 0x01) return frame;
    const bent = frame.slice();
    bent[4] = (bent[4] as number) + 7;
    return bent;
  };
  await a.api.send(atA, 'through a bent channel');
  await eventually(async () => (await texts(b.api, atB)).includes('through a bent channel'), 'b has it by the relay');
  await eventually(async () => (await pathOf(b, atB)) === 'relay', 'b closed the channel');
  expect(countOf(await texts(b.api, atB), 'through a bent channel')).toBe(1);
});

test('a wrong fingerprint in the signalling: the browser refuses the connection, the relay carries everything', async () => {
  const network = new FakeDirectNetwork();
  // The first device names a certificate it does not hold (its SDP rewritten before encryption).
  const { a, b, atA, atB } = await pair(network, {
    first: { directSdp: (sdp) => sdp.replace(fingerprintOf(sdp), fingerprintOf(sdp).replace(/^../, '00')) },
  });
  await exchange(a, atA, b, atB, 'one');
  await exchange(b, atB, a, atA, 'two');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(network.connections).toBe(0);
  expect(await pathOf(a, atA)).toBe('relay');
  expect(await pathOf(b, atB)).toBe('relay');
});

test('a certificate that does not match the fingerprint, from a browser that did not check: the messenger refuses the channel', async () => {
  const network = new FakeDirectNetwork();
  network.trustAnyCertificate = true;
  // A man in the middle presents its own certificate to both sides.
  network.presentCertificate = (real) => real.map((byte) => byte ^ 0xff);
  const { a, b, atA, atB } = await pair(network);
  await eventually(async () => network.connections > 0, 'a connection comes up');
  const before = await storedBlobs(world.relay);
  await exchange(a, atA, b, atB, 'not through the middle');
  expect(await storedBlobs(world.relay)).toBeGreaterThan(before);
  expect(await pathOf(a, atA)).toBe('relay');
  expect(await pathOf(b, atB)).toBe('relay');
});

test('with direct channels off on one side, nothing but the relay is used', async () => {
  const network = new FakeDirectNetwork();
  const serial = nextSerial();
  const hosts = [network.host(`cy${serial}`), network.host(`di${serial}`)];
  const [c, d] = (await Promise.all(
    hosts.map((host) =>
      enrolDevice(host.name, `${host.name}@agency.example`, host.name.toUpperCase(), {
        relayUrl: world.relay.url,
        admin: world.admin,
        direct: host,
        directTiming: TIMING,
      }),
    ),
  )) as [TestMessenger, TestMessenger];
  world.devices.push(c, d);
  await d.api.setPreferences({ directChannels: 'off' });
  expect((await d.api.snapshot()).preferences?.directChannels).toBe('off');
  const atC = await c.api.startDirect(`${d.name}@agency.example`);
  await c.api.send(atC, 'first');
  const atD = await conversationWith(d.api, (title) => title === c.name.toUpperCase());
  await eventually(async () => (await texts(d.api, atD)).includes('first'), 'first');
  for (let i = 0; i < 3; i++) {
    await exchange(d, atD, c, atC, `d ${i}`);
    await exchange(c, atC, d, atD, `c ${i}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(network.connections).toBe(0);
  expect(await pathOf(c, atC)).toBe('relay');
});

test('turning direct channels off closes an open channel; turn_only asks for relay-only ICE', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA, atB } = await pair(network);
  await waitForDirect(a, atA);
  await a.api.setPreferences({ directChannels: 'off' });
  await eventually(async () => (await pathOf(a, atA)) === 'relay', 'a closed its channel');
  const before = await storedBlobs(world.relay);
  await exchange(a, atA, b, atB, 'after turning it off');
  expect(await storedBlobs(world.relay)).toBeGreaterThan(before);
  await a.api.setPreferences({ directChannels: 'turn_only' });
  await b.api.setPreferences({ directChannels: 'turn_only' });
  await waitForDirect(a, atA, true);
  const hosts = [network.offers, network.answers].flatMap((m) => [...m.values()]);
  expect(hosts.at(-1)?.ice.policy).toBe('relay');
});

test('a group of three, one pair with a channel: one Sender Key message goes direct to that member and by the relay to the other', async () => {
  const network = new FakeDirectNetwork();
  const { a, b, atA } = await pair(network);
  await waitForDirect(a, atA);
  const serial = nextSerial();
  const c = await enrolDevice(`cat${serial}`, `cat${serial}@agency.example`, `CAT${serial}`, {
    relayUrl: world.relay.url,
    admin: world.admin,
    direct: network.host(`cat${serial}`),
    directTiming: TIMING,
  });
  world.devices.push(c);
  // c has no channel with anyone: its host cannot reach the others.
  network.unreachableHosts.add(`cat${serial}`);
  const group = await a.api.createGroup('Three', [`${b.name}@agency.example`, `${c.name}@agency.example`]);
  await a.api.send(group, 'to the three of us');
  const atB = await conversationWith(b.api, (title) => title === 'Three');
  const atC = await conversationWith(c.api, (title) => title === 'Three');
  await eventually(async () => (await texts(b.api, atB)).includes('to the three of us'), 'b has it');
  await eventually(async () => (await texts(c.api, atC)).includes('to the three of us'), 'c has it');
  const before = await storedBlobs(world.relay);
  const framesBefore = network.dataFrames;
  await a.api.send(group, 'second to the group');
  await eventually(async () => (await texts(b.api, atB)).includes('second to the group'), 'b has the second');
  await eventually(async () => (await texts(c.api, atC)).includes('second to the group'), 'c has the second');
  expect(network.dataFrames).toBeGreaterThan(framesBefore);
  // c's copy (and nothing for b) went to the relay; receipts from c too.
  expect(await storedBlobs(world.relay)).toBeGreaterThan(before);
  expect(await pathOf(a, group)).toBe('mixed');
});
