/**
 * The page's copy of the conversations it shows (docs/decisions/0012-deltas-and-paging.md): a
 * conversation is read a page at a time from the worker, newest first, and kept current by the
 * worker's `messages_changed` deltas; it is never read again because something changed in it.
 * React reads it with useSyncExternalStore (useConversation).
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { MessageCursor, MessagePage, MessageView, MessengerErrorShape, MessengerEvent } from '../messenger/api';

/** Messages read per page: a screenful and then some. */
export const PAGE_SIZE = 50;

export interface ConversationState {
  /** Oldest first. */
  readonly messages: readonly MessageView[];
  /** Older messages exist before the first one held. */
  readonly hasMore: boolean;
  readonly loading: boolean;
  readonly error?: MessengerErrorShape;
}

export interface ConversationSource {
  messagePage(
    conversationId: string,
    page: { readonly before?: MessageCursor; readonly limit: number },
  ): Promise<MessagePage>;
}

const EMPTY: ConversationState = { messages: [], hasMore: false, loading: true };

function compare(a: MessageView, b: MessageView): number {
  return a.sentAt - b.sentAt || a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function cursorOf(message: MessageView): MessageCursor {
  return { sentAt: message.sentAt, receivedAt: message.receivedAt, id: message.id };
}

/** `messages` with `upserted` put in place (replacing the same id) and `removed` taken out. */
export function applyDelta(
  state: ConversationState,
  upserted: readonly MessageView[],
  removed: readonly string[],
): ConversationState {
  const gone = new Set([...removed, ...upserted.map((m) => m.id)]);
  const kept = state.messages.filter((m) => !gone.has(m.id));
  const oldest = state.messages[0];
  // A message older than everything held while older pages are not read yet belongs to them.
  const inWindow = upserted.filter(
    (m) =>
      !state.hasMore ||
      oldest === undefined ||
      compare(m, oldest) >= 0 ||
      state.messages.some((held) => held.id === m.id),
  );
  const messages = [...kept, ...inWindow].sort(compare);
  return { ...state, messages };
}

export class ConversationStore {
  private readonly states = new Map<string, ConversationState>();
  private readonly listeners = new Set<() => void>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly source: ConversationSource) {}

  /** The worker's events: deltas for conversations held; the rest is read when opened. */
  onEvent(event: MessengerEvent): void {
    if (event.type !== 'messages_changed') return;
    const state = this.states.get(event.conversationId);
    if (!state) return;
    this.set(event.conversationId, applyDelta(state, event.upserted, event.removed));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get(conversationId: string): ConversationState {
    return this.states.get(conversationId) ?? EMPTY;
  }

  /** Reads the newest page once (again after an error, or when `fresh`). */
  open(conversationId: string, fresh = false): Promise<void> {
    const state = this.states.get(conversationId);
    if (state && !state.error && !fresh) return this.loading.get(conversationId) ?? Promise.resolve();
    return this.read(conversationId, undefined);
  }

  /** Reads the page before the oldest message held. */
  loadOlder(conversationId: string): Promise<void> {
    const state = this.states.get(conversationId);
    const oldest = state?.messages[0];
    if (!state || !state.hasMore || !oldest || this.loading.has(conversationId))
      return this.loading.get(conversationId) ?? Promise.resolve();
    return this.read(conversationId, cursorOf(oldest));
  }

  /** Forgets a conversation (it is read again when next opened). */
  forget(conversationId: string): void {
    this.states.delete(conversationId);
    this.notify();
  }

  private read(conversationId: string, before: MessageCursor | undefined): Promise<void> {
    const current = this.states.get(conversationId);
    this.set(conversationId, { ...(current && before ? current : EMPTY), loading: true });
    const work = this.source
      .messagePage(conversationId, { limit: PAGE_SIZE, ...(before ? { before } : {}) })
      .then(
        (page) => {
          // Deltas that arrived meanwhile are in the held state, and newer than the page's copy.
          const held = this.states.get(conversationId) ?? EMPTY;
          this.set(conversationId, {
            messages: mergeKeepingNewer(page.messages, held.messages),
            hasMore: page.hasMore,
            loading: false,
          });
        },
        (error: MessengerErrorShape) =>
          this.set(conversationId, { ...(this.states.get(conversationId) ?? EMPTY), loading: false, error }),
      )
      .finally(() => this.loading.delete(conversationId));
    this.loading.set(conversationId, work);
    return work;
  }

  private set(conversationId: string, state: ConversationState): void {
    this.states.set(conversationId, state);
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A first page with the deltas received while it was read: a delta is newer than the page's copy. */
function mergeKeepingNewer(page: readonly MessageView[], held: readonly MessageView[]): MessageView[] {
  const byId = new Map(page.map((m) => [m.id, m]));
  for (const m of held) byId.set(m.id, m);
  return [...byId.values()].sort(compare);
}

/** The open conversation, kept current by deltas; `loadOlder` reads the page before. */
export function useConversation(
  store: ConversationStore,
  conversationId: string,
): ConversationState & { loadOlder: () => void; reload: () => void } {
  const state = useSyncExternalStore(
    store.subscribe,
    () => store.get(conversationId),
    () => store.get(conversationId),
  );
  useEffect(() => {
    void store.open(conversationId);
  }, [store, conversationId]);
  const loadOlder = useCallback(() => void store.loadOlder(conversationId), [store, conversationId]);
  const reload = useCallback(() => void store.open(conversationId, true), [store, conversationId]);
  return { ...state, loadOlder, reload };
}
