/**
 * The soak's account of every message: made, put (first attempt), acknowledged `ok` by a relay,
 * and shown by its receiving device (after the duplicate rule). From it come the verdicts the
 * issue asks for, per receiving device: nothing acknowledged is missing, nothing is shown twice,
 * and each sender's messages are shown in the order that sender made them.
 *
 * Order is judged twice. Arrival order: the order the device took the messages in, whatever
 * path they came by (a live push, the pending blobs a subscription pushes, a fetch); this is the
 * order the web client processes them in (a Sender Key before the message it opens, outbox.ts).
 * Queue order: within one fetch reply, which the relay serves oldest first (relay.md §3.7).
 */
import { performance } from 'node:perf_hooks';

/** How a shown message reached its device. */
export type Arrival = 'push' | 'final-fetch';

interface MessageRecord {
  readonly from: number;
  readonly to: number;
  readonly sequence: number;
  readonly phase: string;
  putAt?: number;
  okAt?: number;
  shownAt?: number;
  arrival?: Arrival;
}

export interface OrderViolation {
  /** Seconds since the ledger began, when the earlier message was acknowledged and when it was shown. */
  readonly okAtS: number;
  readonly shownAtS: number;
  readonly arrival: Arrival;
  /** How long before, the receiving device's reading connection had come online (its subscriptions re-sent). */
  readonly msSinceOnline: number;
  readonly text: string;
}

export interface Verdict {
  readonly made: number;
  readonly acknowledged: number;
  /** Made but never acknowledged `ok` (still in an outbox, or refused for good). */
  readonly unacknowledged: number;
  /** Acknowledged `ok` and never shown by the receiving device: lost. */
  readonly lost: number;
  /** Shown more than once after the duplicate rule (must be 0). */
  readonly shownTwice: number;
  /** Shown after a later message of the same sender (per receiving device and sender). */
  readonly orderViolations: number;
  /** Of those, how many came within RECONNECT_WINDOW_MS of their device's reading connection coming online. */
  readonly orderViolationsAfterReconnect: number;
  /** The same, within one fetch reply. */
  readonly queueOrderViolations: number;
  /** Shown by a device that was not its recipient, or with a sender other than the queue's. */
  readonly misdelivered: number;
  /** Blobs the relay handed over again (same bytes): dropped by the duplicate rule's first part. */
  readonly rawDuplicates: number;
  /** Other bytes with a message id already held: dropped by the rule's second part. */
  readonly idDuplicates: number;
  /** Blobs that did not open (no session state matched, or corrupted). */
  readonly undecryptable: number;
  readonly arrivals: Readonly<Record<Arrival, number>>;
  /** Shown more than LATE_MS after their `ok`, per 5 s of `ok` time (seconds since the ledger began → count). */
  readonly late: Readonly<Record<string, number>>;
  readonly violations: readonly OrderViolation[];
  /** Other problems, for the report. */
  readonly examples: readonly string[];
  readonly passed: boolean;
}

const MAX_EXAMPLES = 20;

/** A number, not a string: with every message of the run held, the soak process's heap (and its GC pauses) stays small. */
const messageKey = (from: number, sequence: number) => sequence * 8192 + from;
export const RECONNECT_WINDOW_MS = 2_000;
export const LATE_MS = 1_000;

export class SoakLedger {
  readonly #messages = new Map<number, MessageRecord>();
  /** `${to}:${from}` → the highest sequence shown. */
  readonly #lastShown = new Map<string, number>();
  /** `${to}:${from}:${batch}` → the highest sequence shown from that fetch reply. */
  readonly #lastInBatch = new Map<string, number>();
  readonly #started = performance.now();
  #shownTwice = 0;
  #orderViolations = 0;
  #orderViolationsAfterReconnect = 0;
  #queueOrderViolations = 0;
  #misdelivered = 0;
  rawDuplicates = 0;
  idDuplicates = 0;
  undecryptable = 0;
  readonly #violations: OrderViolation[] = [];
  readonly #examples: string[] = [];

  made(from: number, to: number, sequence: number, phase: string): void {
    this.#messages.set(messageKey(from, sequence), { from, to, sequence, phase });
  }

  putStarted(from: number, sequence: number): void {
    const record = this.#messages.get(messageKey(from, sequence));
    if (record && record.putAt === undefined) record.putAt = performance.now();
  }

  acknowledged(from: number, sequence: number): void {
    const record = this.#messages.get(messageKey(from, sequence));
    if (record && record.okAt === undefined) record.okAt = performance.now();
  }

  /**
   * Device `at` shows message `sequence` of `from` (it passed the duplicate rule); `batch` names
   * its fetch reply; `msSinceOnline`: how long the device's reading connection had been online.
   */
  shown(at: number, from: number, sequence: number, arrival: Arrival, batch?: number, msSinceOnline = NaN): void {
    const record = this.#messages.get(messageKey(from, sequence));
    if (!record || record.to !== at) {
      this.misdelivery(`device ${at} was shown ${from}#${sequence}, not made for it`);
      return;
    }
    if (record.shownAt !== undefined) {
      this.#shownTwice++;
      this.#example(`device ${at} was shown ${from}#${sequence} twice`);
      return;
    }
    record.shownAt = performance.now();
    record.arrival = arrival;
    const pair = `${at}:${from}`;
    const last = this.#lastShown.get(pair) ?? 0;
    if (sequence > last) this.#lastShown.set(pair, sequence);
    else {
      this.#orderViolations++;
      if (msSinceOnline < RECONNECT_WINDOW_MS) this.#orderViolationsAfterReconnect++;
      const okAtS = this.#seconds(record.okAt ?? NaN);
      const shownAtS = this.#seconds(record.shownAt);
      const online = Math.round(msSinceOnline);
      const text = `device ${at}: ${from}#${sequence} (acknowledged at ${okAtS} s) came by ${arrival} at ${shownAtS} s, ${online} ms after the device came online, after ${from}#${last}`;
      if (this.#violations.length < MAX_EXAMPLES)
        this.#violations.push({ okAtS, shownAtS, arrival, msSinceOnline: online, text });
    }
    if (batch === undefined) return;
    const key = `${pair}:${batch}`;
    if (sequence < (this.#lastInBatch.get(key) ?? 0)) {
      this.#queueOrderViolations++;
      this.#example(`device ${at}: one fetch reply held ${from}#${sequence} after a later message`);
    } else this.#lastInBatch.set(key, sequence);
  }

  /** A blob opened in a queue and named another sender than the queue's peer. */
  misdelivery(text: string): void {
    this.#misdelivered++;
    this.#example(text);
  }

  /** Messages of `phase` acknowledged and not yet shown. */
  outstanding(phase?: string): number {
    let count = 0;
    for (const record of this.#messages.values())
      if ((phase === undefined || record.phase === phase) && record.okAt !== undefined && record.shownAt === undefined)
        count++;
    return count;
  }

  /** Put-to-shown times in ms of the messages of `phase` that were shown, and how many were not. */
  latencies(phase: string): { samples: number[]; missing: number } {
    const samples: number[] = [];
    let missing = 0;
    for (const record of this.#messages.values()) {
      if (record.phase !== phase) continue;
      if (record.shownAt !== undefined && record.putAt !== undefined) samples.push(record.shownAt - record.putAt);
      else missing++;
    }
    return { samples, missing };
  }

  /**
   * The slowest `share` of the shown messages of `phase`: when each was put (seconds on the run
   * clock), its sender and recipient, and its put-to-shown time in ms.
   */
  slowest(phase: string, share: number): { atS: number; from: number; to: number; ms: number }[] {
    const shown = [...this.#messages.values()].filter(
      (r) => r.phase === phase && r.putAt !== undefined && r.shownAt !== undefined,
    );
    shown.sort((a, b) => (b.shownAt as number) - (b.putAt as number) - ((a.shownAt as number) - (a.putAt as number)));
    return shown.slice(0, Math.max(1, Math.ceil(shown.length * share))).map((r) => ({
      atS: this.#seconds(r.putAt as number),
      from: r.from,
      to: r.to,
      ms: Math.round((r.shownAt as number) - (r.putAt as number)),
    }));
  }

  /** Seconds since the ledger began, for a performance.now() time (chaos events use the same origin). */
  secondsOf(at: number): number {
    return this.#seconds(at);
  }

  verdict(): Verdict {
    let acknowledged = 0;
    let unacknowledged = 0;
    let lost = 0;
    const arrivals: Record<Arrival, number> = { push: 0, 'final-fetch': 0 };
    const late: Record<string, number> = {};
    const examples = [...this.#examples];
    for (const record of this.#messages.values()) {
      if (record.arrival) arrivals[record.arrival]++;
      if (record.okAt === undefined) {
        unacknowledged++;
        continue;
      }
      acknowledged++;
      if (record.shownAt === undefined) {
        lost++;
        if (examples.length < MAX_EXAMPLES)
          examples.push(`${record.from}#${record.sequence} for device ${record.to} was acknowledged and never shown`);
      } else if (record.shownAt - record.okAt > LATE_MS) {
        const bucket = String(Math.floor(this.#seconds(record.okAt) / 5) * 5);
        late[bucket] = (late[bucket] ?? 0) + 1;
      }
    }
    const made = this.#messages.size;
    return {
      made,
      acknowledged,
      unacknowledged,
      lost,
      shownTwice: this.#shownTwice,
      orderViolations: this.#orderViolations,
      orderViolationsAfterReconnect: this.#orderViolationsAfterReconnect,
      queueOrderViolations: this.#queueOrderViolations,
      misdelivered: this.#misdelivered,
      rawDuplicates: this.rawDuplicates,
      idDuplicates: this.idDuplicates,
      undecryptable: this.undecryptable,
      arrivals,
      late,
      violations: [...this.#violations],
      examples,
      passed:
        made > 0 &&
        unacknowledged === 0 &&
        lost === 0 &&
        this.#shownTwice === 0 &&
        this.#orderViolations === 0 &&
        this.#queueOrderViolations === 0 &&
        this.#misdelivered === 0 &&
        this.undecryptable === 0,
    };
  }

  #seconds(at: number): number {
    return Math.round((at - this.#started) / 100) / 10;
  }

  #example(text: string): void {
    if (this.#examples.length < MAX_EXAMPLES) this.#examples.push(text);
  }
}
