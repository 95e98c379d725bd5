/**
 * A file given to the web client's composer: through its Attach button (the file input), and the
 * two other ways, as Chromium
 * delivers them to the page: a paste (a ClipboardEvent whose clipboard holds the file, as after a
 * copy in a file manager or a screenshot tool: no text/html beside it), and a drag over the
 * conversation ending in a drop on the drop zone the page then shows (DragEvents carrying one
 * DataTransfer). The files are built in the page from their bytes.
 */
import type { Page } from 'playwright-core';

export interface FileToGive {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

const serialised = (file: FileToGive) => ({
  name: file.name,
  mimeType: file.mimeType,
  base64: file.buffer.toString('base64'),
});

/** Pastes `file` into the composer's text field. */
export async function pasteFile(page: Page, file: FileToGive): Promise<void> {
  await page.getByTestId('composer-input').evaluate((input, { name, mimeType, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const clipboard = new DataTransfer();
    clipboard.items.add(new File([bytes], name, { type: mimeType }));
    input.focus();
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
  }, serialised(file));
}

/** Drags `file` over the open conversation and drops it on the drop zone that appears. */
export async function dropFile(page: Page, file: FileToGive): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ name, mimeType, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: mimeType }));
    return transfer;
  }, serialised(file));
  await page.getByTestId('conversation').dispatchEvent('dragenter', { dataTransfer });
  const zone = page.getByTestId('attachment-drop-zone');
  await zone.waitFor({ timeout: 10_000 });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await zone.waitFor({ state: 'detached', timeout: 10_000 });
  await dataTransfer.dispose();
}

/** The card of a file in the open conversation, by its name (its `data-state` says where it is). */
export const attachmentCard = (on: Page, name: string) => on.getByTestId('attachment').filter({ hasText: name });

/** Attaches a file through the composer's Attach button (its file input), with an optional caption. */
export async function attachFile(
  on: Page,
  name: string,
  mimeType: string,
  buffer: Buffer,
  caption = '',
): Promise<void> {
  if (caption) await on.getByTestId('composer-input').fill(caption);
  await on.getByTestId('composer-file-input').setInputFiles({ name, mimeType, buffer });
  await attachmentCard(on, name).waitFor({ timeout: 60_000 });
}
