// Sliding-window rate limits kept in the database (rate_limit_hits, one row per counted event),
// so that they hold across restarts and across several admin app instances sharing one
// PostgreSQL, and so that a limit is exact over ANY window of its length: a fixed window lets a
// caller spend two budgets within seconds around a boundary (docs/protocol/admin-api.md §8).
//
// A check takes a transaction-scoped advisory lock per key, so two instances counting the same
// key at once cannot both take the last unit. Refused events are never stored: a flood of
// refused requests writes nothing, and the table is bounded by the limits themselves.
import { ApiError } from './api-error';
import type { AdminServices, Db } from '../services';

export interface RateLimit {
  /** Events allowed in any window of `windowSeconds`. */
  readonly limit: number;
  readonly windowSeconds: number;
}

/** One key under one rule: several are checked together, all or nothing. */
export interface RateLimitCheck {
  readonly key: string;
  readonly rule: RateLimit;
}

export interface RateLimitResult {
  readonly allowed: boolean;
  /** The first check that refused, when one did. */
  readonly refusedBy?: RateLimitCheck;
  /** Events counted in each check's window, before this one (same order as the checks). */
  readonly counts: readonly number[];
  readonly retryAfterSeconds: number;
}

/** The longest window any rule may use: housekeeping keeps hits this long. */
export const MAX_WINDOW_SECONDS = 24 * 3600;

/**
 * Counts one event against every check, or against none: when any check is at its limit the
 * event is refused and nothing is stored. `db` should be a transaction client when the caller
 * wants the lock held across its own work; otherwise a transaction is opened here.
 */
export async function takeRateLimit(
  s: Pick<AdminServices, 'prisma'>,
  checks: readonly RateLimitCheck[],
  now: Date,
  db?: Db,
): Promise<RateLimitResult> {
  if (db && db !== s.prisma) return takeWithin(db, checks, now, 1);
  return s.prisma.$transaction((tx) => takeWithin(tx, checks, now, 1));
}

/**
 * Counts `weight` events at once (a batch, such as the tokens of one issuance request), against
 * every check or against none: refused when any check would go past its limit.
 */
export async function takeWeightedRateLimit(
  s: Pick<AdminServices, 'prisma'>,
  checks: readonly RateLimitCheck[],
  now: Date,
  weight: number,
): Promise<RateLimitResult> {
  if (!Number.isInteger(weight) || weight < 1) throw new Error(`invalid rate limit weight ${weight}`);
  return s.prisma.$transaction((tx) => takeWithin(tx, checks, now, weight));
}

/** What `takeRateLimit` would answer, without counting anything (for failure budgets). */
export async function peekRateLimit(db: Db, checks: readonly RateLimitCheck[], now: Date): Promise<RateLimitResult> {
  return evaluate(db, checks, now, 1);
}

/** Counts one event against every check whatever the limits say (a failure that happened). */
export async function recordRateLimitHit(db: Db, keys: readonly string[], now: Date): Promise<void> {
  if (keys.length === 0) return;
  await db.rateLimitHit.createMany({ data: keys.map((key) => ({ key, at: now })) });
}

async function takeWithin(
  tx: Db,
  checks: readonly RateLimitCheck[],
  now: Date,
  weight: number,
): Promise<RateLimitResult> {
  // Sorted, so that two transactions locking overlapping keys never deadlock.
  for (const key of [...new Set(checks.map((c) => c.key))].sort()) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`rate:${key}`}, 0))`;
  }
  const result = await evaluate(tx, checks, now, weight);
  // One row per key and event even when a key is checked under two rules (an hour and a day).
  const keys = [...new Set(checks.map((c) => c.key))];
  if (result.allowed)
    await recordRateLimitHit(
      tx,
      keys.flatMap((key) => Array<string>(weight).fill(key)),
      now,
    );
  return result;
}

async function evaluate(
  db: Db,
  checks: readonly RateLimitCheck[],
  now: Date,
  weight: number,
): Promise<RateLimitResult> {
  const counts: number[] = [];
  let refusedBy: RateLimitCheck | undefined;
  let retryAfterSeconds = 0;
  for (const check of checks) {
    assertRule(check.rule);
    const since = new Date(now.getTime() - check.rule.windowSeconds * 1000);
    const count = await db.rateLimitHit.count({ where: { key: check.key, at: { gt: since } } });
    counts.push(count);
    if (count + weight > check.rule.limit) {
      refusedBy ??= check;
      // Room for `weight` events comes back when the oldest event that keeps the count above
      // limit - weight leaves the window (a batch larger than the limit never fits: a window).
      const keep = check.rule.limit - weight;
      const blocking =
        keep < 0
          ? []
          : await db.rateLimitHit.findMany({
              where: { key: check.key, at: { gt: since } },
              orderBy: { at: 'desc' },
              skip: keep,
              take: 1,
              select: { at: true },
            });
      const freeAt = (blocking[0]?.at.getTime() ?? now.getTime()) + check.rule.windowSeconds * 1000;
      retryAfterSeconds = Math.max(retryAfterSeconds, Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)));
    }
  }
  return { allowed: refusedBy === undefined, refusedBy, counts, retryAfterSeconds };
}

function assertRule(rule: RateLimit): void {
  if (
    !Number.isInteger(rule.limit) ||
    rule.limit < 1 ||
    rule.windowSeconds <= 0 ||
    rule.windowSeconds > MAX_WINDOW_SECONDS
  ) {
    throw new Error(`invalid rate limit rule ${JSON.stringify(rule)}`);
  }
}

/** The 429 a refused result answers with (and its Retry-After). */
export function rateLimited(result: RateLimitResult, what: string): ApiError {
  return new ApiError(429, 'rate_limited', `too many ${what}; retry in ${result.retryAfterSeconds} s`, {
    'Retry-After': String(result.retryAfterSeconds),
  });
}

/** Counts one event and refuses with 429 `rate_limited` (and Retry-After) past any limit. */
export async function enforceRateLimit(
  s: Pick<AdminServices, 'prisma'>,
  checks: readonly RateLimitCheck[],
  now: Date,
  what: string,
  db?: Db,
): Promise<void> {
  const result = await takeRateLimit(s, checks, now, db);
  if (!result.allowed) throw rateLimited(result, what);
}

/** The limits, in one place (docs/protocol/admin-api.md §8 explains each). */
export const RATE_LIMITS = {
  /** Wrong secrets tried against one enrolment code before it is locked for good. */
  enrolmentCodeAttempts: 5,
  /** Renewals per device: a device renews a few times a week. */
  renewal: { limit: 20, windowSeconds: 3600 },
  /**
   * Relay access tokens (admin-api.md §11.2), counted per token. A device opens a relay connection
   * with each token; these are several reconnections an hour all day, and a member's devices
   * together twice that, while a stolen device cannot stockpile more than a day's worth.
   */
  tokensPerDeviceHour: { limit: 60, windowSeconds: 3600 },
  tokensPerDeviceDay: { limit: 240, windowSeconds: 24 * 3600 },
  tokensPerMemberHour: { limit: 120, windowSeconds: 3600 },
  tokensPerMemberDay: { limit: 480, windowSeconds: 24 * 3600 },
} as const satisfies Record<string, RateLimit | number>;
