/**
 * The signalling rules of direct channels (direct.md §2-§4, §7), on DirectChannels alone with a
 * fake network: what a receiver drops (a stale or replayed offer, an answer or close for a channel
 * it did not make), what it refuses with `rtc_close` (bad SDP, the setting off, past 32 channels),
 * and who offers.
 */
import { DirectChannels, MAX_CHANNELS, OFFER_MAX_AGE_MS } from '../../../src/messenger/direct/direct-channels';
import type { DirectSetting } from '../../../src/messenger/direct/direct-ports';
import type { DirectSignal } from '../../../src/messenger/direct/direct-signals';
import { FakeDirectNetwork, sdpWithFingerprint } from '../fake-direct-network';

const LOW = '0'.repeat(32);
const HIGH = 'f'.repeat(32);
const TIMING = { ackTimeoutMs: 200, idleCloseMs: 10_000, fileStallMs: 200, openTimeoutMs: 300, firstRetryWaitMs: 500 };
const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

function node(network: FakeDirectNetwork, self: string, setting: DirectSetting = 'direct') {
  const signals: { peer: string; payload: DirectSignal }[] = [];
  const state = { setting, eligible: true };
  const channels = new DirectChannels(
    {
      host: network.host(self),
      now: () => Date.now(),
      selfId: () => self,
      setting: () => state.setting,
      eligible: () => state.eligible,
      iceServers: async () => [],
      signal: async (peer, payload) => {
        signals.push({ peer, payload });
      },
      receive: async () => true,
      serveFile: async () => 'not_held' as const,
      changed: () => undefined,
    },
    TIMING,
  );
  made.push(channels);
  return { channels, signals, state };
}

const made: DirectChannels[] = [];
afterEach(() => {
  for (const channels of made.splice(0)) channels.stop();
});

function offer(channel: string, at = Date.now()): DirectSignal {
  return { t: 'rtc_offer', channel, sdp: sdpWithFingerprint(new Uint8Array(32).fill(1)), at };
}

function only(signals: { payload: DirectSignal }[], index = 0): DirectSignal {
  const found = signals[index];
  if (!found) throw new Error(`no signal ${index}`);
  return found.payload;
}

const closes = (signals: { payload: DirectSignal }[]) =>
  signals.flatMap(({ payload }) => (payload.t === 'rtc_close' ? [payload.reason] : []));

test('only the lower device id offers, and two nodes that pass signals along open one channel', async () => {
  const network = new FakeDirectNetwork();
  const low = node(network, LOW);
  const high = node(network, HIGH);
  high.channels.want(LOW);
  await settle();
  expect(high.signals).toHaveLength(0);
  low.channels.want(HIGH);
  await settle();
  expect(low.signals.map((s) => s.payload.t)).toEqual(['rtc_offer']);
  await high.channels.signal(LOW, only(low.signals));
  expect(high.signals.map((s) => s.payload.t)).toEqual(['rtc_answer']);
  await low.channels.signal(HIGH, only(high.signals));
  await settle(50);
  expect(low.channels.isOpen(HIGH)).toBe(true);
  expect(high.channels.isOpen(LOW)).toBe(true);
  expect(network.connections).toBe(1);
});

test('a stale offer, or one replayed for a channel already made, is dropped without an answer', async () => {
  const network = new FakeDirectNetwork();
  const high = node(network, HIGH);
  await high.channels.signal(LOW, offer('a'.repeat(32), Date.now() - OFFER_MAX_AGE_MS - 1));
  expect(high.signals).toHaveLength(0);
  const fresh = offer('b'.repeat(32));
  await high.channels.signal(LOW, fresh);
  await high.channels.signal(LOW, fresh);
  expect(high.signals.map((s) => s.payload.t)).toEqual(['rtc_answer']);
});

test('an answer or a close for a channel it did not make is dropped', async () => {
  const network = new FakeDirectNetwork();
  const low = node(network, LOW);
  const sdp = sdpWithFingerprint(new Uint8Array(32).fill(2));
  await low.channels.signal(HIGH, { t: 'rtc_answer', channel: 'c'.repeat(32), sdp, at: Date.now() });
  await low.channels.signal(HIGH, { t: 'rtc_close', channel: 'c'.repeat(32), reason: 'closed', at: Date.now() });
  expect(low.signals).toHaveLength(0);
  // Another device's answer to our offer is not taken either.
  low.channels.want(HIGH);
  await settle();
  const ours = only(low.signals) as Extract<DirectSignal, { t: 'rtc_offer' }>;
  await low.channels.signal('e'.repeat(32), { t: 'rtc_answer', channel: ours.channel, sdp: ours.sdp, at: Date.now() });
  await settle(50);
  expect(network.connections).toBe(0);
});

test('bad SDP, the setting off, a device not eligible, and a 33rd channel are each refused with rtc_close', async () => {
  const network = new FakeDirectNetwork();
  const high = node(network, HIGH);
  await high.channels.signal(LOW, { ...offer('1'.repeat(32)), sdp: 'v=0\r\nm=audio 9 RTP/AVP 0\r\n' } as DirectSignal);
  high.state.setting = 'off';
  await high.channels.signal(LOW, offer('2'.repeat(32)));
  high.state.setting = 'direct';
  high.state.eligible = false;
  await high.channels.signal(LOW, offer('3'.repeat(32)));
  expect(closes(high.signals)).toEqual(['bad_sdp', 'refused', 'refused']);

  const busy = node(network, HIGH);
  for (let i = 0; i < MAX_CHANNELS; i++)
    await busy.channels.signal(i.toString(16).padStart(32, '0'), offer(i.toString(16).padStart(32, 'a')));
  expect(busy.signals.filter((s) => s.payload.t === 'rtc_answer')).toHaveLength(MAX_CHANNELS);
  await busy.channels.signal('9'.repeat(32), offer('9'.repeat(32)));
  expect(closes(busy.signals)).toEqual(['refused']);
});

test('an offer that is never answered is given up after the open timeout, and the offerer waits before the next', async () => {
  const network = new FakeDirectNetwork();
  const low = node(network, LOW);
  low.channels.want(HIGH);
  await settle(TIMING.openTimeoutMs + 50);
  expect(closes(low.signals)).toEqual(['timeout']);
  low.channels.want(HIGH);
  await settle();
  expect(low.signals.filter((s) => s.payload.t === 'rtc_offer')).toHaveLength(1);
  await settle(TIMING.firstRetryWaitMs);
  low.channels.want(HIGH);
  await settle();
  expect(low.signals.filter((s) => s.payload.t === 'rtc_offer')).toHaveLength(2);
  low.channels.stop();
});

test('a change of setting closes the channel and a new one may be offered at once, under the new policy', async () => {
  const network = new FakeDirectNetwork();
  const low = node(network, LOW);
  const high = node(network, HIGH);
  low.channels.want(HIGH);
  await settle();
  await high.channels.signal(LOW, only(low.signals));
  await low.channels.signal(HIGH, only(high.signals));
  await settle(50);
  expect(low.channels.isOpen(HIGH)).toBe(true);
  low.state.setting = 'turn_only';
  expect(low.channels.isOpen(HIGH)).toBe(false);
  expect(closes(low.signals)).toEqual(['closed']);
  low.channels.want(HIGH);
  await settle();
  const offers = low.signals.filter((s) => s.payload.t === 'rtc_offer');
  expect(offers).toHaveLength(2);
  expect([...network.offers.values()].at(-1)?.ice.policy).toBe('relay');
  low.channels.stop();
  high.channels.stop();
});

test('the peer closing a working channel on purpose (rtc_close closed) lifts the wait; a failure keeps it', async () => {
  const network = new FakeDirectNetwork();
  const low = node(network, LOW);
  const high = node(network, HIGH);
  const open = async () => {
    const before = low.signals.length;
    low.channels.want(HIGH);
    await settle();
    const offer = only(low.signals, before);
    await high.channels.signal(LOW, offer);
    await low.channels.signal(HIGH, only(high.signals, high.signals.length - 1));
    await settle(50);
    return offer.channel;
  };
  const first = await open();
  expect(low.channels.isOpen(HIGH)).toBe(true);
  // The link goes first (the low side waits), then the peer's close arrives through the relay.
  network.cutAll();
  await settle();
  low.channels.want(HIGH);
  await settle();
  expect(low.signals.filter((s) => s.payload.t === 'rtc_offer')).toHaveLength(1);
  await low.channels.signal(HIGH, { t: 'rtc_close', channel: first, reason: 'closed', at: Date.now() });
  await open();
  expect(low.signals.filter((s) => s.payload.t === 'rtc_offer')).toHaveLength(2);
  expect(low.channels.isOpen(HIGH)).toBe(true);
  // A malformed close keeps the wait.
  const second = [...network.offers.keys()].at(-1) as string;
  await low.channels.signal(HIGH, { t: 'rtc_close', channel: second, reason: 'malformed', at: Date.now() });
  low.channels.want(HIGH);
  await settle();
  expect(low.signals.filter((s) => s.payload.t === 'rtc_offer')).toHaveLength(2);
  low.channels.stop();
  high.channels.stop();
});
