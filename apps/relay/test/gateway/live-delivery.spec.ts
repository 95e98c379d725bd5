/**
 * LiveDelivery (relay.md §5.4): live pushes to this node's subscribers, in their queue's order.
 * While a subscription catches up with what is pending (subscribe, or after the bus was away),
 * its live pushes are held and follow the pending ones; a held push of a blob the pending ones
 * included is not sent twice. A scripted bus stands in for Redis pub/sub.
 */
import { decodeDeliver, encodeDeliver } from '@opendescent/protocol';
import type { Delivery } from '../../src/queues/queue.service';
import { roomOf, type Connection } from '../../src/gateway/connection-state';
import { LiveDelivery, type LiveBus } from '../../src/gateway/live-delivery';

const queue = (byte: number) => new Uint8Array(16).fill(byte);

function delivery(recipientId: Uint8Array, n: number): Delivery {
  return { recipientId, messageId: new Uint8Array(16).fill(n), receivedAt: 1_800_000_000, blob: new Uint8Array([n]) };
}

/** A `deliver` frame of queue 1, as another node publishes it. */
const frameOf = (n: number): Uint8Array => encodeDeliver(delivery(queue(1), n));

function connection(state: Partial<Pick<Connection, 'authenticated' | 'closing'>> = {}) {
  const pushed: number[] = [];
  const record = {
    socket: { emit: (_event: string, bytes: Uint8Array) => pushed.push(decodeDeliver(bytes).blob[0] as number) },
    subscriptions: new Set<string>(),
    authenticated: true,
    closing: false,
    ...state,
  } as unknown as Connection;
  return { record, pushed };
}

class ScriptedBus implements LiveBus {
  readonly published: Uint8Array[] = [];
  #listener: (frame: Uint8Array) => void = () => undefined;
  /** As Redis pub/sub: every node gets it, the publishing one too. */
  publish(frame: Uint8Array): void {
    this.published.push(frame);
    this.#listener(frame);
  }
  onFrame(listener: (frame: Uint8Array) => void): void {
    this.#listener = listener;
  }
  /** A frame another node published. */
  arrive(frame: Uint8Array): void {
    this.#listener(frame);
  }
}

describe('LiveDelivery', () => {
  const room = roomOf(queue(1));

  it('pushes a put through the bus to every subscriber of its queue on this node; not to others', () => {
    const bus = new ScriptedBus();
    let counted = 0;
    const live = new LiveDelivery(() => counted++, bus);
    const [anne, basile, other] = [connection(), connection(), connection()];
    for (const c of [anne, basile]) live.release(live.hold(c.record, room), []);
    live.release(live.hold(other.record, roomOf(queue(2))), []);
    live.publish(delivery(queue(1), 7));
    expect(anne.pushed).toEqual([7]);
    expect(basile.pushed).toEqual([7]);
    expect(other.pushed).toEqual([]);
    expect(bus.published.map((frame) => decodeDeliver(frame).blob[0])).toEqual([7]);
    expect(counted).toBe(2);
  });

  it('pushes what another node published to the subscribers here; ignores what is too short to be a frame', () => {
    const bus = new ScriptedBus();
    const live = new LiveDelivery(() => undefined, bus);
    const anne = connection();
    live.release(live.hold(anne.record, room), []);
    bus.arrive(new Uint8Array(10));
    bus.arrive(frameOf(3));
    expect(anne.pushed).toEqual([3]);
  });

  it('while a subscription catches up, live pushes wait behind what was pending, in order, without duplicates', () => {
    const bus = new ScriptedBus();
    const live = new LiveDelivery(() => undefined, bus);
    const anne = connection();
    const hold = live.hold(anne.record, room);
    // Put meanwhile: 3 was stored before the pending read (so it is in it too), 4 after.
    live.publish(delivery(queue(1), 3));
    bus.arrive(frameOf(4));
    expect(anne.pushed).toEqual([]);
    live.release(hold, [delivery(queue(1), 1), delivery(queue(1), 2), delivery(queue(1), 3)]);
    expect(anne.pushed).toEqual([1, 2, 3, 4]);
    live.publish(delivery(queue(1), 5));
    expect(anne.pushed).toEqual([1, 2, 3, 4, 5]);
  });

  it('two holds at once (a subscribe during a catch-up): the held pushes wait for both', () => {
    const live = new LiveDelivery(() => undefined);
    const anne = connection();
    const first = live.hold(anne.record, room);
    const second = live.hold(anne.record, room);
    live.publish(delivery(queue(1), 9));
    live.release(first, [delivery(queue(1), 1)]);
    expect(anne.pushed).toEqual([1]);
    live.release(second, [delivery(queue(1), 1), delivery(queue(1), 2)]);
    // 1 again (at least once: the device drops it), 2, then the held 9.
    expect(anne.pushed).toEqual([1, 1, 2, 9]);
  });

  it('a subscription ended while held (queue deleted, connection closed) is pushed nothing more', () => {
    const live = new LiveDelivery(() => undefined);
    const [anne, basile] = [connection(), connection()];
    const held = live.hold(anne.record, room);
    live.release(live.hold(basile.record, room), []);
    live.publish(delivery(queue(1), 4));
    live.unsubscribe(anne.record, room);
    live.release(held, [delivery(queue(1), 1)]);
    live.forget(basile.record);
    live.publish(delivery(queue(1), 5));
    expect(anne.pushed).toEqual([]);
    expect(basile.pushed).toEqual([4]);
    expect(anne.record.subscriptions.size + basile.record.subscriptions.size).toBe(0);
    expect(live.size).toBe(0);
  });

  it('holdAll holds the signed-in, open connections’ subscriptions, but for those already held', () => {
    const live = new LiveDelivery(() => undefined);
    const [anne, stranger, leaving] = [connection(), connection({ authenticated: false }), connection()];
    for (const c of [anne, stranger, leaving]) live.release(live.hold(c.record, room), []);
    live.release(live.hold(anne.record, roomOf(queue(2))), []);
    (leaving.record as { closing: boolean }).closing = true;
    const first = live.holdAll([anne.record, stranger.record, leaving.record]);
    expect(first.map((hold) => hold.room).sort()).toEqual([room, roomOf(queue(2))].sort());
    expect(live.holdAll([anne.record], first)).toEqual([]);
    live.publish(delivery(queue(1), 6));
    expect(anne.pushed).toEqual([]);
    for (const hold of first) live.release(hold, []);
    expect(anne.pushed).toEqual([6]);
  });
});
