/**
 * The unlock back-off (docs/protocol/storage.md §5): after wrong passphrases in a row, the next
 * one is not even tried before a delay that doubles with each failure, kept across reloads.
 *
 *   delay(n) = 0 for n ≤ 3, else min(2^(n − 4) s, 5 min)     n = wrong passphrases in a row
 *   (1 s after the 4th, 2 s after the 5th, … 256 s after the 12th, 5 min from the 13th on:
 *   at most 288 tries a day once the cap is reached)
 *
 * Entry "meta:unlock-backoff", in clear, version 1, 13 bytes:
 * | offset | size | field                    | why                                                  |
 * | 0      | 1    | version = 0x01           | an unknown version is ignored (see below)            |
 * | 1      | 4    | n, u32be                 | wrong passphrases in a row since the last unlock     |
 * | 5      | 8    | last failure, u64be (ms) | since the epoch, this device's clock                 |
 *
 * It is a counter and a time, not a secret, so it is not sealed (nothing could seal it before the
 * passphrase is known). It slows guessing through this client only: someone who can write the
 * profile can delete it, and someone who can read it guesses offline, bounded by Argon2id alone
 * (crypto.md §8.1). So an unreadable entry counts as none, rather than locking the owner out, and a
 * last failure in the future (the clock was set back) allows the next try at once.
 * A passkey unlock is not slowed (its 32-byte PRF output cannot be guessed; the authenticator
 * limits its own PIN tries) and, like any successful unlock, clears the count.
 */
import type { RawWrite, RecordStore } from './record-store';
import { VaultError } from './vault-error';

export const UNLOCK_BACKOFF_KEY = 'meta:unlock-backoff';
export const UNLOCK_BACKOFF_FORMAT_VERSION = 1;
/** Wrong passphrases answered at full speed before the first delay. */
export const FREE_UNLOCK_ATTEMPTS = 3;
export const FIRST_UNLOCK_DELAY_MS = 1_000;
export const MAX_UNLOCK_DELAY_MS = 5 * 60_000;
const ENTRY_LENGTH = 13;

export interface UnlockBackoff {
  /** Wrong passphrases in a row since the last unlock. */
  readonly failures: number;
  /** When the last one was tried (ms since the epoch). */
  readonly lastFailureAt: number;
}

/** How long after the n-th wrong passphrase in a row the next one waits. */
export function unlockDelayMs(failures: number): number {
  if (failures <= FREE_UNLOCK_ATTEMPTS) return 0;
  // The exponent is bounded first so that 2 ** it stays finite for any counter.
  const doublings = Math.min(failures - FREE_UNLOCK_ATTEMPTS - 1, 30);
  return Math.min(MAX_UNLOCK_DELAY_MS, FIRST_UNLOCK_DELAY_MS * 2 ** doublings);
}

/** When the next passphrase is tried, or undefined if it may be tried now. */
export function unlockRetryAt(backoff: UnlockBackoff | undefined, now: number): number | undefined {
  if (backoff === undefined || backoff.lastFailureAt > now) return undefined;
  const retryAt = backoff.lastFailureAt + unlockDelayMs(backoff.failures);
  return retryAt > now ? retryAt : undefined;
}

/** The stored count, or undefined for none or an entry this client cannot read. */
export async function readUnlockBackoff(store: RecordStore): Promise<UnlockBackoff | undefined> {
  const entry = await store.get(UNLOCK_BACKOFF_KEY);
  if (entry === undefined || entry.length !== ENTRY_LENGTH || entry[0] !== UNLOCK_BACKOFF_FORMAT_VERSION)
    return undefined;
  const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
  const lastFailureAt = Number(view.getBigUint64(5));
  return Number.isSafeInteger(lastFailureAt) ? { failures: view.getUint32(1), lastFailureAt } : undefined;
}

/** Refuses unlock_delayed, with the time the next passphrase is tried, while a delay runs. Writes nothing. */
export async function checkUnlockAllowed(store: RecordStore, now: number): Promise<void> {
  const retryAt = unlockRetryAt(await readUnlockBackoff(store), now);
  if (retryAt !== undefined) {
    throw new VaultError(
      'unlock_delayed',
      `too many wrong passphrases; the next is tried in ${Math.ceil((retryAt - now) / 1000)} s`,
      {
        retryAt,
      },
    );
  }
}

/** Counts one more wrong passphrase (one write). */
export async function recordWrongPassphrase(store: RecordStore, now: number): Promise<void> {
  const failures = Math.min(((await readUnlockBackoff(store))?.failures ?? 0) + 1, 0xffff_ffff);
  const entry = new Uint8Array(ENTRY_LENGTH);
  const view = new DataView(entry.buffer);
  entry[0] = UNLOCK_BACKOFF_FORMAT_VERSION;
  view.setUint32(1, failures);
  view.setBigUint64(5, BigInt(Math.max(0, Math.floor(now))));
  await store.apply([{ key: UNLOCK_BACKOFF_KEY, value: entry }]);
}

/** The write that clears the count after a successful unlock, if there is one to clear (readable or not). */
export async function clearUnlockBackoffWrites(store: RecordStore): Promise<RawWrite[]> {
  return (await store.get(UNLOCK_BACKOFF_KEY)) === undefined ? [] : [{ key: UNLOCK_BACKOFF_KEY, value: null }];
}

const turns = new WeakMap<RecordStore, Promise<unknown>>();

/**
 * Runs unlock attempts on one store one after another: attempts started together would all read
 * the same count, run Argon2id side by side and lose each other's failures.
 */
export function inUnlockTurn<T>(store: RecordStore, attempt: () => Promise<T>): Promise<T> {
  const previous = turns.get(store) ?? Promise.resolve();
  const result = previous.then(attempt, attempt);
  turns.set(
    store,
    result.catch(() => undefined),
  );
  return result;
}
