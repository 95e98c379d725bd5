/**
 * Sending, unlinkable from receiving (docs/protocol/relay.md §5.5): everything a device *writes*
 * to a relay (put, put_many, prekey publish, fetch and claim, and shared blobs: put_shared and
 * fetch_shared, §3.13, §3.14) goes over connections that carry no
 * subscription and no queue of its own, each admitted by its own access token and replaced
 * regularly, so the relay cannot tie a put to the connection that reads any queue, nor two sends
 * far apart in time to one another. A group fan-out is shuffled and dealt over several such
 * connections ("lanes"), so no one frame, nor one connection, names every member's queue.
 *
 * What a live relay can still infer is stated in relay.md §5.5: the lanes of one device open from
 * the same network address at about the same time, and the puts of one fan-out arrive together,
 * so an operator who correlates addresses and timing can still group them.
 */
import type { Ed25519KeyPair } from '@opendescent/crypto';
import {
  MAX_RELAY_FRAME_BYTES,
  type PrekeyPublishMode,
  type PutManyEntry,
  type RelayErrorName,
  type TurnCredentials,
} from '@opendescent/protocol';
import {
  claimPrekeys,
  fetchPrekeys,
  fetchShared,
  turnCredentials,
  isSharedId,
  publishPrekeys,
  put,
  putMany,
  putManyEntryProblem,
  putShared,
  sharedBlobProblem,
  type PutManyOutcome,
} from './commands';
import {
  attachCreate,
  attachmentRequestProblem,
  type AdmittedAttachment,
  type AttachmentRequest,
} from './attachment-commands';
import { RelayRequestError, asRequestError } from './errors';
import { RelayConnection, type RelayConnectionOptions } from './relay-connection';

/** Asked once per connection: one unspent access token for this relay (access-tokens.md). */
export type RelayCredentials = () => Promise<Uint8Array>;

export interface SendChannelOptions {
  readonly url: string;
  readonly credentials: RelayCredentials;
  readonly connection?: RelayConnectionOptions;
  /** A lane's connection is replaced after this long (default 10 minutes) ... */
  readonly maxAgeMs?: number;
  /** ... or after this many frames (default 100), whichever comes first. */
  readonly maxFrames?: number;
  /** A lane's connection is closed after this long without a frame (default 30 s). */
  readonly idleMs?: number;
  /** Connections a fan-out is spread over (default 2, 1-8). */
  readonly lanes?: number;
  /** A hello refused for its token (`token_unknown_key`: the holder should refetch the key set). */
  readonly onTokenRefused?: (code: RelayErrorName) => void;
  /** Uniform integer in [0, n): crypto-random by default (tests may fix it). */
  readonly randomInt?: (n: number) => number;
  readonly now?: () => number;
  /** The relay's frame ceiling when already known (from the reading connection), so a frame that could never be sent opens no connection. */
  readonly frameCeiling?: () => number | undefined;
}

export const DEFAULT_LANE_MAX_AGE_MS = 10 * 60_000;
export const DEFAULT_LANE_MAX_FRAMES = 100;
export const DEFAULT_LANE_IDLE_MS = 30_000;
export const DEFAULT_LANES = 2;

function cryptoRandomInt(n: number): number {
  // Rejection sampling keeps it uniform; n is small (lanes, entries).
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    const value = buffer[0] as number;
    if (value < limit) return value % n;
  }
}

/** One sending connection at a time, opened on demand, replaced when old or worn, closed when idle. */
class Lane {
  #current: Promise<RelayConnection> | undefined;
  #openedAt = 0;
  #frames = 0;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    private readonly options: Required<Pick<SendChannelOptions, 'maxAgeMs' | 'maxFrames' | 'idleMs' | 'now'>> &
      SendChannelOptions,
  ) {}

  /** A connection admitted by a fresh token; `frames` is what the caller is about to send on it. */
  async acquire(frames: number): Promise<RelayConnection> {
    if (this.#closed) throw new RelayRequestError('offline', 'the sending channel is closed');
    clearTimeout(this.#idle);
    const { now, maxAgeMs, maxFrames } = this.options;
    const current = this.#current;
    if (current !== undefined) {
      const connection = await current.catch(() => undefined);
      const worn = now() - this.#openedAt >= maxAgeMs || this.#frames >= maxFrames;
      if (connection !== undefined && !connection.closed && !worn && this.#current === current) {
        this.#frames += frames;
        return connection;
      }
      if (this.#current === current) {
        // Old or worn: the frames in flight on it still get their answers; new ones go to a new connection.
        void retire(connection);
        this.#current = undefined;
      }
    }
    this.#current ??= this.#open();
    this.#frames += frames;
    const opening = this.#current;
    try {
      return await opening;
    } catch (error) {
      if (this.#current === opening) this.#current = undefined;
      throw error;
    }
  }

  /** The caller is done for now: close the connection once nothing has used it for idleMs. */
  release(): void {
    clearTimeout(this.#idle);
    if (this.#closed) return;
    this.#idle = setTimeout(() => {
      const current = this.#current;
      this.#current = undefined;
      void current?.then(retire, () => undefined);
    }, this.options.idleMs);
  }

  /** Usable again after close(): the next acquire opens a new connection. */
  reopen(): void {
    this.#closed = false;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#idle);
    const current = this.#current;
    this.#current = undefined;
    void current?.then(
      (connection) => connection.close(),
      () => undefined,
    );
  }

  async #open(): Promise<RelayConnection> {
    this.#openedAt = this.options.now();
    this.#frames = 0;
    const connection = await RelayConnection.open(this.options.url, this.options.connection);
    let token: Uint8Array;
    try {
      token = await this.options.credentials();
    } catch (error) {
      connection.close();
      throw new RelayRequestError('offline', `no access token: ${asRequestError(error).message}`);
    }
    try {
      await connection.hello(token);
    } catch (error) {
      connection.close();
      const refusal = asRequestError(error);
      if (refusal.code.startsWith('token_')) this.options.onTokenRefused?.(refusal.code as RelayErrorName);
      // A refused token leaves nothing to retry on this connection: the caller's outbox tries again later.
      throw new RelayRequestError('offline', `the relay refused the sending connection: ${refusal.code}`);
    }
    return connection;
  }
}

/** Closes a connection once the frames it carries are answered (each is bounded by the request timeout). */
async function retire(connection: RelayConnection | undefined): Promise<void> {
  while (connection !== undefined && !connection.closed && connection.inFlight > 0)
    await new Promise((resolve) => setTimeout(resolve, 50));
  connection?.close();
}

export class SendChannel {
  readonly #lanes: Lane[];
  readonly #randomInt: (n: number) => number;
  readonly #frameCeiling: () => number | undefined;

  constructor(options: SendChannelOptions) {
    const resolved = {
      ...options,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_LANE_MAX_AGE_MS,
      maxFrames: options.maxFrames ?? DEFAULT_LANE_MAX_FRAMES,
      idleMs: options.idleMs ?? DEFAULT_LANE_IDLE_MS,
      now: options.now ?? Date.now,
    };
    const count = Math.min(8, Math.max(1, Math.floor(options.lanes ?? DEFAULT_LANES)));
    this.#lanes = Array.from({ length: count }, () => new Lane(resolved));
    this.#randomInt = options.randomInt ?? cryptoRandomInt;
    this.#frameCeiling = options.frameCeiling ?? (() => undefined);
  }

  /** §3.4 over one lane, chosen at random. */
  async put(senderId: Uint8Array, blob: Uint8Array, ttl = 0): Promise<void> {
    const problem = this.#problem({ senderId, blob });
    if (problem !== undefined && problem !== 'ok') throw new RelayRequestError(problem, `put: ${problem}`);
    return this.#onLane(1, (connection) => put(connection, senderId, blob, ttl));
  }

  /**
   * §3.5: the entries, shuffled, are dealt over the lanes in turn, and each lane sends its share
   * (in as many frames as its relay's ceiling needs). Outcomes come back in entry order.
   */
  async putMany(entries: readonly PutManyEntry[], ttl = 0): Promise<PutManyOutcome[]> {
    const outcomes: PutManyOutcome[] = new Array<PutManyOutcome>(entries.length);
    const order: number[] = [];
    entries.forEach((entry, index) => {
      const problem = this.#problem(entry);
      if (problem === undefined) order.push(index);
      else outcomes[index] = problem;
    });
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.#randomInt(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const shares = this.#lanes.map(() => [] as number[]);
    order.forEach((entryIndex, position) => (shares[position % shares.length] as number[]).push(entryIndex));
    await Promise.all(
      shares.map(async (share, laneIndex) => {
        if (share.length === 0) return;
        const lane = this.#lanes[laneIndex] as Lane;
        try {
          const connection = await lane.acquire(Math.ceil(share.length / 16));
          const laneOutcomes = await putMany(
            connection,
            share.map((i) => entries[i] as PutManyEntry),
            ttl,
          );
          share.forEach((entryIndex, i) => (outcomes[entryIndex] = laneOutcomes[i] as PutManyOutcome));
        } catch (error) {
          const code = asRequestError(error).code;
          for (const entryIndex of share) outcomes[entryIndex] = code;
        } finally {
          lane.release();
        }
      }),
    );
    return outcomes;
  }

  publishPrekeys(
    slotId: Uint8Array,
    slotKey: Ed25519KeyPair,
    mode: PrekeyPublishMode,
    bundle: Uint8Array,
    oneTimeItems: readonly Uint8Array[],
  ): Promise<number> {
    return this.#onLane(1, (connection) => publishPrekeys(connection, slotId, slotKey, mode, bundle, oneTimeItems));
  }

  fetchPrekeys(slotId: Uint8Array): Promise<{ remaining: number; bundle: Uint8Array }> {
    return this.#onLane(1, (connection) => fetchPrekeys(connection, slotId));
  }

  claimPrekeys(slotId: Uint8Array): Promise<{ bundle: Uint8Array; oneTime: Uint8Array | null }> {
    return this.#onLane(1, (connection) => claimPrekeys(connection, slotId));
  }

  /**
   * §3.13 over one lane: the blob is stored once and its id returned. A blob that could never be
   * sent (empty, or larger than a blob or the relay's ceiling) opens no connection.
   */
  async putShared(blob: Uint8Array, ttl = 0): Promise<Uint8Array> {
    const problem = sharedBlobProblem(blob, this.#frameCeiling() ?? MAX_RELAY_FRAME_BYTES);
    if (problem !== undefined) throw new RelayRequestError(problem, `put_shared: ${problem}`);
    return this.#onLane(1, (connection) => putShared(connection, blob, ttl));
  }

  /**
   * §3.14 over one lane, never the reading connection: a live relay then cannot tie the fetch to
   * the queues this device reads (it still sees which sending connections fetch the same id, §1).
   */
  async fetchShared(sharedId: Uint8Array): Promise<Uint8Array> {
    if (!isSharedId(sharedId)) throw new RelayRequestError('malformed', 'fetch_shared: a shared id is 16 bytes');
    return this.#onLane(1, (connection) => fetchShared(connection, sharedId));
  }

  /** §3.15 over one lane: the upload is admitted where nothing ties it to the queues this device reads. */
  async attachCreate(request: AttachmentRequest): Promise<AdmittedAttachment> {
    const problem = attachmentRequestProblem(request);
    if (problem !== undefined) throw new RelayRequestError(problem, `attach_create: ${problem}`);
    return this.#onLane(1, (connection) => attachCreate(connection, request));
  }

  /** §3.16 over one lane, as anonymous as every sending connection. */
  async turnCredentials(): Promise<TurnCredentials> {
    return this.#onLane(1, (connection) => turnCredentials(connection));
  }

  /** After close() (the client stopped, or was refused, and is started again): the lanes open on demand again. */
  reopen(): void {
    for (const lane of this.#lanes) lane.reopen();
  }

  close(): void {
    for (const lane of this.#lanes) lane.close();
  }

  /** What can be known without a connection: a malformed entry, or one no frame of this relay could carry. */
  #problem(entry: PutManyEntry): PutManyOutcome | undefined {
    return putManyEntryProblem(entry, this.#frameCeiling() ?? MAX_RELAY_FRAME_BYTES);
  }

  async #onLane<T>(frames: number, run: (connection: RelayConnection) => Promise<T>): Promise<T> {
    const lane = this.#lanes[this.#randomInt(this.#lanes.length)] as Lane;
    try {
      return await run(await lane.acquire(frames));
    } finally {
      lane.release();
    }
  }
}
