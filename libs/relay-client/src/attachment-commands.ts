import {
  ATTACH_CREATE_COST,
  MAX_ATTACHMENT_FETCHES,
  encodeAttachCreate,
  isAttachmentCiphertextLength,
} from '@opendescent/protocol';
import { RelayRequestError } from './errors';
import type { RelayConnection } from './relay-connection';

/**
 * The socket.io half of an attachment upload (docs/protocol/relay.md §3.15, attachments.md §4.1):
 * the relay admits an upload and hands back the two capabilities. The bytes then travel over HTTP
 * (attachment-transfer.ts).
 */

export interface AdmittedAttachment {
  /** Writes: the sender keeps it to itself, to upload and resume. */
  readonly uploadId: Uint8Array;
  /** Reads: what the message gives every recipient. */
  readonly attachmentId: Uint8Array;
  /** Unix seconds: gone then, fetched or not. */
  readonly expiresAt: number;
}

export interface AttachmentRequest {
  /** The ciphertext length (attachmentCiphertextLength of the file's size). */
  readonly length: number;
  /** One per recipient device, the sender's other devices included. */
  readonly fetches: number;
  /** Seconds; 0 is the relay's default. */
  readonly ttl?: number;
}

/** What can be known without a connection: a length that is not a padded one, or a fetch count out of range. */
export function attachmentRequestProblem(request: AttachmentRequest): 'malformed' | 'oversized' | undefined {
  if (!isAttachmentCiphertextLength(request.length)) return 'malformed';
  if (!Number.isInteger(request.fetches) || request.fetches < 1) return 'malformed';
  if (request.fetches > MAX_ATTACHMENT_FETCHES) return 'oversized';
  return undefined;
}

/** §3.15: admits the upload; costs 4 tokens (§8.3). */
export async function attachCreate(
  connection: RelayConnection,
  request: AttachmentRequest,
): Promise<AdmittedAttachment> {
  const problem = attachmentRequestProblem(request);
  if (problem !== undefined) throw new RelayRequestError(problem, `attach_create: ${problem}`);
  const reply = await connection.command(
    'attach_create',
    (requestId) =>
      encodeAttachCreate({ requestId, ttl: request.ttl ?? 0, length: request.length, fetches: request.fetches }),
    ATTACH_CREATE_COST,
  );
  return { uploadId: reply.uploadId, attachmentId: reply.attachmentId, expiresAt: reply.expiresAt };
}
