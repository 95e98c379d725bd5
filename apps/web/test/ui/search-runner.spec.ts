/**
 * The search field's requests: debounced while typing, in order whatever order the worker answers
 * in, retried while the index is being built, and quiet once locked or disposed.
 */
import type { SearchResultView } from '../../src/messenger/api';
import {
  SEARCH_DEBOUNCE_MS,
  SEARCH_RETRY_MS,
  SearchRunner,
  type SearchState,
  type SearchTimers,
} from '../../src/ui/main/search-runner';

/** Timers run by hand: `advance(ms)` fires what is due. */
class ManualTimers implements SearchTimers {
  private now = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; run: () => void }>();
  set(run: () => void, ms: number): unknown {
    const handle = this.next++;
    this.due.set(handle, { at: this.now + ms, run });
    return handle;
  }
  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [handle, timer] of [...this.due].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.due.delete(handle);
      timer.run();
    }
  }
  get pending(): number {
    return this.due.size;
  }
}

/** A worker whose answers are settled by hand, per query sent. */
function worker() {
  const sent: { query: string; resolve: (r: SearchResultView[]) => void; reject: (e: unknown) => void }[] = [];
  const search = (query: string) =>
    new Promise<readonly SearchResultView[]>((resolve, reject) => sent.push({ query, resolve, reject }));
  return { sent, search };
}

/** The `index`th query sent, to settle; fails the test when it was never sent. */
function answer<T>(sent: readonly T[], index: number): T {
  const request = sent[index];
  if (request === undefined) throw new Error(`query ${index} was not sent`);
  return request;
}

const hit = (messageId: string): SearchResultView => ({
  conversationId: 'c1',
  messageId,
  sentAt: 1,
  receivedAt: 1,
  mine: false,
  snippet: messageId,
  matches: [],
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const timers = new ManualTimers();
  const { sent, search } = worker();
  const states: SearchState[] = [];
  const runner = new SearchRunner(search, (state) => states.push(state), timers);
  return { timers, sent, states, runner, last: () => states[states.length - 1] };
}

describe('SearchRunner', () => {
  it('sends only the last of quick keystrokes, once the debounce has passed', () => {
    const { timers, sent, runner } = setup();
    runner.type('b');
    runner.type('bu');
    runner.type('bud');
    timers.advance(SEARCH_DEBOUNCE_MS - 1);
    expect(sent).toEqual([]);
    timers.advance(1);
    expect(sent.map((s) => s.query)).toEqual(['bud']);
  });

  it('trims the query, and a blank field clears at once without asking the worker', () => {
    const { timers, sent, runner, last } = setup();
    runner.type('  budget ');
    expect(last()).toEqual({ status: 'searching', query: 'budget', results: [] });
    runner.type('   ');
    expect(last()).toEqual({ status: 'idle' });
    timers.advance(SEARCH_DEBOUNCE_MS);
    expect(sent).toEqual([]);
  });

  it('shows the answer for the query sent', async () => {
    const { timers, sent, runner, last } = setup();
    runner.type('budget');
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 0).resolve([hit('m1')]);
    await settle();
    expect(last()).toEqual({ status: 'ready', query: 'budget', results: [hit('m1')] });
  });

  it('drops a late answer for an older query (answers reordered)', async () => {
    const { timers, sent, runner, last } = setup();
    runner.type('bud');
    timers.advance(SEARCH_DEBOUNCE_MS);
    runner.type('budget');
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 1).resolve([hit('new')]);
    await settle();
    answer(sent, 0).resolve([hit('old')]);
    await settle();
    expect(last()).toEqual({ status: 'ready', query: 'budget', results: [hit('new')] });
  });

  it('keeps the previous results on screen while the next query is pending', async () => {
    const { timers, sent, runner, last } = setup();
    runner.type('bud');
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 0).resolve([hit('m1')]);
    await settle();
    runner.type('budg');
    expect(last()).toEqual({ status: 'searching', query: 'budg', results: [hit('m1')] });
  });

  it('says search is getting ready while the index is being built (not_found), and asks again', async () => {
    const { timers, sent, runner, last } = setup();
    runner.type('budget');
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 0).reject({ code: 'not_found', message: 'index not ready' });
    await settle();
    expect(last()).toEqual({ status: 'preparing', query: 'budget' });
    timers.advance(SEARCH_RETRY_MS);
    expect(sent.map((s) => s.query)).toEqual(['budget', 'budget']);
    answer(sent, 1).resolve([hit('m1')]);
    await settle();
    expect(last()).toEqual({ status: 'ready', query: 'budget', results: [hit('m1')] });
  });

  it('stops asking again for a query replaced while the index was being built', async () => {
    const { timers, sent, runner } = setup();
    runner.type('budget');
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 0).reject({ code: 'not_found', message: 'index not ready' });
    await settle();
    runner.type('');
    timers.advance(SEARCH_RETRY_MS * 5);
    expect(sent).toHaveLength(1);
    expect(timers.pending).toBe(0);
  });

  it('goes quiet when the vault is locked (locked): the lock screen takes over', async () => {
    const { timers, sent, runner, last } = setup();
    runner.type('budget');
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 0).reject({ code: 'locked', message: 'locked' });
    await settle();
    expect(last()).toEqual({ status: 'idle' });
    expect(timers.pending).toBe(0);
  });

  it('reports any other error for people to read', async () => {
    const { timers, sent, runner, last } = setup();
    runner.type('budget');
    timers.advance(SEARCH_DEBOUNCE_MS);
    const error = { code: 'internal', message: 'boom' };
    answer(sent, 0).reject(error);
    await settle();
    expect(last()).toEqual({ status: 'failed', query: 'budget', error });
  });

  it('sends and reports nothing once disposed (the field unmounted)', async () => {
    const { timers, sent, states, runner } = setup();
    runner.type('bud');
    timers.advance(SEARCH_DEBOUNCE_MS);
    runner.type('budget');
    runner.dispose();
    const reported = states.length;
    timers.advance(SEARCH_DEBOUNCE_MS);
    answer(sent, 0).resolve([hit('m1')]);
    await settle();
    expect(sent).toHaveLength(1);
    expect(states).toHaveLength(reported);
  });
});
