import type { AttachmentChunks } from '../store/attachment-chunks';
import { MAX_ATTACHMENT_TYPE_CHARACTERS, type AttachmentView } from './attachment-api';
import { isAttachmentFileError, makeThumbnail, sealFile } from './attachment-files';
import { safeName } from './attachment-payload';
import { MessengerError } from './errors';
import { TABLES, type AttachmentSecret } from './records';
import type { VaultLike } from './transaction';

/** A MIME type as the payload admits it (payload.ts); anything else is sent as a plain file. */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/**
 * A file picked, pasted or dropped, made ready to send (attachments.md §5): its thumbnail (images,
 * made here, before anything leaves the device), then its chunks sealed under a fresh key into
 * this device's store. What comes back is the message's attachment: the view the page shows
 * (`uploading`) and the secret the worker keeps.
 */
export async function sealForMessage(
  chunks: AttachmentChunks,
  file: Blob,
  name: string,
  localId?: string,
): Promise<{ view: AttachmentView; secret: AttachmentSecret }> {
  const type =
    file.type.length <= MAX_ATTACHMENT_TYPE_CHARACTERS && MIME_TYPE.test(file.type)
      ? file.type.toLowerCase()
      : 'application/octet-stream';
  const thumbnail = type.startsWith('image/') ? await makeThumbnail(file, type).catch(() => undefined) : undefined;
  try {
    const sealed = await sealFile(chunks, file, {}, localId);
    return {
      view: { name: safeName(name), type, size: sealed.size, state: 'uploading', ...(thumbnail ? { thumbnail } : {}) },
      secret: {
        key: sealed.key,
        digest: sealed.digest,
        ...(sealed.version === 2 ? { version: 2 as const } : {}),
        length: sealed.length,
        localId: sealed.localId,
      },
    };
  } catch (error) {
    if (isAttachmentFileError(error, 'storage_full'))
      throw new MessengerError('storage_full', 'no room is left for files on this device');
    if (isAttachmentFileError(error, 'read_failed'))
      throw new MessengerError('not_found', 'the file could not be read: it may have changed or been removed');
    throw error;
  }
}

/**
 * A file is sealed before its message exists (outside `exclusive`: sealing reads the whole file),
 * so a tab closed in between leaves sealed chunks no message names. Each sealing is noted first,
 * the note deleted in the change that composes its message (or when sealing fails), and notes
 * left by an earlier run of the messenger (an earlier unlock: MessengerContext.run) are swept, with their chunks, at the next start. A note
 * carries the run it was made in, so a sweep never takes a file this run is still sealing.
 */
interface SealingRecord {
  readonly v: 1;
  readonly localId: string;
  readonly run: string;
  readonly at: number;
}

export async function noteSealing(vault: VaultLike, localId: string, run: string, at: number): Promise<void> {
  const batch = vault.batch();
  batch.put(TABLES.sealing, '', localId, { v: 1, localId, run, at } satisfies SealingRecord);
  await vault.commit(batch);
}

export async function forgetSealing(vault: VaultLike, localId: string): Promise<void> {
  const batch = vault.batch();
  batch.delete(TABLES.sealing, '', localId);
  await vault.commit(batch);
}

/** Deletes the chunks of every sealing an earlier run (not `run`) left unfinished; returns how many files went. */
export async function sweepUnfinishedSealing(vault: VaultLike, run: string): Promise<number> {
  let swept = 0;
  for (const note of await vault.list<SealingRecord>(TABLES.sealing, '')) {
    if (note.run === run) continue;
    await vault.attachmentChunks.delete(note.localId);
    await forgetSealing(vault, note.localId);
    swept += 1;
  }
  return swept;
}
