// Failure budgets (docs/protocol/admin-api.md §8): what stops guessing without letting anyone
// lock the real users out. Only failed attempts are counted, after the request was checked, per
// source address and per credential, handle or link; a request that succeeds never looks at a
// budget. Past a budget a failure answers 429 instead of its own error, writes no audit row and
// is not counted either (the sliding window refills by itself, and junk writes nothing).
import { recordAudit, type Actor, type AuditDetail } from '../audit/audit-log';
import type { AdminServices } from '../services';
import { ApiError } from './api-error';
import {
  peekRateLimit,
  rateLimited,
  takeRateLimit,
  type RateLimit,
  type RateLimitCheck,
  type RateLimitResult,
} from './rate-limit';

const FIFTEEN_MINUTES = 15 * 60;

/** The budgets, in one place (§8 gives the reasons). */
export const FAILURE_BUDGETS = {
  /** Failed sign-ins from one source: an administrator mistypes a PIN a few times, not 30. */
  signInPerSource: { limit: 30, windowSeconds: FIFTEEN_MINUTES },
  /** Failed sign-ins naming one passkey, from anywhere. */
  signInPerCredential: { limit: 10, windowSeconds: FIFTEEN_MINUTES },
  /** Refused link uses (and failed registrations) from one source. */
  registrationPerSource: { limit: 20, windowSeconds: FIFTEEN_MINUTES },
  /** Failed enrolments from one source: staff behind one NAT enrol a few devices a day. */
  enrolmentPerSource: { limit: 30, windowSeconds: FIFTEEN_MINUTES },
  /**
   * All failures of one kind together: a ceiling far above what a few addresses can reach, so
   * that it only caps a botnet's cost to the database (and even then refuses failures only).
   */
  ceiling: { limit: 2000, windowSeconds: FIFTEEN_MINUTES },
} as const satisfies Record<string, RateLimit>;

/**
 * One request as its route hands it over: who sent it (the source address budgets are kept for,
 * client-address.ts) and its body, read inside the counted attempt so that an unreadable body
 * is a counted failure too.
 */
export interface Attempt {
  readonly source: string;
  readBody(): Promise<unknown>;
}

export type AttemptKind = 'sign-in' | 'registration' | 'enrolment';

/** A budget one failure is counted against: the limiter's check plus what the audit row says. */
export interface FailureCheck extends RateLimitCheck {
  readonly scope: 'source' | 'credential' | 'all';
}

/** The budgets every failure of one kind of attempt from one source is counted against. */
export interface FailureBudget {
  readonly kind: AttemptKind;
  readonly source: string;
  readonly checks: readonly FailureCheck[];
}

const PER_SOURCE: Record<AttemptKind, RateLimit> = {
  'sign-in': FAILURE_BUDGETS.signInPerSource,
  registration: FAILURE_BUDGETS.registrationPerSource,
  enrolment: FAILURE_BUDGETS.enrolmentPerSource,
};

export function failureBudget(kind: AttemptKind, source: string): FailureBudget {
  return {
    kind,
    source,
    checks: [
      { key: `failures:${kind}:source:${source}`, rule: PER_SOURCE[kind], scope: 'source' },
      { key: `failures:${kind}:all`, rule: FAILURE_BUDGETS.ceiling, scope: 'all' },
    ],
  };
}

/** A failed sign-in naming an existing passkey also spends that passkey's budget. */
export function credentialCheck(credentialId: string): FailureCheck {
  return {
    key: `failures:sign-in:credential:${credentialId}`,
    rule: FAILURE_BUDGETS.signInPerCredential,
    scope: 'credential',
  };
}

export interface AuditRow {
  readonly actor: Actor;
  readonly action: string;
  readonly detail: AuditDetail;
}

/**
 * A refusal that is a failed attempt: its error, the audit row it deserves while under budget,
 * and the further budgets it spends (a passkey's). Thrown by the ceremony, counted by
 * `countFailures`, which answers the error or, past a budget, 429.
 */
export class FailedAttempt extends ApiError {
  constructor(
    error: ApiError,
    readonly audit?: AuditRow,
    readonly alsoCounts: readonly FailureCheck[] = [],
  ) {
    super(error.status, error.code, error.message, error.headers);
  }
}

/**
 * Runs one attempt and counts it when it fails with a refusal (4xx other than 429): under every
 * budget, the failure is counted, its audit row written (plus one row when this failure spends
 * the last unit of a budget) and its own error thrown; past any budget, 429 and nothing written.
 * Internal errors are not the caller's failure and count nothing.
 */
export async function countFailures<T>(s: AdminServices, budget: FailureBudget, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status < 400 || error.status >= 500 || error.status === 429) throw error;
    throw await chargeFailure(s, budget, error);
  }
}

async function chargeFailure(s: AdminServices, budget: FailureBudget, error: ApiError): Promise<ApiError> {
  const failed = error instanceof FailedAttempt ? error : undefined;
  const checks = [...budget.checks, ...(failed?.alsoCounts ?? [])];
  const now = s.now();
  const result = await takeRateLimit(s, checks, now);
  if (!result.allowed) return rateLimited(result, failureWords(budget.kind));
  if (failed?.audit) await recordAudit(s.prisma, failed.audit.actor, failed.audit.action, failed.audit.detail);
  for (const [i, check] of checks.entries()) {
    if ((result.counts[i] ?? 0) + 1 !== check.rule.limit) continue;
    // From here this budget refuses failures without auditing them: say so once.
    await recordAudit(s.prisma, 'system', 'security.failure_budget_spent', {
      attempt: budget.kind,
      scope: check.scope,
      ...(check.scope === 'source' ? { source: budget.source } : {}),
      ...(check.scope === 'credential' ? { credentialId: check.key.slice('failures:sign-in:credential:'.length) } : {}),
      limit: check.rule.limit,
      windowSeconds: check.rule.windowSeconds,
    });
  }
  return error;
}

/**
 * Whether this source is past a budget, without counting: lets a ceremony skip the expensive
 * part of a request that cannot succeed anyway.
 */
export function peekFailureBudget(s: AdminServices, budget: FailureBudget): Promise<RateLimitResult> {
  return peekRateLimit(s.prisma, budget.checks, s.now());
}

/** The 429 for a request refused early by `peekFailureBudget`. */
export function overFailureBudget(budget: FailureBudget, result: RateLimitResult): ApiError {
  return rateLimited(result, failureWords(budget.kind));
}

function failureWords(kind: AttemptKind): string {
  return kind === 'sign-in' ? 'failed sign-ins' : kind === 'registration' ? 'refused link uses' : 'failed enrolments';
}
