/**
 * How far each upload and download of the open conversation has come, from the worker's
 * `attachment_progress` events (about four a second per transfer). Kept in the page's memory only:
 * it is worth nothing after a reload, and the worker never writes it down either. Each card listens
 * to its own message, so a progress step re-renders one progress bar, not the message list.
 */
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { MessengerEvent } from '../../messenger/api';
import { useMessenger } from '../messenger-context';

export interface TransferProgress {
  readonly done: number;
  readonly total: number;
}

const TRANSFERRING: ReadonlySet<string> = new Set(['uploading', 'downloading']);

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

export class AttachmentProgressStore {
  private readonly progress = new Map<string, TransferProgress>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly conversationId: string) {}

  /**
   * Progress of this conversation's transfers; a finished, cancelled or removed transfer is
   * forgotten when its message changes (its card then shows no bar).
   */
  onEvent(event: MessengerEvent): void {
    if (event.type === 'attachment_progress' && event.conversationId === this.conversationId) {
      // The worker's word, but a bar fed NaN or a negative total would say nothing true.
      if (!isCount(event.done) || !isCount(event.total) || event.total === 0) return;
      this.set(event.messageId, { done: Math.min(event.done, event.total), total: event.total });
    } else if (event.type === 'messages_changed' && event.conversationId === this.conversationId) {
      for (const id of event.removed) this.set(id, undefined);
      for (const message of event.upserted) {
        if (!message.attachment || !TRANSFERRING.has(message.attachment.state)) this.set(message.id, undefined);
      }
    }
  }

  get(messageId: string): TransferProgress | undefined {
    return this.progress.get(messageId);
  }

  subscribe(messageId: string, listener: () => void): () => void {
    let forMessage = this.listeners.get(messageId);
    if (!forMessage) this.listeners.set(messageId, (forMessage = new Set()));
    forMessage.add(listener);
    return () => {
      forMessage.delete(listener);
      if (forMessage.size === 0) this.listeners.delete(messageId);
    };
  }

  private set(messageId: string, progress: TransferProgress | undefined): void {
    if (progress === undefined && !this.progress.has(messageId)) return;
    if (progress === undefined) this.progress.delete(messageId);
    else this.progress.set(messageId, progress);
    for (const listener of [...(this.listeners.get(messageId) ?? [])]) listener();
  }
}

/** A progress store for the open conversation, fed by the worker's events while it is shown. */
export function useAttachmentProgressStore(conversationId: string): AttachmentProgressStore {
  const { subscribe } = useMessenger();
  const store = useMemo(() => new AttachmentProgressStore(conversationId), [conversationId]);
  useEffect(() => subscribe((event) => store.onEvent(event)), [store, subscribe]);
  return store;
}

/** One message's transfer progress (undefined until the first event: the bar is then indeterminate). */
export function useTransferProgress(store: AttachmentProgressStore, messageId: string): TransferProgress | undefined {
  const subscribe = useCallback((listener: () => void) => store.subscribe(messageId, listener), [store, messageId]);
  const read = () => store.get(messageId);
  return useSyncExternalStore(subscribe, read, read);
}
