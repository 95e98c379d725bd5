import type { DirectSetting } from './direct/direct-ports';
import type { AttachmentView } from './attachment-api';

/**
 * The contract between the UI (main thread) and the messenger (a Web Worker that holds every key
 * and every plaintext). The UI only ever sees these plain, structured-cloneable views; it never
 * holds a key, a session or the storage key. docs/decisions/0007-web-client.md explains the split.
 */

/** Where the local vault stands. `none`: nothing stored yet; `locked`: stored, key not derived. */
export type VaultState = 'none' | 'locked' | 'unlocked';

export type RelayStatus = 'connecting' | 'online' | 'offline' | 'refused';

export interface RelayView {
  readonly url: string;
  readonly status: RelayStatus;
  /** A relay error name (relay.md §4.2) when refused or offline, for people; never an id. */
  readonly detail?: string;
}

export interface ThisDeviceView {
  readonly address: string;
  readonly displayName: string;
  /** Hex, 32 characters. */
  readonly deviceId: string;
  readonly attestationExpiresAt: number;
  readonly orgId: string;
  /** Its prekeys and introduction queue are published: colleagues can start conversations with it. */
  readonly reachable: boolean;
  /**
   * The organisation's keys could not be followed at the last fetch (attestations.md §4.3): a
   * statement did not verify (`bad_signature`, `unknown_signer`…) or the document is of another
   * organisation (`wrong_organisation`). Shown until a fetch verifies.
   */
  readonly orgKeysAlert?: { readonly code: string; readonly at: number };
  /**
   * The transparency log check failed (transparency-log.md §3): `log_fork` (two signed heads no
   * single history explains; stays), `not_in_log` (this device's attestation is not in the log),
   * `bad_tree_head` (a head that does not verify).
   */
  readonly logAlert?: { readonly code: string; readonly at: number };
  /**
   * Where this device stands among its person's devices (user-keys.md §2.4):
   * - `checking`: enrolled, the directory not asked yet;
   * - `approved`: it holds the person's user key and its own certificate (the first device makes them);
   * - `unapproved`: another device of this person exists; one of them must approve this one
   *   (startDeviceLink). Until then contacts send it nothing and it sends nothing.
   */
  readonly approval: 'checking' | 'approved' | 'unapproved';
  /**
   * Devices on this address that the person's user key did not approve (hex ids): "a device was
   * added to your account without your approval" (user-keys.md §2.5). Only on an approved device.
   */
  readonly unapprovedOwnDevices: readonly string[];
}

/** A device-link offer shown by a new device (user-keys.md §3): shown, never sent or logged. */
export interface DeviceLinkOfferView {
  /** 32 characters in 8 groups of 4 joined by dashes, to type on the other device. */
  readonly code: string;
  /** What the QR code encodes: `opendescent:link?v=1&o=` and the offer's 74 bytes in base64url. */
  readonly qrPayload: string;
  /** The QR code as an SVG document made in the worker (shown as an <img>). */
  readonly qrSvg: string;
  /** ms since the epoch: the offer is dropped then (10 minutes). */
  readonly expiresAt: number;
}

/** The device an offer names, as the approving device found it in the directory (user-keys.md §3.3 step 5). */
export interface DeviceLinkCandidateView {
  /** Hex, 32 characters. */
  readonly deviceId: string;
  /** When its attestation was issued (ms since the epoch). */
  readonly attestedAt: number;
  readonly displayName: string;
}

/**
 * The organisation's revocation list as this device holds it (attestations.md §3.5). Times are ms
 * since the epoch, as everywhere in these views.
 * - `none`: no list yet, still within the grace after enrolment (nothing to say);
 * - `fresh`: before the list's next update;
 * - `stale`: past it: revocations since may be unknown here; sending goes on for the grace;
 * - `sending_held`: past the grace too: this device vouches for no colleague's device, so nothing
 *   is sent (messages wait, queued) until a fresh list arrives; receiving and reading go on.
 */
export interface RevocationView {
  readonly state: 'none' | 'fresh' | 'stale' | 'sending_held';
  /** 0 while none is held. */
  readonly version: number;
  /** The held list's next update: stale since then. */
  readonly nextUpdate?: number;
  /** While `stale`: when sending will be held; while `sending_held`: since when. */
  readonly sendingHeldFrom?: number;
  /** A list that could not be verified (its error code); the last verified one is kept. Shown until a newer one applies. */
  readonly unverified?: { readonly at: number; readonly code: string };
}

/** Why this device's keys were wiped (it was named on the revocation list). */
export interface WipedView {
  readonly reason: string;
  readonly at: number;
}

export type DeviceTrust = 'unverified' | 'verified' | 'key_changed' | 'revoked';

export interface ContactDeviceView {
  readonly deviceId: string;
  readonly trust: DeviceTrust;
  /** Its person's user key approved it (user-keys.md §2.5); an unapproved device is sent nothing. */
  readonly approved: boolean;
}

export interface MemberView {
  readonly address: string;
  readonly displayName: string;
  readonly devices: readonly ContactDeviceView[];
  /** This user (one of their other devices may also be listed). */
  readonly isSelf: boolean;
  /** Their user key changed (re-enrolment, or an attack): their new devices get nothing until this user accepts it. */
  readonly userKeyChanged?: boolean;
  /** This user verified them (safety number) under their pinned user key; with `userKeyChanged`, sending is held. */
  readonly verified?: boolean;
  /** Group: their role (groups.md §2). */
  readonly role?: GroupRoleView;
}

export type ConversationKind = 'direct' | 'group';
export type GroupRoleView = 'admin' | 'member';

/** Group settings a creator or an administrator chooses (groups.md §2). */
export interface GroupSettingsInput {
  /** Only administrators post. */
  readonly announcementOnly?: boolean;
  /** Who may add members: administrators only (the default) or every member. */
  readonly addBy?: 'admins' | 'everyone';
}

export interface ConversationView {
  readonly id: string;
  readonly kind: ConversationKind;
  /** The peer's display name for a direct conversation; the group's title otherwise. */
  readonly title: string;
  readonly members: readonly MemberView[];
  readonly lastMessage?: { readonly preview: string; readonly at: number };
  readonly unread: number;
  /** Disappearing messages: seconds after sending, or null for off. */
  readonly disappearAfterSeconds: number | null;
  /** This device left or was removed: read-only. */
  readonly active: boolean;
  /** Group: its settings, and what this user may do there (groups.md §4.2). */
  readonly group?: {
    readonly announcementOnly: boolean;
    readonly addBy: 'admins' | 'everyone';
    readonly mayPost: boolean;
    readonly mayAdd: boolean;
    readonly isAdmin: boolean;
  };
  readonly updatedAt: number;
  /** When this user last read it (ms, this device's clock): messages received after it are unread; 0 if never. */
  readonly lastReadAt: number;
  /** Unread messages that mention this user (groups). */
  readonly unreadMentions: number;
  /** Which new messages notify (NotifyLevel); a mention notifies unless `none`. */
  readonly notify: NotifyLevel;
  /** How its messages leave now (direct.md §6): over direct channels to every other member's device, some, or none. */
  readonly path: 'direct' | 'mixed' | 'relay';
}

/**
 * Which messages of a conversation raise a notification: every one, only those that mention this
 * user, or none. Default: `all`, except `mentions` in groups of more than MENTIONS_ONLY_GROUP_SIZE
 * members (a large group would otherwise notify all day).
 */
export type NotifyLevel = 'all' | 'mentions' | 'none';
export const MENTIONS_ONLY_GROUP_SIZE = 20;

/**
 * This user's choices that other people can notice (messages.md §5.8): both on by default, as in
 * the messengers staff already use, and both reciprocal: with read receipts off this device sends
 * none and shows none of others' (`delivered` stays); with typing indicators off it sends none and
 * shows none.
 */
export interface PreferencesView {
  readonly readReceipts: boolean;
  readonly typingIndicators: boolean;
  /**
   * Direct channels to colleagues' devices (direct.md §8, decision 0015): `direct` by default;
   * `turn_only` hides this device's address from the peer behind the organisation's TURN server;
   * `off` sends everything through the relay.
   */
  readonly directChannels: DirectSetting;
}

/** A message of ours may be edited, or deleted for everyone, this long after it was sent (messages.md §5.8). */
export const EDIT_WINDOW_MS = 24 * 3600_000;
export const DELETE_WINDOW_MS = 24 * 3600_000;
/** The reactions offered in one click; any other single emoji may be picked too. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** `read`: every recipient that can still answer has read it (only while read receipts are on). */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** The message a reply quotes, as this device holds it now (edited: the new text; deleted: nothing). */
export interface ReplyView {
  /** Its id in this conversation, when this device holds it (to scroll to it). */
  readonly messageId?: string;
  /** Its author. */
  readonly address: string;
  /** The start of its text, at most 200 characters. */
  readonly text?: string;
  readonly attachmentName?: string;
  /** Deleted for everyone since: nothing of it is shown. */
  readonly deleted?: true;
  /** Not on this device (not received, expired, or arrived after the reply). */
  readonly missing?: true;
}

/** One emoji's reactions to a message: one reaction per person, the last one chosen. */
export interface ReactionView {
  readonly emoji: string;
  /** Who reacted with it (addresses), this user included when `mine`. */
  readonly addresses: readonly string[];
  readonly mine: boolean;
}

/** System lines the conversation shows (never hidden): membership, keys, revocation, retention. */
export type SystemEvent =
  | { readonly type: 'group_created'; readonly by: string }
  | { readonly type: 'member_added'; readonly by: string; readonly member: string }
  | { readonly type: 'member_removed'; readonly by: string; readonly member: string }
  | { readonly type: 'member_left'; readonly member: string }
  | { readonly type: 'key_changed'; readonly member: string; readonly deviceId: string }
  | { readonly type: 'device_added'; readonly member: string; readonly deviceId: string }
  | { readonly type: 'device_revoked'; readonly member: string; readonly deviceId: string }
  | { readonly type: 'device_not_logged'; readonly member: string; readonly deviceId: string }
  /** A device of the member whose log check could not be made yet: what is sent to it waits (transparency-log.md §6.1). */
  | { readonly type: 'device_log_pending'; readonly member: string; readonly deviceId: string }
  /** A device of the member that their user key did not approve: it receives nothing (user-keys.md §2.5). */
  | { readonly type: 'device_unapproved'; readonly member: string; readonly deviceId: string }
  /** The member's user key changed (a re-enrolment, or an attack): nothing goes to the new key's devices until accepted. */
  | { readonly type: 'user_key_changed'; readonly member: string }
  /** This user accepted the member's new user key. */
  | { readonly type: 'user_key_accepted'; readonly member: string }
  | { readonly type: 'disappearing_set'; readonly by: string; readonly seconds: number | null }
  /** Group roles and settings (groups.md §4.3): each line computed from the states before and after. */
  | { readonly type: 'role_changed'; readonly by: string; readonly member: string; readonly role: 'admin' | 'member' }
  | { readonly type: 'title_changed'; readonly by: string; readonly title: string }
  | {
      readonly type: 'group_settings_changed';
      readonly by: string;
      readonly announcementOnly: boolean;
      readonly addBy: 'admins' | 'everyone';
    }
  /** A concurrent change took precedence over one shown before (groups.md §5.1): the lines after this one say what holds now. */
  | { readonly type: 'group_change_undone' }
  /** A group change of ours could not reach a device of the member yet: it is sent again until it does. */
  | { readonly type: 'group_change_pending'; readonly member: string }
  | { readonly type: 'history_shared'; readonly by: string; readonly count: number; readonly with: string };

export interface MessageView {
  readonly id: string;
  readonly conversationId: string;
  /** Absent on system lines. */
  readonly sender?: { readonly address: string; readonly displayName: string; readonly deviceId: string };
  readonly mine: boolean;
  readonly text?: string;
  readonly system?: SystemEvent;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly status?: MessageStatus;
  readonly expiresAt?: number;
  /** An earlier message received in a history bundle: it rests on this member's word (messages.md §5.7). */
  readonly sharedBy?: string;
  /** Sent by a device of the sender that their user key did not approve (user-keys.md §2.5): shown with a warning. */
  readonly unapprovedDevice?: true;
  /** A file or photo sent with the message (attachment-api.ts); `text` is then its caption, if any. */
  readonly attachment?: AttachmentView;
  /** The message it answers. */
  readonly replyTo?: ReplyView;
  readonly reactions?: readonly ReactionView[];
  /** Edited by its author at this time (ms); `edits` holds the earlier versions, oldest first, kept on this device only. */
  readonly editedAt?: number;
  readonly edits?: readonly { readonly text: string; readonly at: number }[];
  /** Deleted for everyone by its author at this time: its text, file, reactions and edits are gone. */
  readonly deletedAt?: number;
  /** Addresses the author mentioned (`@Name` in the text), members of the group when sent. */
  readonly mentions?: readonly string[];
  /** This user is among `mentions`. */
  readonly mentionsMe?: true;
  /** Ours: the recipients who said they read it (while read receipts are on). */
  readonly readBy?: readonly string[];
}

/**
 * A message found by search (searchMessages): where it is, who sent it and an excerpt. The page
 * finds the conversation's title in its snapshot and opens the conversation at the message.
 */
export interface SearchResultView {
  readonly conversationId: string;
  readonly messageId: string;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly senderName?: string;
  readonly mine: boolean;
  /** The start of the text (or the file's name), at most 160 characters. */
  readonly snippet: string;
  /** The indexed terms that matched (folded: no accents, lower case), to highlight. */
  readonly matches: readonly string[];
}

/**
 * The safety number this user shares with one person (user-keys.md §5): one per person, over both
 * user keys, whatever devices either has; it changes only when a user key changes.
 */
export interface SafetyNumberView {
  readonly address: string;
  readonly displayName: string;
  /** 60 digits in 12 groups of 5; empty while the person has no user key pinned here (no approved device seen yet). */
  readonly digits: string;
  /** What the QR code encodes: `opendescent:verify?v=2&q=` and the 62-byte person safety QR (§5.2) in base64url; empty with `digits`. */
  readonly qrPayload: string;
  /** The QR code as an SVG document made in the worker (no inline script; shown as an <img>); empty with `digits`. */
  readonly qrSvg: string;
  /** This user marked the person verified under their current user key. */
  readonly verified: boolean;
  /**
   * The person's user key changed (MemberView.userKeyChanged): `digits` are still the pinned key's.
   * For a verified person, sending to conversations with them is held until acceptUserKey.
   */
  readonly userKeyChanged: boolean;
  /** The person's devices as this device sees them (approved or not, revoked). */
  readonly devices: readonly ContactDeviceView[];
}

/** Everything the UI renders outside a conversation's message list. */
export interface ClientSnapshot {
  readonly vault: VaultState;
  /** Present once enrolled and unlocked. */
  readonly device?: ThisDeviceView;
  readonly wiped?: WipedView;
  readonly relays: readonly RelayView[];
  readonly conversations: readonly ConversationView[];
  /** Messages waiting in the outbox for a relay. */
  readonly pendingOutgoing: number;
  /** Present once enrolled and unlocked: the revocation list's freshness, and what it means for sending. */
  readonly revocation?: RevocationView;
  /**
   * A passkey can unlock this vault (WebAuthn PRF): the credential and the PRF salt to evaluate,
   * both base64url, neither secret. Present while locked too, so the UI can offer it.
   */
  readonly passkey?: { readonly credentialId: string; readonly prfSalt: string };
  /**
   * While locked after too many wrong passphrases (storage.md §5): when the next one is tried, ms
   * since the epoch (this device's clock). The unlock screen counts down to it.
   */
  readonly unlockRetryAt?: number;
  /** Present once enrolled and unlocked. */
  readonly preferences?: PreferencesView;
}

/** Errors the UI can show (api-errors.ts), and the commands and events of the worker (api-commands.ts). */

export { MESSENGER_ERROR_CODES, type MessengerErrorCode, type MessengerErrorShape } from './api-errors';
export type { MessengerApi, MessengerEvent } from './api-commands';

/** Where a page ends: a message's sort key (sentAt, receivedAt, id). */
export interface MessageCursor {
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly id: string;
}

export interface MessagePage {
  readonly messages: readonly MessageView[];
  /** Older messages exist before the first of this page. */
  readonly hasMore: boolean;
}

export const MAX_PAGE = 200;

/** Disappearing-message choices the UI offers (seconds). */
export const DISAPPEARING_CHOICES = [null, 300, 3600, 86_400, 604_800] as const;
export const MAX_MESSAGE_CHARACTERS = 4_000;
export const MAX_SHARED_HISTORY = 100;
