import type { DirectSetting } from './direct/direct-ports';
import type { DeviceTrust, MessageView, NotifyLevel } from './api';
import type { MessageRef } from './payload';

/**
 * What the messenger keeps in its vault (every record sealed at rest by ../store/vault.ts).
 * Plain data with Uint8Array fields; each record type carries `v` so a later change can migrate
 * it (docs/protocol/messages.md §7).
 */
export const TABLES = {
  self: 'self',
  contacts: 'contacts',
  peers: 'peers',
  conversations: 'conversations',
  messages: 'messages',
  outbox: 'outbox',
  seen: 'seen',
  groupKeys: 'group-keys',
  sent: 'sent',
  parked: 'parked',
  expiring: 'expiring',
  /** The order of each conversation's messages, for paging (message-index.ts). */
  messageIndex: 'message-index',
  /** Unspent relay access tokens, one record per relay origin (../net/access-token-wallet.ts): bearer credentials. */
  accessTokens: 'access-tokens',
  /** Each group's signed state chain (groups.md §5.3), one record per group id (group-chain-store.ts). */
  groupChains: 'group-chains',
  /** Uploads and downloads under way, by message id (attachment-transfers.ts): resumed at the next start. */
  attachmentJobs: 'attachment-jobs',
  /**
   * Reactions, edits and deletions that named a message this device does not hold yet (it travels
   * on another queue and may arrive later), by conversation and the message's key (message-refs.ts).
   */
  earlyChanges: 'early-changes',
  /** Files being sealed for a message not composed yet (attachment-sealing.ts): swept at the next start if it never is. */
  sealing: 'attachment-sealing',
  /** Files this device sent, by the relay's attachment id: served over a direct channel (direct/served-files.ts). */
  servedFiles: 'served-files',
} as const;
export type CachedTable =
  'self' | 'contacts' | 'peers' | 'conversations' | 'group-keys' | 'outbox' | 'parked' | 'expiring';

export interface QueueRecord {
  readonly relay: string;
  readonly recipientId: Uint8Array;
  readonly senderId: Uint8Array;
  /** Ed25519 seed of the queue's recipient key (relay.md §3.3): one key per queue. */
  readonly keySeed: Uint8Array;
}

export interface QueueAddress {
  readonly relay: string;
  readonly senderId: Uint8Array;
}

export interface SelfRecord {
  readonly v: 1;
  /** exportDeviceIdentity's record. */
  readonly identity: Uint8Array;
  readonly address: string;
  readonly displayName: string;
  readonly deviceId: Uint8Array;
  readonly orgId: Uint8Array;
  readonly orgKeys: readonly Uint8Array[];
  /** Ends that organisation-key statements gave (attestations.md §4), Unix seconds by hex public key. */
  readonly orgKeyEnds?: Readonly<Record<string, number>>;
  /** The sequence of the last organisation-key statement applied (absent: none). */
  readonly orgKeySequence?: number;
  /** When the organisation's keys were last fetched (ms). */
  readonly orgKeysCheckedAt?: number;
  /** A statement or organisation document that did not verify at the last fetch: shown until one does. */
  readonly orgKeyAlert?: { readonly code: string; readonly at: number } | undefined;
  /** The newest signed tree head of the transparency log this device verified (log-monitor.ts). */
  readonly logHead?: Uint8Array;
  readonly logCheckedAt?: number;
  /** What the last log check found wrong; a fork stays, with the contradicting head as evidence. */
  readonly logAlert?: { readonly code: string; readonly at: number; readonly evidence?: Uint8Array } | undefined;
  readonly attestation: Uint8Array;
  /**
   * The person's user key (user-keys.md §1): its 32-byte Ed25519 seed, held by every approved
   * device of the person; absent until this device made it (the first device) or received it
   * through the device link.
   */
  readonly userKey?: Uint8Array;
  /** This device's certificate under the user key (user-keys.md §2). */
  readonly certificate?: Uint8Array;
  /** The admin app stores the certificate (admin-api.md §12); retried until it does. */
  readonly certificatePublished?: boolean;
  /** Another device of the person holds the user key: this one waits for the device link. */
  readonly awaitingLink?: boolean;
  readonly expiresAt: number;
  readonly renewAfter: number;
  readonly slotId: Uint8Array;
  readonly slotKeySeed: Uint8Array;
  /** serializePrekeyState's record. */
  readonly prekeys: Uint8Array;
  readonly intro?: QueueRecord;
  /** The slot holds our current prekeys and intro queue. */
  readonly published: boolean;
  readonly revocationList?: Uint8Array;
  readonly revocationVersion: number;
  /** Last sentAt used, so our own messages are strictly ordered (messages.md §6). */
  readonly clock: number;
  /** PreferencesView (api.ts); absent: on. */
  readonly readReceipts?: boolean;
  readonly typingIndicators?: boolean;
  /** Direct channels (direct.md §8); absent: `direct`. */
  readonly directChannels?: DirectSetting;
}

export interface ContactDeviceRecord {
  readonly deviceId: string;
  readonly attestation: Uint8Array;
  readonly signingKey: Uint8Array;
  readonly agreementKey: Uint8Array;
  readonly slotId?: Uint8Array;
  readonly trust: DeviceTrust;
  readonly addedAt: number;
  /** Hex leaf hash of the attestation found in the transparency log (log-monitor.ts). */
  readonly loggedLeaf?: string;
  /** Its attestation was proven absent from the log: nothing is written to it. */
  readonly notLogged?: boolean;
  /** Its certificate by its person's user key, as last seen (directory answer or hello). */
  readonly certificate?: Uint8Array;
  /**
   * The certificate verifies under the person's pinned user key (user-keys.md §2.5): only then
   * is the device sent anything. Absent or false: shown as unapproved.
   */
  readonly approved?: boolean;
}

export interface ContactRecord {
  readonly v: 1;
  readonly address: string;
  readonly displayName: string;
  readonly lookedUpAt: number;
  /** Last look-up prompted by a `devices_changed` hint (rate limit, messages.md §5.4). */
  readonly hintedAt?: number;
  readonly devices: Readonly<Record<string, ContactDeviceRecord>>;
  /** The person's user key, pinned at first sight of a valid certificate (trust on first use, user-keys.md §2.5). */
  readonly userKey?: Uint8Array;
  /** Another user key seen for the person (a security-key change): its devices get nothing until accepted. */
  readonly changedUserKey?: Uint8Array;
  /** Keys the user moved away from by accepting a change (the last eight): their devices stay unapproved, without a new alert. */
  readonly replacedUserKeys?: readonly Uint8Array[];
  /** The user key this user verified (safety number, user-keys.md §5); verified while it is the pinned one. */
  readonly verifiedUserKey?: Uint8Array;
}

export interface SessionRecord {
  /** Hex of the initiator's ephemeral key: names the handshake this session came from. */
  readonly id: string;
  /** serializeSession's record. */
  readonly state: Uint8Array;
  /** Something arrived on it: the peer holds it too, so an initiation need not be repeated. */
  readonly confirmed: boolean;
  /** Our handshake initiation, repeated in front of every message until confirmed (messages.md §3). */
  readonly initiation?: Uint8Array;
}

/** Another device's Sender Key for one group, and the fan-out key its envelopes are sealed with. */
export interface ReceivedGroupKey {
  readonly groupId: string;
  readonly fanoutKey: Uint8Array;
  /** The sender's fan-out keys before its last rotations, newest first (received-group-keys.ts). */
  readonly previousFanoutKeys?: readonly { readonly key: Uint8Array; readonly replacedAt: number }[];
  /** serializeSenderKeyReceiverState's record. */
  readonly state: Uint8Array;
}

/** The pairwise channel with one other device (ours or a contact's). */
export interface PeerRecord {
  readonly v: 1;
  readonly deviceId: string;
  readonly address: string;
  /** Most preferred first; at most three kept. */
  readonly sessions: readonly SessionRecord[];
  /** The queue we read this device's messages from. */
  readonly inbox?: QueueRecord;
  /** Its queue for us, from its hello; until then its introduction queue. */
  readonly outbox?: QueueAddress;
  readonly intro?: QueueAddress;
  /** We told it our inbox and it has answered since. */
  readonly helloAcknowledged: boolean;
  readonly groupKeys: readonly ReceivedGroupKey[];
  readonly revoked: boolean;
  /** The tree size of the last log head we sent this device, and when (ms): gossip (log-gossip.ts). */
  readonly headSent?: { readonly treeSize: number; readonly at: number };
  /** Blobs refused with `auth` (its queue is gone, e.g. a relay restarted without its store). */
  readonly held?: readonly HeldBlob[];
}

export interface ConversationRecord {
  readonly v: 1;
  readonly id: string;
  readonly kind: 'direct' | 'group';
  /** Direct: the other user's address. */
  readonly peer?: string;
  readonly title?: string;
  /** Group: every member's address, ours included. */
  readonly members: readonly string[];
  /** Group: the epoch of the head of its chain (groups.md §2); 0 on direct conversations. */
  readonly groupVersion: number;
  /** Group: roles and settings at the head of its chain (groups.md §2), for posting and managing. */
  readonly group?: GroupSummary;
  readonly active: boolean;
  readonly disappearAfterSeconds: number | null;
  readonly unread: number;
  readonly updatedAt: number;
  readonly lastPreview?: string;
  readonly lastAt?: number;
  /** When this user last read it (ms); absent: never. */
  readonly lastReadAt?: number;
  /** Unread messages that mention this user. */
  readonly unreadMentions?: number;
  /** Absent: the default (NotifyLevel, api.ts). */
  readonly notify?: NotifyLevel;
}

export interface GroupSummary {
  readonly admins: readonly string[];
  readonly announcementOnly: boolean;
  readonly addBy: 'admins' | 'everyone';
}

/** A group's chain as this member holds it (group-chain-store.ts). */
export interface GroupChainRecord {
  readonly v: 1;
  readonly groupId: string;
  /** GroupChain.serialise's record (groups.md §5.3); absent while a handover is still arriving. */
  readonly chain?: Uint8Array;
  /** This device's own changes, the last 16: one a competitor beat is re-issued on the new head (§5.1). */
  readonly mine: readonly Uint8Array[];
  /**
   * Changes held, at most 64: by an author this device cannot resolve yet (not looked up), tried
   * again with each change and once the author is looked up; or arrived before the handover.
   */
  readonly unresolved: readonly Uint8Array[];
  /** Devices (`address deviceId`) a change could not reach: sent the branch every GROUP_RETRY_MS (group-delivery.ts). */
  readonly owed?: readonly string[];
  /** A handover arriving in parts (messages.md §5.3 `group_welcome`). */
  readonly incoming?: {
    readonly from: string;
    readonly digest: string;
    readonly parts: readonly (string | null)[];
    readonly at: number;
  };
}

/** A message as the UI sees it (api.ts), plus what only the messenger needs. */
export interface MessageRecord extends MessageView {
  readonly v: 1;
  /** The id its sender chose, where `id` (this vault's key) is another (message-identity.ts); absent: `id`. */
  readonly wireId?: string;
  /** Ours: recipient address -> delivered to at least one of its devices. */
  readonly deliveredTo?: Readonly<Record<string, boolean>>;
  /** Ours: the other users it was encrypted for when sent (delivery-status.ts waits for no one else). */
  readonly recipients?: readonly string[];
  /** What opens and finds the message's file (never shown to the page: views.ts strips it). */
  readonly attachmentSecret?: AttachmentSecret;
  /** The message this one answers, as named on the wire; `replyTo` (what is shown) is kept current from it. */
  readonly replyRef?: MessageRef;
  /** Replies held here that quote this message (their keys, at most MAX_QUOTED_BY): an edit or a deletion reaches their quotes. */
  readonly quotedBy?: readonly string[];
  /** Reactions by person; `emoji` null: taken back (kept, so an older reaction arriving late stays undone). */
  readonly reactionsBy?: Readonly<Record<string, { readonly emoji: string | null; readonly at: number }>>;
  /** Ours: recipient address -> when this device learnt that they read it. */
  readonly readAt?: Readonly<Record<string, number>>;
}

/** A reaction, edit or deletion that arrived before the message it names (message-changes.ts). */
export interface EarlyChangeRecord {
  readonly v: 1;
  /** The key the named message will have here. */
  readonly key: string;
  readonly conversationId: string;
  readonly changes: readonly {
    readonly sender: { readonly address: string; readonly displayName: string; readonly deviceId: string };
    readonly payload: MessageChangePayload;
    readonly receivedAt: number;
  }[];
}

export type MessageChangePayload =
  | { readonly t: 'reaction'; readonly target: MessageRef; readonly emoji: string | null; readonly at: number }
  | {
      readonly t: 'edit';
      readonly target: MessageRef;
      readonly body: string;
      readonly mentions?: readonly string[] | undefined;
      readonly at: number;
    }
  | { readonly t: 'delete'; readonly target: MessageRef; readonly at: number };

/**
 * The worker's half of an attachment (attachments.md §3, §5): the key and digest that open and
 * check it, where the relay keeps it, and where this device keeps its sealed chunks.
 */
export interface AttachmentSecret {
  /** K (32 bytes) and the digest of the ciphertext. */
  readonly key: Uint8Array;
  readonly digest: Uint8Array;
  /** The attachment format (attachments.md §2): 2 for files sealed since it exists; absent is 1. */
  readonly version?: 2;
  /** The ciphertext length (attachmentCiphertextLength of the size). */
  readonly length: number;
  /** The relay it was uploaded to, and the attachment id there (hex); absent while not uploaded yet. */
  readonly relay?: string;
  readonly attachmentId?: string;
  /** Unix seconds: the relay drops it then. */
  readonly relayExpiresAt?: number;
  /** Ours, while uploading: the capability that writes (hex); dropped once the upload is complete. */
  readonly uploadId?: string;
  /** Where this device keeps the sealed chunks (AttachmentChunks), once it has them. */
  readonly localId?: string;
}

/** An upload or download to carry on after a restart. */
export interface AttachmentJobRecord {
  readonly v: 1;
  readonly kind: 'upload' | 'download';
  readonly conversationId: string;
  readonly messageId: string;
}

export interface GroupKeyRecord {
  readonly v: 1;
  readonly groupId: string;
  /** serializeSenderKeyState's record. */
  readonly senderKey: Uint8Array;
  readonly fanoutKey: Uint8Array;
  /** Devices (hex ids) that hold this key. */
  readonly distributedTo: readonly string[];
  /** A member left, a device was revoked or lost its approval: rotate before the next send (sender-key-rotation.ts). */
  readonly rotate: boolean;
}

export interface OutboxEntry {
  readonly senderId: Uint8Array;
  readonly blob: Uint8Array;
  /** Whose copy this is (a recipient address), for delivery status. */
  readonly recipient: string;
  /** The recipient device (hex): where the blob is held if its queue is gone (messages.md §5.2). */
  readonly device?: string;
  /** A fan-out pointer to the record's shared envelope (envelopes.md §7), sealed at the flush: `blob` is empty. */
  readonly pointer?: true;
}

/** A blob for a device whose queue the relay no longer knows: sent again to its next queue. */
export interface HeldBlob {
  readonly blob: Uint8Array;
  readonly recipient: string;
}

export interface OutboxRecord {
  readonly v: 1;
  readonly id: string;
  readonly relay: string;
  readonly entries: readonly OutboxEntry[];
  readonly createdAt: number;
  /** The message whose status changes to `sent` once stored. */
  readonly messageRef?: { readonly conversationId: string; readonly messageId: string };
  /**
   * A group message stored once on the relay (messages.md §5.3): the fan-out envelope and the key
   * its pointers are sealed under. The flush puts it (`put_shared`), then one pointer per entry.
   */
  readonly shared?: { readonly envelope: Uint8Array; readonly fanoutKey: Uint8Array };
}

/** A blob no key opened yet (messages.md §5.2): retried when a Sender Key arrives, for an hour. */
export interface ParkedRecord {
  readonly v: 1;
  readonly id: string;
  readonly queuePeer?: string;
  readonly blob: Uint8Array;
  readonly at: number;
  /** A fan-out pointer's relay (the one that delivered it): its shared blob is fetched there. */
  readonly relay?: string;
}

/** Index of messages with a disappearing timer, kept with them (Transaction), so the sweep needs no scan. */
export interface ExpiringRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly expiresAt: number;
}
