import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type BeforeApplicationShutdown, Inject } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  CHALLENGE_LENGTH,
  MAX_REVOCATION_LIST_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  ProtocolError,
  RELAY_EVENTS,
  MAX_TOKEN_KEY_SET_BYTES,
  decodeRelayCommand,
  encodeChallenge,
  encodeDeliver,
  encodeNotice,
  encodeRelayReply,
  isRelayCommandName,
  peekRequestId,
  type RelayCommand,
  type RelayCommandName,
  type RelayCommandOf,
  type RelayErrorName,
  type RelayOkReply,
} from '@opendescent/protocol';
import type { Server, Socket } from 'socket.io';
import { AccessService } from '../access/access.service';
import { PrekeyService } from '../prekeys/prekey.service';
import { QueueService, type Delivery } from '../queues/queue.service';
import { RevocationService } from '../revocation/revocation.service';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { StoreUnavailableError, hexId } from '../store/relay-store';
import { TokenKeyService } from '../tokens/token-key.service';
import { TokenBucket } from './token-bucket';

/** Kept for callers that only need the size (relay.md §3.1). */
export const CHALLENGE_BYTES = CHALLENGE_LENGTH;
/** relay.md §8.3: frames waiting on one connection before more are refused. */
export const MAX_WAITING_FRAMES = 64;
/** relay.md §8.1, §6.3: queue keys a connection may hold proven; beyond, commands stay signed. */
export const MAX_PROVEN_QUEUES_PER_CONNECTION = MAX_SUBSCRIPTIONS_PER_CONNECTION;
/** relay.md §11 */
export const SHUTDOWN_GRACE_MS = 5_000;
/** Server-to-server events carrying an accepted signed document to the other nodes (relay.md §7, §3.2). */
const PEER_REVOCATION_EVENT = 'revocation_list';
const PEER_TOKEN_KEYS_EVENT = 'token_key_set';
/** setTimeout's ceiling (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Everything the relay knows about one connection; in memory only (relay.md §9). */
interface Connection {
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
  helloTimer: NodeJS.Timeout | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
}

type Acknowledge = (reply: Uint8Array) => void;

/** What a command leaves to do once its reply is sent. */
interface Outcome {
  readonly reply: RelayOkReply;
  readonly deliverToRooms?: readonly Delivery[];
  readonly deliverToSelf?: readonly Delivery[];
  /** The signed revocation list to send after the reply (a successful hello, relay.md §7). */
  readonly revocationList?: Uint8Array | undefined;
}

const roomOf = (recipientId: Uint8Array): string => `q:${hexId(recipientId)}`;

/**
 * The socket.io face of the relay. Thin by design: it admits (rate, size), parses (libs/protocol),
 * authorises (hello) and delegates to the services, then sends the reply and the live pushes.
 * Every frame of a connection is processed in order; nothing a client sends can throw out of here.
 */
@WebSocketGateway()
export class RelayGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  @WebSocketServer() server!: Server;

  readonly #connections = new Map<string, Connection>();
  #draining = false;

  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly access: AccessService,
    private readonly queues: QueueService,
    private readonly prekeys: PrekeyService,
    private readonly revocation: RevocationService,
    private readonly tokenKeys: TokenKeyService,
  ) {}

  afterInit(server: Server): void {
    this.revocation.onAccepted((_list, bytes) => this.forwardRevocationList(bytes));
    // Other nodes exist only with the Redis adapter; the in-memory adapter has no peers to tell.
    if (this.runtime.pubSub === undefined) return;
    // The Redis adapter carries server-side events as JSON, hence base64. Each node verifies the
    // document itself: another node is trusted no more than a client.
    const share = (
      event: string,
      maxBytes: number,
      holder: {
        setAnnouncer(a: (bytes: Uint8Array) => void): void;
        accept(input: unknown, source: 'peer'): Promise<number>;
      },
    ) => {
      holder.setAnnouncer((bytes) => server.serverSideEmit(event, Buffer.from(bytes).toString('base64')));
      server.on(event, (encoded: unknown) => {
        if (typeof encoded !== 'string' || encoded.length > Math.ceil(maxBytes / 3) * 4) return;
        holder.accept(new Uint8Array(Buffer.from(encoded, 'base64')), 'peer').catch(() => undefined);
      });
    };
    share(PEER_REVOCATION_EVENT, MAX_REVOCATION_LIST_BYTES, this.revocation);
    share(PEER_TOKEN_KEYS_EVENT, MAX_TOKEN_KEY_SET_BYTES, this.tokenKeys);
  }

  handleConnection(socket: Socket): void {
    const { config, metrics } = this.runtime;
    if (this.#draining) {
      this.sendNoticeAndClose(socket, 'shutting_down', 'this relay node is shutting down');
      return;
    }
    const challenge = new Uint8Array(randomBytes(CHALLENGE_LENGTH));
    const connection: Connection = {
      socket,
      challenge,
      bucket: new TokenBucket(config.RELAY_RATE_PER_SECOND, config.RELAY_RATE_BURST),
      subscriptions: new Set(),
      provenQueues: new Set(),
      authenticated: false,
      chain: Promise.resolve(),
      waiting: 0,
      closing: false,
      helloTimer: undefined,
      expiryTimer: undefined,
    };
    this.#connections.set(socket.id, connection);
    metrics.connections.inc();
    connection.helloTimer = setTimeout(
      () => this.close(connection, 'hello_timeout', 'no hello in time'),
      config.RELAY_HELLO_TIMEOUT_SECONDS * 1000,
    );
    socket.onAny((event: string, ...args: unknown[]) => this.receive(connection, event, args));
    socket.emit(
      RELAY_EVENTS.challenge,
      encodeChallenge({
        challenge,
        limits: {
          maxFrameBytes: config.RELAY_MAX_FRAME_BYTES,
          defaultTtlSeconds: config.RELAY_BLOB_TTL_SECONDS,
          maxTtlSeconds: config.RELAY_BLOB_MAX_TTL_SECONDS,
          queueMaxMessages: config.RELAY_QUEUE_MAX_MESSAGES,
          queueMaxBytes: config.RELAY_QUEUE_MAX_BYTES,
          ratePerSecond: config.RELAY_RATE_PER_SECOND,
          rateBurst: config.RELAY_RATE_BURST,
        },
      }),
    );
    // Neither the socket id nor the address is logged: they would link a device to its queues.
    this.runtime.logger.debug({ event: 'connection_opened' }, 'connection opened');
  }

  handleDisconnect(socket: Socket): void {
    const connection = this.#connections.get(socket.id);
    if (connection === undefined) return;
    this.#connections.delete(socket.id);
    clearTimeout(connection.helloTimer);
    clearTimeout(connection.expiryTimer);
    connection.closing = true;
    this.runtime.metrics.connections.dec();
    if (connection.authenticated) this.runtime.metrics.authenticated.dec();
    this.runtime.logger.debug({ event: 'connection_closed' }, 'connection closed');
  }

  /** relay.md §11: finish the frame in hand (bounded), tell every client, close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.#draining = true;
    const connections = [...this.#connections.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(connections.map((c) => c.chain)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    // Wait (briefly) for each transport to flush its notice and close, before socket.io's own
    // close discards whatever is still buffered.
    const flushed = connections.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.socket.conn.readyState === 'closed' ? resolve() : c.socket.conn.once('close', () => resolve()),
        ),
    );
    for (const connection of connections) this.close(connection, 'shutting_down', 'this relay node is shutting down');
    await Promise.race([
      Promise.all(flushed),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
    clearTimeout(timer);
    this.runtime.logger.info({ event: 'drained', connections: connections.length }, 'connections drained');
  }

  // ── admission ─────────────────────────────────────────────────────────────────────────

  private receive(connection: Connection, event: string, args: unknown[]): void {
    if (connection.closing) return;
    const acknowledge = typeof args[args.length - 1] === 'function' ? (args.pop() as Acknowledge) : undefined;
    const admission = connection.bucket.admit(1);
    if (admission !== 'admitted' || connection.waiting >= MAX_WAITING_FRAMES) {
      this.runtime.metrics.frames.inc({ command: metricName(event), result: 'rate_limited' });
      if (admission === 'close') {
        this.close(connection, 'rate_limited', 'too many frames; the connection is closed');
        return;
      }
      this.send(
        connection,
        errorReply(args[0], event, 'rate_limited', 'over this connection’s rate; nothing was done'),
        acknowledge,
      );
      return;
    }
    connection.waiting++;
    connection.chain = connection.chain.then(async () => {
      await this.process(connection, event, args, acknowledge);
      connection.waiting--;
    });
  }

  /** Never throws: every failure becomes an error reply (relay.md §4.2). */
  private async process(
    connection: Connection,
    event: string,
    args: unknown[],
    acknowledge: Acknowledge | undefined,
  ): Promise<void> {
    if (connection.closing) return;
    const started = performance.now();
    const command = isRelayCommandName(event) ? event : undefined;
    let outcome: Outcome | undefined;
    let refusal: { error: RelayErrorName; detail: string } | undefined;
    try {
      if (command === undefined) throw new RelayRefusal('unknown_command', 'no such command');
      if (args.length !== 1) throw new RelayRefusal('malformed', 'expected exactly one binary frame');
      if (command !== 'hello' && command !== 'revocation_push' && !connection.authenticated) {
        throw new RelayRefusal('not_authenticated', 'send hello first');
      }
      const frame = decodeRelayCommand(command, args[0], this.runtime.config.RELAY_MAX_FRAME_BYTES);
      outcome = await this.execute(connection, frame);
    } catch (error) {
      refusal = this.refusalOf(error);
    }
    if (connection.closing) return;
    this.send(
      connection,
      outcome
        ? encodeRelayReply(outcome.reply)
        : errorReply(args[0], command, refusal?.error ?? 'unavailable', refusal?.detail ?? ''),
      acknowledge,
    );
    if (outcome) this.deliver(connection, outcome);
    // A refused hello needs a new connection, and so a new challenge (relay.md §3.2).
    if (command === 'hello' && refusal && refusal.error !== 'already_authenticated' && refusal.error !== 'rate_limited')
      this.closeQuietly(connection);
    const metricCommand = command ?? 'unknown';
    this.runtime.metrics.frames.inc({ command: metricCommand, result: refusal?.error ?? 'ok' });
    this.runtime.metrics.frameSeconds.observe({ command: metricCommand }, (performance.now() - started) / 1000);
  }

  private refusalOf(error: unknown): { error: RelayErrorName; detail: string } {
    if (error instanceof RelayRefusal) return { error: error.error, detail: error.message };
    if (error instanceof ProtocolError) {
      const code =
        error.code === 'oversized' || error.code === 'version_too_old' || error.code === 'version_unknown'
          ? error.code
          : 'malformed';
      return { error: code, detail: error.message };
    }
    if (error instanceof StoreUnavailableError) {
      this.runtime.logger.error({ event: 'store_unavailable', reason: error.message }, 'store unavailable');
      return { error: 'unavailable', detail: 'the relay store is unavailable; retry later' };
    }
    this.runtime.logger.error(
      { event: 'internal_error', reason: error instanceof Error ? error.message : String(error) },
      'internal error',
    );
    return { error: 'unavailable', detail: 'internal error; retry later' };
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────

  private async execute(connection: Connection, frame: RelayCommand): Promise<Outcome> {
    const { requestId } = frame;
    const { challenge } = connection;
    switch (frame.command) {
      case 'hello':
        await this.hello(connection, frame);
        return { reply: { ok: true, requestId, command: 'hello' }, revocationList: this.revocation.currentBytes() };
      case 'create': {
        const ids = await this.queues.create(frame, challenge);
        proven(connection, ids.recipientId);
        return { reply: { ok: true, requestId, command: 'create', ...ids } };
      }
      case 'put': {
        const delivery = await this.queues.put(frame, frame.ttl);
        return { reply: { ok: true, requestId, command: 'put' }, deliverToRooms: [delivery] };
      }
      case 'put_many': {
        connection.bucket.charge(Math.floor(frame.entries.length / 16));
        const { statuses, deliveries } = await this.queues.putMany(frame);
        return { reply: { ok: true, requestId, command: 'put_many', statuses }, deliverToRooms: deliveries };
      }
      case 'subscribe': {
        await this.queues.authorise(frame, challenge);
        const room = roomOf(frame.recipientId);
        if (!connection.subscriptions.has(room)) {
          if (connection.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
            throw new RelayRefusal(
              'too_many_subscriptions',
              `at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`,
            );
          }
          // Join before reading what is pending, so a blob put meanwhile is pushed at least once (§5.4).
          await connection.socket.join(room);
          connection.subscriptions.add(room);
        }
        const pending = await this.queues.allPending(frame.recipientId);
        proven(connection, frame.recipientId);
        return { reply: { ok: true, requestId, command: 'subscribe' }, deliverToSelf: pending };
      }
      case 'fetch': {
        await this.authoriseProvenOrSigned(connection, frame);
        const fetched = await this.queues.fetch(frame);
        proven(connection, frame.recipientId);
        return { reply: { ok: true, requestId, command: 'fetch', ...fetched } };
      }
      case 'ack':
        await this.authoriseProvenOrSigned(connection, frame);
        await this.queues.ack(frame);
        proven(connection, frame.recipientId);
        return { reply: { ok: true, requestId, command: 'ack' } };
      case 'delete': {
        await this.queues.authorise(frame, challenge);
        await this.queues.delete(frame);
        connection.provenQueues.delete(hexId(frame.recipientId));
        const room = roomOf(frame.recipientId);
        connection.subscriptions.delete(room);
        await connection.socket.leave(room);
        return { reply: { ok: true, requestId, command: 'delete' } };
      }
      case 'prekey_publish':
        return {
          reply: {
            ok: true,
            requestId,
            command: 'prekey_publish',
            remaining: await this.prekeys.publish(frame, challenge),
          },
        };
      case 'prekey_fetch':
        return { reply: { ok: true, requestId, command: 'prekey_fetch', ...(await this.prekeys.fetch(frame)) } };
      case 'prekey_claim':
        return { reply: { ok: true, requestId, command: 'prekey_claim', ...(await this.prekeys.claim(frame)) } };
      case 'revocation_push':
        return {
          reply: {
            ok: true,
            requestId,
            command: 'revocation_push',
            listVersion: await this.revocation.accept(frame.list, 'push'),
          },
        };
    }
  }

  /**
   * relay.md §6.3: an unsigned `fetch` or `ack` stands on a proof of the queue key made earlier on
   * this connection, and on nothing else; a signed one is verified as always (§5.1), proven or not.
   * Either way the store is still asked, so a queue deleted or expired since answers `auth`.
   */
  private async authoriseProvenOrSigned(connection: Connection, frame: RelayCommandOf<'fetch' | 'ack'>): Promise<void> {
    if (frame.signature === undefined) {
      if (!connection.provenQueues.has(hexId(frame.recipientId))) throw new RelayRefusal('auth', UNPROVEN_DETAIL);
      return;
    }
    await this.queues.authorise(frame, connection.challenge);
  }

  /** relay.md §3.2: one token, redeemed once; then the held revocation list, so a client starts current (§7). */
  private async hello(connection: Connection, frame: Extract<RelayCommand, { command: 'hello' }>): Promise<void> {
    if (connection.authenticated)
      throw new RelayRefusal('already_authenticated', 'this connection has already said hello');
    const acceptedUntil = await this.access.redeem(frame);
    if (connection.closing) return;
    connection.authenticated = true;
    clearTimeout(connection.helloTimer);
    this.runtime.metrics.authenticated.inc();
    this.armExpiry(connection, acceptedUntil);
  }

  /** Closes the connection when its token's key stops being accepted (relay.md §3.2): a token buys bounded access. */
  private armExpiry(connection: Connection, expiresAtMs: number): void {
    const remaining = expiresAtMs - this.runtime.clock();
    if (remaining <= 0) {
      this.close(connection, 'token_expired', 'the key of this connection’s token is no longer accepted');
      return;
    }
    connection.expiryTimer = setTimeout(
      () => this.armExpiry(connection, expiresAtMs),
      Math.min(remaining, MAX_TIMER_MS),
    );
    connection.expiryTimer.unref();
  }

  // ── transport ─────────────────────────────────────────────────────────────────────────

  private send(connection: Connection, reply: Uint8Array, acknowledge: Acknowledge | undefined): void {
    if (acknowledge) acknowledge(reply);
    else connection.socket.emit(RELAY_EVENTS.reply, reply);
  }

  private deliver(connection: Connection, outcome: Outcome): void {
    for (const delivery of outcome.deliverToRooms ?? []) {
      // Through the adapter: with Redis, subscribers on every node receive it (relay.md §5.4).
      this.server.to(roomOf(delivery.recipientId)).emit(RELAY_EVENTS.deliver, encodeDeliver(delivery));
      this.runtime.metrics.deliveries.inc();
    }
    for (const delivery of outcome.deliverToSelf ?? []) {
      connection.socket.emit(RELAY_EVENTS.deliver, encodeDeliver(delivery));
      this.runtime.metrics.deliveries.inc();
    }
    if (outcome.revocationList !== undefined) connection.socket.emit(RELAY_EVENTS.revocation, outcome.revocationList);
  }

  /** relay.md §7: every authenticated connection of this node gets each newer list (every node does the same for its own). */
  private forwardRevocationList(bytes: Uint8Array): void {
    for (const connection of this.#connections.values()) {
      if (!connection.authenticated || connection.closing) continue;
      connection.socket.emit(RELAY_EVENTS.revocation, bytes);
      this.runtime.metrics.revocationForwards.inc();
    }
  }

  /** Sends a notice (relay.md §4.3), then closes the connection. */
  private close(connection: Connection, error: RelayErrorName, detail: string): void {
    if (connection.closing) return;
    connection.closing = true;
    this.sendNoticeAndClose(connection.socket, error, detail);
  }

  private closeQuietly(connection: Connection): void {
    if (connection.closing) return;
    connection.closing = true;
    connection.socket.disconnect(true);
  }

  private sendNoticeAndClose(socket: Socket, error: RelayErrorName, detail: string): void {
    socket.emit(RELAY_EVENTS.notice, encodeNotice(error, detail));
    socket.disconnect(true);
  }
}

const UNPROVEN_DETAIL = 'no such queue, or its key is not proven on this connection: sign the command';

/** relay.md §6.3: remembered for this connection only, at most as many as subscriptions. */
function proven(connection: Connection, recipientId: Uint8Array): void {
  if (connection.provenQueues.size < MAX_PROVEN_QUEUES_PER_CONNECTION) connection.provenQueues.add(hexId(recipientId));
}

function errorReply(payload: unknown, command: string | undefined, error: RelayErrorName, detail: string): Uint8Array {
  return encodeRelayReply({
    ok: false,
    requestId: peekRequestId(payload),
    command: isRelayCommandName(command) ? (command as RelayCommandName) : undefined,
    error,
    detail,
  });
}

/** Metric labels come from a fixed set, never from what a client typed. */
function metricName(event: string): string {
  return isRelayCommandName(event) ? event : 'unknown';
}
