/**
 * The search field's requests: debounced while typing, retried while the worker's index is still
 * being built, and answered in order (a late answer for an older query never replaces a newer one).
 * No React here, and the timers are passed in, so the ordering is tested without a browser.
 */
import type { SearchResultView } from '../../messenger/api';
import { isMessengerError } from '../../worker/rpc';

/** Typing pauses this long before a query is sent. */
export const SEARCH_DEBOUNCE_MS = 250;

/** While the index is being built (`not_found`), the same query is asked again this often. */
export const SEARCH_RETRY_MS = 1000;

export type SearchState =
  | { readonly status: 'idle' }
  /** Waiting for the debounce or the worker; `results` are the previous query's, shown meanwhile. */
  | { readonly status: 'searching'; readonly query: string; readonly results: readonly SearchResultView[] }
  | { readonly status: 'ready'; readonly query: string; readonly results: readonly SearchResultView[] }
  /** The worker's index is still being built: "Search is getting ready…". */
  | { readonly status: 'preparing'; readonly query: string }
  | { readonly status: 'failed'; readonly query: string; readonly error: unknown };

export interface SearchTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const browserTimers: SearchTimers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class SearchRunner {
  private state: SearchState = { status: 'idle' };
  private timer: unknown;
  /** Bumped by every query typed: an answer for an older generation is dropped. */
  private generation = 0;

  constructor(
    private readonly search: (query: string) => Promise<readonly SearchResultView[]>,
    private readonly onChange: (state: SearchState) => void,
    private readonly timers: SearchTimers = browserTimers,
  ) {}

  /** The field's new value: blank clears at once; anything else is sent after the debounce. */
  type(value: string): void {
    const query = value.trim();
    this.generation += 1;
    this.cancelTimer();
    if (query.length === 0) {
      this.set({ status: 'idle' });
      return;
    }
    const previous = this.state.status === 'ready' || this.state.status === 'searching' ? this.state.results : [];
    this.set({ status: 'searching', query, results: previous });
    const generation = this.generation;
    this.timer = this.timers.set(() => this.send(query, generation), SEARCH_DEBOUNCE_MS);
  }

  /** The field is gone: nothing more is sent or reported. */
  dispose(): void {
    this.generation += 1;
    this.cancelTimer();
  }

  private send(query: string, generation: number): void {
    this.timer = undefined;
    this.search(query).then(
      (results) => {
        if (generation === this.generation) this.set({ status: 'ready', query, results });
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        if (isMessengerError(error) && error.code === 'not_found') {
          this.set({ status: 'preparing', query });
          this.timer = this.timers.set(() => this.send(query, generation), SEARCH_RETRY_MS);
        } else if (isMessengerError(error) && error.code === 'locked') {
          // The vault locked meanwhile: the lock screen replaces this one; nothing to say here.
          this.set({ status: 'idle' });
        } else {
          this.set({ status: 'failed', query, error });
        }
      },
    );
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private set(state: SearchState): void {
    this.state = state;
    this.onChange(state);
  }
}
