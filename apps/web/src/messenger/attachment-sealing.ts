import type { AttachmentChunks } from '../store/attachment-chunks';
import { MAX_ATTACHMENT_TYPE_CHARACTERS, type AttachmentView } from './attachment-api';
import { isAttachmentFileError, makeThumbnail, sealFile } from './attachment-files';
import { safeName } from './attachment-payload';
import { MessengerError } from './errors';
import type { AttachmentSecret } from './records';

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
): Promise<{ view: AttachmentView; secret: AttachmentSecret }> {
  const type =
    file.type.length <= MAX_ATTACHMENT_TYPE_CHARACTERS && MIME_TYPE.test(file.type)
      ? file.type.toLowerCase()
      : 'application/octet-stream';
  const thumbnail = type.startsWith('image/') ? await makeThumbnail(file, type).catch(() => undefined) : undefined;
  try {
    const sealed = await sealFile(chunks, file);
    return {
      view: { name: safeName(name), type, size: sealed.size, state: 'uploading', ...(thumbnail ? { thumbnail } : {}) },
      secret: { key: sealed.key, digest: sealed.digest, length: sealed.length, localId: sealed.localId },
    };
  } catch (error) {
    if (isAttachmentFileError(error, 'storage_full'))
      throw new MessengerError('storage_full', 'no room is left for files on this device');
    if (isAttachmentFileError(error, 'read_failed'))
      throw new MessengerError('not_found', 'the file could not be read: it may have changed or been removed');
    throw error;
  }
}
