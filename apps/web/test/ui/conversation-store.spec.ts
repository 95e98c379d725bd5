/**
 * The page's conversation store (decision 0012): the newest page first, older pages on demand,
 * deltas applied in place (added, changed, removed, out of order), deltas that arrive while a page
 * is read kept over the page's older copy, and a failed read reported and retried.
 */
import type { MessageCursor, MessagePage, MessageView, MessengerErrorShape } from '../../src/messenger/api';
import { applyDelta, ConversationStore, PAGE_SIZE, type ConversationSource } from '../../src/ui/conversation-store';

function message(n: number, patch: Partial<MessageView> = {}): MessageView {
  return {
    id: `m${n.toString().padStart(4, '0')}`,
    conversationId: 'c1',
    mine: false,
    text: `text ${n}`,
    sentAt: 1_000 + n,
    receivedAt: 2_000 + n,
    ...patch,
  };
}

class PagedSource implements ConversationSource {
  calls = 0;
  gate: Promise<void> | undefined;
  fail: MessengerErrorShape | undefined;
  constructor(public all: MessageView[]) {}
  async messagePage(_id: string, page: { before?: MessageCursor; limit: number }): Promise<MessagePage> {
    this.calls++;
    await this.gate;
    if (this.fail) throw this.fail;
    const end = page.before ? this.all.findIndex((m) => m.id === page.before?.id) : this.all.length;
    const start = Math.max(0, end - page.limit);
    return { messages: this.all.slice(start, end), hasMore: start > 0 };
  }
}

const ids = (messages: readonly MessageView[]) => messages.map((m) => m.id);

test('opens on the newest page, then reads older pages until there are none', async () => {
  const all = Array.from({ length: 120 }, (_, i) => message(i));
  const store = new ConversationStore(new PagedSource(all));
  await store.open('c1');
  expect(ids(store.get('c1').messages)).toEqual(ids(all.slice(-PAGE_SIZE)));
  expect(store.get('c1').hasMore).toBe(true);
  await store.loadOlder('c1');
  await store.loadOlder('c1');
  expect(ids(store.get('c1').messages)).toEqual(ids(all));
  expect(store.get('c1').hasMore).toBe(false);
});

test('deltas: a new message is added in order, a status change replaces in place, a removal takes it out; no page is read again', async () => {
  const source = new PagedSource([message(1), message(2), message(4)]);
  const store = new ConversationStore(source);
  await store.open('c1');
  const calls = source.calls;
  store.onEvent({ type: 'messages_changed', conversationId: 'c1', upserted: [message(3)], removed: [] });
  store.onEvent({
    type: 'messages_changed',
    conversationId: 'c1',
    upserted: [message(4, { status: 'delivered' })],
    removed: ['m0001'],
  });
  expect(ids(store.get('c1').messages)).toEqual(['m0002', 'm0003', 'm0004']);
  expect(store.get('c1').messages.at(-1)?.status).toBe('delivered');
  expect(source.calls).toBe(calls);
  // A conversation not held is not built from deltas: it is read when opened.
  store.onEvent({ type: 'messages_changed', conversationId: 'other', upserted: [message(9)], removed: [] });
  expect(store.get('other').messages).toEqual([]);
});

test('a delta older than the pages held, while older pages exist, waits for those pages', () => {
  const state = { messages: [message(50), message(51)], hasMore: true, loading: false };
  expect(ids(applyDelta(state, [message(10)], []).messages)).toEqual(['m0050', 'm0051']);
  expect(ids(applyDelta({ ...state, hasMore: false }, [message(10)], []).messages)).toEqual([
    'm0010',
    'm0050',
    'm0051',
  ]);
});

test('a delta that arrives while the first page is read is kept over the page’s older copy', async () => {
  const source = new PagedSource([message(1), message(2, { status: 'sent' })]);
  let release!: () => void;
  source.gate = new Promise((resolve) => (release = resolve));
  const store = new ConversationStore(source);
  const opening = store.open('c1');
  store.onEvent({
    type: 'messages_changed',
    conversationId: 'c1',
    upserted: [message(2, { status: 'delivered' }), message(3)],
    removed: [],
  });
  release();
  await opening;
  expect(ids(store.get('c1').messages)).toEqual(['m0001', 'm0002', 'm0003']);
  expect(store.get('c1').messages[1]?.status).toBe('delivered');
});

test('a failed read is reported, changes nothing held, and the next open reads again', async () => {
  const source = new PagedSource([message(1)]);
  source.fail = { code: 'locked', message: 'unlock this device first' };
  const store = new ConversationStore(source);
  await store.open('c1');
  expect(store.get('c1')).toMatchObject({ loading: false, error: { code: 'locked' }, messages: [] });
  source.fail = undefined;
  await store.open('c1');
  expect(store.get('c1').error).toBeUndefined();
  expect(ids(store.get('c1').messages)).toEqual(['m0001']);
});
