import {
  MAX_DEVICE_LINK_TRANSFER_BYTES,
  MAX_GROUP_CHANGE_BYTES,
  frameAppPayload,
  unframeAppPayload,
} from '@opendescent/protocol';
import { utf8Decode, utf8Encode } from '@opendescent/crypto';
import { z } from 'zod';
import { directSignalSchemas } from './direct/direct-signals';

/**
 * The application payloads two devices exchange inside their ratchet or Sender Key messages
 * (docs/protocol/messages.md §4): a version byte, then UTF-8 JSON checked here field by field.
 * Binary fields are unpadded base64url. A payload that does not validate is dropped whole.
 */
const b64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(4096);
/** Unpadded base64url of at most `bytes` bytes. */
const b64Sized = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/)
    .max(Math.ceil((bytes * 4) / 3));
/** A handover record is sent in parts that fit one payload (MAX_APP_PAYLOAD_BYTES). */
export const GROUP_WELCOME_PART_BYTES = 30_000;
/** The largest chain record (a 1,000-member state and 16 full changes) fits in this many parts. */
export const MAX_GROUP_WELCOME_PARTS = 32;
const id = z.string().regex(/^[0-9a-f]{32}$/);
const address = z.string().min(3).max(254);
const queueRef = z.strictObject({ relay: z.string().url().max(512), senderId: b64url });
const seconds = z
  .number()
  .int()
  .min(1)
  .max(31 * 86_400)
  .nullable();

/**
 * A file sent with a text (attachments.md §3): where it is (a relay of this organisation, checked on
 * receipt), the key and digest that open and check it, and what a person sees before opening it.
 * The relay never sees any of it: it travels inside the end-to-end encrypted payload.
 */
export const MAX_THUMBNAIL_BYTES = 16 * 1024;
const attachmentRef = z.strictObject({
  relay: z.string().url().max(512),
  id,
  key: b64Sized(32).length(43),
  digest: b64Sized(32).length(43),
  /** The attachment format (attachments.md §2); absent is format 1, what earlier clients sent. */
  format: z.literal(2).optional(),
  size: z
    .number()
    .int()
    .min(0)
    .max(4 * 1024 ** 3),
  name: z.string().min(1).max(255),
  type: z
    .string()
    .max(127)
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i),
  expiresAt: z.number().int().nonnegative(),
  thumbnail: z
    .strictObject({
      data: b64Sized(MAX_THUMBNAIL_BYTES).min(1),
      type: z.enum(['image/webp', 'image/jpeg']),
      width: z.number().int().min(1).max(320),
      height: z.number().int().min(1).max(320),
    })
    .optional(),
});
export type AttachmentRef = z.infer<typeof attachmentRef>;

/**
 * A message named by another payload (messages.md §5.2, §5.8): its author, the id the author chose
 * and, unless it is a copy from a history bundle (which names no device), the device that sent it.
 */
const messageRef = z.strictObject({
  from: address,
  id,
  device: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});
export type MessageRef = z.infer<typeof messageRef>;
const MAX_MENTIONS = 50;
const mentions = z.array(address).min(1).max(MAX_MENTIONS);
const at = z.number().int().nonnegative();

const conversationRef = z.discriminatedUnion('kind', [
  // A direct conversation is named by the other user's address, seen from the sender: the
  // receiver maps it (the sender's address, or for a copy to one's own device, `with`).
  z.strictObject({ kind: z.literal('direct'), with: address }),
  z.strictObject({ kind: z.literal('group'), groupId: id }),
]);

export const appPayloadSchema = z.discriminatedUnion('t', [
  /**
   * The queue the sender reads this peer's messages from (messages.md §5.1); sent until
   * acknowledged. With the sender's certificate (user-keys.md §2) once it has one, so a peer can
   * approve a device it has not looked up since.
   */
  z.strictObject({ t: z.literal('hello'), replyQueue: queueRef, certificate: b64url.optional() }),
  /** A text, or a file with an optional caption (`body` may then be empty). */
  z
    .strictObject({
      t: z.literal('text'),
      id,
      conversation: conversationRef,
      body: z.string().max(4_000),
      sentAt: z.number().int().nonnegative(),
      expireAfter: seconds.optional(),
      attachment: attachmentRef.optional(),
      /** The message this one answers. */
      replyTo: messageRef.optional(),
      /** Members named in `body` as `@Name` (groups). */
      mentions: mentions.optional(),
    })
    .refine((text) => text.body.length > 0 || text.attachment !== undefined, 'a text without a body carries a file'),
  z.strictObject({ t: z.literal('receipt'), ids: z.array(id).min(1).max(256) }),
  /** Read by the sender's user (messages.md §5.8): only while its read receipts are on. */
  z.strictObject({ t: z.literal('read'), ids: z.array(id).min(1).max(256) }),
  /** The sender's reaction to a message; null takes it back (one per person: the newest `at` holds). */
  z.strictObject({
    t: z.literal('reaction'),
    conversation: conversationRef,
    target: messageRef,
    emoji: z.string().min(1).max(32).nullable(),
    at,
  }),
  /** A new text for one of the sender's own messages, within the edit window. */
  z.strictObject({
    t: z.literal('edit'),
    conversation: conversationRef,
    target: messageRef,
    body: z.string().min(1).max(4_000),
    mentions: mentions.optional(),
    at,
  }),
  /** One of the sender's own messages deleted for everyone, within the deletion window. */
  z.strictObject({ t: z.literal('delete'), conversation: conversationRef, target: messageRef, at }),
  /** The sender's user is typing in the conversation (true, repeated) or stopped; never stored. */
  z.strictObject({ t: z.literal('typing'), conversation: conversationRef, typing: z.boolean(), at }),
  /** One signed change of a group's chain (groups.md §3), to every member device of the new state and those it removed. */
  z.strictObject({
    t: z.literal('group_change'),
    groupId: id,
    change: b64Sized(MAX_GROUP_CHANGE_BYTES),
  }),
  /**
   * A group's chain handed over to a new member or one of our new devices (groups.md §5.4), in
   * parts of at most GROUP_WELCOME_PART_BYTES: `digest` is the SHA-256 of the whole record.
   */
  z.strictObject({
    t: z.literal('group_welcome'),
    groupId: id,
    digest: b64Sized(32),
    part: z
      .number()
      .int()
      .min(0)
      .max(MAX_GROUP_WELCOME_PARTS - 1),
    parts: z.number().int().min(1).max(MAX_GROUP_WELCOME_PARTS),
    data: b64Sized(GROUP_WELCOME_PART_BYTES),
  }),
  z.strictObject({ t: z.literal('sender_key'), groupId: id, distribution: b64url, fanoutKey: b64url }),
  z.strictObject({
    t: z.literal('disappearing'),
    conversation: conversationRef,
    seconds,
    at: z.number().int().nonnegative().optional(),
  }),
  /** A signed bundle of earlier messages for one new member (messages.md §5.7). */
  z.strictObject({ t: z.literal('history'), bundle: z.string().min(1).max(50_000), signature: b64url }),
  /** Tells the members that a bundle was shared, so nobody's history travels unseen. */
  z.strictObject({
    t: z.literal('history_shared'),
    conversation: conversationRef,
    with: address,
    count: z.number().int().min(1).max(100),
    at: z.number().int().nonnegative(),
  }),
  /** The sender's user has a new device: look the user up again (messages.md §5.4). */
  z.strictObject({ t: z.literal('devices_changed') }),
  /**
   * The newest signed tree head of the transparency log the sender holds (transparency-log.md §3.4):
   * the receiver checks it against its own, so a log shown differently to two people is caught.
   */
  z.strictObject({ t: z.literal('tree_head'), head: b64url.max(400) }),
  /** A device-link transfer (user-keys.md §4) from one of the user's devices to a new one, sealed to it. */
  z.strictObject({
    t: z.literal('link'),
    transfer: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/)
      .min(1)
      .max(Math.ceil((MAX_DEVICE_LINK_TRANSFER_BYTES * 4) / 3)),
  }),
  /** A direct channel's offer, answer or close (direct.md §3), between two approved devices only. */
  ...directSignalSchemas,
]);

export type AppPayload = z.infer<typeof appPayloadSchema>;
export type ConversationRef = z.infer<typeof conversationRef>;

export function encodeAppPayload(payload: AppPayload): Uint8Array {
  return frameAppPayload(utf8Encode(JSON.stringify(appPayloadSchema.parse(payload))));
}

/** Throws on anything that is not a valid payload of this version. */
export function decodeAppPayload(bytes: Uint8Array): AppPayload {
  const json: unknown = JSON.parse(utf8Decode(unframeAppPayload(bytes)));
  return appPayloadSchema.parse(json);
}

/** The signed inside of a `history` payload (messages.md §5.7). */
export const historyBundleSchema = z.strictObject({
  v: z.literal(1),
  conversation: conversationRef,
  sharedWith: address,
  sharedAt: z.number().int().nonnegative(),
  messages: z
    .array(
      z.strictObject({
        id,
        from: address,
        name: z.string().max(120),
        sentAt: z.number().int().nonnegative(),
        body: z.string().min(1).max(4_000),
      }),
    )
    .min(1)
    .max(100),
});
export type HistoryBundle = z.infer<typeof historyBundleSchema>;
