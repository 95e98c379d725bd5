// The issuer key schedule (docs/protocol/admin-api.md §11.1), as a pure function of the keys held
// and the time: which keys to make, which private halves to erase, which keys the set carries.
// Weekly keys (ADMIN_TOKEN_KEY_ISSUE_DAYS): one key issues for everyone at a time, so a token's
// key id reveals only the week it was issued; a stolen issuer key forges for one week at most;
// and a relay forgets a key's spent tokens once the key's acceptance ends.
import { MAX_TOKEN_KEYS } from '@opendescent/protocol';

/** A key's tokens are accepted this long after it stops issuing: a week to spend a batch. */
export const TOKEN_ACCEPT_AFTER_ISSUE_SECONDS = 7 * 86_400;
/**
 * The next key is made this long before the current one stops issuing, so that relays and
 * clients (which refresh the set at least hourly) pin it well before it signs anything.
 */
export const NEXT_TOKEN_KEY_LEAD_SECONDS = 2 * 86_400;

/** Times in Unix seconds, as the token key set carries them. */
export interface KeyWindow {
  readonly issueFrom: number;
  readonly issueUntil: number;
  readonly acceptUntil: number;
}

export interface ScheduledKey extends KeyWindow {
  readonly tokenKeyId: Uint8Array;
  /** Whether its sealed private half is still stored. */
  readonly hasPrivateKey: boolean;
}

export interface TokenKeyPlan {
  /** Windows of the keys to make now: the current one when none issues, the next one when due. */
  readonly make: readonly KeyWindow[];
  /** Keys past their issuing window whose private half is still stored. */
  readonly erase: readonly Uint8Array[];
}

function windowFrom(issueFrom: number, issueUntil: number): KeyWindow {
  return { issueFrom, issueUntil, acceptUntil: issueUntil + TOKEN_ACCEPT_AFTER_ISSUE_SECONDS };
}

/** The key issuing at `now` (the latest to start, should two overlap). */
export function issuingKey<K extends KeyWindow>(keys: readonly K[], now: number): K | undefined {
  return keys
    .filter((key) => key.issueFrom <= now && now < key.issueUntil)
    .sort((a, b) => b.issueFrom - a.issueFrom)[0];
}

export function planTokenKeys(keys: readonly ScheduledKey[], now: number, issueSeconds: number): TokenKeyPlan {
  if (!Number.isInteger(issueSeconds) || issueSeconds <= 0)
    throw new RangeError('issueSeconds: a positive whole number of seconds');
  const make: KeyWindow[] = [];
  let current: KeyWindow | undefined = issuingKey(keys, now);
  if (!current) {
    // None issues (first start, or the app was down past a whole window): one from now, ending
    // where a key already scheduled starts, so that two keys never issue at once.
    const nextStart = Math.min(...keys.filter((key) => key.issueFrom > now).map((key) => key.issueFrom));
    current = windowFrom(now, Math.min(now + issueSeconds, nextStart));
    make.push(current);
  }
  const hasNext = keys.some((key) => key.issueFrom >= (current as KeyWindow).issueUntil);
  if (!hasNext && current.issueUntil - now <= NEXT_TOKEN_KEY_LEAD_SECONDS) {
    make.push(windowFrom(current.issueUntil, current.issueUntil + issueSeconds));
  }
  const erase = keys.filter((key) => key.hasPrivateKey && key.issueUntil <= now).map((key) => key.tokenKeyId);
  return { make, erase };
}

/**
 * The keys the set carries at `now`: every key whose tokens are still accepted, oldest first. The
 * schedule keeps them within MAX_TOKEN_KEYS (a week of past keys, the current and the next, for
 * windows of 2 days or more); should there be more, the oldest go first.
 */
export function keysInSet<K extends KeyWindow>(keys: readonly K[], now: number): K[] {
  const accepted = keys.filter((key) => now < key.acceptUntil).sort((a, b) => a.issueFrom - b.issueFrom);
  return accepted.slice(Math.max(0, accepted.length - MAX_TOKEN_KEYS));
}
