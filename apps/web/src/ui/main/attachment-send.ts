/**
 * Sending one file from the composer: the checks the page can make before handing the file to the
 * worker (its size, the caption's length), then `sendFile`, whose rejection is translated by code.
 * The worker checks all of it again; checking here first only spares sealing a file that will be
 * refused.
 */
import type { MessengerApi } from '../../messenger/api';
import { MAX_ATTACHMENT_FILE_BYTES } from '../../messenger/attachment-api';
import { uiErrorFrom, type UiError } from '../messenger-context';
import { measureMessage } from '../text-limits';
import type { SendOptions } from './composer-mode';

export type AttachmentSendResult =
  { readonly ok: true; readonly messageId: string } | { readonly ok: false; readonly error: UiError };

/** A file name for a file that has none (a pasted screenshot in some browsers). */
const UNNAMED = 'file';

/**
 * Seals and sends `file` with `caption` (trimmed; none when blank). Resolves once the file is
 * sealed and the message shown; the upload goes on in the worker.
 */
export async function sendAttachment(
  api: Pick<MessengerApi, 'sendFile'>,
  conversationId: string,
  file: File,
  caption: string,
  options?: SendOptions,
): Promise<AttachmentSendResult> {
  if (file.size > MAX_ATTACHMENT_FILE_BYTES) return { ok: false, error: { key: 'error.file_too_large' } };
  const measured = measureMessage(caption);
  if (measured.problem) return { ok: false, error: measured.problem };
  const text = caption.trim();
  try {
    // No caption is no fourth argument: the worker's call check takes a string there or nothing.
    const name = file.name || UNNAMED;
    const messageId = options
      ? await api.sendFile(conversationId, file, name, text, options)
      : text
        ? await api.sendFile(conversationId, file, name, text)
        : await api.sendFile(conversationId, file, name);
    return { ok: true, messageId };
  } catch (caught) {
    return { ok: false, error: uiErrorFrom(caught) };
  }
}
