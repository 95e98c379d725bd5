// Existing and unknown addresses must take the same time (docs/protocol/admin-api.md §7.3): the
// look-up already does the same database work for both, and on top no answer (nor refusal)
// leaves before a fixed floor after the request began, so what varies underneath (rows found,
// bytes serialised, a busy database) is hidden below it. bench-results/directory.md measures
// both with and without the floor and is where ADMIN_DIRECTORY_ANSWER_FLOOR_MS's default comes from.

/** A monotonic clock and a sleep, passed in so that tests drive the floor without waiting. */
export interface FloorClock {
  /** Milliseconds on a monotonic scale (performance.now()). */
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemFloorClock: FloorClock = {
  nowMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs `work` and releases its result, or its error, no earlier than `floorMs` after the start.
 * Work slower than the floor is released as soon as it is done (the floor is a floor, not a
 * deadline): choose it above the slow end of what was measured.
 */
export async function withAnswerFloor<T>(floorMs: number, clock: FloorClock, work: () => Promise<T>): Promise<T> {
  const started = clock.nowMs();
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await work() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const remaining = floorMs - (clock.nowMs() - started);
  if (remaining > 0) await clock.sleep(remaining);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
