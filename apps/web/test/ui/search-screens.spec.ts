/**
 * Message search as the server renders it (no effects run, so no worker call): the labelled
 * search field and its live status, the results with conversation, sender, time and marked terms,
 * "No messages found", and a found message marked in the conversation. The French texts beside.
 */
import { createElement } from 'react';
import type { ConversationView, MemberView, MessageView, SearchResultView } from '../../src/messenger/api';
import { translatorFor } from '../../src/i18n';
import { MessageList } from '../../src/ui/main/message-list';
import { resultHeading } from '../../src/ui/main/search-format';
import { SearchPanel } from '../../src/ui/main/search-panel';
import { SearchResults } from '../../src/ui/main/search-results';
import { labelledInput, renderScreen } from './render-screen';
import { conversationView } from './view-fixtures';

const self: MemberView = { address: 'me@example.org', displayName: 'Dominique', devices: [], isSelf: true };
const ann: MemberView = { address: 'ann@example.org', displayName: 'Ann', devices: [], isSelf: false };
const direct: ConversationView = conversationView({
  id: 'c1',
  kind: 'direct',
  title: 'Ann',
  members: [self, ann],
});
const group: ConversationView = { ...direct, id: 'g1', kind: 'group', title: 'Board' };
const SENT = Date.UTC(2027, 0, 4, 9, 30);

function result(fields: Partial<SearchResultView> = {}): SearchResultView {
  return {
    conversationId: 'g1',
    messageId: 'm1',
    sentAt: SENT,
    receivedAt: SENT,
    senderName: 'Bob',
    mine: false,
    snippet: 'Le budget de l’École est validé',
    matches: ['ecole'],
    ...fields,
  };
}

const results = (...found: SearchResultView[]) =>
  renderScreen(
    createElement(SearchResults, { results: found, conversations: [direct, group], onOpen: () => undefined }),
  );

describe('resultHeading', () => {
  it('names the conversation and the sender', () => {
    expect(resultHeading(result(), [direct, group])).toEqual({ title: 'Board', mine: false, sender: 'Bob' });
  });

  it('says it is this user’s own message, whatever name the worker gives', () => {
    expect(resultHeading(result({ mine: true, senderName: 'Dominique' }), [group])).toEqual({
      title: 'Board',
      mine: true,
      sender: undefined,
    });
  });

  it('names the other person of a 1:1 when the worker has no sender name', () => {
    const { senderName: _, ...unnamed } = result({ conversationId: 'c1' });
    expect(resultHeading(unnamed, [direct, group]).sender).toBe('Ann');
  });

  it('has no title for a conversation no longer in the snapshot (left, removed)', () => {
    expect(resultHeading(result({ conversationId: 'gone' }), [direct]).title).toBeUndefined();
  });
});

describe('the search field', () => {
  const html = renderScreen(
    createElement(SearchPanel, {
      conversations: [direct],
      onOpen: () => undefined,
      children: createElement('p', { 'data-testid': 'the-list' }, 'list'),
    }),
  );

  it('is a search input labelled “Search messages”, inside a search landmark', () => {
    expect(labelledInput(html, 'Search messages')).toMatch(/type="search"/);
    expect(html).toMatch(/<div class="search-field" role="search">/);
  });

  it('has a polite live status, present before any query so its first count is heard', () => {
    expect(html).toMatch(/<p[^>]*role="status"[^>]*aria-live="polite"[^>]*data-testid="search-status"[^>]*><\/p>/);
  });

  it('leaves the conversation list in place while nothing is typed', () => {
    expect(html).toContain('data-testid="the-list"');
    expect(html).not.toContain('data-testid="search-panel"');
  });
});

describe('the results', () => {
  it('show the conversation, the sender, the date and time, and the snippet with the term marked', () => {
    const html = results(result());
    expect(html).toContain('<span class="search-result-title">Board</span>');
    expect(html).toContain('<span class="search-result-sender">Bob</span>');
    expect(html).toContain(`<time dateTime="${new Date(SENT).toISOString()}">`);
    expect(html).toContain('Le budget de l’<mark>École</mark> est validé');
  });

  it('say “You” for this user’s own message', () => {
    expect(results(result({ mine: true }))).toContain('<span class="search-result-sender">You</span>');
  });

  it('are buttons in a named list, in the worker’s order, each naming its message', () => {
    const html = results(result({ messageId: 'm2' }), result({ messageId: 'm1' }));
    expect(html).toMatch(/<ul class="search-results" data-testid="search-results" aria-label="Messages found">/);
    const buttons = [...html.matchAll(/<button type="button"[^>]*data-message-id="([^"]+)"/g)].map((m) => m[1]);
    expect(buttons).toEqual(['m2', 'm1']);
  });

  it('keep a result from a conversation no longer listed, named as such', () => {
    expect(results(result({ conversationId: 'gone' }))).toContain('A conversation no longer listed');
  });

  it('say “No messages found” when there are none', () => {
    const html = results();
    expect(html).toContain('No messages found');
    expect(html).not.toContain('search-results');
  });
});

describe('the found message in its conversation', () => {
  const message = (id: string): MessageView => ({
    id,
    conversationId: 'c1',
    mine: false,
    sender: { address: ann.address, displayName: 'Ann', deviceId: 'd1' },
    text: `text ${id}`,
    sentAt: SENT,
    receivedAt: SENT,
  });

  it('is marked (search-hit), and only it', () => {
    const html = renderScreen(
      createElement(MessageList, {
        conversation: direct,
        messages: [message('m1'), message('m2')],
        highlight: { messageId: 'm2' },
      }),
    );
    expect(html.match(/search-hit/g)).toHaveLength(2); // its class and its data attribute
    expect(html).toMatch(/<li class="message theirs search-hit"[^>]*data-message-id="m2"/);
  });
});

describe('in French', () => {
  const t = translatorFor('fr');

  it('labels the field and says what was found, by French plural rules', () => {
    expect(t('search.label')).toBe('Rechercher dans les messages');
    expect(t('search.count', { count: 0 })).toBe('Aucun message trouvé');
    expect(t('search.count', { count: 1 })).toBe('1 message trouvé');
    expect(t('search.count', { count: 12 })).toBe('12 messages trouvés');
    expect(t('search.preparing')).toBe('La recherche se prépare…');
  });

  it('counts in English too, with a sentence for none', () => {
    const en = translatorFor('en');
    expect(en('search.count', { count: 0 })).toBe('No messages found');
    expect(en('search.count', { count: 1 })).toBe('1 message found');
    expect(en('search.count', { count: 50 })).toBe('50 messages found');
  });
});
