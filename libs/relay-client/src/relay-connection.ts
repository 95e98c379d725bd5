/**
 * One connection to one relay, from connect to close (docs/protocol/relay.md): it waits for the
 * relay's `challenge`, says `hello` with one anonymous access token (§3.2, access-tokens.md),
 * then carries request/acknowledgement exchanges, paced to the rate the relay advertised and
 * bounded in time, and passes on what the relay pushes (`deliver`, `notice`, `revocation`).
 * Nothing of it outlives its socket, and it never reconnects: that is RelayClient's job.
 *
 * This is the low-level client the relay's tests, the end-to-end tests and the benchmark use
 * directly; `send` lets a test put any bytes on the wire.
 */
import type { Ed25519KeyPair, Ed25519PrivateKey } from '@opendescent/crypto';
import {
  MAX_REVOCATION_LIST_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  decodeChallenge,
  decodeDeliver,
  decodeRelayReply,
  encodeHello,
  encodeHex,
  type RelayCommandName,
  type RelayDelivery,
  type RelayErrorName,
  type RelayLimits,
  type RelayOkReply,
  type RelayReply,
} from '@opendescent/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { RelayRequestError, asRequestError, offline } from './errors';
import { FramePacer } from './frame-pacer';
import { Listeners } from './listeners';

export type RelayIoFactory = (url: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;

export type OkReplyOf<N extends RelayCommandName> = RelayOkReply extends infer R
  ? R extends { command: infer C }
    ? N extends C
      ? R
      : never
    : never
  : never;

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface RelayConnectionOptions {
  /** socket.io-client's `io`, or a stand-in (tests). */
  readonly ioFactory?: RelayIoFactory;
  /** Bounds connecting (up to the challenge) and every exchange. */
  readonly requestTimeoutMs?: number;
  /** Pace frames to the relay's advertised rate (frame-pacer.ts). Default true; a test of the relay's own limits turns it off. */
  readonly pace?: boolean;
}

/** The request id after `current`: u32, never 0 (reserved for notices, relay.md §3.0), wrapping. */
export function nextRequestId(current: number): number {
  return current >= 0xffff_ffff || current < 1 ? 1 : current + 1;
}

export class RelayConnection {
  readonly #socket: Socket;
  readonly #requestTimeoutMs: number;
  readonly #pacer: FramePacer | undefined;
  readonly #pending = new Map<number, (error: RelayRequestError) => void>();
  /** Recipient ids (hex) whose key a signed command proved on this connection (relay.md §6.3). */
  readonly #proven = new Set<string>();
  readonly #deliver = new Listeners<[RelayDelivery]>();
  readonly #notice = new Listeners<[RelayErrorName]>();
  readonly #revocation = new Listeners<[Uint8Array]>();
  readonly #close = new Listeners<[]>();
  #requestId = 0;
  #busy = 0;
  #closed = false;
  #authenticated = false;
  /** The hello refusal or the notice that preceded the close, if any. */
  #reason: RelayErrorName | undefined;

  private constructor(
    readonly url: string,
    socket: Socket,
    readonly challenge: Uint8Array,
    readonly limits: RelayLimits,
    options: RelayConnectionOptions,
  ) {
    this.#socket = socket;
    this.#requestTimeoutMs = Math.max(1, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.#pacer = options.pace === false ? undefined : new FramePacer(limits);
    socket.on('deliver', (frame: unknown) => this.#onDeliver(frame));
    socket.on('notice', (frame: unknown) => this.#onNotice(frame));
    socket.on('revocation', (list: unknown) => this.#onRevocation(list));
    socket.on('disconnect', () => this.#onClosed());
  }

  /** Connects and waits for the challenge (§3.1); rejects with `offline` or `bad_reply`. */
  static open(url: string, options: RelayConnectionOptions = {}): Promise<RelayConnection> {
    const timeoutMs = Math.max(1, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    const socket = (options.ioFactory ?? io)(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      timeout: timeoutMs,
    });
    return new Promise<RelayConnection>((resolve, reject) => {
      const fail = (error: RelayRequestError): void => {
        clearTimeout(timer);
        socket.off();
        socket.close();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new RelayRequestError('offline', `no challenge from the relay in ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('connect_error', () => fail(offline()));
      socket.once('disconnect', () => fail(offline()));
      socket.once('challenge', (frame: unknown) => {
        let decoded;
        try {
          decoded = decodeChallenge(frame);
        } catch {
          fail(new RelayRequestError('bad_reply', 'the relay’s challenge does not decode'));
          return;
        }
        clearTimeout(timer);
        socket.off('connect_error');
        socket.off('disconnect');
        resolve(new RelayConnection(url, socket, decoded.challenge, decoded.limits, options));
      });
      socket.connect();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** Why the relay refused or closed this connection, when it said (a hello refusal or a notice). */
  get reason(): RelayErrorName | undefined {
    return this.#reason;
  }

  /** Commands started and not yet settled (waiting to be paced, or sent and unanswered). */
  get inFlight(): number {
    return this.#busy;
  }

  /** The raw socket, for tests that must put malformed traffic on the wire. */
  get socket(): Socket {
    return this.#socket;
  }

  onDeliver(listener: (delivery: RelayDelivery) => void): () => void {
    return this.#deliver.add(listener);
  }

  /** relay.md §4.3: told just before the relay closes the connection. */
  onNotice(listener: (error: RelayErrorName) => void): () => void {
    return this.#notice.add(listener);
  }

  /** relay.md §7: a signed revocation list (a copy, of a plausible size), still to be verified. */
  onRevocation(listener: (list: Uint8Array) => void): () => void {
    return this.#revocation.add(listener);
  }

  onClose(listener: () => void): () => void {
    return this.#close.add(listener);
  }

  nextRequestId(): number {
    this.#requestId = nextRequestId(this.#requestId);
    return this.#requestId;
  }

  /** The signer of a recipient (or slot) command on this connection (§6.2). */
  signer(key: Ed25519KeyPair): { challenge: Uint8Array; key: Ed25519PrivateKey } {
    return { challenge: this.challenge, key: key.privateKey };
  }

  isProven(recipientId: Uint8Array): boolean {
    return this.#proven.has(encodeHex(recipientId));
  }

  /** §6.3, §8.1: the relay keeps at most 1,024 proofs per connection; this side never counts on more. */
  prove(recipientId: Uint8Array): void {
    if (this.#proven.size < MAX_SUBSCRIPTIONS_PER_CONNECTION) this.#proven.add(encodeHex(recipientId));
  }

  forgetProof(recipientId: Uint8Array): void {
    this.#proven.delete(encodeHex(recipientId));
  }

  /**
   * §3.2: redeems one token. Resolves once admitted; rejects with the relay's refusal (which is
   * also kept as `reason` before the relay's close can be seen, so a refusal is never taken for a
   * mere network loss).
   */
  async hello(token: Uint8Array): Promise<void> {
    await this.command(
      'hello',
      (requestId) => encodeHello({ requestId, token }),
      1,
      (error) => {
        if (error === undefined) this.#authenticated = true;
        else if (
          error.code !== 'offline' &&
          error.code !== 'timeout' &&
          error.code !== 'bad_reply' &&
          error.code !== 'cancelled'
        )
          this.#reason = error.code;
      },
    );
  }

  /**
   * Builds a frame with a fresh request id, sends it, and resolves with the matching success
   * reply; rejects with a RelayRequestError (the relay's error code, `offline`, `timeout`,
   * `bad_reply`, or `oversized` for a frame over the relay's ceiling, never sent).
   */
  async command<N extends RelayCommandName>(
    command: N,
    build: (requestId: number) => Uint8Array | Promise<Uint8Array>,
    cost = 1,
    onSettled?: (error: RelayRequestError | undefined) => void,
  ): Promise<OkReplyOf<N>> {
    if (this.#closed) throw offline();
    this.#busy++;
    try {
      return await this.#exchange(command, build, cost, onSettled);
    } finally {
      this.#busy--;
    }
  }

  async #exchange<N extends RelayCommandName>(
    command: N,
    build: (requestId: number) => Uint8Array | Promise<Uint8Array>,
    cost: number,
    onSettled: ((error: RelayRequestError | undefined) => void) | undefined,
  ): Promise<OkReplyOf<N>> {
    const requestId = this.nextRequestId();
    let frame: Uint8Array;
    try {
      frame = await build(requestId);
    } catch (error) {
      throw asRequestError(error);
    }
    // The transport closes the connection on a larger frame (relay.md §2): never send one.
    if (frame.length > this.limits.maxFrameBytes)
      throw new RelayRequestError('oversized', `${command}: the frame exceeds the relay's ceiling`);
    const pacer = this.#pacer;
    await pacer?.acquire(cost);
    if (this.#closed) {
      pacer?.release();
      throw offline();
    }
    return new Promise<OkReplyOf<N>>((resolve, reject) => {
      const settle = (outcome: () => OkReplyOf<N>): void => {
        if (!this.#pending.delete(requestId)) return; // answered late, after a timeout or a close
        clearTimeout(timer);
        pacer?.release();
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
      const timer = setTimeout(
        () => settle(fail(new RelayRequestError('timeout', `${command}: no answer in ${this.#requestTimeoutMs} ms`))),
        this.#requestTimeoutMs,
      );
      this.#pending.set(requestId, (error) => settle(fail(error)));
      this.#socket.emit(command, frame, (answer: unknown) => settle(() => replyFor(command, requestId, answer)));
    });
  }

  /** Emits any event with any payload and an acknowledgement; resolves with the decoded reply, whatever it is (tests). */
  async send(event: string, payload: unknown): Promise<RelayReply> {
    const answer: unknown = await this.#socket.timeout(this.#requestTimeoutMs).emitWithAck(event, payload);
    return decodeRelayReply(answer);
  }

  close(): void {
    this.#onClosed();
  }

  #onDeliver(frame: unknown): void {
    if (this.#closed) return;
    let delivery: RelayDelivery;
    try {
      delivery = decodeDeliver(frame);
    } catch {
      return; // a frame this client cannot read is dropped; the blob stays pending on the relay
    }
    this.#deliver.notify(delivery);
  }

  #onNotice(frame: unknown): void {
    if (this.#closed) return;
    let reply: RelayReply;
    try {
      reply = decodeRelayReply(frame);
    } catch {
      return;
    }
    if (reply.ok) return;
    this.#reason = reply.error;
    this.#notice.notify(reply.error);
    // The relay closes the connection next.
  }

  #onRevocation(list: unknown): void {
    if (this.#closed || !(list instanceof Uint8Array || list instanceof ArrayBuffer)) return;
    if (list.byteLength === 0 || list.byteLength > MAX_REVOCATION_LIST_BYTES) return;
    // A copy, and a plain Uint8Array (Node hands socket.io binaries over as Buffers, whose slice() is a view).
    this.#revocation.notify(list instanceof Uint8Array ? new Uint8Array(list) : new Uint8Array(list.slice(0)));
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#authenticated = false;
    this.#pacer?.close(offline());
    for (const fail of [...this.#pending.values()]) fail(offline());
    this.#socket.off();
    this.#socket.close();
    this.#close.notify();
    for (const listeners of [this.#deliver, this.#notice, this.#revocation, this.#close]) listeners.clear();
  }
}

/** Decodes an acknowledgement and checks it answers this request (§4.1, §4.2). */
function replyFor<N extends RelayCommandName>(command: N, requestId: number, answer: unknown): OkReplyOf<N> {
  let reply: RelayReply;
  try {
    reply = decodeRelayReply(answer);
  } catch {
    throw new RelayRequestError('bad_reply', `${command}: the relay's answer does not decode`);
  }
  if (!reply.ok) {
    // An error frame the relay could not attribute carries request id 0 and command 0 (§4.2).
    if (
      (reply.requestId !== requestId && reply.requestId !== 0) ||
      (reply.command !== command && reply.command !== undefined)
    ) {
      throw new RelayRequestError('bad_reply', `${command}: the answer is for another request`);
    }
    throw new RelayRequestError(reply.error, `${command}: ${reply.error}`);
  }
  if (reply.requestId !== requestId || reply.command !== command)
    throw new RelayRequestError('bad_reply', `${command}: the answer is for another request`);
  return reply as OkReplyOf<N>;
}
