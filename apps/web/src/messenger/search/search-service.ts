import type { SearchResultView } from '../api';
import type { MessengerContext } from '../context';
import { MessengerError } from '../errors';
import { TABLES, type ConversationRecord } from '../records';
import type { MessageChanges } from '../transaction';
import { MessageSearch } from './message-search';

/** The most hits a search answers (the page shows them as a list). */
export const SEARCH_RESULTS = 50;
/** How long after the vault opens the index is opened, unless a search comes first. */
export const SEARCH_OPEN_DELAY_MS = 30_000;
/** Message changes kept for an index not opened yet; more, and it is rebuilt when it opens. */
const MAX_PENDING_CHANGES = 5_000;
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
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Commits made before the index was opened, applied once it is; past the bound, a rebuild. */
  #pending: MessageChanges[] = [];
  #overflowed = false;

  constructor(private readonly ctx: MessengerContext) {}

  /**
   * Opens the index a while after the vault opens, or at the first search if sooner: opening (and
   * building it the first time) takes the worker for a moment, which must not delay the start's
   * relay connections and outbox.
   */
  openLater(): void {
    if (this.#ready || this.#timer) return;
    this.#timer = setTimeout(() => this.#open(), SEARCH_OPEN_DELAY_MS);
  }

  #open(): Promise<MessageSearch | undefined> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ready) return this.#ready;
    const { vault } = this.ctx;
    this.#ready = MessageSearch.open(vault, { now: () => this.ctx.now() })
      .then(async (search) => {
        const pending = this.#pending;
        this.#pending = [];
        if (search.needsBuild || this.#overflowed) {
          this.#overflowed = false;
          const ids = this.ctx
            .tx()
            .all<ConversationRecord>(TABLES.conversations)
            .map((c) => c.id);
          await search.build(vault, ids);
        } else if (pending.length > 0) {
          await search.apply(pending);
        }
        this.#search = search;
        return search;
      })
      .catch(() => undefined);
    return this.#ready;
  }

  /** After a commit: the index follows (in order, after any build or earlier apply). */
  noteChanges(changes: readonly MessageChanges[]): void {
    const ready = this.#ready;
    if (!ready) {
      if (this.#pending.length + changes.length > MAX_PENDING_CHANGES) this.#overflowed = true;
      else this.#pending.push(...changes);
      return;
    }
    this.#ready = ready.then(async (search) => {
      await search?.apply(changes).catch(() => undefined);
      return search;
    });
  }

  async search(query: string, conversationId?: string): Promise<SearchResultView[]> {
    const search = await this.#open();
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
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#search?.forgetAll();
    this.#search = undefined;
    this.#ready = undefined;
    this.#pending = [];
    this.#overflowed = false;
  }
}
