/**
 * The issuer key schedule as a pure function (docs/protocol/admin-api.md §11.1): a current key
 * when none issues, the next one two days ahead with issueFrom = the current key's issueUntil,
 * private halves erased past issueUntil, keys dropped from the set past acceptUntil.
 */
import { MAX_TOKEN_KEYS } from '@opendescent/protocol';
import {
  NEXT_TOKEN_KEY_LEAD_SECONDS,
  TOKEN_ACCEPT_AFTER_ISSUE_SECONDS,
  keysInSet,
  planTokenKeys,
  type ScheduledKey,
} from '../../src/server/tokens/token-key-schedule';

const DAY = 86_400;
const WEEK = 7 * DAY;
const T0 = 1_800_000_000;

function key(id: number, issueFrom: number, issueSeconds = WEEK, hasPrivateKey = true): ScheduledKey {
  return {
    tokenKeyId: new Uint8Array(32).fill(id),
    issueFrom,
    issueUntil: issueFrom + issueSeconds,
    acceptUntil: issueFrom + issueSeconds + TOKEN_ACCEPT_AFTER_ISSUE_SECONDS,
    hasPrivateKey,
  };
}

test('with no key at all, a current key is made from now, issuing one window and accepted 7 days more', () => {
  expect(planTokenKeys([], T0, WEEK)).toEqual({
    make: [{ issueFrom: T0, issueUntil: T0 + WEEK, acceptUntil: T0 + 2 * WEEK }],
    erase: [],
  });
});

test('the next key is not made before it is due, and is made exactly 2 days before the current one stops', () => {
  const current = key(1, T0);
  expect(planTokenKeys([current], current.issueUntil - NEXT_TOKEN_KEY_LEAD_SECONDS - 1, WEEK).make).toEqual([]);
  expect(planTokenKeys([current], current.issueUntil - NEXT_TOKEN_KEY_LEAD_SECONDS, WEEK).make).toEqual([
    {
      issueFrom: current.issueUntil,
      issueUntil: current.issueUntil + WEEK,
      acceptUntil: current.issueUntil + 2 * WEEK,
    },
  ]);
});

test('once the next key exists nothing more is made until it is due in turn', () => {
  const current = key(1, T0);
  const next = key(2, current.issueUntil);
  expect(planTokenKeys([current, next], current.issueUntil - DAY, WEEK)).toEqual({ make: [], erase: [] });
  // The next key issues: the first one's private half goes, no key is made yet.
  expect(planTokenKeys([current, next], current.issueUntil, WEEK)).toEqual({ make: [], erase: [current.tokenKeyId] });
});

test('a key whose private half is already erased is not erased again', () => {
  const old = key(1, T0, WEEK, false);
  const current = key(2, old.issueUntil);
  expect(planTokenKeys([old, current], old.issueUntil + DAY, WEEK).erase).toEqual([]);
});

test('after a long outage a new current key is made, and the next one with it when due', () => {
  const stale = key(1, T0);
  const now = stale.acceptUntil + 30 * DAY;
  const plan = planTokenKeys([stale], now, 2 * DAY);
  expect(plan.make).toEqual([
    { issueFrom: now, issueUntil: now + 2 * DAY, acceptUntil: now + 2 * DAY + WEEK },
    { issueFrom: now + 2 * DAY, issueUntil: now + 4 * DAY, acceptUntil: now + 4 * DAY + WEEK },
  ]);
  expect(plan.erase).toEqual([stale.tokenKeyId]);
});

test('a current key made while a later key is scheduled stops where that key starts: never two issuing at once', () => {
  const later = key(2, T0 + DAY);
  expect(planTokenKeys([later], T0, WEEK).make).toEqual([
    { issueFrom: T0, issueUntil: T0 + DAY, acceptUntil: T0 + DAY + WEEK },
  ]);
});

test('the set carries the keys still accepted, oldest first, and drops a key at its acceptUntil', () => {
  const a = key(1, T0);
  const b = key(2, a.issueUntil);
  const c = key(3, b.issueUntil);
  expect(keysInSet([c, a, b], b.issueUntil - DAY)).toEqual([a, b, c]);
  expect(keysInSet([c, a, b], a.acceptUntil)).toEqual([b, c]);
});

test.each([2, 3, 7, 30])('with %i-day keys the set never holds more than MAX_TOKEN_KEYS over four months', (days) => {
  let keys: ScheduledKey[] = [];
  let id = 0;
  for (let now = T0; now < T0 + 120 * DAY; now += 3600) {
    const plan = planTokenKeys(keys, now, days * DAY);
    keys = keys.map((k) => (plan.erase.some((e) => e[0] === k.tokenKeyId[0]) ? { ...k, hasPrivateKey: false } : k));
    for (const window of plan.make)
      keys.push({ ...window, tokenKeyId: new Uint8Array(32).fill(++id % 256), hasPrivateKey: true });
    const inSet = keysInSet(keys, now);
    expect(inSet.length).toBeLessThanOrEqual(MAX_TOKEN_KEYS);
    // Exactly one key issues at any time, and it is in the set.
    expect(inSet.filter((k) => k.issueFrom <= now && now < k.issueUntil)).toHaveLength(1);
  }
});

test('a schedule with a non-positive window is refused', () => {
  expect(() => planTokenKeys([], T0, 0)).toThrow(RangeError);
});
