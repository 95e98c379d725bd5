/**
 * What an attachment card's buttons do: Cancel stops the transfer, Download fetches a received
 * file, Save hands the decrypted file to the browser's downloads. The decrypted bytes live in the
 * page only as long as the browser needs them to save the file.
 */
import type { MessengerApi } from '../../messenger/api';

export type AttachmentCommand = 'cancel' | 'download' | 'save';

/** The browser's part in saving a file; the page's own by default, a stand-in in tests. */
export interface SaveTarget {
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
  /** Where the temporary download link goes; only its `append` and the link's `click` are used. */
  readonly document: Pick<Document, 'createElement' | 'body'>;
  /** Runs `action` after `ms` milliseconds. */
  later(action: () => void, ms: number): void;
}

/**
 * How long the saved file's object URL lives after the click: browsers read a blob: URL for a
 * download after the click returns, some of them late (FileSaver.js keeps it 40 s for that).
 */
export const SAVE_URL_LIFETIME_MS = 40_000;

const pageTarget = (): SaveTarget => ({
  createObjectURL: (blob) => URL.createObjectURL(blob),
  revokeObjectURL: (url) => URL.revokeObjectURL(url),
  document,
  later: (action, ms) => void setTimeout(action, ms),
});

/**
 * Saves the decrypted file under its name through a temporary `<a download>`. The bytes are
 * re-typed `application/octet-stream`: the type is the sender's word, and a blob: URL of an HTML or
 * SVG file opened instead of downloaded would run with this page's origin.
 */
export async function saveAttachment(
  api: Pick<MessengerApi, 'openAttachment'>,
  conversationId: string,
  messageId: string,
  name: string,
  target: SaveTarget = pageTarget(),
): Promise<void> {
  const file = await api.openAttachment(conversationId, messageId);
  const url = target.createObjectURL(new Blob([file], { type: 'application/octet-stream' }));
  try {
    const link = target.document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    target.document.body.append(link);
    link.click();
    link.remove();
  } finally {
    target.later(() => target.revokeObjectURL(url), SAVE_URL_LIFETIME_MS);
  }
}

/** Runs a card's button. Rejects as the worker does (a MessengerErrorShape). */
export function runAttachmentCommand(
  api: Pick<MessengerApi, 'cancelAttachment' | 'fetchAttachment' | 'openAttachment'>,
  command: AttachmentCommand,
  message: { readonly conversationId: string; readonly id: string; readonly name: string },
  target?: SaveTarget,
): Promise<void> {
  switch (command) {
    case 'cancel':
      return api.cancelAttachment(message.conversationId, message.id);
    case 'download':
      return api.fetchAttachment(message.conversationId, message.id);
    case 'save':
      return saveAttachment(api, message.conversationId, message.id, message.name, target);
  }
}
