/**
 * What each command does once the gateway has admitted, parsed and authorised it (relay.md §3):
 * the call into the service that owns it, the connection's rooms and proven keys kept in step,
 * and the reply with the pushes it leaves to send. `hello` is not here: it changes the
 * connection's timers and counters, which are the gateway's. A refusal is thrown (RelayRefusal,
 * or whatever a service throws); the gateway turns it into an error reply.
 */
import {
  ATTACH_CREATE_COST,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  PUT_SHARED_COST,
  type RelayCommand,
  type RelayCommandOf,
  type RelayOkReply,
} from '@opendescent/protocol';
import type { AttachmentService } from '../attachments/attachment.service';
import type { PrekeyService } from '../prekeys/prekey.service';
import type { Delivery, QueueService } from '../queues/queue.service';
import type { RevocationService } from '../revocation/revocation.service';
import { RelayRefusal } from '../runtime/relay-refusal';
import type { SharedBlobService } from '../shared/shared-blob.service';
import type { TurnService } from '../turn/turn.service';
import { hexId } from '../store/relay-store';
import { proven, roomOf, type Connection } from './connection-state';
import type { Hold, LiveDelivery } from './live-delivery';

/** What a command leaves to do once its reply is sent. */
export interface Outcome {
  readonly reply: RelayOkReply;
  /** Blobs stored: pushed live to their queues' subscribers, before the reply is sent. */
  readonly deliverToRooms?: readonly Delivery[];
  /** A subscription catching up (subscribe): what was pending, pushed after the reply, then what was held. */
  readonly catchUp?: { readonly hold: Hold; readonly pending: readonly Delivery[] };
  /** The signed revocation list to send after the reply (a successful hello, relay.md §7). */
  readonly revocationList?: Uint8Array | undefined;
}

/** The services the commands delegate to. */
export interface CommandServices {
  readonly queues: QueueService;
  readonly prekeys: PrekeyService;
  readonly revocation: RevocationService;
  readonly shared: SharedBlobService;
  /** relay.md §3.15; absent only while the gateway does not yet hand it over (then `unavailable`). */
  readonly attachments: AttachmentService;
  /** relay.md §3.16. */
  readonly turn: TurnService;
  /** Subscriptions and their live pushes on this node (live-delivery.ts). */
  readonly live: LiveDelivery;
}

const UNPROVEN_DETAIL = 'no such queue, or its key is not proven on this connection: sign the command';

/** Every command but hello (relay.md §3.3 to §3.15); the reply says `ok`, or this throws. */
export async function dispatchCommand(
  services: CommandServices,
  connection: Connection,
  frame: Exclude<RelayCommand, { command: 'hello' }>,
): Promise<Outcome> {
  const { requestId } = frame;
  const { challenge } = connection;
  switch (frame.command) {
    case 'create': {
      const ids = await services.queues.create(frame, challenge);
      proven(connection, ids.recipientId);
      return { reply: { ok: true, requestId, command: 'create', ...ids } };
    }
    case 'put': {
      const delivery = await services.queues.put(frame, frame.ttl);
      return { reply: { ok: true, requestId, command: 'put' }, deliverToRooms: [delivery] };
    }
    case 'put_many': {
      connection.bucket.charge(Math.floor(frame.entries.length / 16));
      const { statuses, deliveries } = await services.queues.putMany(frame);
      return { reply: { ok: true, requestId, command: 'put_many', statuses }, deliverToRooms: deliveries };
    }
    case 'subscribe': {
      await services.queues.authorise(frame, challenge);
      const room = roomOf(frame.recipientId);
      const fresh = !connection.subscriptions.has(room);
      if (fresh && connection.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
        throw new RelayRefusal(
          'too_many_subscriptions',
          `at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`,
        );
      }
      // Subscribed, its live pushes held, before what is pending is read: a blob put meanwhile is
      // pushed at least once, and after every older one (§5.4).
      const hold = services.live.hold(connection, room);
      let pending: readonly Delivery[];
      try {
        pending = await services.queues.allPending(frame.recipientId);
      } catch (error) {
        // Refused: nothing changed (a new subscription is undone; an older one goes on).
        if (fresh) services.live.unsubscribe(connection, room);
        else services.live.release(hold, []);
        throw error;
      }
      proven(connection, frame.recipientId);
      return { reply: { ok: true, requestId, command: 'subscribe' }, catchUp: { hold, pending } };
    }
    case 'fetch': {
      await authoriseProvenOrSigned(services.queues, connection, frame);
      const fetched = await services.queues.fetch(frame);
      proven(connection, frame.recipientId);
      return { reply: { ok: true, requestId, command: 'fetch', ...fetched } };
    }
    case 'ack':
      await authoriseProvenOrSigned(services.queues, connection, frame);
      await services.queues.ack(frame);
      proven(connection, frame.recipientId);
      return { reply: { ok: true, requestId, command: 'ack' } };
    case 'delete': {
      await services.queues.authorise(frame, challenge);
      await services.queues.delete(frame);
      connection.provenQueues.delete(hexId(frame.recipientId));
      services.live.unsubscribe(connection, roomOf(frame.recipientId));
      return { reply: { ok: true, requestId, command: 'delete' } };
    }
    case 'prekey_publish':
      return {
        reply: {
          ok: true,
          requestId,
          command: 'prekey_publish',
          remaining: await services.prekeys.publish(frame, challenge),
        },
      };
    case 'prekey_fetch':
      return { reply: { ok: true, requestId, command: 'prekey_fetch', ...(await services.prekeys.fetch(frame)) } };
    case 'prekey_claim':
      return { reply: { ok: true, requestId, command: 'prekey_claim', ...(await services.prekeys.claim(frame)) } };
    case 'revocation_push':
      return {
        reply: {
          ok: true,
          requestId,
          command: 'revocation_push',
          listVersion: await services.revocation.accept(frame.list, 'push'),
        },
      };
    case 'put_shared':
      // Admitted on one token like every frame; the rest of its cost once it parses (§8.3).
      connection.bucket.charge(PUT_SHARED_COST - 1);
      return { reply: { ok: true, requestId, command: 'put_shared', sharedId: await services.shared.put(frame) } };
    case 'fetch_shared':
      return { reply: { ok: true, requestId, command: 'fetch_shared', blob: await services.shared.fetch(frame) } };
    case 'attach_create': {
      // Admitted on one token like every frame; the rest of its cost once it parses (§8.3).
      connection.bucket.charge(ATTACH_CREATE_COST - 1);
      return {
        reply: { ok: true, requestId, command: 'attach_create', ...(await services.attachments.create(frame)) },
      };
    }
    case 'turn_credentials':
      return { reply: { ok: true, requestId, command: 'turn_credentials', turn: services.turn.issue() } };
  }
}

/**
 * relay.md §6.3: an unsigned `fetch` or `ack` stands on a proof of the queue key made earlier on
 * this connection, and on nothing else; a signed one is verified as always (§5.1), proven or not.
 * Either way the store is still asked, so a queue deleted or expired since answers `auth`.
 */
async function authoriseProvenOrSigned(
  queues: QueueService,
  connection: Connection,
  frame: RelayCommandOf<'fetch' | 'ack'>,
): Promise<void> {
  if (frame.signature === undefined) {
    if (!connection.provenQueues.has(hexId(frame.recipientId))) throw new RelayRefusal('auth', UNPROVEN_DETAIL);
    return;
  }
  await queues.authorise(frame, connection.challenge);
}
