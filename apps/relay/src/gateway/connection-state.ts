/**
 * What the relay knows about one connection, in memory only and gone with it (relay.md §9): its
 * challenge, its rate bucket, its rooms, the queue keys it has proven (§6.3), whether a hello
 * redeemed a token, and the bookkeeping of the frames it has in flight. The gateway owns the
 * timers and the socket's life; this file holds the record and the few rules about its sets.
 */
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '@opendescent/protocol';
import type { Socket } from 'socket.io';
import { hexId } from '../store/relay-store';
import type { TokenBucket } from './token-bucket';

/** relay.md §8.1, §6.3: queue keys a connection may hold proven; beyond, commands stay signed. */
export const MAX_PROVEN_QUEUES_PER_CONNECTION = MAX_SUBSCRIPTIONS_PER_CONNECTION;

/** Everything the relay knows about one connection; in memory only (relay.md §9). */
export interface Connection {
  readonly socket: Socket;
  readonly challenge: Uint8Array;
  readonly bucket: TokenBucket;
  readonly subscriptions: Set<string>;
  /** Recipient ids (hex) whose key this connection has proven over its challenge (relay.md §6.3). */
  readonly provenQueues: Set<string>;
  /** A hello redeemed a token; nothing about who. */
  authenticated: boolean;
  chain: Promise<void>;
  waiting: number;
  closing: boolean;
  /** It flooded past its limit: no frame is taken any more, and it closes once those taken are answered. */
  flooded: boolean;
  helloTimer: NodeJS.Timeout | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
}

/** A connection as it opens: not authenticated, nothing subscribed or proven, no frame waiting. */
export function newConnection(socket: Socket, challenge: Uint8Array, bucket: TokenBucket): Connection {
  return {
    socket,
    challenge,
    bucket,
    subscriptions: new Set(),
    provenQueues: new Set(),
    authenticated: false,
    chain: Promise.resolve(),
    waiting: 0,
    closing: false,
    flooded: false,
    helloTimer: undefined,
    expiryTimer: undefined,
  };
}

/** The socket.io room a queue's live pushes go to; subscribers on every node join it (relay.md §5.4). */
export const roomOf = (recipientId: Uint8Array): string => `q:${hexId(recipientId)}`;

/** The queue a room of roomOf() belongs to. */
export const recipientOfRoom = (room: string): Uint8Array => new Uint8Array(Buffer.from(room.slice(2), 'hex'));

/** relay.md §6.3: remembered for this connection only, at most as many as subscriptions. */
export function proven(connection: Connection, recipientId: Uint8Array): void {
  if (connection.provenQueues.size < MAX_PROVEN_QUEUES_PER_CONNECTION) connection.provenQueues.add(hexId(recipientId));
}
