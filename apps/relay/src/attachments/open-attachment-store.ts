/**
 * The embedded attachment store (relay.md §3.15): the memory index over files. Opened by
 * bootstrap.ts before Nest starts, as the relay store is, so a relay that cannot write its
 * directory never listens.
 */
import type { AttachmentBytes, AttachmentIndex, AttachmentStore } from './attachment-store';
import { FilesystemAttachmentBytes } from './filesystem-attachment-bytes';
import { MemoryAttachmentIndex } from './memory-attachment-index';

export interface AttachmentStoreSettings {
  /** RELAY_ATTACHMENT_DIR; unset, a fresh private directory under the system's temporary one. */
  readonly directory?: string | undefined;
  /** RELAY_ATTACHMENT_STORE_MAX_BYTES. */
  readonly maxReservedBytes: number;
}

export async function openAttachmentStore(settings: AttachmentStoreSettings): Promise<AttachmentStore> {
  const bytes = await FilesystemAttachmentBytes.open(settings.directory);
  return composeAttachmentStore(new MemoryAttachmentIndex(settings.maxReservedBytes), bytes);
}

/**
 * Joins an index and a bytes store, first deleting the bytes the index does not know: with the
 * memory index, everything a previous run left (nobody holds a way to reach it any more). Closing
 * a volatile index deletes the bytes it knew, for the same reason.
 */
export async function composeAttachmentStore(index: AttachmentIndex, bytes: AttachmentBytes): Promise<AttachmentStore> {
  for (const attachmentId of await bytes.attachmentIds()) {
    if (!(await index.knows(attachmentId))) await bytes.delete(attachmentId);
  }
  return {
    index,
    bytes,
    async close(): Promise<void> {
      if (!index.durable) {
        for (const attachmentId of await index.attachmentIds()) await bytes.delete(attachmentId).catch(() => undefined);
      }
      await index.close();
      await bytes.close();
    },
  };
}
