/**
 * A device's connection to one relay (docs/protocol/relay.md), for the messenger's Web Worker.
 *
 * - Every (re)connection waits for the relay's `challenge`, answers `hello` with the attestation
 *   and a signature over that challenge (§3.1, §3.2, §6.1), and only then reports `online`.
 * - Reconnection is this class's, not socket.io's: exponential backoff with jitter, and a new
 *   socket (so a new challenge and a new hello) each time. Subscriptions are sent again on every
 *   new connection, so the relay pushes what is still pending (at-least-once, §5.4).
 * - A refused hello, or the notices `device_revoked` / `attestation_expired` (§4.3), leave the
 *   client `refused` and NOT reconnecting: retrying cannot help until the messenger has a new
 *   attestation (renewal) or has dealt with the revocation, and then it calls `start()` again.
 *   Hammering the relay with doomed hellos would only cost both sides.
 * - Commands are request/response over socket.io acknowledgements with a fresh request id each;
 *   a command issued while not online rejects at once with `offline` (the messenger keeps its own
 *   persistent outbox), and frames are paced to the relay's advertised rate (frame-pacer.ts).
 * - Nothing here logs: ids, keys and payloads never reach a console; failures are surfaced as
 *   statuses, notices and RelayRequestError codes.
 */
import type { Ed25519KeyPair, Ed25519PrivateKey } from '@opendescent/crypto';
import {
  MAX_BLOB_BYTES,
  MAX_PUT_MANY_ENTRIES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  PROVEN_ON_THIS_CONNECTION,
  ProtocolError,
  QUEUE_ID_LENGTH,
  decodeChallenge,
  decodeDeliver,
  decodeRelayReply,
  encodeAck,
  encodeCreate,
  encodeDelete,
  encodeFetch,
  encodeHello,
  encodePrekeyClaim,
  encodePrekeyFetch,
  encodePrekeyPublish,
  encodePut,
  encodePutMany,
  encodeRevocationPush,
  encodeSubscribe,
  type FetchedMessage,
  type OptionalSigner,
  type PrekeyPublishMode,
  type PutManyEntry,
  type RelayChallenge,
  type RelayCommandName,
  type RelayDelivery,
  type RelayErrorName,
  type RelayLimits,
  type RelayOkReply,
} from '@opendescent/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { FramePacer } from './frame-pacer';

export type RelayStatus = 'connecting' | 'online' | 'offline' | 'refused';

/**
 * Why a command failed: a relay error name (relay.md §4.2), or one of this client's own:
 * `offline` (not connected, or the connection was lost before the answer), `timeout` (no answer
 * in time; the command may or may not have been carried out, and every command is safe to
 * repeat), `bad_reply` (the relay's answer does not decode or does not match the request).
 */
export type RelayRequestErrorCode = RelayErrorName | 'offline' | 'timeout' | 'bad_reply';

export class RelayRequestError extends Error {
  override readonly name = 'RelayRequestError';

  constructor(
    readonly code: RelayRequestErrorCode,
    message: string = code,
  ) {
    super(message);
  }
}

const RETRYABLE: ReadonlySet<string> = new Set<RelayRequestErrorCode>(['offline', 'timeout', 'unavailable', 'rate_limited', 'shutting_down']);

/** Whether sending the same command again later may succeed. Takes an error or a status code. */
export function isRetryable(error: unknown): boolean {
  const code = error instanceof RelayRequestError ? error.code : error;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Hello refusals that another attempt with the same credentials cannot fix (relay.md §3.2), and
 * `malformed`/`version_*`, which mean this client and the relay disagree on the protocol.
 */
const REFUSING_ERRORS: ReadonlySet<RelayErrorName> = new Set<RelayErrorName>([
  'malformed',
  'version_too_old',
  'version_unknown',
  'oversized',
  'attestation_malformed',
  'attestation_expired',
  'attestation_not_yet_valid',
  'attestation_unknown_signer',
  'attestation_bad_signature',
  'device_revoked',
  'challenge_signature_invalid',
]);

/** Notices after which the relay would refuse this device's next hello anyway (relay.md §4.3). */
const REFUSING_NOTICES: ReadonlySet<RelayErrorName> = new Set<RelayErrorName>(['device_revoked', 'attestation_expired']);

export interface RelayCredentials {
  /** The device attestation issued by the admin app (attestations.md §2). */
  readonly attestation: Uint8Array;
  /** The device identity key the attestation names; signs each connection's challenge. */
  readonly signingKey: Ed25519PrivateKey;
}

export type RelayIoFactory = (url: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface RelayClientOptions {
  /** The relay's base URL (http(s)://host[:port]); socket.io's default path. */
  readonly url: string;
  /** Asked on every connection, after the challenge: a renewed attestation is used from the next one. */
  readonly credentials: () => Promise<RelayCredentials> | RelayCredentials;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly requestTimeoutMs?: number;
  /** socket.io-client's `io`, or a stand-in (tests). */
  readonly ioFactory?: RelayIoFactory;
}

export type StatusListener = (status: RelayStatus, error?: RelayErrorName) => void;
export type NoticeListener = (error: RelayErrorName) => void;
export type DeliverListener = (delivery: RelayDelivery) => void;
/** A remembered subscription the relay refused when it was sent again (`auth`: the queue is gone). */
export type SubscriptionErrorListener = (recipientId: Uint8Array, error: RelayRequestError) => void;

/** Per put_many entry: stored (`ok`), or why not. */
export type PutManyOutcome = 'ok' | RelayRequestErrorCode;

export interface FetchResult {
  readonly more: boolean;
  readonly messages: readonly FetchedMessage[];
}

export const DEFAULT_BACKOFF_INITIAL_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** A connection that stayed online this long resets the backoff; shorter ones (a flapping relay) keep growing it. */
export const STABLE_CONNECTION_MS = 10_000;
/** relay.md §3.5: ttl (4) + entry count (2) after the header. */
const PUT_MANY_FRAME_OVERHEAD = 6 + 4 + 2;
/** relay.md §3.5: sender id (16) + blob length (4) before each blob. */
const PUT_MANY_ENTRY_OVERHEAD = QUEUE_ID_LENGTH + 4;
/** relay.md §8.3: a put_many costs one token more per 16 entries. */
const putManyCost = (entries: number): number => 1 + Math.floor(entries / 16);

/** Exponential backoff with jitter: attempt 0 waits between initialMs/2 and initialMs. */
export function reconnectDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The request id after `current`: u32, never 0 (reserved for notices, relay.md §3.0), wrapping. */
export function nextRequestId(current: number): number {
  return current >= 0xffff_ffff || current < 1 ? 1 : current + 1;
}

type OkReplyOf<N extends RelayCommandName> = RelayOkReply extends infer R ? (R extends { command: infer C } ? (N extends C ? R : never) : never) : never;

interface Subscription {
  readonly recipientId: Uint8Array;
  readonly key: Ed25519KeyPair;
}

/** One socket, from connect to close. Nothing of it outlives the socket. */
interface Connection {
  readonly socket: Socket;
  challenge: RelayChallenge | undefined;
  pacer: FramePacer | undefined;
  online: boolean;
  onlineSince: number;
  closed: boolean;
  /** The notice that preceded the close, if any: reported with the `offline` status. */
  notice: RelayErrorName | undefined;
  /** Recipient ids (hex) whose key a signed command proved on this connection (relay.md §6.3). */
  readonly proven: Set<string>;
  readonly pending: Map<number, (error: RelayRequestError) => void>;
  readonly timers: Set<ReturnType<typeof setTimeout>>;
}

const offline = (): RelayRequestError => new RelayRequestError('offline', 'not connected to the relay');

export class RelayClient {
  readonly #url: string;
  readonly #credentials: RelayClientOptions['credentials'];
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #requestTimeoutMs: number;
  readonly #ioFactory: RelayIoFactory;

  #running = false;
  #status: RelayStatus = 'offline';
  #refusal: RelayErrorName | undefined;
  #connection: Connection | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #requestId = 0;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #statusListeners = new Set<StatusListener>();
  readonly #noticeListeners = new Set<NoticeListener>();
  readonly #deliverListeners = new Set<DeliverListener>();
  readonly #subscriptionErrorListeners = new Set<SubscriptionErrorListener>();

  constructor(options: RelayClientOptions) {
    this.#url = options.url;
    this.#credentials = options.credentials;
    this.#initialMs = Math.max(1, options.backoff?.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS);
    this.#maxMs = Math.max(this.#initialMs, options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS);
    this.#requestTimeoutMs = Math.max(1, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.#ioFactory = options.ioFactory ?? io;
  }

  get url(): string {
    return this.#url;
  }

  get status(): RelayStatus {
    return this.#status;
  }

  /** The relay error name behind a `refused` status. */
  get refusal(): RelayErrorName | undefined {
    return this.#refusal;
  }

  /** The limits the current connection's relay advertised (relay.md §3.1), once connected. */
  get limits(): RelayLimits | undefined {
    return this.#connection?.challenge?.limits;
  }

  /**
   * Connects, and keeps reconnecting with backoff, until stop(). A no-op while running; after a
   * refusal it is the way to try again (once, at once), say with a renewed attestation.
   */
  start(): void {
    if (this.#running && this.#refusal === undefined) return;
    this.#running = true;
    this.#refusal = undefined;
    this.#attempt = 0;
    this.#clearReconnectTimer();
    if (this.#connection === undefined) this.#connect();
  }

  /** Closes the connection and cancels every timer; commands reject with `offline` until start(). */
  stop(): void {
    this.#running = false;
    this.#refusal = undefined;
    this.#clearReconnectTimer();
    const connection = this.#connection;
    if (connection !== undefined) this.#closeConnection(connection);
    this.#setStatus('offline');
  }

  onStatus(listener: StatusListener): () => void {
    return subscribeTo(this.#statusListeners, listener);
  }

  /** relay.md §4.3. `device_revoked` means: fetch the revocation list and check this device. */
  onNotice(listener: NoticeListener): () => void {
    return subscribeTo(this.#noticeListeners, listener);
  }

  /** Blobs pushed for remembered subscriptions (relay.md §4.4). At-least-once: de-duplicate by message id. */
  onDeliver(listener: DeliverListener): () => void {
    return subscribeTo(this.#deliverListeners, listener);
  }

  onSubscriptionError(listener: SubscriptionErrorListener): () => void {
    return subscribeTo(this.#subscriptionErrorListeners, listener);
  }

  // ── commands (relay.md §3) ──────────────────────────────────────────────────────────────

  /** §3.3. The new queue's key is then proven on this connection (§6.3). */
  async createQueue(recipientKey: Ed25519KeyPair): Promise<{ recipientId: Uint8Array; senderId: Uint8Array }> {
    const { reply, connection } = await this.#command('create', (requestId, c) => encodeCreate({ requestId }, signerOf(c, recipientKey)));
    remember(connection.proven, hex(reply.recipientId));
    return { recipientId: reply.recipientId, senderId: reply.senderId };
  }

  /** §3.4. `ttl` in seconds; 0 (default) is the relay's default TTL. */
  async put(senderId: Uint8Array, blob: Uint8Array, ttl = 0): Promise<void> {
    await this.#command('put', (requestId) => encodePut({ requestId, senderId, ttl, blob }));
  }

  /**
   * §3.5, split into as many frames as the relay's frame ceiling and the 256-entry limit need.
   * Rejects with `offline` only when not online at the call; after that every entry gets its own
   * outcome, in entry order: `ok`, the relay's status, or the error of the frame that carried it
   * (`timeout`, `offline`, `rate_limited`…). An entry that can never fit a frame is `oversized`.
   */
  async putMany(entries: readonly PutManyEntry[], ttl = 0): Promise<PutManyOutcome[]> {
    const connection = this.#onlineConnection();
    const maxFrameBytes = (connection.challenge as RelayChallenge).limits.maxFrameBytes;
    const outcomes: PutManyOutcome[] = new Array<PutManyOutcome>(entries.length);
    const batches: number[][] = [];
    let batch: number[] = [];
    let size = PUT_MANY_FRAME_OVERHEAD;
    entries.forEach((entry, index) => {
      const problem = putManyEntryProblem(entry, maxFrameBytes);
      if (problem !== undefined) {
        outcomes[index] = problem;
        return;
      }
      const entrySize = PUT_MANY_ENTRY_OVERHEAD + entry.blob.length;
      if (batch.length === MAX_PUT_MANY_ENTRIES || size + entrySize > maxFrameBytes) {
        batches.push(batch);
        batch = [];
        size = PUT_MANY_FRAME_OVERHEAD;
      }
      batch.push(index);
      size += entrySize;
    });
    if (batch.length > 0) batches.push(batch);
    await Promise.all(
      batches.map(async (indexes) => {
        try {
          const { reply } = await this.#command(
            'put_many',
            (requestId) => encodePutMany({ requestId, ttl, entries: indexes.map((i) => entries[i] as PutManyEntry) }),
            putManyCost(indexes.length),
          );
          if (reply.statuses.length !== indexes.length) throw new RelayRequestError('bad_reply', 'put_many: one status per entry expected');
          indexes.forEach((entryIndex, i) => (outcomes[entryIndex] = reply.statuses[i] as PutManyOutcome));
        } catch (error) {
          const code = asRequestError(error).code;
          for (const entryIndex of indexes) outcomes[entryIndex] = code;
        }
      }),
    );
    return outcomes;
  }

  /**
   * §3.6. The subscription is remembered first and sent again after every reconnection, so a
   * rejection with a retryable code (`offline`, `timeout`…) still leaves it to the next
   * connection; a definite refusal (`auth`: no such queue or wrong key) forgets it.
   */
  async subscribe(recipientId: Uint8Array, recipientKey: Ed25519KeyPair): Promise<void> {
    if (!(recipientId instanceof Uint8Array) || recipientId.length !== QUEUE_ID_LENGTH) throw new RelayRequestError('malformed', 'recipient id: 16 bytes expected');
    const id = hex(recipientId);
    const subscription: Subscription = { recipientId: recipientId.slice(), key: recipientKey };
    this.#subscriptions.set(id, subscription);
    try {
      await this.#sendSubscribe(subscription);
    } catch (error) {
      if (!isRetryable(error) && this.#subscriptions.get(id) === subscription) this.#subscriptions.delete(id);
      throw error;
    }
  }

  /**
   * Forgets a subscription: it is not sent again, and pushes for it are no longer passed on. The
   * relay keeps pushing on the current connection until it closes (there is no unsubscribe
   * command, relay.md §3).
   */
  unsubscribeLocal(recipientId: Uint8Array): void {
    this.#subscriptions.delete(hex(recipientId));
  }

  /** §3.7, unsigned when the queue's key is proven on this connection (§6.3). */
  async fetch(recipientId: Uint8Array, recipientKey: Ed25519KeyPair, max: number): Promise<FetchResult> {
    const reply = await this.#provenOrSigned('fetch', recipientId, recipientKey, (requestId, signer) => encodeFetch({ requestId, recipientId, max }, signer));
    return { more: reply.more, messages: reply.messages };
  }

  /** §3.8 (idempotent), unsigned when the queue's key is proven on this connection (§6.3). */
  async ack(recipientId: Uint8Array, recipientKey: Ed25519KeyPair, messageIds: readonly Uint8Array[]): Promise<void> {
    await this.#provenOrSigned('ack', recipientId, recipientKey, (requestId, signer) => encodeAck({ requestId, recipientId, messageIds }, signer));
  }

  /** §3.9: always signed. Also forgets the subscription. */
  async deleteQueue(recipientId: Uint8Array, recipientKey: Ed25519KeyPair): Promise<void> {
    const { connection } = await this.#command('delete', (requestId, c) => encodeDelete({ requestId, recipientId }, signerOf(c, recipientKey)));
    connection.proven.delete(hex(recipientId));
    this.#subscriptions.delete(hex(recipientId));
  }

  /** §3.10; resolves to the one-time prekeys the slot now holds. */
  async publishPrekeys(slotId: Uint8Array, slotKey: Ed25519KeyPair, mode: PrekeyPublishMode, bundle: Uint8Array, oneTimeItems: readonly Uint8Array[]): Promise<number> {
    const { reply } = await this.#command('prekey_publish', (requestId, c) =>
      encodePrekeyPublish({ requestId, slotId, mode, bundle, oneTimePrekeys: oneTimeItems }, signerOf(c, slotKey)),
    );
    return reply.remaining;
  }

  /** §3.11: the bundle, without claiming a one-time prekey. */
  async fetchPrekeys(slotId: Uint8Array): Promise<{ remaining: number; bundle: Uint8Array }> {
    const { reply } = await this.#command('prekey_fetch', (requestId) => encodePrekeyFetch({ requestId, slotId }));
    return { remaining: reply.remaining, bundle: reply.bundle };
  }

  /** §3.11: the bundle and one one-time prekey, removed atomically (null when none is left). */
  async claimPrekeys(slotId: Uint8Array): Promise<{ bundle: Uint8Array; oneTime: Uint8Array | null }> {
    const { reply } = await this.#command('prekey_claim', (requestId) => encodePrekeyClaim({ requestId, slotId }));
    return { bundle: reply.bundle, oneTime: reply.oneTimePrekey ?? null };
  }

  /** §3.12; resolves to the list version the relay now holds. A list over the frame ceiling is `oversized` (push it over HTTP, §7). */
  async pushRevocationList(list: Uint8Array): Promise<number> {
    const { reply } = await this.#command('revocation_push', (requestId) => encodeRevocationPush({ requestId, list }));
    return reply.listVersion;
  }

  // ── requests ────────────────────────────────────────────────────────────────────────────

  #nextRequestId(): number {
    this.#requestId = nextRequestId(this.#requestId);
    return this.#requestId;
  }

  #onlineConnection(): Connection {
    const connection = this.#connection;
    if (connection === undefined || !connection.online || connection.closed) throw offline();
    return connection;
  }

  /** Builds the frame for the connection that is online now, sends it, and decodes its answer. */
  async #command<N extends RelayCommandName>(
    command: N,
    build: (requestId: number, connection: Connection) => Uint8Array | Promise<Uint8Array>,
    cost = 1,
  ): Promise<{ reply: OkReplyOf<N>; connection: Connection }> {
    const connection = this.#onlineConnection();
    const requestId = this.#nextRequestId();
    let frame: Uint8Array;
    try {
      frame = await build(requestId, connection);
    } catch (error) {
      throw asRequestError(error);
    }
    return { reply: await this.#exchange(connection, command, requestId, frame, cost), connection };
  }

  /** §6.3: unsigned on a connection that proved the key; if the relay no longer counts that proof, once more signed. */
  async #provenOrSigned<N extends 'fetch' | 'ack'>(
    command: N,
    recipientId: Uint8Array,
    key: Ed25519KeyPair,
    build: (requestId: number, signer: OptionalSigner) => Promise<Uint8Array>,
  ): Promise<OkReplyOf<N>> {
    const id = hex(recipientId);
    let unsignedOn: Connection | undefined;
    try {
      const { reply, connection } = await this.#command(command, (requestId, c) => {
        unsignedOn = c.proven.has(id) ? c : undefined;
        return build(requestId, unsignedOn ? PROVEN_ON_THIS_CONNECTION : signerOf(c, key));
      });
      remember(connection.proven, id);
      return reply;
    } catch (error) {
      if (unsignedOn === undefined || !(error instanceof RelayRequestError) || error.code !== 'auth') throw error;
      unsignedOn.proven.delete(id);
      const { reply, connection } = await this.#command(command, (requestId, c) => build(requestId, signerOf(c, key)));
      remember(connection.proven, id);
      return reply;
    }
  }

  async #sendSubscribe(subscription: Subscription): Promise<void> {
    const { connection } = await this.#command('subscribe', (requestId, c) => encodeSubscribe({ requestId, recipientId: subscription.recipientId }, signerOf(c, subscription.key)));
    remember(connection.proven, hex(subscription.recipientId));
  }

  /**
   * Sends one frame with an acknowledgement and waits (bounded) for the matching reply.
   * `onSettled` runs synchronously with the answer (or the failure), before any other socket
   * event: the hello needs that, since a refused hello's reply and the relay's close can arrive
   * in one read, and the close must not be taken for a mere network loss.
   */
  async #exchange<N extends RelayCommandName>(
    connection: Connection,
    command: N,
    requestId: number,
    frame: Uint8Array,
    cost: number,
    onSettled?: (error: RelayRequestError | undefined) => void,
  ): Promise<OkReplyOf<N>> {
    const limits = (connection.challenge as RelayChallenge).limits;
    // The transport closes the connection on a larger frame (relay.md §2): never send one.
    if (frame.length > limits.maxFrameBytes) throw new RelayRequestError('oversized', `${command}: the frame exceeds the relay's ceiling`);
    const pacer = connection.pacer as FramePacer;
    await pacer.acquire(cost);
    if (connection.closed) {
      pacer.release();
      throw offline();
    }
    return new Promise<OkReplyOf<N>>((resolve, reject) => {
      const settle = (outcome: () => OkReplyOf<N>): void => {
        if (!connection.pending.delete(requestId)) return; // answered late, after a timeout or a close
        clearTimeout(timer);
        pacer.release();
        let reply: OkReplyOf<N>;
        try {
          reply = outcome();
        } catch (error) {
          onSettled?.(asRequestError(error));
          reject(error);
          return;
        }
        onSettled?.(undefined);
        resolve(reply);
      };
      const fail = (error: RelayRequestError) => () => {
        throw error;
      };
      const timer = setTimeout(() => settle(fail(new RelayRequestError('timeout', `${command}: no answer in ${this.#requestTimeoutMs} ms`))), this.#requestTimeoutMs);
      connection.pending.set(requestId, (error) => settle(fail(error)));
      connection.socket.emit(command, frame, (answer: unknown) => settle(() => replyFor(command, requestId, answer)));
    });
  }

  // ── connection life ─────────────────────────────────────────────────────────────────────

  #connect(): void {
    const socket = this.#ioFactory(this.#url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      timeout: this.#requestTimeoutMs,
    });
    const connection: Connection = {
      socket,
      challenge: undefined,
      pacer: undefined,
      online: false,
      onlineSince: 0,
      closed: false,
      notice: undefined,
      proven: new Set(),
      pending: new Map(),
      timers: new Set(),
    };
    this.#connection = connection;
    this.#setStatus('connecting');
    socket.on('challenge', (frame: unknown) => void this.#onChallenge(connection, frame));
    socket.on('notice', (frame: unknown) => this.#onNotice(connection, frame));
    socket.on('deliver', (frame: unknown) => this.#onDeliver(connection, frame));
    socket.on('connect_error', () => this.#onClosed(connection));
    socket.on('disconnect', () => this.#onClosed(connection));
    // Connecting, the challenge, the credentials and the hello together get a bounded time.
    this.#later(connection, () => {
      if (!connection.online) this.#onClosed(connection);
    }, 2 * this.#requestTimeoutMs);
    socket.connect();
  }

  async #onChallenge(connection: Connection, frame: unknown): Promise<void> {
    // One challenge per connection (§3.1); anything more is ignored.
    if (connection.closed || connection.challenge !== undefined) return;
    try {
      connection.challenge = decodeChallenge(frame);
    } catch {
      this.#onClosed(connection);
      return;
    }
    connection.pacer = new FramePacer(connection.challenge.limits);
    let credentials: RelayCredentials;
    try {
      credentials = await this.#credentials();
    } catch {
      this.#onClosed(connection);
      return;
    }
    if (connection.closed) return;
    const requestId = this.#nextRequestId();
    let hello: Uint8Array;
    try {
      hello = await encodeHello({ requestId, attestation: credentials.attestation }, connection.challenge.challenge, credentials.signingKey);
    } catch {
      // An attestation that cannot even be framed will not improve by retrying.
      this.#refuse(connection, 'attestation_malformed');
      return;
    }
    await this.#exchange(connection, 'hello', requestId, hello, 1, (error) => this.#onHelloAnswer(connection, error)).catch(() => undefined);
  }

  #onHelloAnswer(connection: Connection, error: RelayRequestError | undefined): void {
    if (connection.closed) return;
    if (error !== undefined) {
      if (REFUSING_ERRORS.has(error.code as RelayErrorName)) this.#refuse(connection, error.code as RelayErrorName);
      else this.#onClosed(connection);
      return;
    }
    connection.online = true;
    connection.onlineSince = Date.now();
    this.#setStatus('online');
    for (const subscription of this.#subscriptions.values()) this.#resubscribe(connection, subscription, 0);
  }

  /** After a reconnection: the relay forgot the subscriptions with the old connection (§2). */
  #resubscribe(connection: Connection, subscription: Subscription, attempt: number): void {
    const id = hex(subscription.recipientId);
    this.#sendSubscribe(subscription).catch((error: unknown) => {
      // A lost connection leaves it to the next one; a forgotten or replaced subscription is done.
      if (connection.closed || this.#subscriptions.get(id) !== subscription) return;
      const failure = asRequestError(error);
      if (isRetryable(failure)) {
        this.#later(connection, () => this.#resubscribe(connection, subscription, attempt + 1), reconnectDelayMs(attempt, this.#initialMs, this.#maxMs));
        return;
      }
      this.#subscriptions.delete(id);
      notify(this.#subscriptionErrorListeners, subscription.recipientId.slice(), failure);
    });
  }

  #onNotice(connection: Connection, frame: unknown): void {
    if (connection.closed) return;
    let error: RelayErrorName;
    try {
      const reply = decodeRelayReply(frame);
      if (reply.ok) return;
      error = reply.error;
    } catch {
      return;
    }
    connection.notice = error;
    notify(this.#noticeListeners, error);
    // The relay closes the connection next; for other notices `disconnect` schedules a reconnection.
    if (REFUSING_NOTICES.has(error)) this.#refuse(connection, error);
  }

  #onDeliver(connection: Connection, frame: unknown): void {
    if (connection.closed) return;
    let delivery: RelayDelivery;
    try {
      delivery = decodeDeliver(frame);
    } catch {
      return; // a frame this client cannot read is dropped; the blob stays pending on the relay
    }
    if (!this.#subscriptions.has(hex(delivery.recipientId))) return;
    notify(this.#deliverListeners, delivery);
  }

  /** No automatic retry after this: see the file comment. */
  #refuse(connection: Connection, error: RelayErrorName): void {
    if (connection.closed || this.#connection !== connection) return;
    this.#refusal = error;
    this.#closeConnection(connection);
    this.#setStatus('refused', error);
  }

  /** The socket is gone (or given up on): clean up, and reconnect unless stopped or refused. */
  #onClosed(connection: Connection): void {
    if (connection.closed) return;
    const wasCurrent = this.#connection === connection;
    this.#closeConnection(connection);
    if (!wasCurrent || !this.#running || this.#refusal !== undefined) return;
    if (connection.online && Date.now() - connection.onlineSince >= STABLE_CONNECTION_MS) this.#attempt = 0;
    this.#setStatus('offline', connection.notice);
    const delay = reconnectDelayMs(this.#attempt++, this.#initialMs, this.#maxMs);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#running && this.#refusal === undefined && this.#connection === undefined) this.#connect();
    }, delay);
  }

  #closeConnection(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.online = false;
    if (this.#connection === connection) this.#connection = undefined;
    for (const timer of connection.timers) clearTimeout(timer);
    connection.timers.clear();
    connection.pacer?.close(offline());
    for (const fail of [...connection.pending.values()]) fail(offline());
    connection.socket.off();
    connection.socket.close();
  }

  #later(connection: Connection, task: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      connection.timers.delete(timer);
      if (!connection.closed) task();
    }, delayMs);
    connection.timers.add(timer);
  }

  #clearReconnectTimer(): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  #setStatus(status: RelayStatus, error?: RelayErrorName): void {
    if (this.#status === status && status !== 'refused') return;
    this.#status = status;
    notify(this.#statusListeners, status, error);
  }
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────

function signerOf(connection: Connection, key: Ed25519KeyPair): { challenge: Uint8Array; key: Ed25519PrivateKey } {
  return { challenge: (connection.challenge as RelayChallenge).challenge, key: key.privateKey };
}

/** relay.md §6.3, §8.1: the relay keeps at most 1,024 proofs per connection; this side never counts on more. */
function remember(proven: Set<string>, id: string): void {
  if (proven.size < MAX_SUBSCRIPTIONS_PER_CONNECTION) proven.add(id);
}

/** Decodes an acknowledgement and checks it answers this request (§4.1, §4.2). */
function replyFor<N extends RelayCommandName>(command: N, requestId: number, answer: unknown): OkReplyOf<N> {
  let reply;
  try {
    reply = decodeRelayReply(answer);
  } catch {
    throw new RelayRequestError('bad_reply', `${command}: the relay's answer does not decode`);
  }
  if (!reply.ok) {
    // An error frame the relay could not attribute carries request id 0 and command 0 (§4.2).
    if ((reply.requestId !== requestId && reply.requestId !== 0) || (reply.command !== command && reply.command !== undefined)) {
      throw new RelayRequestError('bad_reply', `${command}: the answer is for another request`);
    }
    throw new RelayRequestError(reply.error, `${command}: ${reply.error}`);
  }
  if (reply.requestId !== requestId || reply.command !== command) throw new RelayRequestError('bad_reply', `${command}: the answer is for another request`);
  return reply as OkReplyOf<N>;
}

function putManyEntryProblem(entry: PutManyEntry, maxFrameBytes: number): PutManyOutcome | undefined {
  if (!(entry.senderId instanceof Uint8Array) || entry.senderId.length !== QUEUE_ID_LENGTH) return 'malformed';
  if (!(entry.blob instanceof Uint8Array) || entry.blob.length < 1) return 'malformed';
  if (entry.blob.length > MAX_BLOB_BYTES) return 'oversized';
  if (PUT_MANY_FRAME_OVERHEAD + PUT_MANY_ENTRY_OVERHEAD + entry.blob.length > maxFrameBytes) return 'oversized';
  return undefined;
}

function asRequestError(error: unknown): RelayRequestError {
  if (error instanceof RelayRequestError) return error;
  if (error instanceof ProtocolError) return new RelayRequestError(error.code === 'oversized' ? 'oversized' : 'malformed', error.message);
  return new RelayRequestError('malformed', error instanceof Error ? error.message : 'invalid command');
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

function subscribeTo<L>(listeners: Set<L>, listener: L): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/**
 * A throwing listener must not break the client or the other listeners, nor be swallowed: its
 * error goes to the global error handler (a worker's `error` event) through reportError.
 */
function notify<A extends unknown[]>(listeners: ReadonlySet<(...args: A) => void>, ...args: A): void {
  for (const listener of [...listeners]) {
    try {
      listener(...args);
    } catch (error) {
      if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
      else
        queueMicrotask(() => {
          throw error;
        });
    }
  }
}
