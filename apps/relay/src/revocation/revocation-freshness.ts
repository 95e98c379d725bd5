import { revocationListFreshness, type RevocationList } from '@opendescent/protocol';
import type { RelayRuntime } from '../runtime/relay-runtime';

/** What `GET /health` says about the list held (relay.md §7.1): numbers only, no device id. */
export interface RevocationListHealth {
  readonly version: number;
  /** Unix seconds. */
  readonly nextUpdate: number;
  /** Past its next update (attestations.md §3.5): the admin app has not been heard from in time. */
  readonly stale: boolean;
}

/** A setTimeout delay is a signed 32-bit count of milliseconds; a list is valid for 7 days at most. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Watches the held revocation list's next update (attestations.md §3.5, relay.md §7.1). A stale
 * list is still held and forwarded, never dropped: its revocations are real, and a newer one
 * replaces it the moment it arrives. What changes is what the relay says: `/health` reports it,
 * the `relay_revocation_list_next_update_seconds` gauge lets monitoring alert on it, and one
 * warning is logged per list when its next update passes (a timer at that moment, and a check at
 * every health read in case the injected clock ran ahead of the timers).
 */
export class RevocationFreshnessWatch {
  #list: RevocationList | undefined;
  #warnedVersion: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly runtime: RelayRuntime) {}

  /** A newer list is held from now on. */
  held(list: RevocationList): void {
    this.#list = list;
    this.runtime.metrics.revocationListVersion.set(list.listVersion);
    this.runtime.metrics.revocationListNextUpdate.set(list.nextUpdate);
    this.#schedule();
  }

  health(): RevocationListHealth | null {
    const list = this.#list;
    if (!list) return null;
    const stale = this.#check();
    return { version: list.listVersion, nextUpdate: list.nextUpdate, stale };
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #nowSeconds(): number {
    return Math.floor(this.runtime.clock() / 1000);
  }

  #schedule(): void {
    this.stop();
    const list = this.#list;
    if (!list || this.#check()) return;
    const delay = Math.min(Math.max(list.nextUpdate * 1000 - this.runtime.clock(), 0), MAX_TIMER_MS);
    this.#timer = setTimeout(() => this.#schedule(), delay);
    this.#timer.unref();
  }

  /** True when the held list is stale; warns once per list version. */
  #check(): boolean {
    const list = this.#list;
    if (!list || revocationListFreshness(list, this.#nowSeconds()) === 'fresh') return false;
    if (this.#warnedVersion !== list.listVersion) {
      this.#warnedVersion = list.listVersion;
      this.runtime.logger.warn(
        { event: 'revocation_list_stale', version: list.listVersion, nextUpdate: list.nextUpdate },
        'the revocation list held is past its next update: still forwarded; check the admin app and RELAY_REVOCATION_LIST_URL',
      );
    }
    return true;
  }
}
