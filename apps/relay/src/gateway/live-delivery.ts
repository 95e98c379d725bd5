import { RELAY_EVENTS, encodeDeliver } from '@opendescent/protocol';
import type { Delivery } from '../queues/queue.service';
import { hexId } from '../store/relay-store';
import { roomOf, type Connection } from './connection-state';

/** Where a `deliver` frame (relay.md §4.4) names its queue and its blob. */
const RECIPIENT_ID = { start: 2, end: 18 } as const;
const MESSAGE_ID = { start: 18, end: 34 } as const;
/** A `deliver` frame with an empty blob: anything shorter from the bus is not one. */
const MIN_DELIVER_BYTES = 42;

/** Carries live pushes between relay nodes (live-bus.ts); absent with the memory store, which has one node. */
export interface LiveBus {
  /** Sends a `deliver` frame to every node, this one included. */
  publish(frame: Uint8Array): void;
  /** Frames the nodes published, in the bus's one order. */
  onFrame(listener: (frame: Uint8Array) => void): void;
}

/** One subscription on this node: the pushes it holds back while it catches up with its queue. */
interface Subscriber {
  holds: number;
  held: Uint8Array[];
  /** Message ids (hex) pushed from the queue since the first hold: a held push of one is not sent twice. */
  sent: Set<string>;
}

/** A hold on one subscription's live pushes, ended by LiveDelivery.release. */
export interface Hold {
  readonly connection: Connection;
  readonly room: string;
  readonly subscriber: Subscriber;
}

/**
 * relay.md §5.4: live pushes, to the subscribers of a queue on this node, in the queue's order.
 * A put goes to every node through the bus (at once to this node's subscribers without one). While a subscription
 * catches up with what is pending in its queue (its `subscribe`, or after this node's bus was away,
 * pending-redelivery.ts), its live pushes are held: the pending blobs, read after the hold began,
 * go first, then the held pushes of blobs they did not include. So a device is never pushed a blob
 * before an older one of the same queue, and never misses one put meanwhile.
 */
export class LiveDelivery {
  readonly #rooms = new Map<string, Map<Connection, Subscriber>>();

  constructor(
    /** Counts each push (relay_deliveries_total). */
    private readonly delivered: () => void,
    private readonly bus?: LiveBus,
  ) {
    bus?.onFrame((frame) => {
      if (frame.length >= MIN_DELIVER_BYTES) this.#arrive(frame);
    });
  }

  /**
   * A blob just stored: pushed to its queue's subscribers on every node. With a bus this node's
   * own subscribers get it back from the bus too, so every node pushes in the one order the bus
   * gives (two puts of one queue answered on two nodes are never swapped on the way).
   */
  publish(delivery: Delivery): void {
    const frame = encodeDeliver(delivery);
    if (this.bus) this.bus.publish(frame);
    else this.#arrive(frame);
  }

  /**
   * Subscribes the connection to the queue of `room` if it is not yet, and holds its live pushes
   * until `release` is given what is pending, read after this call.
   */
  hold(connection: Connection, room: string): Hold {
    let subscribers = this.#rooms.get(room);
    if (subscribers === undefined) this.#rooms.set(room, (subscribers = new Map()));
    let subscriber = subscribers.get(connection);
    if (subscriber === undefined) subscribers.set(connection, (subscriber = { holds: 0, held: [], sent: new Set() }));
    subscriber.holds += 1;
    connection.subscriptions.add(room);
    return { connection, room, subscriber };
  }

  /** Pushes what was pending, then, once no other hold is left, the pushes held meanwhile that it did not include. */
  release({ connection, room, subscriber }: Hold, pending: readonly Delivery[]): void {
    // Unsubscribed meanwhile (deleted, closed): nothing is pushed.
    if (this.#rooms.get(room)?.get(connection) !== subscriber || subscriber.holds === 0) return;
    for (const delivery of pending) {
      subscriber.sent.add(hexId(delivery.messageId));
      this.#emit(connection, encodeDeliver(delivery));
    }
    subscriber.holds -= 1;
    if (subscriber.holds > 0) return;
    const { held, sent } = subscriber;
    subscriber.held = [];
    subscriber.sent = new Set();
    for (const frame of held) if (!sent.has(messageIdOf(frame))) this.#emit(connection, frame);
  }

  /**
   * Holds every subscription of these connections (pending-redelivery.ts), signed-in and open ones
   * only, but for those `except` already holds.
   */
  holdAll(connections: Iterable<Connection>, except: readonly Hold[] = []): Hold[] {
    const already = new Set(except.map((hold) => hold.subscriber));
    const holds: Hold[] = [];
    for (const connection of connections) {
      if (!connection.authenticated || connection.closing) continue;
      for (const room of [...connection.subscriptions]) {
        const current = this.#rooms.get(room)?.get(connection);
        if (current === undefined || !already.has(current)) holds.push(this.hold(connection, room));
      }
    }
    return holds;
  }

  /** The queue is deleted, or its subscription failed: no more pushes of it to this connection. */
  unsubscribe(connection: Connection, room: string): void {
    connection.subscriptions.delete(room);
    const subscribers = this.#rooms.get(room);
    subscribers?.delete(connection);
    if (subscribers?.size === 0) this.#rooms.delete(room);
  }

  /** The connection is gone. */
  forget(connection: Connection): void {
    for (const room of [...connection.subscriptions]) this.unsubscribe(connection, room);
  }

  /** Subscriptions held on this node (the tests check that ended ones leave nothing behind). */
  get size(): number {
    let size = 0;
    for (const subscribers of this.#rooms.values()) size += subscribers.size;
    return size;
  }

  #arrive(frame: Uint8Array): void {
    const subscribers = this.#rooms.get(roomOf(frame.subarray(RECIPIENT_ID.start, RECIPIENT_ID.end)));
    if (subscribers === undefined) return;
    for (const [connection, subscriber] of subscribers) {
      if (subscriber.holds > 0) subscriber.held.push(frame);
      else this.#emit(connection, frame);
    }
  }

  #emit(connection: Connection, frame: Uint8Array): void {
    if (connection.closing) return;
    connection.socket.emit(RELAY_EVENTS.deliver, frame);
    this.delivered();
  }
}

function messageIdOf(frame: Uint8Array): string {
  return hexId(frame.subarray(MESSAGE_ID.start, MESSAGE_ID.end));
}
