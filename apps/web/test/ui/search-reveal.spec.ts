/**
 * Opening a conversation at a found message: older pages are read until it is held, at most
 * MAX_REVEAL_PAGES of them; an expired, deleted or unreadable message leaves the conversation open.
 * Driven here against the page's real conversation store, as the hook drives it.
 */
import type { MessageCursor, MessagePage, MessageView } from '../../src/messenger/api';
import { ConversationStore, PAGE_SIZE, type ConversationSource } from '../../src/ui/conversation-store';
import { MAX_REVEAL_PAGES, revealStep, type RevealInput, type RevealStep } from '../../src/ui/main/search-reveal';

const NOW = Date.UTC(2027, 0, 4, 9);

function message(n: number, patch: Partial<MessageView> = {}): MessageView {
  return {
    id: `m${n.toString().padStart(5, '0')}`,
    conversationId: 'c1',
    mine: false,
    text: `text ${n}`,
    sentAt: 1_000 + n,
    receivedAt: 2_000 + n,
    ...patch,
  };
}

function input(patch: Partial<RevealInput>): RevealInput {
  return {
    messageId: 'm00001',
    messages: [],
    hasMore: false,
    loading: false,
    failed: false,
    pagesRead: 0,
    now: NOW,
    ...patch,
  };
}

describe('revealStep', () => {
  it('shows a message already held', () => {
    expect(revealStep(input({ messages: [message(0), message(1)] }))).toBe('show');
  });

  it('reads the page before when the message is not held and older pages exist', () => {
    expect(revealStep(input({ messages: [message(5)], hasMore: true }))).toBe('read-older');
  });

  it('waits while a page is being read', () => {
    expect(revealStep(input({ messages: [message(5)], hasMore: true, loading: true }))).toBe('wait');
  });

  it('gives up on a message that is not in the conversation any more (deleted: no older pages)', () => {
    expect(revealStep(input({ messages: [message(5)], hasMore: false }))).toBe('missing');
  });

  it('gives up on an expired message even when held (the list hides it)', () => {
    expect(revealStep(input({ messages: [message(1, { expiresAt: NOW })] }))).toBe('missing');
    expect(revealStep(input({ messages: [message(1, { expiresAt: NOW + 1 })] }))).toBe('show');
  });

  it('gives up once MAX_REVEAL_PAGES pages were read (too far back)', () => {
    const far = input({ messages: [message(5)], hasMore: true });
    expect(revealStep({ ...far, pagesRead: MAX_REVEAL_PAGES - 1 })).toBe('read-older');
    expect(revealStep({ ...far, pagesRead: MAX_REVEAL_PAGES })).toBe('missing');
  });

  it('gives up when a page could not be read (unauthorised, locked, unreachable)', () => {
    expect(revealStep(input({ messages: [message(5)], hasMore: true, failed: true }))).toBe('missing');
  });
});

class PagedSource implements ConversationSource {
  calls = 0;
  constructor(private readonly all: readonly MessageView[]) {}
  async messagePage(_id: string, page: { before?: MessageCursor; limit: number }): Promise<MessagePage> {
    this.calls += 1;
    const end = page.before ? this.all.findIndex((m) => m.id === page.before?.id) : this.all.length;
    const start = Math.max(0, end - page.limit);
    return { messages: this.all.slice(start, end), hasMore: start > 0 };
  }
}

/** What useRevealMessage does, without React: open, then step until shown or given up. */
async function reveal(all: readonly MessageView[], messageId: string): Promise<{ step: RevealStep; reads: number }> {
  const source = new PagedSource(all);
  const store = new ConversationStore(source);
  await store.open('c1');
  let pagesRead = 0;
  for (;;) {
    const state = store.get('c1');
    const step = revealStep({ messageId, ...state, failed: state.error !== undefined, pagesRead, now: NOW });
    if (step !== 'read-older') return { step, reads: source.calls };
    pagesRead += 1;
    await store.loadOlder('c1');
  }
}

/** The message at `index`; fails the test when there is none. */
function nth(messages: readonly MessageView[], index: number): MessageView {
  const found = messages[index];
  if (!found) throw new Error(`no message at ${index}`);
  return found;
}

describe('revealing through the conversation store', () => {
  const all = Array.from({ length: PAGE_SIZE * 30 }, (_, i) => message(i));

  it('finds a message on the newest page without reading another', async () => {
    expect(await reveal(all, nth(all, all.length - 1).id)).toEqual({ step: 'show', reads: 1 });
  });

  it('reads older pages until the message is held', async () => {
    const fourthPage = nth(all, all.length - 3 * PAGE_SIZE - 1);
    expect(await reveal(all, fourthPage.id)).toEqual({ step: 'show', reads: 4 });
  });

  it('stops after MAX_REVEAL_PAGES older pages for a message further back', async () => {
    expect(await reveal(all, nth(all, 0).id)).toEqual({ step: 'missing', reads: 1 + MAX_REVEAL_PAGES });
  });

  it('reads the whole short conversation, then gives up on a message no longer there (expired, deleted)', async () => {
    const short = all.slice(0, PAGE_SIZE * 2 + 3);
    expect(await reveal(short, 'gone')).toEqual({ step: 'missing', reads: 3 });
  });
});
