/**
 * A device's presence at one relay (docs/protocol/relay.md), for the web client's worker: one
 * *reading* connection that holds the device's subscriptions, and a SendChannel for everything it
 * writes, so reading and sending are never the same connection (§5.5).
 *
 * - Every (re)connection waits for the relay's `challenge`, answers `hello` with one anonymous
 *   access token, asked for afresh each time (§3.2, access-tokens.md), and only then reports
 *   `online`. The relay learns no attestation, address or device id.
 * - Reconnection is this class's, not socket.io's: exponential backoff with jitter
 *   (reconnect-backoff.ts), and a new connection (so a new challenge and a new token) each time.
 *   Subscriptions are sent again on every new connection, so the relay pushes what is still
 *   pending (at-least-once, §5.4; remembered-subscriptions.ts).
 * - A hello refused for its token (`token_*`) is not final: the client reconnects with backoff and
 *   a fresh token, and tells `onTokenRefused` (on `token_unknown_key` the token's owner refetches
 *   the key set). Only a hello refused as `malformed`/`version_*`/`oversized` (this client and the
 *   relay disagree on the protocol) leaves it `refused` and not reconnecting.
 * - The relay pushes the signed revocation list after the hello and whenever it accepts a newer
 *   one (§7); listeners get the bytes, still to be verified.
 * - A command issued while not online rejects at once with `offline` (the messenger keeps its own
 *   persistent outbox); frames are paced to the relay's advertised rate.
 * - Nothing here logs: failures are surfaced as statuses and RelayRequestError codes.
 */
import type { Ed25519KeyPair } from '@opendescent/crypto';
import {
  MAX_HELLO_TOKEN_BYTES,
  isRelayErrorName,
  type RelayDelivery,
  type RelayErrorName,
  type RelayLimits,
} from '@opendescent/protocol';
import { ack, createQueue, deleteQueue, fetchPending, pushRevocationList, type FetchResult } from './commands';
import { asRequestError, offline, type RelayRequestError } from './errors';
import { Listeners } from './listeners';
import {
  DEFAULT_BACKOFF_INITIAL_MS,
  DEFAULT_BACKOFF_MAX_MS,
  STABLE_CONNECTION_MS,
  reconnectDelayMs,
} from './reconnect-backoff';
import { RelayClientSendingSide } from './relay-client-sending';
import { DEFAULT_REQUEST_TIMEOUT_MS, RelayConnection, type RelayIoFactory } from './relay-connection';
import { RememberedSubscriptions } from './remembered-subscriptions';
import { SendChannel, type RelayCredentials, type SendChannelOptions } from './send-channel';

export type RelayStatus = 'connecting' | 'online' | 'offline' | 'refused';

/** Hello refusals no other attempt can fix: this client and the relay disagree on the protocol. */
const REFUSING_ERRORS: ReadonlySet<string> = new Set<RelayErrorName>([
  'malformed',
  'version_too_old',
  'version_unknown',
  'oversized',
]);

export interface RelayClientOptions {
  /** The relay's base URL (http(s)://host[:port]); socket.io's default path. */
  readonly url: string;
  /** A fresh access token for each connection, reading or sending; a failure is retried with backoff. */
  readonly credentials: RelayCredentials;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly requestTimeoutMs?: number;
  /** socket.io-client's `io`, or a stand-in (tests). */
  readonly ioFactory?: RelayIoFactory;
  /** The sending connections (send-channel.ts): lanes, age, frames, idle time. */
  readonly sending?: Pick<SendChannelOptions, 'lanes' | 'maxAgeMs' | 'maxFrames' | 'idleMs'>;
}

export type StatusListener = (status: RelayStatus, error?: RelayErrorName) => void;

/** The reading side is here; the sending side (put, put_many, put_shared, fetch_shared, prekeys) is in relay-client-sending.ts. */
export class RelayClient extends RelayClientSendingSide {
  readonly #options: RelayClientOptions;
  readonly #initialMs: number;
  readonly #maxMs: number;
  protected readonly sender: SendChannel;

  #running = false;
  #status: RelayStatus = 'offline';
  #refusal: RelayErrorName | undefined;
  /** The reading connection while it exists (opening or open); `online` once its hello succeeded. */
  #connection: RelayConnection | undefined;
  #opening = false;
  #online = false;
  #onlineSince = 0;
  #generation = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  readonly #subscriptions: RememberedSubscriptions;
  readonly #statusListeners = new Listeners<[RelayStatus, RelayErrorName | undefined]>();
  readonly #noticeListeners = new Listeners<[RelayErrorName]>();
  readonly #deliverListeners = new Listeners<[RelayDelivery]>();
  readonly #revocationListeners = new Listeners<[Uint8Array]>();
  readonly #tokenRefusedListeners = new Listeners<[RelayErrorName]>();

  constructor(options: RelayClientOptions) {
    super();
    this.#options = options;
    this.#initialMs = Math.max(1, options.backoff?.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS);
    this.#maxMs = Math.max(this.#initialMs, options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS);
    this.#subscriptions = new RememberedSubscriptions((attempt) =>
      reconnectDelayMs(attempt, this.#initialMs, this.#maxMs),
    );
    this.sender = new SendChannel({
      ...options.sending,
      url: options.url,
      credentials: options.credentials,
      connection: this.#connectionOptions(),
      onTokenRefused: (code) => this.#tokenRefusedListeners.notify(code),
      frameCeiling: () => this.#connection?.limits.maxFrameBytes,
    });
  }

  get url(): string {
    return this.#options.url;
  }

  get status(): RelayStatus {
    return this.#status;
  }

  /** The relay error name behind a `refused` status. */
  get refusal(): RelayErrorName | undefined {
    return this.#refusal;
  }

  /** The limits the reading connection's relay advertised (relay.md §3.1), once connected. */
  get limits(): RelayLimits | undefined {
    return this.#connection?.limits;
  }

  /** Connects, and keeps reconnecting with backoff, until stop(). After a refusal it is the way to try again. */
  start(): void {
    if (this.#running && this.#refusal === undefined) return;
    // stop() and a refusal closed the sending lanes: sending works again from now.
    this.sender.reopen();
    this.#running = true;
    this.#refusal = undefined;
    this.#attempt = 0;
    this.#clearReconnectTimer();
    if (this.#connection === undefined && !this.#opening) void this.#connect();
  }

  /** Closes every connection and cancels every timer; commands reject with `offline` until start(). */
  stop(): void {
    this.#running = false;
    this.#refusal = undefined;
    this.#clearReconnectTimer();
    this.#generation++;
    this.#closeReading();
    this.sender.close();
    this.#setStatus('offline');
  }

  onStatus(listener: StatusListener): () => void {
    return this.#statusListeners.add(listener);
  }

  /** relay.md §4.3 (`shutting_down`, `rate_limited`…): told before the relay closes the reading connection. */
  onNotice(listener: (error: RelayErrorName) => void): () => void {
    return this.#noticeListeners.add(listener);
  }

  /** relay.md §7: a signed revocation list, still to be verified. */
  onRevocation(listener: (list: Uint8Array) => void): () => void {
    return this.#revocationListeners.add(listener);
  }

  /** Blobs pushed for remembered subscriptions (§4.4). At-least-once: de-duplicate by message id. */
  onDeliver(listener: (delivery: RelayDelivery) => void): () => void {
    return this.#deliverListeners.add(listener);
  }

  /** A hello (reading or sending) refused for its token; `token_unknown_key` means: refetch the key set. */
  onTokenRefused(listener: (code: RelayErrorName) => void): () => void {
    return this.#tokenRefusedListeners.add(listener);
  }

  /** A remembered subscription the relay refused when it was sent again (`auth`: the queue is gone). */
  onSubscriptionError(listener: (recipientId: Uint8Array, error: RelayRequestError) => void): () => void {
    return this.#subscriptions.onError(listener);
  }

  // ── reading side ────────────────────────────────────────────────────────────────────────

  /** §3.3, on the reading connection: the queue's owner creates it, and its key is then proven there (§6.3). */
  async createQueue(recipientKey: Ed25519KeyPair): Promise<{ recipientId: Uint8Array; senderId: Uint8Array }> {
    return createQueue(this.#reading(), recipientKey);
  }

  /**
   * §3.6. The subscription is remembered first and sent again after every reconnection, so a
   * rejection with a retryable code still leaves it to the next connection; a definite refusal
   * (`auth`: no such queue or wrong key) forgets it.
   */
  async subscribe(recipientId: Uint8Array, recipientKey: Ed25519KeyPair): Promise<void> {
    return this.#subscriptions.subscribe(() => this.#reading(), recipientId, recipientKey);
  }

  /** Forgets a subscription: not sent again, its pushes no longer passed on (there is no unsubscribe command). */
  unsubscribeLocal(recipientId: Uint8Array): void {
    this.#subscriptions.forget(recipientId);
  }

  /** §3.7, unsigned when the queue's key is proven on the reading connection (§6.3). */
  async fetch(recipientId: Uint8Array, recipientKey: Ed25519KeyPair, max: number): Promise<FetchResult> {
    return fetchPending(this.#reading(), recipientId, recipientKey, max);
  }

  /** §3.8 (idempotent), unsigned when the queue's key is proven on the reading connection. */
  async ack(recipientId: Uint8Array, recipientKey: Ed25519KeyPair, messageIds: readonly Uint8Array[]): Promise<void> {
    return ack(this.#reading(), recipientId, recipientKey, messageIds);
  }

  /** §3.9: always signed. Also forgets the subscription. */
  async deleteQueue(recipientId: Uint8Array, recipientKey: Ed25519KeyPair): Promise<void> {
    await deleteQueue(this.#reading(), recipientId, recipientKey);
    this.#subscriptions.forget(recipientId);
  }

  /** §3.12; resolves to the list version the relay now holds. */
  async pushRevocationList(list: Uint8Array): Promise<number> {
    return pushRevocationList(this.#reading(), list);
  }

  // ── the reading connection's life ───────────────────────────────────────────────────────

  #connectionOptions() {
    const { ioFactory, requestTimeoutMs } = this.#options;
    return { requestTimeoutMs: requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, ...(ioFactory ? { ioFactory } : {}) };
  }

  #reading(): RelayConnection {
    const connection = this.#connection;
    if (connection === undefined || !this.#online || connection.closed) throw offline();
    return connection;
  }

  protected requireRunning(): void {
    // Sending needs no reading connection, but a stopped or refused client sends nothing.
    if (!this.#running || this.#refusal !== undefined) throw offline();
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    this.#opening = true;
    this.#setStatus('connecting');
    const stale = () => generation !== this.#generation || !this.#running;
    let connection: RelayConnection;
    try {
      connection = await RelayConnection.open(this.#options.url, this.#connectionOptions());
    } catch {
      this.#opening = false;
      if (!stale()) this.#scheduleReconnect(undefined);
      return;
    }
    if (stale()) {
      this.#opening = false;
      connection.close();
      return;
    }
    this.#connection = connection;
    this.#opening = false;
    connection.onDeliver((delivery) => {
      if (this.#subscriptions.has(delivery.recipientId)) this.#deliverListeners.notify(delivery);
    });
    connection.onNotice((error) => this.#noticeListeners.notify(error));
    connection.onRevocation((list) => this.#revocationListeners.notify(list));
    connection.onClose(() => this.#onClosed(connection));
    let token: Uint8Array;
    try {
      token = await this.#options.credentials();
    } catch {
      // No token to be had now (admin app unreachable, issuance stopped): tried again with backoff.
      connection.close();
      return;
    }
    // A token taken is spent from the wallet even if this connection is gone by now: never offered twice.
    if (connection.closed) return;
    if (!(token instanceof Uint8Array) || token.length < 1 || token.length > MAX_HELLO_TOKEN_BYTES) {
      // A token that cannot be framed is never sent: the next connection asks for another.
      connection.close();
      return;
    }
    try {
      await connection.hello(token);
    } catch (error) {
      const code = asRequestError(error).code;
      if (REFUSING_ERRORS.has(code) && isRelayErrorName(code)) {
        this.#refuse(connection, code);
        return;
      }
      if (code.startsWith('token_') && isRelayErrorName(code)) this.#tokenRefusedListeners.notify(code);
      connection.close();
      return;
    }
    if (connection.closed) return;
    this.#online = true;
    this.#onlineSince = Date.now();
    this.#setStatus('online');
    this.#subscriptions.resendAll(connection);
  }

  /** No automatic retry after this: see the file comment. */
  #refuse(connection: RelayConnection, error: RelayErrorName): void {
    this.#refusal = error;
    this.sender.close();
    this.#closeReading();
    connection.close();
    this.#setStatus('refused', error);
  }

  /** The reading connection is gone: clean up, and reconnect unless stopped or refused. */
  #onClosed(connection: RelayConnection): void {
    if (this.#connection !== connection) return;
    const wasOnline = this.#online;
    this.#closeReading();
    if (!this.#running || this.#refusal !== undefined) return;
    if (wasOnline && Date.now() - this.#onlineSince >= STABLE_CONNECTION_MS) this.#attempt = 0;
    this.#scheduleReconnect(connection.reason);
  }

  #scheduleReconnect(reason: RelayErrorName | undefined): void {
    this.#setStatus('offline', reason);
    const delay = reconnectDelayMs(this.#attempt++, this.#initialMs, this.#maxMs);
    this.#clearReconnectTimer();
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#running && this.#refusal === undefined && this.#connection === undefined && !this.#opening)
        void this.#connect();
    }, delay);
  }

  #closeReading(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#online = false;
    this.#subscriptions.cancelRetries();
    connection?.close();
  }

  #clearReconnectTimer(): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  #setStatus(status: RelayStatus, error?: RelayErrorName): void {
    if (this.#status === status && status !== 'refused' && error === undefined) return;
    this.#status = status;
    this.#statusListeners.notify(status, error);
  }
}
