import type { SearchResultView } from '../api';
import type { MessengerContext } from '../context';
import { MessengerError } from '../errors';
import { TABLES, type ConversationRecord } from '../records';
import type { MessageChanges } from '../transaction';
import { MessageSearch } from './message-search';

/** The most hits a search answers (the page shows them as a list). */
export const SEARCH_RESULTS = 50;
/** How much of a message a hit shows. */
const SNIPPET_CHARACTERS = 160;

/**
 * The messenger's search (issue 15 item 4): opens the index from the vault in the background once
 * the vault is open (building it the first time from every stored message), keeps it up to date
 * with every commit's message changes, and answers the page's queries with what it may show: the
 * conversation, the message, who sent it and a short excerpt. Nothing of a query or the index
 * leaves the worker.
 */
export class SearchService {
  #ready: Promise<MessageSearch | undefined> | undefined;
  #search: MessageSearch | undefined;

  constructor(private readonly ctx: MessengerContext) {}

  /** Starts opening (or building) the index; commits are applied in order once it is open. */
  open(): void {
    if (this.#ready) return;
    const { vault } = this.ctx;
    this.#ready = MessageSearch.open(vault, { now: () => this.ctx.now() })
      .then(async (search) => {
        if (search.needsBuild) {
          const ids = this.ctx
            .tx()
            .all<ConversationRecord>(TABLES.conversations)
            .map((c) => c.id);
          await search.build(vault, ids);
        }
        this.#search = search;
        return search;
      })
      .catch(() => undefined);
  }

  /** After a commit: the index follows (in order, after any build or earlier apply). */
  noteChanges(changes: readonly MessageChanges[]): void {
    const ready = this.#ready;
    if (!ready) return;
    this.#ready = ready.then(async (search) => {
      await search?.apply(changes).catch(() => undefined);
      return search;
    });
  }

  async search(query: string, conversationId?: string): Promise<SearchResultView[]> {
    const search = await this.#ready;
    if (!search) throw new MessengerError('not_found', 'search is not available yet');
    const hits = search.search(query, { limit: SEARCH_RESULTS, ...(conversationId ? { conversationId } : {}) });
    const tx = this.ctx.tx();
    const results: SearchResultView[] = [];
    for (const hit of hits) {
      const message = await tx.message(hit.conversationId, hit.messageId);
      if (!message || (message.expiresAt !== undefined && message.expiresAt <= this.ctx.now())) continue;
      const text = message.text ?? message.attachment?.name ?? '';
      results.push({
        conversationId: hit.conversationId,
        messageId: hit.messageId,
        sentAt: message.sentAt,
        receivedAt: message.receivedAt,
        ...(message.sender ? { senderName: message.sender.displayName } : {}),
        mine: message.mine,
        snippet: text.length > SNIPPET_CHARACTERS ? `${text.slice(0, SNIPPET_CHARACTERS - 1)}…` : text,
        matches: hit.matches,
      });
    }
    return results;
  }

  /** Lock, wipe: the index in memory goes; the sealed copy stays in the vault. */
  stop(): void {
    this.#search?.forgetAll();
    this.#search = undefined;
    this.#ready = undefined;
  }
}
