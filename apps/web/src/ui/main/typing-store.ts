/**
 * Who is typing in each conversation, as the worker says it (the `typing` event, which it expires
 * itself): held in memory for the open conversation's indicator (typing-indicator.tsx).
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { ConversationView, MessengerEvent } from '../../messenger/api';
import type { MessageKey, MessageParams } from '../../i18n';
import { useMessenger } from '../messenger-context';

const NOBODY: readonly string[] = [];

export class TypingStore {
  private readonly typing = new Map<string, readonly string[]>();
  private readonly listeners = new Set<() => void>();

  onEvent(event: MessengerEvent): void {
    if (event.type !== 'typing') return;
    if (event.addresses.length === 0) this.typing.delete(event.conversationId);
    else this.typing.set(event.conversationId, [...event.addresses]);
    for (const listener of [...this.listeners]) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The addresses typing there now (the same array until it changes). */
  get(conversationId: string): readonly string[] {
    return this.typing.get(conversationId) ?? NOBODY;
  }
}

/** What the indicator says for these people: one name, two names, or "several people". */
export function typingText(names: readonly string[]): { key: MessageKey; params?: MessageParams } | undefined {
  const [first, second] = names;
  if (first === undefined) return undefined;
  if (second === undefined) return { key: 'typing.one', params: { name: first } };
  if (names.length === 2) return { key: 'typing.two', params: { first, second } };
  return { key: 'typing.several' };
}

/** The display names of those typing in `conversation`, this user's own devices left out. */
export function typingNames(
  addresses: readonly string[],
  conversation: ConversationView,
  selfAddress: string | undefined,
): string[] {
  return addresses
    .filter((address) => address !== selfAddress)
    .map((address) => conversation.members.find((member) => member.address === address)?.displayName || address);
}

/** The addresses typing in `conversationId` now; nothing while typing indicators are off. */
export function useTyping(conversationId: string): readonly string[] {
  const { subscribe, snapshot } = useMessenger();
  const store = useMemo(() => new TypingStore(), []);
  useEffect(() => subscribe((event) => store.onEvent(event)), [store, subscribe]);
  const get = () => store.get(conversationId);
  const addresses = useSyncExternalStore(store.subscribe, get, get);
  return snapshot.preferences?.typingIndicators === false ? NOBODY : addresses;
}
