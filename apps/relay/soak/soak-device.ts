/**
 * One simulated device of the soak, speaking the real relay protocol through libs/relay-client's
 * RelayClient: a reading connection admitted by a fresh access token at each (re)connection, its
 * subscriptions sent again after each one, and sending lanes of their own (relay.md §5.5), all
 * paced to the relay's advertised rate and reconnected with backoff by the library.
 *
 * As the web client: one queue per contact (messages.md §5.1), every blob taken through the
 * duplicate rule, opened, shown, then acknowledged in batches (unsigned, the subscription proved
 * the key: relay.md §6.3). Unlike the web client, which relies on the re-sent subscriptions, it
 * also fetches every queue after each reconnection (a live push published while a node's Redis
 * subscriber followed a failover is lost, §9.1; the fetch finds its message in the queue).
 */
import { performance } from 'node:perf_hooks';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import { encodeHex } from '@opendescent/protocol';
import {
  RelayClient,
  isRetryable,
  type RelayClientOptions,
  type RelayCredentials,
  type RelayIoFactory,
} from '@opendescent/relay-client';
import { io, type Socket } from 'socket.io-client';
import { DuplicateRule } from './duplicate-rule';
import type { SoakCipher } from './pairwise-sessions';
import { decodePayload, encodePayload } from './soak-payload';
import type { Arrival, SoakLedger } from './soak-ledger';
import { SoakOutbox, type OutboxEntry, type RefusalLog } from './soak-outbox';

/** A queue this device reads; `peer` -1 is a flooding device's own sink (flood-device.ts). */
interface ReadQueue {
  readonly peer: number;
  readonly recipientId: Uint8Array;
  readonly key: Ed25519KeyPair;
  acks: Uint8Array[];
  ackTimer: ReturnType<typeof setTimeout> | undefined;
  flushing: Promise<void> | undefined;
}

export const SINK = -1;
/** The most ids one ack frame carries (relay.md §3.8). */
const ACK_BATCH = 256;
const ACK_DELAY_MS = 50;
const FETCH_MAX = 256;
const ONLINE_TIMEOUT_MS = 60_000;
/** Where a dropped device's connections go: a port nothing listens on, refused at once. */
const UNREACHABLE = 'http://127.0.0.1:1';

export interface DeviceCounters {
  /** Reconnections of the reading connection after the first. */
  reconnections: number;
  /** Blobs taken from a flooding device's sink queue. */
  sinkBlobs: number;
  ackFailures: number;
  fetchFailures: number;
}

export class SoakDevice {
  readonly client: RelayClient;
  readonly outbox: SoakOutbox;
  readonly counters: DeviceCounters = { reconnections: 0, sinkBlobs: 0, ackFailures: 0, fetchFailures: 0 };
  readonly #rule = new DuplicateRule();
  readonly #queues = new Map<string, ReadQueue>();
  readonly #writeTo = new Map<number, Uint8Array>();
  #sequence = 0;
  #sending: Promise<void> = Promise.resolve();
  #inbox: Promise<void> = Promise.resolve();
  #ready = false;
  #unreachableUntil = 0;
  #fetches = 0;
  #onlineAt = 0;
  readonly #sockets = new Set<Socket>();

  constructor(
    readonly index: number,
    readonly url: string,
    credentials: RelayCredentials,
    private readonly cipher: SoakCipher,
    private readonly ledger: SoakLedger,
    refusals: RefusalLog,
    sending?: RelayClientOptions['sending'],
  ) {
    this.client = new RelayClient({
      url,
      credentials,
      ioFactory: (target, options) => this.#dial(target, options),
      ...(sending ? { sending } : {}),
    });
    this.outbox = new SoakOutbox(index, this.client, ledger, refusals);
    this.client.onDeliver((d) => this.#take(d.recipientId, d.messageId, d.blob, 'push'));
    // As the web client: after a reconnection the client sends its subscriptions again and the
    // relay pushes what is pending, oldest first, then what is new (relay.md §5.4). No fetch beside
    // it: a fetch reply and live pushes share the connection, and a push could overtake the reply.
    this.client.onStatus((status) => {
      if (status === 'online') this.#onlineAt = performance.now();
      if (status === 'online' && this.#ready) this.counters.reconnections++;
    });
  }

  get contacts(): number[] {
    return [...this.#writeTo.keys()];
  }

  /**
   * Connects, then makes and subscribes one queue per peer. Resolves with, per peer, the sender id
   * that peer writes to (handed over out of band: the soak has no directory).
   */
  async open(peers: readonly number[]): Promise<Map<number, Uint8Array>> {
    this.client.start();
    await this.online();
    const senderIds = new Map<number, Uint8Array>();
    for (const peer of peers) {
      const key = await generateEd25519KeyPair();
      const { recipientId, senderId } = await retrying(() => this.client.createQueue(key));
      this.#queues.set(encodeHex(recipientId), {
        peer,
        recipientId,
        key,
        acks: [],
        ackTimer: undefined,
        flushing: undefined,
      });
      await retrying(() => this.client.subscribe(recipientId, key));
      senderIds.set(peer, senderId);
    }
    this.#ready = true;
    return senderIds;
  }

  /** Where this device writes to `peer`: the sender id of the queue `peer` reads this device's messages from. */
  writesTo(peer: number, senderId: Uint8Array): void {
    this.#writeTo.set(peer, senderId);
  }

  senderIdFor(peer: number): Uint8Array {
    const senderId = this.#writeTo.get(peer);
    if (!senderId) throw new Error(`device ${this.index} has no queue of ${peer} to write to`);
    return senderId;
  }

  /** One message per recipient, each under its own sequence number, in one outbox record (a put, or a put_many). */
  send(recipients: readonly number[], phase: string): Promise<void> {
    // Made and queued one call at a time, so the outbox holds them in the order they were numbered.
    const run = this.#sending.then(async () => {
      const entries: OutboxEntry[] = [];
      for (const to of recipients) {
        const sequence = ++this.#sequence;
        this.ledger.made(this.index, to, sequence, phase);
        const blob = await this.cipher.seal(this.index, to, encodePayload({ sender: this.index, sequence }));
        entries.push({ to, sequence, senderId: this.senderIdFor(to), blob });
      }
      this.outbox.add(entries);
    });
    this.#sending = run.catch(() => undefined);
    return run;
  }

  /**
   * A network drop: every connection of the device (reading and sending) is cut at once, and for
   * `ms` no new one can be made (the library's reconnections meet a refused port), as when a
   * laptop loses its Wi-Fi: the client is not told, as it would be by stop().
   */
  drop(ms: number): void {
    this.#unreachableUntil = performance.now() + ms;
    for (const socket of [...this.#sockets]) socket.io.engine?.close();
  }

  /** socket.io-client's io, through the drop switch above. */
  #dial(url: string, options: Parameters<RelayIoFactory>[1]): Socket {
    const socket = io(performance.now() < this.#unreachableUntil ? UNREACHABLE : url, options);
    this.#sockets.add(socket);
    socket.on('disconnect', () => this.#sockets.delete(socket));
    socket.on('connect_error', () => this.#sockets.delete(socket));
    return socket;
  }

  /** Resolves once the reading connection is online. */
  online(timeoutMs = ONLINE_TIMEOUT_MS): Promise<void> {
    if (this.client.status === 'online') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`device ${this.index}: not online in ${timeoutMs} ms (${this.client.status})`));
      }, timeoutMs);
      const off = this.client.onStatus((status) => {
        if (status !== 'online') return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Fetches what is pending in every queue, takes it like a push, and acknowledges it, until each is empty. */
  async catchUp(arrival: Arrival): Promise<void> {
    for (const queue of this.#queues.values()) {
      for (let round = 0; round < 64; round++) {
        let fetched;
        try {
          fetched = await this.client.fetch(queue.recipientId, queue.key, FETCH_MAX);
        } catch {
          this.counters.fetchFailures++;
          break;
        }
        const batch = ++this.#fetches;
        for (const message of fetched.messages)
          this.#take(queue.recipientId, message.messageId, message.blob, arrival, batch);
        await this.#inbox;
        await this.#flushAcks(queue);
        if (!fetched.more) break;
      }
    }
  }

  stop(): void {
    this.outbox.stop();
    this.client.stop();
    for (const queue of this.#queues.values()) clearTimeout(queue.ackTimer);
  }

  /** `batch`: the fetch reply it came in, if it did (the ledger checks the relay's queue order). */
  #take(recipientId: Uint8Array, messageId: Uint8Array, blob: Uint8Array, arrival: Arrival, batch?: number): void {
    const queue = this.#queues.get(encodeHex(recipientId));
    if (!queue) return;
    // One blob at a time, in the order the relay handed them over (the web client's exclusive section).
    this.#inbox = this.#inbox.then(() => this.#accept(queue, messageId, blob, arrival, batch));
  }

  async #accept(
    queue: ReadQueue,
    messageId: Uint8Array,
    blob: Uint8Array,
    arrival: Arrival,
    batch: number | undefined,
  ): Promise<void> {
    if (queue.peer === SINK) this.counters.sinkBlobs++;
    else if (!this.#rule.firstBlob(blob)) this.ledger.rawDuplicates++;
    else {
      let payload;
      try {
        payload = decodePayload(await this.cipher.open(this.index, queue.peer, blob));
      } catch {
        this.ledger.undecryptable++;
      }
      if (payload && payload.sender !== queue.peer)
        this.ledger.misdelivery(`device ${this.index}'s queue for ${queue.peer} held a message of ${payload.sender}`);
      else if (payload && !this.#rule.firstMessage(payload.sender, payload.sequence)) this.ledger.idDuplicates++;
      else if (payload)
        this.ledger.shown(
          this.index,
          payload.sender,
          payload.sequence,
          arrival,
          batch,
          performance.now() - this.#onlineAt,
        );
    }
    queue.acks.push(messageId);
    this.#ackSoon(queue);
  }

  /** A full batch at once; a smaller one ACK_DELAY_MS after its first id, unless a flush is running. */
  #ackSoon(queue: ReadQueue): void {
    if (queue.flushing) return;
    if (queue.acks.length >= ACK_BATCH) void this.#flushAcks(queue);
    else if (queue.acks.length > 0 && queue.ackTimer === undefined)
      queue.ackTimer = setTimeout(() => void this.#flushAcks(queue), ACK_DELAY_MS);
  }

  /**
   * One flush per queue at a time, each ack frame as full as it can be: a busy queue is then
   * acknowledged in a few large frames a second, well inside the connection's rate (§8.3), rather
   * than in many small ones that would queue behind the pacer while the queue fills up.
   */
  #flushAcks(queue: ReadQueue): Promise<void> {
    if (queue.flushing) return queue.flushing;
    clearTimeout(queue.ackTimer);
    queue.ackTimer = undefined;
    queue.flushing = (async () => {
      while (queue.acks.length > 0) {
        const batch = queue.acks.splice(0, ACK_BATCH);
        try {
          await this.client.ack(queue.recipientId, queue.key, batch);
        } catch {
          // Not acknowledged: the relay hands it over again, and the duplicate rule drops it.
          this.counters.ackFailures++;
        }
        if (queue.acks.length > 0 && queue.acks.length < ACK_BATCH) await sleep(ACK_DELAY_MS);
      }
    })().finally(() => {
      queue.flushing = undefined;
      this.#ackSoon(queue);
    });
    return queue.flushing;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A setup command, tried again while the relay answers with a retryable code. */
async function retrying<T>(work: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error) || performance.now() > deadline) throw error;
      await sleep(250);
    }
  }
}
