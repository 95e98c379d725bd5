// Pushes every new signed document to the configured relays (ADMIN_RELAY_URLS): the revocation
// list with `POST <relay>/revocation-list` (docs/protocol/relay.md §7) and the token key set with
// `POST <relay>/token-keys` (docs/protocol/admin-api.md §6.3). Fire and forget for the admin
// action: a push never blocks or fails a revocation or a key rotation. Each relay gets its own
// retry loop with exponential backoff (1 s doubling to 60 s) until it holds the newest version; a
// newer version replaces an older one still waiting. Failures are logged with the relay and the
// reason. One class, parameterised by the document (path, version field, "stale" error code).
import { adminLog } from './log.mjs';

/** What is pushed, and how a relay answers about it. */
export interface PushedDocument {
  /** For logs and the organisation page: `revocation list`, `token key set`. */
  readonly name: string;
  /** Appended to the relay's base URL. */
  readonly path: `/${string}`;
  /** The field of the relay's 200 answer that carries the version it now holds. */
  readonly versionField: string;
  /** The 400 error code meaning "I already hold this version or a newer one". */
  readonly staleError: string;
}

export const REVOCATION_LIST_DOCUMENT: PushedDocument = {
  name: 'revocation list',
  path: '/revocation-list',
  versionField: 'listVersion',
  staleError: 'revocation_list_stale',
};
export const TOKEN_KEY_SET_DOCUMENT: PushedDocument = {
  name: 'token key set',
  path: '/token-keys',
  versionField: 'setVersion',
  staleError: 'token_key_set_stale',
};

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: Uint8Array; signal: AbortSignal },
) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface RelayPushStatus {
  readonly relayUrl: string;
  /** The newest version this relay confirmed holding. */
  readonly confirmedVersion: number | null;
  /** A version still being pushed (retrying). */
  readonly pendingVersion: number | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly lastAttemptAt: Date | null;
}

interface RelayState {
  confirmedVersion: number | null;
  pending: { version: number; bytes: Uint8Array } | null;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  timer: NodeJS.Timeout | null;
  inFlight: boolean;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 5_000;

export class SignedDocumentPusher {
  readonly #relays = new Map<string, RelayState>();
  readonly #fetch: FetchLike;
  readonly #log: Pick<Console, 'info' | 'warn'>;
  #closed = false;

  constructor(
    readonly document: PushedDocument,
    relayUrls: readonly string[],
    options: { fetch?: FetchLike | undefined; log?: Pick<Console, 'info' | 'warn'> | undefined } = {},
  ) {
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, { ...init, body: Buffer.from(init.body) }));
    this.#log = options.log ?? adminLog();
    for (const url of relayUrls) {
      this.#relays.set(url, {
        confirmedVersion: null,
        pending: null,
        attempts: 0,
        lastError: null,
        lastAttemptAt: null,
        timer: null,
        inFlight: false,
      });
    }
  }

  get relayUrls(): string[] {
    return [...this.#relays.keys()];
  }

  /** Queues `bytes` (the document's `version`) for every relay; returns at once. */
  publish(version: number, bytes: Uint8Array): void {
    if (this.#closed) return;
    for (const [url, state] of this.#relays) {
      if ((state.confirmedVersion ?? 0) >= version || (state.pending?.version ?? 0) >= version) continue;
      state.pending = { version, bytes };
      state.attempts = 0;
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      if (!state.inFlight) void this.#attempt(url, state);
    }
  }

  status(): RelayPushStatus[] {
    return [...this.#relays].map(([relayUrl, state]) => ({
      relayUrl,
      confirmedVersion: state.confirmedVersion,
      pendingVersion: state.pending?.version ?? null,
      attempts: state.attempts,
      lastError: state.lastError,
      lastAttemptAt: state.lastAttemptAt,
    }));
  }

  /** Resolves once no push is pending or in flight (tests). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.#relays.values()].some((state) => state.inFlight || (state.pending && !state.timer))) {
      if (Date.now() > deadline) throw new Error(`${this.document.name} pushes did not settle`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.#closed = true;
    for (const state of this.#relays.values()) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
    }
  }

  async #attempt(url: string, state: RelayState): Promise<void> {
    const job = state.pending;
    if (!job || this.#closed) return;
    state.inFlight = true;
    state.attempts += 1;
    state.lastAttemptAt = new Date();
    let outcome: 'held' | 'retry';
    let reason = '';
    try {
      const response = await this.#fetch(`${url}${this.document.path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: job.bytes,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.status === 200) {
        outcome = 'held';
        reason = `holds version ${String(body[this.document.versionField])}`;
      } else if (response.status === 400 && body.error === this.document.staleError) {
        // The relay already holds this version or a newer one (another admin instance pushed it).
        outcome = 'held';
        reason = 'already holds this version or a newer one';
      } else {
        outcome = 'retry';
        reason = `HTTP ${response.status}${typeof body.error === 'string' ? ` ${body.error}` : ''}`;
      }
    } catch (error) {
      outcome = 'retry';
      reason = error instanceof Error ? error.message : String(error);
    }
    state.inFlight = false;
    if (outcome === 'held') {
      state.confirmedVersion = Math.max(state.confirmedVersion ?? 0, job.version);
      state.lastError = null;
      this.#log.info(`${this.document.name} version ${job.version} pushed to ${url} (${reason})`);
      if (state.pending === job) state.pending = null;
    } else {
      state.lastError = reason;
      if (state.pending === job) {
        const delay = Math.min(FIRST_RETRY_MS * 2 ** (state.attempts - 1), MAX_RETRY_MS);
        this.#log.warn(
          `pushing ${this.document.name} version ${job.version} to ${url} failed (${reason}); retrying in ${delay / 1000} s`,
        );
      }
    }
    // A newer list arrived meanwhile, or this one must be retried.
    if (state.pending && !this.#closed) {
      if (state.pending !== job) {
        void this.#attempt(url, state);
      } else {
        const delay = Math.min(FIRST_RETRY_MS * 2 ** (state.attempts - 1), MAX_RETRY_MS);
        state.timer = setTimeout(() => {
          state.timer = null;
          void this.#attempt(url, state);
        }, delay);
        state.timer.unref();
      }
    }
  }
}
