/**
 * The device's anonymous relay access tokens (docs/protocol/access-tokens.md): one is spent on
 * each relay hello, so the relay learns that some attested device of the organisation connects,
 * never which one.
 *
 * - Tokens are kept per relay origin (`relayOriginOf`: a token is bound to one relay) in the
 *   encrypted vault, because a token is a bearer credential: whoever holds it may open a
 *   connection. `take` removes a token from the store before handing it out, so no token is ever
 *   offered twice, whatever happens to the hello.
 * - Refill: below LOW_WATER tokens for an origin, one blind issuance request of `batchSize` (≤ 20,
 *   MAX_TOKENS_PER_REQUEST), one at a time per origin. Each answer is unblinded and verified
 *   against the issuer key (`finish`) before it is kept.
 * - The token key set is fetched and verified against the pinned organisation keys at most every
 *   KEY_SET_MAX_AGE_MS, or again when the admin app says the key is unknown or no longer issuing
 *   (then the issuance is retried once), or when a relay said `token_unknown_key`. Held tokens
 *   whose key left the set, or is past its acceptUntil, are dropped.
 * - `device_revoked` / `attestation_expired` from the admin app stop issuance and are reported to
 *   the listeners (the messenger checks the revocation list, or renews); `resume()` lifts it.
 * - Nothing here logs, and no token, request or response leaves this file except to its relay.
 */
import {
  ALLOWED_CLOCK_SKEW_SECONDS,
  MAX_TOKENS_PER_REQUEST,
  blindAccessTokenRequest,
  issuingTokenKey,
  relayOriginOf,
  tokenKeySetSupersedes,
  verifyTokenKeySet,
  type TokenKey,
  type TokenKeySet,
  type TrustedOrgKey,
} from '@opendescent/protocol';
import { constantTimeEqual } from '@opendescent/crypto';
import { AdminRequestError, type TokensAnswer } from './admin-client';

/** Refill below this many tokens for an origin (one connection each; a few reconnections' worth). */
export const TOKEN_LOW_WATER = 4;
export const DEFAULT_TOKEN_BATCH = 10;
/** The key set changes rarely (a rotation announces the next key a week ahead, access-tokens.md §3). */
export const KEY_SET_MAX_AGE_MS = 10 * 60_000;
/** A relay's `token_unknown_key` makes the next take refetch the set, at most this often. */
export const KEY_SET_MIN_REFETCH_MS = 30_000;
const MAX_ISSUANCES_PER_TAKE = 3;
/** Held tokens beyond this per origin are not kept (a bug or a hostile issuer cannot fill the vault). */
const MAX_HELD_PER_ORIGIN = 2 * MAX_TOKENS_PER_REQUEST;

/** The part of the vault (../store/vault.ts) the wallet uses. */
export interface TokenVault {
  get<T>(table: string, group: string, id: string): Promise<T | undefined>;
  batch(): {
    put(table: string, group: string, id: string, value: unknown): void;
    delete(table: string, group: string, id: string): void;
  };
  commit(batch: ReturnType<TokenVault['batch']>): Promise<void>;
}

/** The admin app's token endpoints, already bound to this device's identity (signed requests). */
export interface TokenIssuerPort {
  tokenKeys(): Promise<Uint8Array>;
  tokens(input: { tokenKeyId: Uint8Array; requests: readonly Uint8Array[] }): Promise<TokensAnswer>;
}

export interface AccessTokenWalletOptions {
  readonly vault: TokenVault;
  /** The vault table the tokens live in (records.ts TABLES.accessTokens). */
  readonly table: string;
  readonly issuer: TokenIssuerPort;
  readonly orgId: Uint8Array;
  /** The pinned organisation keys (read on every key set check: a rotation is followed). */
  readonly trusted: () => readonly TrustedOrgKey[];
  /** ms since the epoch. */
  readonly now: () => number;
  /** Tokens per issuance request, 1 to 20 (default 10). */
  readonly batchSize?: number;
}

/** The admin app's refusals the wallet does not get past on its own. */
export type IssuanceStop = 'device_revoked' | 'attestation_expired';

export type AccessTokenWalletErrorCode =
  IssuanceStop | 'rate_limited' | 'no_issuing_key' | 'key_set_invalid' | 'bad_issuance' | 'no_tokens';

export class AccessTokenWalletError extends Error {
  override readonly name = 'AccessTokenWalletError';

  constructor(
    readonly code: AccessTokenWalletErrorCode,
    message: string = code,
  ) {
    super(message);
  }
}

/** One held token (the vault record holds a list of them per origin). */
interface HeldToken {
  readonly token: Uint8Array;
  readonly tokenKeyId: Uint8Array;
  /** Unix seconds: relays refuse it from here on. */
  readonly acceptUntil: number;
}

export interface HeldTokensRecord {
  readonly v: 1;
  readonly origin: string;
  readonly tokens: readonly HeldToken[];
}

const NO_GROUP = '';
const STOP_CODES: ReadonlySet<string> = new Set<IssuanceStop>(['device_revoked', 'attestation_expired']);
const KEY_CHANGED_CODES: ReadonlySet<string> = new Set(['unknown_token_key', 'token_key_not_issuing']);

export class AccessTokenWallet {
  readonly #vault: TokenVault;
  readonly #table: string;
  readonly #issuer: TokenIssuerPort;
  readonly #orgId: Uint8Array;
  readonly #trusted: () => readonly TrustedOrgKey[];
  readonly #now: () => number;
  readonly #batchSize: number;

  #keySet: { set: TokenKeySet; checkedAt: number } | undefined;
  #keySetFetch: Promise<TokenKeySet> | undefined;
  #keySetStale = false;
  #lastFetchAt = Number.NEGATIVE_INFINITY;
  #stopped: IssuanceStop | undefined;
  #retryAt = 0;
  readonly #refills = new Map<string, Promise<void>>();
  /** Every read-modify-write of the store, one at a time. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #stopListeners = new Set<(code: IssuanceStop) => void>();

  constructor(options: AccessTokenWalletOptions) {
    const batchSize = options.batchSize ?? DEFAULT_TOKEN_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_TOKENS_PER_REQUEST)
      throw new RangeError(`batchSize: 1 to ${MAX_TOKENS_PER_REQUEST}`);
    this.#vault = options.vault;
    this.#table = options.table;
    this.#issuer = options.issuer;
    this.#orgId = options.orgId.slice();
    this.#trusted = options.trusted;
    this.#now = options.now;
    this.#batchSize = batchSize;
  }

  /**
   * One token for the relay at `relayUrl`, removed from the store before it is returned. Waits
   * for an issuance when none is held; starts one in the background when few are left.
   */
  async take(relayUrl: string): Promise<Uint8Array> {
    const origin = relayOriginOf(relayUrl);
    // Held tokens still work while the admin app is unreachable: a failed refetch is tried again later.
    if (this.#keySetStale && this.#now() - this.#lastFetchAt >= KEY_SET_MIN_REFETCH_MS)
      await this.#currentKeySet(true).catch(() => undefined);
    let taken = await this.#takeHeld(origin);
    // More concurrent takes than one issuance yields: the late ones wait for the next.
    for (let attempt = 0; taken === undefined && attempt < MAX_ISSUANCES_PER_TAKE; attempt++) {
      await this.#refill(origin);
      taken = await this.#takeHeld(origin);
    }
    if (taken === undefined) throw new AccessTokenWalletError('no_tokens', 'no token could be had for this relay');
    if (taken.left < TOKEN_LOW_WATER) void this.#refill(origin).catch(() => undefined);
    return taken.token;
  }

  /** How many unspent, unexpired tokens are held for the relay at `relayUrl`. */
  async count(relayUrl: string): Promise<number> {
    return this.#usable(await this.#load(relayOriginOf(relayUrl))).length;
  }

  /** A relay did not know the key of a token (`token_unknown_key`): the set is fetched again before the next take. */
  keySetStale(): void {
    this.#keySetStale = true;
  }

  /** The admin app refused issuance for this device (revoked, or its attestation lapsed). */
  onStop(listener: (code: IssuanceStop) => void): () => void {
    this.#stopListeners.add(listener);
    return () => {
      this.#stopListeners.delete(listener);
    };
  }

  get stopped(): IssuanceStop | undefined {
    return this.#stopped;
  }

  /** After a renewal: issuance may be asked for again. */
  resume(): void {
    this.#stopped = undefined;
    this.#retryAt = 0;
  }

  // ── the store ─────────────────────────────────────────────────────────────────────────

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #load(origin: string): Promise<readonly HeldToken[]> {
    const record = await this.#vault.get<HeldTokensRecord>(this.#table, NO_GROUP, origin);
    return record?.tokens ?? [];
  }

  async #save(origin: string, tokens: readonly HeldToken[]): Promise<void> {
    const batch = this.#vault.batch();
    if (tokens.length === 0) batch.delete(this.#table, NO_GROUP, origin);
    else batch.put(this.#table, NO_GROUP, origin, { v: 1, origin, tokens } satisfies HeldTokensRecord);
    await this.#vault.commit(batch);
  }

  /** Not past acceptUntil (with the clock skew relays allow for), and of a key still in the set when one is known. */
  #usable(tokens: readonly HeldToken[]): HeldToken[] {
    const now = Math.floor(this.#now() / 1000);
    const keys = this.#keySet?.set.keys;
    return tokens.filter(
      (held) =>
        now + ALLOWED_CLOCK_SKEW_SECONDS < held.acceptUntil &&
        (keys === undefined || keys.some((key) => constantTimeEqual(key.tokenKeyId, held.tokenKeyId))),
    );
  }

  /** The token whose key stops being accepted first goes first. */
  #takeHeld(origin: string): Promise<{ token: Uint8Array; left: number } | undefined> {
    return this.#exclusive(async () => {
      const held = await this.#load(origin);
      const usable = this.#usable(held).sort((a, b) => a.acceptUntil - b.acceptUntil);
      const [first, ...rest] = usable;
      if (first === undefined) {
        if (held.length > 0) await this.#save(origin, []);
        return undefined;
      }
      await this.#save(origin, rest);
      return { token: first.token, left: rest.length };
    });
  }

  #add(origin: string, fresh: readonly HeldToken[]): Promise<void> {
    return this.#exclusive(async () => {
      const tokens = [...this.#usable(await this.#load(origin)), ...fresh].slice(-MAX_HELD_PER_ORIGIN);
      await this.#save(origin, tokens);
    });
  }

  // ── issuance ──────────────────────────────────────────────────────────────────────────

  /** Single-flight per origin. */
  #refill(origin: string): Promise<void> {
    let running = this.#refills.get(origin);
    if (running === undefined) {
      running = this.#issue(origin).finally(() => this.#refills.delete(origin));
      this.#refills.set(origin, running);
    }
    return running;
  }

  async #issue(origin: string): Promise<void> {
    if (this.#stopped !== undefined)
      throw new AccessTokenWalletError(this.#stopped, `token issuance stopped: ${this.#stopped}`);
    if (this.#now() < this.#retryAt)
      throw new AccessTokenWalletError('rate_limited', 'token issuance is rate limited; try again later');
    let set = await this.#currentKeySet(false);
    try {
      await this.#issueWith(set, origin);
    } catch (error) {
      if (!(error instanceof AdminRequestError && KEY_CHANGED_CODES.has(error.code))) throw this.#noted(error);
      // The issuer moved on to another key: the set is fetched again and the request made once more.
      set = await this.#currentKeySet(true);
      await this.#issueWith(set, origin).catch((again: unknown) => {
        throw this.#noted(again);
      });
    }
  }

  async #issueWith(set: TokenKeySet, origin: string): Promise<void> {
    const key: TokenKey | undefined = issuingTokenKey(set, Math.floor(this.#now() / 1000));
    if (key === undefined)
      throw new AccessTokenWalletError('no_issuing_key', 'the token key set has no key issuing now');
    const pending = await Promise.all(
      Array.from({ length: this.#batchSize }, () => blindAccessTokenRequest(key, this.#orgId, origin)),
    );
    const answer = await this.#issuer.tokens({ tokenKeyId: key.tokenKeyId, requests: pending.map((p) => p.request) });
    if (!constantTimeEqual(answer.tokenKeyId, key.tokenKeyId) || answer.responses.length !== pending.length) {
      throw new AccessTokenWalletError(
        'bad_issuance',
        'the issuer answered for another key or another number of requests',
      );
    }
    // A response that does not unblind to a valid signature is dropped; the others are good tokens.
    const tokens = await Promise.all(
      pending.map((p, i) => p.finish(answer.responses[i] as Uint8Array).catch(() => undefined)),
    );
    const fresh = tokens
      .filter((token): token is Uint8Array => token !== undefined)
      .map((token) => ({ token, tokenKeyId: key.tokenKeyId, acceptUntil: key.acceptUntil }));
    if (fresh.length === 0)
      throw new AccessTokenWalletError('bad_issuance', 'no issued token verifies under the issuer key');
    await this.#add(origin, fresh);
  }

  /** Remembers what stops or delays issuance, and tells the listeners about a stop. */
  #noted(error: unknown): unknown {
    if (!(error instanceof AdminRequestError)) return error;
    if (STOP_CODES.has(error.code)) {
      const code = error.code as IssuanceStop;
      this.#stopped = code;
      for (const listener of [...this.#stopListeners]) listener(code);
      return new AccessTokenWalletError(code, `token issuance stopped: ${code}`);
    }
    if (error.code === 'rate_limited') {
      this.#retryAt = this.#now() + (error.retryAfterSeconds ?? 60) * 1000;
      return new AccessTokenWalletError('rate_limited', 'token issuance is rate limited; try again later');
    }
    return error;
  }

  // ── the token key set ─────────────────────────────────────────────────────────────────

  /** The verified set, fetched again when older than KEY_SET_MAX_AGE_MS or when `force`d; one fetch at a time. */
  async #currentKeySet(force: boolean): Promise<TokenKeySet> {
    const held = this.#keySet;
    if (!force && !this.#keySetStale && held !== undefined && this.#now() - held.checkedAt < KEY_SET_MAX_AGE_MS)
      return held.set;
    this.#keySetFetch ??= this.#fetchKeySet().finally(() => {
      this.#keySetFetch = undefined;
    });
    return this.#keySetFetch;
  }

  async #fetchKeySet(): Promise<TokenKeySet> {
    this.#lastFetchAt = this.#now();
    const bytes = await this.#issuer.tokenKeys();
    let candidate: TokenKeySet;
    try {
      candidate = await verifyTokenKeySet(bytes, this.#trusted());
    } catch (error) {
      throw new AccessTokenWalletError(
        'key_set_invalid',
        `the token key set does not verify: ${error instanceof Error ? error.message : 'invalid'}`,
      );
    }
    if (!constantTimeEqual(candidate.orgId, this.#orgId))
      throw new AccessTokenWalletError('key_set_invalid', 'the token key set is for another organisation');
    let set = candidate;
    try {
      // A lower version is a rollback (a retired key brought back): the held set stays.
      if (!tokenKeySetSupersedes(this.#keySet?.set, candidate)) set = this.#keySet?.set ?? candidate;
    } catch {
      set = this.#keySet?.set ?? candidate;
    }
    this.#keySet = { set, checkedAt: this.#now() };
    this.#keySetStale = false;
    return set;
  }
}
