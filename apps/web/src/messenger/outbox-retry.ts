/** The first wait before the outbox is sent again after a relay said "not now"; it doubles per refusal. */
export const OUTBOX_RETRY_FIRST_MS = 1_000;
/** The longest wait between two such tries. */
export const OUTBOX_RETRY_LAST_MS = 60_000;

/**
 * When the outbox is sent again after a relay could not take some of it for now (relay.md §4.2:
 * `unavailable`, `rate_limited`, `shutting_down`; the client's `offline` and `timeout`; a lane
 * that failed). The blobs stay in the outbox (outbox.ts); this only says when to try again:
 * after 1 s, then twice as long after each refusal in a row, up to a minute, each wait drawn from
 * its upper half so that the devices a failover refused at once do not all come back at once.
 * A flush that leaves nothing refused starts the count again. Measured on the wall clock, not
 * the messenger's clock, which a test (or a device's owner) may move.
 */
export class OutboxRetry {
  private waitMs = 0;
  private dueAt: number | undefined;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Something was refused for now: the next try is due after the next wait. */
  refused(): void {
    this.waitMs = this.waitMs === 0 ? OUTBOX_RETRY_FIRST_MS : Math.min(this.waitMs * 2, OUTBOX_RETRY_LAST_MS);
    this.dueAt = this.now() + this.waitMs * (0.5 + this.random() / 2);
  }

  /** Nothing is waiting for a relay to take it: no try is due. */
  cleared(): void {
    this.waitMs = 0;
    this.dueAt = undefined;
  }

  /** Whether a try is due now (the messenger's timer asks every second); true once per refusal. */
  take(): boolean {
    if (this.dueAt === undefined || this.now() < this.dueAt) return false;
    this.dueAt = undefined;
    return true;
  }
}
