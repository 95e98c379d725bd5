import {
  ATTACHMENT_DIGEST_BYTES,
  ATTACHMENT_KEY_BYTES,
  attachmentCiphertextLength,
  type AttachmentDecryptParams,
} from '@opendescent/crypto';
import type { AttachmentView } from './attachment-api';
import { fromB64, toB64 } from './encoding';
import { MessengerError } from './errors';
import type { AttachmentRef } from './payload';
import type { AttachmentSecret, MessageRecord } from './records';

/**
 * An attachment between the message record (view + secret, records.ts) and the `text` payload's
 * `attachment` field (attachments.md §3, payload.ts), both ways.
 */

/** The payload field of one of our messages whose file is on the relay. */
export function attachmentRef(message: MessageRecord): AttachmentRef {
  const view = message.attachment;
  const secret = message.attachmentSecret;
  if (!view || !secret?.relay || !secret.attachmentId || secret.relayExpiresAt === undefined)
    throw new MessengerError('internal', 'the file is not uploaded yet');
  return {
    relay: secret.relay,
    id: secret.attachmentId,
    key: toB64(secret.key),
    digest: toB64(secret.digest),
    ...(secret.version === 2 ? { format: 2 as const } : {}),
    size: view.size,
    name: view.name,
    type: view.type,
    expiresAt: secret.relayExpiresAt,
    ...(view.thumbnail
      ? {
          thumbnail: {
            data: toB64(view.thumbnail.data),
            type: view.thumbnail.type,
            width: view.thumbnail.width,
            height: view.thumbnail.height,
          },
        }
      : {}),
  };
}

/**
 * What a received payload's file becomes: shown as `available` (or `expired` when the relay's date
 * has passed), with the key and digest kept apart. Refuses a relay this organisation does not use:
 * a sender must not make this device fetch from anywhere else.
 */
export function receivedAttachment(
  ref: AttachmentRef,
  relayUrls: readonly string[],
  nowSeconds: number,
): { view: AttachmentView; secret: AttachmentSecret } {
  if (!relayUrls.includes(ref.relay))
    throw new MessengerError('internal', 'a file on a relay this organisation does not use');
  const key = fromB64(ref.key);
  const digest = fromB64(ref.digest);
  if (key.length !== ATTACHMENT_KEY_BYTES || digest.length !== ATTACHMENT_DIGEST_BYTES)
    throw new MessengerError('internal', 'a file key or digest of the wrong length');
  const thumbnail = ref.thumbnail
    ? {
        data: fromB64(ref.thumbnail.data),
        type: ref.thumbnail.type,
        width: ref.thumbnail.width,
        height: ref.thumbnail.height,
      }
    : undefined;
  const expired = ref.expiresAt <= nowSeconds;
  return {
    view: {
      name: safeName(ref.name),
      type: ref.type.toLowerCase(),
      size: ref.size,
      state: expired ? 'expired' : 'available',
      ...(expired ? { problem: 'attachment_expired' } : {}),
      ...(thumbnail ? { thumbnail } : {}),
    },
    secret: {
      key,
      digest,
      ...(ref.format === 2 ? { version: 2 as const } : {}),
      length: attachmentCiphertextLength(ref.size),
      relay: ref.relay,
      attachmentId: ref.id,
      relayExpiresAt: ref.expiresAt,
    },
  };
}

/** What opens and checks a file of `size` bytes: a secret without a format is of format 1. */
export function decryptParams(secret: AttachmentSecret, size: number): AttachmentDecryptParams {
  return { key: secret.key, size, digest: secret.digest, version: secret.version ?? 1 };
}

/**
 * A file name to show and to save under: its last path segment, without control characters or
 * the characters file systems refuse, never empty, never a dot name. The sender chose it; it is
 * only ever a suggestion.
 */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '_').trim();
  return cleaned.length === 0 || /^\.+$/.test(cleaned) ? 'file' : cleaned.slice(0, 255);
}
