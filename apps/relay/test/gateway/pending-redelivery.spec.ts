/**
 * PendingRedelivery (relay.md §9.1): when the subscriber reconnects, each subscription held on
 * this node is pushed what is pending in its queue, once the subscriber's own subscriptions are
 * confirmed; live pushes, held from the moment it closed, follow. A scripted subscriber stands in
 * for ioredis; LiveDelivery is the real one, without a bus.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { decodeDeliver } from '@opendescent/protocol';
import type { Delivery } from '../../src/queues/queue.service';
import { roomOf, type Connection } from '../../src/gateway/connection-state';
import { PendingRedelivery } from '../../src/gateway/pending-redelivery';
import { LiveDelivery } from '../../src/gateway/live-delivery';

class ScriptedSubscriber extends EventEmitter {
  status = 'ready';
  readonly commands: string[] = [];
  async subscribe(channel: string): Promise<number> {
    this.commands.push(`subscribe ${channel}`);
    return 1;
  }
  async unsubscribe(channel: string): Promise<number> {
    this.commands.push(`unsubscribe ${channel}`);
    return 0;
  }
  close(): void {
    this.status = 'reconnecting';
    this.emit('close');
  }
  reconnect(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

const id = (byte: number) => new Uint8Array(16).fill(byte);

function connection(recipients: Uint8Array[], state: Partial<Pick<Connection, 'authenticated' | 'closing'>> = {}) {
  const pushed: Uint8Array[] = [];
  const socket = { emit: (_event: string, bytes: Uint8Array) => pushed.push(bytes) };
  const record = {
    socket,
    subscriptions: new Set(recipients.map(roomOf)),
    authenticated: true,
    closing: false,
    ...state,
  } as unknown as Connection;
  return { record, pushed };
}

const delivery = (recipientId: Uint8Array, byte: number): Delivery => ({
  recipientId,
  messageId: new Uint8Array(16).fill(byte),
  receivedAt: 1_800_000_000,
  blob: new Uint8Array([byte]),
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('PendingRedelivery', () => {
  function setUp(connections: Connection[], pending: Map<number, Delivery[]>) {
    const sub = new ScriptedSubscriber();
    let counted = 0;
    const queues = {
      allPending: async (recipientId: Uint8Array) => {
        sub.commands.push(`pending ${recipientId[0]}`);
        return pending.get(recipientId[0] ?? -1) ?? [];
      },
    };
    new PendingRedelivery(
      sub as unknown as Redis,
      'p:resubscribed',
      () => connections,
      queues,
      new LiveDelivery(() => counted++),
    ).start();
    return { sub, counted: () => counted };
  }

  it('pushes every pending message of every subscription on this node after a reconnection', async () => {
    const anne = connection([id(1), id(2)]);
    const basile = connection([id(3)]);
    const pending = new Map([
      [1, [delivery(id(1), 10), delivery(id(1), 11)]],
      [3, [delivery(id(3), 30)]],
    ]);
    const { sub, counted } = setUp([anne.record, basile.record], pending);
    sub.reconnect();
    await settle();
    expect(anne.pushed.map((bytes) => decodeDeliver(bytes).blob[0])).toEqual([10, 11]);
    expect(basile.pushed.map((bytes) => decodeDeliver(bytes).blob[0])).toEqual([30]);
    expect(counted()).toBe(3);
  });

  it('reads the queues only after its own subscription is confirmed, behind those ioredis restores', async () => {
    const anne = connection([id(1)]);
    const { sub } = setUp([anne.record], new Map());
    sub.reconnect();
    await settle();
    expect(sub.commands).toEqual(['subscribe p:resubscribed', 'unsubscribe p:resubscribed', 'pending 1']);
  });

  it('does nothing at the first connection, nor for connections not signed in or closing', async () => {
    const anne = connection([id(1)]);
    const stranger = connection([id(2)], { authenticated: false });
    const leaving = connection([id(3)], { closing: true });
    const sub = new ScriptedSubscriber();
    sub.status = 'connecting';
    const asked: number[] = [];
    const queues = { allPending: async (recipientId: Uint8Array) => (asked.push(recipientId[0] ?? -1), []) };
    const records = [anne.record, stranger.record, leaving.record];
    new PendingRedelivery(
      sub as unknown as Redis,
      'p:resubscribed',
      () => records,
      queues,
      new LiveDelivery(() => undefined),
    ).start();
    sub.reconnect(); // the first `ready`: nothing was missed
    await settle();
    expect(asked).toEqual([]);
    sub.reconnect();
    await settle();
    expect(asked).toEqual([1]);
  });

  it('goes on with the other queues when one cannot be read', async () => {
    const anne = connection([id(1), id(2)]);
    const sub = new ScriptedSubscriber();
    const queues = {
      allPending: async (recipientId: Uint8Array) => {
        if (recipientId[0] === 1) throw new Error('deleted meanwhile');
        return [delivery(recipientId, 20)];
      },
    };
    new PendingRedelivery(
      sub as unknown as Redis,
      'p:resubscribed',
      () => [anne.record],
      queues,
      new LiveDelivery(() => undefined),
    ).start();
    sub.reconnect();
    await settle();
    expect(anne.pushed.map((bytes) => decodeDeliver(bytes).blob[0])).toEqual([20]);
  });

  it('holds live pushes from the moment the subscriber closes: they follow what was missed, in order', async () => {
    const sub = new ScriptedSubscriber();
    const live = new LiveDelivery(() => undefined);
    const anne = connection([]);
    live.release(live.hold(anne.record, roomOf(id(1))), []);
    const missed = [delivery(id(1), 10), delivery(id(1), 11)];
    let reads = 0;
    const queues = {
      allPending: async () => {
        reads++;
        // What another node put while this subscriber was away, and this node's own put (12).
        return [...missed, delivery(id(1), 12)];
      },
    };
    new PendingRedelivery(sub as unknown as Redis, 'p:resubscribed', () => [anne.record], queues, live).start();
    sub.close();
    // This node's own put while away: without the hold it would be pushed ahead of 10 and 11.
    live.publish(delivery(id(1), 12));
    await settle();
    expect(anne.pushed).toEqual([]);
    sub.reconnect();
    live.publish(delivery(id(1), 13));
    await settle();
    expect(reads).toBe(1);
    expect(anne.pushed.map((bytes) => decodeDeliver(bytes).blob[0])).toEqual([10, 11, 12, 13]);
    live.publish(delivery(id(1), 14));
    expect(anne.pushed.map((bytes) => decodeDeliver(bytes).blob[0])).toEqual([10, 11, 12, 13, 14]);
  });

  it('a subscription made while the subscriber was away catches up too, once', async () => {
    const sub = new ScriptedSubscriber();
    const live = new LiveDelivery(() => undefined);
    const anne = connection([]);
    const queues = { allPending: async (recipientId: Uint8Array) => [delivery(recipientId, 20)] };
    new PendingRedelivery(sub as unknown as Redis, 'p:resubscribed', () => [anne.record], queues, live).start();
    sub.close();
    live.release(live.hold(anne.record, roomOf(id(2))), []);
    sub.reconnect();
    await settle();
    expect(anne.pushed.map((bytes) => decodeDeliver(bytes).blob[0])).toEqual([20]);
  });
});
