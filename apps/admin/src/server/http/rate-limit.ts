// Fixed-window rate limits kept in the database (rate_limit_counters), so that they hold across
// restarts and across several admin app instances sharing one PostgreSQL. One statement per hit:
// the upsert counts and resets the window atomically, with no read-modify-write race.
import { ApiError } from './api-error';
import type { Db } from '../services';

export interface RateLimit {
  /** Hits allowed per window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitResult {
  readonly allowed: boolean;
  readonly count: number;
  readonly retryAfterSeconds: number;
}

export async function hitRateLimit(db: Db, key: string, rule: RateLimit, now: Date): Promise<RateLimitResult> {
  const windowStartedBefore = new Date(now.getTime() - rule.windowSeconds * 1000);
  const rows = await db.$queryRaw<{ count: number; window_start: Date }[]>`
    INSERT INTO "rate_limit_counters" ("key", "window_start", "count") VALUES (${key}, ${now}, 1)
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "rate_limit_counters"."window_start" <= ${windowStartedBefore} THEN 1 ELSE "rate_limit_counters"."count" + 1 END,
      "window_start" = CASE WHEN "rate_limit_counters"."window_start" <= ${windowStartedBefore} THEN ${now} ELSE "rate_limit_counters"."window_start" END
    RETURNING "count", "window_start"`;
  const row = rows[0];
  if (!row) throw new Error('rate limit upsert returned no row');
  const count = Number(row.count);
  const endsAt = row.window_start.getTime() + rule.windowSeconds * 1000;
  return { allowed: count <= rule.limit, count, retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)) };
}

/** Counts a hit and refuses with 429 `rate_limited` (and Retry-After) past the limit. */
export async function enforceRateLimit(db: Db, key: string, rule: RateLimit, now: Date, what: string): Promise<void> {
  const result = await hitRateLimit(db, key, rule, now);
  if (!result.allowed) {
    throw new ApiError(429, 'rate_limited', `too many ${what}; retry in ${result.retryAfterSeconds} s`, {
      'Retry-After': String(result.retryAfterSeconds),
    });
  }
}

/** The limits, in one place (docs/protocol/admin-api.md §8 explains each). */
export const RATE_LIMITS = {
  /** All enrolment attempts together: enrolment is rare, guessing is not. */
  enrolment: { limit: 60, windowSeconds: 60 },
  /** Wrong secrets tried against one enrolment code before it is locked for good. */
  enrolmentCodeAttempts: 5,
  /** Renewals per device: a device renews a few times a week. */
  renewal: { limit: 20, windowSeconds: 3600 },
  /** Passkey sign-in ceremonies started, all together. */
  signInOptions: { limit: 60, windowSeconds: 60 },
  /** Failed sign-ins, all together and per credential. */
  signInFailures: { limit: 30, windowSeconds: 15 * 60 },
  signInFailuresPerCredential: { limit: 5, windowSeconds: 15 * 60 },
  /** Registration ceremonies started (setup, invitation, reset), all together. */
  registration: { limit: 30, windowSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimit | number>;
