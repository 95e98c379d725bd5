/**
 * How long a RelayClient waits before it tries again (relay.md §5.4 leaves reconnection to the
 * client): exponential backoff with jitter, so clients cut off together by a relay restart do not
 * all come back in the same instant, and a reset only after a connection proved stable, so a
 * flapping relay is not hammered.
 */
export const DEFAULT_BACKOFF_INITIAL_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
/** A connection that stayed online this long resets the backoff; shorter ones (a flapping relay) keep growing it. */
export const STABLE_CONNECTION_MS = 10_000;

/** Exponential backoff with jitter: attempt 0 waits between initialMs/2 and initialMs. */
export function reconnectDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
