/**
 * How many bytes of attachments one device keeps. Browsers give an origin a share of the disk
 * (Chromium: up to 60% of it per origin, and evicts "best effort" origins under pressure), so the
 * client keeps its own, much lower ceiling: 2 GiB of files is what a work messenger's history
 * typically needs on a device, and stays well under that quota on the disk of any work laptop.
 */
import type { AttachmentChunks } from '../store/attachment-chunks';
import { AttachmentFileError } from './attachment-file-error';

export const ATTACHMENT_STORAGE_BUDGET_BYTES = 2 * 1024 ** 3;

/**
 * Refuses 'storage_full' when `length` more sealed bytes would pass the budget. A check, not a
 * reservation: two transfers started together may pass it by the smaller one's length.
 */
export async function checkStorageBudget(
  chunks: AttachmentChunks,
  length: number,
  budgetBytes: number = ATTACHMENT_STORAGE_BUDGET_BYTES,
): Promise<void> {
  const used = await chunks.bytesUsed();
  if (used + length > budgetBytes)
    throw new AttachmentFileError('storage_full', `the device keeps at most ${budgetBytes} bytes of attachments`);
}
