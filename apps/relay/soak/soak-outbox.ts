/**
 * A simulated device's outbox: encrypted blobs leave in the order they were made, one record at a
 * time, and each entry is put again, with the same bytes, until a relay answers `ok` (relay.md
 * §9.1: a write too few replicas confirmed is `unavailable` and must be resent; the same bytes
 * let the receiver drop the copy if the first one was stored after all). A record of one entry
 * is a `put`, of several a `put_many` (a small group's fan-out, §3.5) through the RelayClient's
 * sending lanes. The next record waits for the whole of this one, so no message overtakes an
 * earlier one to the same device.
 *
 * The web client's outbox differs on one point, reported by the soak: it keeps an entry for the
 * next flush only when the whole call failed, and drops a put_many entry answered with a
 * retryable status (`unavailable`, `offline`, `timeout`) (apps/web/src/messenger/outbox.ts, settle).
 */
import { RelayRequestError, isRetryable, type PutManyOutcome, type RelayClient } from '@opendescent/relay-client';
import type { SoakLedger } from './soak-ledger';

export interface OutboxEntry {
  readonly to: number;
  readonly sequence: number;
  readonly senderId: Uint8Array;
  readonly blob: Uint8Array;
}

const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 2_000;

/** Per relay answer (or client-side failure), how often it was seen and when first and last: the report's table. */
export class RefusalLog {
  readonly counts = new Map<string, { count: number; firstS: number; lastS: number }>();

  /** `secondsNow`: the run's clock (the ledger's). */
  constructor(private readonly secondsNow: () => number) {}

  add(code: string): void {
    const now = this.secondsNow();
    const seen = this.counts.get(code);
    if (seen) {
      seen.count++;
      seen.lastS = now;
    } else this.counts.set(code, { count: 1, firstS: now, lastS: now });
  }
}

export class SoakOutbox {
  readonly #records: OutboxEntry[][] = [];
  #flushing = false;
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(
    private readonly from: number,
    private readonly client: RelayClient,
    private readonly ledger: SoakLedger,
    private readonly refusals: RefusalLog,
  ) {}

  /** Entries not yet acknowledged. */
  get pending(): number {
    return this.#records.reduce((sum, record) => sum + record.length, 0);
  }

  add(entries: OutboxEntry[]): void {
    this.#records.push(entries);
    if (!this.#flushing) void this.#flush();
  }

  /** Resolves when nothing is left to send. */
  drained(): Promise<void> {
    if (this.#records.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    let attempt = 0;
    while (this.#records.length > 0 && !this.#stopped) {
      const record = this.#records[0] as OutboxEntry[];
      const outcomes = await this.#send(record);
      const left: OutboxEntry[] = [];
      record.forEach((entry, i) => {
        const outcome = outcomes[i] as PutManyOutcome;
        if (outcome === 'ok') {
          this.ledger.acknowledged(this.from, entry.sequence);
          return;
        }
        this.refusals.add(outcome);
        // A full queue empties as its reader acknowledges: worth another try, like every retryable answer.
        if (isRetryable(outcome) || outcome === 'quota_exceeded') left.push(entry);
      });
      if (left.length === 0) {
        this.#records.shift();
        attempt = 0;
        continue;
      }
      this.#records[0] = left;
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt++);
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
    this.#flushing = false;
    if (this.#records.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #send(record: readonly OutboxEntry[]): Promise<PutManyOutcome[]> {
    for (const entry of record) this.ledger.putStarted(this.from, entry.sequence);
    try {
      if (record.length === 1) {
        const [entry] = record as [OutboxEntry];
        await this.client.put(entry.senderId, entry.blob);
        return ['ok'];
      }
      return await this.client.putMany(record.map(({ senderId, blob }) => ({ senderId, blob })));
    } catch (error) {
      const code = error instanceof RelayRequestError ? error.code : 'malformed';
      return record.map(() => code);
    }
  }
}
