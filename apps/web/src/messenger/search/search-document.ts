import { sha256, utf8Encode } from '@opendescent/crypto';
import type { MessageRecord } from '../records';

/**
 * What the search index holds of one message: the words it is found by (its text, its file's
 * name, its sender's display name) and what a hit needs to open it (the conversation and message
 * ids, in `id`, and when it was sent). System lines are not indexed: they are the app's words,
 * not the user's. Plain data, so that a journal record can carry it (search-store.ts).
 */
export interface SearchDocument {
  /** `${conversationId}/${messageId}` (docIdOf). */
  readonly id: string;
  readonly text?: string;
  readonly file?: string;
  readonly sender?: string;
  readonly sentAt: number;
  /** Always absent now: disappearing messages are not indexed (searchDocumentOf). Kept for older journals. */
  readonly expiresAt?: number;
  /**
   * The first 32 bits of SHA-256 over what is indexed: a message rewritten with the same words (a
   * delivery status, an attachment's state) is not re-indexed nor journalled again.
   */
  readonly f: number;
}

/** The message's fields MiniSearch indexes, and those it keeps for a hit. */
export const INDEXED_FIELDS = ['text', 'file', 'sender'] as const;
export const STORED_FIELDS = ['sentAt', 'expiresAt', 'f'] as const;

const SEPARATOR = '/';

/**
 * The index's id of a message; undefined for a conversation id holding the separator, which
 * could not be split back (conversation ids are hex: conversations.ts, groups' chain ids).
 */
export function docIdOf(conversationId: string, messageId: string): string | undefined {
  return conversationId.includes(SEPARATOR) ? undefined : `${conversationId}${SEPARATOR}${messageId}`;
}

/** The inverse of docIdOf: split at the first separator (message ids may hold one). */
export function splitDocId(id: string): { conversationId: string; messageId: string } {
  const at = id.indexOf(SEPARATOR);
  return { conversationId: id.slice(0, at), messageId: id.slice(at + 1) };
}

/** Everything that searching for a message looks at, hashed; see SearchDocument.f. */
function fingerprint(parts: readonly unknown[]): number {
  const digest = sha256(utf8Encode(JSON.stringify(parts)));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
}

/** What a message is found by, or undefined when there is nothing to find it by (or it is a system line). */
export function searchDocumentOf(message: MessageRecord): SearchDocument | undefined {
  if (message.system !== undefined) return undefined;
  // A disappearing message is never indexed: its words would outlive it in the journal and the
  // snapshot (sealed, but kept) until the next compaction.
  if (message.expiresAt !== undefined) return undefined;
  const text = message.text?.trim() ? message.text : undefined;
  const file = message.attachment?.name.trim() ? message.attachment.name : undefined;
  if (text === undefined && file === undefined) return undefined;
  const id = docIdOf(message.conversationId, message.id);
  if (id === undefined) return undefined;
  const sender = message.sender?.displayName || undefined;
  const { sentAt, expiresAt } = message;
  return {
    id,
    ...(text !== undefined && { text }),
    ...(file !== undefined && { file }),
    ...(sender !== undefined && { sender }),
    sentAt,
    ...(expiresAt !== undefined && { expiresAt }),
    f: fingerprint([text, file, sender, sentAt, expiresAt]),
  };
}
