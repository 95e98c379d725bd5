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
  RELAY_EVENTS,
  MAX_TOKEN_KEY_SET_BYTES,
  decodeRelayCommand,
  encodeChallenge,
  encodeNotice,
  encodeRelayReply,
  isRelayCommandName,
  type RelayCommand,
  type RelayErrorName,
} from '@opendescent/protocol';
import type { Server, Socket } from 'socket.io';
import { AccessService } from '../access/access.service';
import { PrekeyService } from '../prekeys/prekey.service';
import { QueueService } from '../queues/queue.service';
import { RevocationService } from '../revocation/revocation.service';
import { OutageLog } from '../runtime/outage-log';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { AttachmentService } from '../attachments/attachment.service';
import { TurnService } from '../turn/turn.service';
import { SharedBlobService } from '../shared/shared-blob.service';
import { TokenKeyService } from '../tokens/token-key.service';
import { dispatchCommand, type CommandServices, type Outcome } from './command-dispatch';
import { newConnection, type Connection } from './connection-state';
import { LiveDelivery } from './live-delivery';
import { PendingRedelivery } from './pending-redelivery';
import { errorReply, metricName, refusalOf, type Refusal } from './error-replies';
import { TokenBucket } from './token-bucket';

/** Kept for callers that only need the size (relay.md §3.1). */
export const CHALLENGE_BYTES = CHALLENGE_LENGTH;
/** relay.md §8.3: frames waiting on one connection before more are refused. */
export const MAX_WAITING_FRAMES = 64;
/** relay.md §11 */
export const SHUTDOWN_GRACE_MS = 5_000;
/** Server-to-server events carrying an accepted signed document to the other nodes (relay.md §7, §3.2). */
const PEER_REVOCATION_EVENT = 'revocation_list';
const PEER_TOKEN_KEYS_EVENT = 'token_key_set';
/** setTimeout's ceiling (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Acknowledge = (reply: Uint8Array) => void;

/**
 * The socket.io face of the relay. Thin by design: it admits (rate, size), parses (libs/protocol),
 * authorises (hello) and delegates to the services, then sends the reply and the live pushes.
 * Every frame of a connection is processed in order; nothing a client sends can throw out of here.
 * What each command does is in command-dispatch.ts, the connection's record in connection-state.ts
 * and the error replies in error-replies.ts.
 */
@WebSocketGateway()
export class RelayGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  @WebSocketServer() server!: Server;

  readonly #connections = new Map<string, Connection>();
  readonly #commands: CommandServices;
  readonly #live: LiveDelivery;
  readonly #outage: OutageLog;
  #draining = false;

  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly access: AccessService,
    private readonly queues: QueueService,
    private readonly prekeys: PrekeyService,
    private readonly revocation: RevocationService,
    private readonly tokenKeys: TokenKeyService,
    shared: SharedBlobService,
    attachments: AttachmentService,
    turn: TurnService,
  ) {
    this.#outage = new OutageLog(runtime.logger);
    this.#live = new LiveDelivery(() => runtime.metrics.deliveries.inc(), runtime.liveBus);
    this.#commands = { queues, prekeys, revocation, shared, attachments, turn, live: this.#live };
  }

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
    new PendingRedelivery(
      this.runtime.pubSub.sub,
      `${this.runtime.config.RELAY_REDIS_PREFIX}resubscribed`,
      () => this.#connections.values(),
      this.queues,
      this.#live,
    ).start();
  }

  handleConnection(socket: Socket): void {
    const { config, metrics } = this.runtime;
    if (this.#draining) {
      this.sendNoticeAndClose(socket, 'shutting_down', 'this relay node is shutting down');
      return;
    }
    const challenge = new Uint8Array(randomBytes(CHALLENGE_LENGTH));
    const connection = newConnection(
      socket,
      challenge,
      new TokenBucket(config.RELAY_RATE_PER_SECOND, config.RELAY_RATE_BURST),
    );
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
    this.#live.forget(connection);
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
    if (connection.closing || connection.flooded) return;
    const acknowledge = typeof args[args.length - 1] === 'function' ? (args.pop() as Acknowledge) : undefined;
    const admission = connection.bucket.admit(1);
    if (admission !== 'admitted' || connection.waiting >= MAX_WAITING_FRAMES) {
      this.runtime.metrics.frames.inc({ command: metricName(event), result: 'rate_limited' });
      if (admission === 'close') {
        // The frames taken before are answered first (their effects happened), then it closes.
        connection.flooded = true;
        const close = () => this.close(connection, 'rate_limited', 'too many frames; the connection is closed');
        void connection.chain.then(close, close);
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
    let refusal: Refusal | undefined;
    try {
      if (command === undefined) throw new RelayRefusal('unknown_command', 'no such command');
      if (args.length !== 1) throw new RelayRefusal('malformed', 'expected exactly one binary frame');
      if (command !== 'hello' && command !== 'revocation_push' && !connection.authenticated) {
        throw new RelayRefusal('not_authenticated', 'send hello first');
      }
      const frame = decodeRelayCommand(command, args[0], this.runtime.config.RELAY_MAX_FRAME_BYTES);
      outcome = await this.execute(connection, frame);
    } catch (error) {
      refusal = refusalOf(error, this.runtime.logger, this.#outage);
    }
    // Stored, so pushed, even if the sender is gone meanwhile; and before the reply, so the
    // sender's next put cannot reach a subscriber ahead of this one.
    for (const delivery of outcome?.deliverToRooms ?? []) this.#live.publish(delivery);
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

  // ── commands ──────────────────────────────────────────────────────────────────────────

  /** hello is here, for it changes this connection's timers; every other command is dispatched. */
  private async execute(connection: Connection, frame: RelayCommand): Promise<Outcome> {
    if (frame.command !== 'hello') return dispatchCommand(this.#commands, connection, frame);
    await this.hello(connection, frame);
    return {
      reply: { ok: true, requestId: frame.requestId, command: 'hello' },
      revocationList: this.revocation.currentBytes(),
    };
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
    if (outcome.catchUp) this.#live.release(outcome.catchUp.hold, outcome.catchUp.pending);
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
