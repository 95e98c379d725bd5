/**
 * The page's memory of transfer progress (attachment-progress.ts): fed by the worker's
 * `attachment_progress` events for the open conversation only, forgotten when the transfer ends or
 * the message goes, deaf to malformed steps, and announced to the one card it concerns.
 */
import type { MessageView, MessengerEvent } from '../../src/messenger/api';
import type { AttachmentView } from '../../src/messenger/attachment-api';
import { AttachmentProgressStore } from '../../src/ui/main/attachment-progress';

const step = (messageId: string, done: number, total: number, conversationId = 'c1'): MessengerEvent => ({
  type: 'attachment_progress',
  conversationId,
  messageId,
  done,
  total,
});

function changed(upserted: MessageView[], removed: string[] = []): MessengerEvent {
  return { type: 'messages_changed', conversationId: 'c1', upserted, removed };
}

const withAttachment = (id: string, state: AttachmentView['state']): MessageView => ({
  id,
  conversationId: 'c1',
  mine: true,
  sentAt: 1,
  receivedAt: 1,
  attachment: { name: 'report.pdf', type: 'application/pdf', size: 1000, state },
});

describe('transfer progress', () => {
  it('keeps the latest step of each transfer of the open conversation', () => {
    const store = new AttachmentProgressStore('c1');
    store.onEvent(step('m1', 100, 1000));
    store.onEvent(step('m1', 400, 1000));
    store.onEvent(step('m2', 5, 10));
    expect(store.get('m1')).toEqual({ done: 400, total: 1000 });
    expect(store.get('m2')).toEqual({ done: 5, total: 10 });
  });

  it('ignores another conversation’s transfers', () => {
    const store = new AttachmentProgressStore('c1');
    store.onEvent(step('m1', 1, 2, 'c2'));
    expect(store.get('m1')).toBeUndefined();
  });

  it('ignores a malformed step (NaN, negative, no total) and caps one past its total', () => {
    const store = new AttachmentProgressStore('c1');
    store.onEvent(step('m1', Number.NaN, 10));
    store.onEvent(step('m1', -1, 10));
    store.onEvent(step('m1', 1, 0));
    expect(store.get('m1')).toBeUndefined();
    store.onEvent(step('m1', 12, 10));
    expect(store.get('m1')).toEqual({ done: 10, total: 10 });
  });

  it('forgets a transfer once its message is no longer transferring (sent, stored, cancelled download)', () => {
    const store = new AttachmentProgressStore('c1');
    store.onEvent(step('m1', 5, 10));
    store.onEvent(step('m2', 5, 10));
    store.onEvent(changed([withAttachment('m1', 'uploading'), withAttachment('m2', 'available')]));
    expect(store.get('m1')).toEqual({ done: 5, total: 10 });
    expect(store.get('m2')).toBeUndefined();
    store.onEvent(changed([withAttachment('m1', 'sent')]));
    expect(store.get('m1')).toBeUndefined();
  });

  it('forgets a transfer whose message was removed (a cancelled upload)', () => {
    const store = new AttachmentProgressStore('c1');
    store.onEvent(step('m1', 5, 10));
    store.onEvent(changed([], ['m1']));
    expect(store.get('m1')).toBeUndefined();
  });

  it('tells the card of that message only, and no longer once it unsubscribed', () => {
    const store = new AttachmentProgressStore('c1');
    const first = jest.fn();
    const second = jest.fn();
    const stop = store.subscribe('m1', first);
    store.subscribe('m2', second);
    store.onEvent(step('m1', 1, 10));
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    stop();
    store.onEvent(step('m1', 2, 10));
    expect(first).toHaveBeenCalledTimes(1);
  });

  it('tells nobody when a message without a transfer changes', () => {
    const store = new AttachmentProgressStore('c1');
    const listener = jest.fn();
    store.subscribe('m1', listener);
    store.onEvent(changed([withAttachment('m1', 'stored')]));
    expect(listener).not.toHaveBeenCalled();
  });
});
