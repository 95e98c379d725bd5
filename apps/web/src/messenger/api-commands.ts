import type {
  ClientSnapshot,
  DeviceLinkCandidateView,
  DeviceLinkOfferView,
  GroupRoleView,
  GroupSettingsInput,
  MessageCursor,
  MessagePage,
  MessageView,
  NotifyLevel,
  PreferencesView,
  SafetyNumberView,
  SearchResultView,
  ThisDeviceView,
} from './api';
import type { AttachmentProgress } from './attachment-api';

/** The commands the UI may send the worker. Every method rejects with a MessengerErrorShape. */
export interface MessengerApi {
  snapshot(): Promise<ClientSnapshot>;
  createVault(passphrase: string): Promise<void>;
  unlock(passphrase: string): Promise<void>;
  /** Adds a passkey unlock: the PRF output (32 bytes) of `credentialId` for `prfSalt` wraps the vault key. Needs an unlocked vault. */
  enablePasskey(credentialId: string, prfSalt: string, prfOutput: Uint8Array): Promise<void>;
  unlockWithPasskey(prfOutput: Uint8Array): Promise<void>;
  /** Removes the passkey unlock; the passphrase stays. */
  disablePasskey(): Promise<void>;
  lock(): Promise<void>;
  /** Enrolment with a one-time code (admin-api.md §4); the admin URL comes from the server config unless given. */
  enrol(code: string, adminUrl?: string): Promise<ThisDeviceView>;
  startDirect(address: string): Promise<string>;
  createGroup(title: string, addresses: readonly string[], settings?: GroupSettingsInput): Promise<string>;
  addMember(conversationId: string, address: string): Promise<void>;
  removeMember(conversationId: string, address: string): Promise<void>;
  leave(conversationId: string): Promise<void>;
  /** Administrators only (groups.md §4.2): a member's role; the last administrator cannot step down while others remain. */
  setRole(conversationId: string, address: string, role: GroupRoleView): Promise<void>;
  /** Administrators only: the title (1-100 characters). */
  setTitle(conversationId: string, title: string): Promise<void>;
  /** Administrators only: who may post and who may add members. */
  setGroupSettings(conversationId: string, settings: GroupSettingsInput): Promise<void>;
  /**
   * Sends a text. `replyTo`: the id of a message of this conversation it answers (messages.md §5.8);
   * `mentions`: addresses of group members named in the text as `@Name` (others are dropped).
   */
  send(
    conversationId: string,
    text: string,
    options?: { readonly replyTo?: string; readonly mentions?: readonly string[] },
  ): Promise<string>;
  /** This user's reaction to a message (one per person: a new one replaces it; null removes it). Rejects `not_found`, `not_allowed` (deleted, a system line). */
  react(conversationId: string, messageId: string, emoji: string | null): Promise<void>;
  /** Replaces the text of one of our messages, within EDIT_WINDOW_MS. Rejects `not_allowed` (not ours, deleted, too late), `message_too_long`. */
  editMessage(conversationId: string, messageId: string, text: string): Promise<void>;
  /** Deletes one of our messages for everyone, within DELETE_WINDOW_MS. Rejects `not_allowed` (not ours, too late). */
  deleteForEveryone(conversationId: string, messageId: string): Promise<void>;
  /** Tells the others this user is typing (true, repeated at most every 3 s while typing) or stopped; nothing when typing indicators are off. */
  setTyping(conversationId: string, typing: boolean): Promise<void>;
  setPreferences(preferences: Partial<PreferencesView>): Promise<void>;
  setNotify(conversationId: string, level: NotifyLevel): Promise<void>;
  /**
   * Sends a file (attachments.md): sealed on this device, uploaded, then the message (with `caption`
   * as its text) goes out. Resolves with the message id as soon as the file is sealed and the
   * message shown; the upload goes on (progress events), and resumes after a reload. `options` as
   * for `send` (the file answers a message, its caption mentions members). Rejects
   * `file_too_large`, `storage_full`, and what `send` rejects.
   */
  sendFile(
    conversationId: string,
    file: Blob,
    name: string,
    caption?: string,
    options?: { readonly replyTo?: string; readonly mentions?: readonly string[] },
  ): Promise<string>;
  /** Stops an upload (the message is removed, nothing was sent) or a download (back to `available`). */
  cancelAttachment(conversationId: string, messageId: string): Promise<void>;
  /** Fetches a received file now (one over AUTO_DOWNLOAD_BYTES waits for this). */
  fetchAttachment(conversationId: string, messageId: string): Promise<void>;
  /**
   * Full-text search of the messages on this device (accents and case folded), newest first among
   * equals, at most 50; in one conversation when `conversationId` is given. The index is built and
   * kept in the worker (sealed in the vault); rejects `not_found` while it is still being built.
   */
  searchMessages(query: string, conversationId?: string): Promise<readonly SearchResultView[]>;
  /** The file, decrypted in the worker, as a Blob to show or save. Rejects `not_found` unless it is stored here. */
  openAttachment(conversationId: string, messageId: string): Promise<Blob>;
  messages(conversationId: string): Promise<readonly MessageView[]>;
  /**
   * One page of a conversation, oldest first: the `limit` (1..200) messages just before `before`
   * (none: the newest), read through the conversation's index without opening the rest.
   */
  messagePage(
    conversationId: string,
    page: { readonly before?: MessageCursor; readonly limit: number },
  ): Promise<MessagePage>;
  /** Marks the conversation read; sends read receipts for what arrived since, when they are on. */
  markRead(conversationId: string): Promise<void>;
  setDisappearing(conversationId: string, seconds: number | null): Promise<void>;
  /** One safety number per other member of the conversation (user-keys.md §5). */
  safetyNumbers(conversationId: string): Promise<readonly SafetyNumberView[]>;
  /** Marks the person verified under their current user key (after comparing the numbers). `not_found` without one. */
  markVerified(address: string): Promise<void>;
  /**
   * Compares a QR code scanned from the person's screen (their `qrPayload`) with ours: true only
   * when it shows their key and ours, in their order (§5.2), and then marks them verified. A code
   * that does not read is `safety_qr_invalid`; a person without a pinned key is `not_found`.
   */
  verifySafetyQr(address: string, scanned: string): Promise<boolean>;
  /**
   * Shares the conversation's last `count` messages (at most 100) with one member's devices (this
   * user's address: with this user's other devices), as a signed bundle; every member sees that
   * it happened. Resolves with the number of messages shared.
   */
  shareHistory(conversationId: string, address: string, count: number): Promise<number>;
  /** Deletes every local key and record of this device. */
  wipe(): Promise<void>;
  /**
   * On a device not approved yet: a fresh device-link offer (user-keys.md §3.1), valid 10 minutes;
   * a new call replaces the previous one. The user key arrives in the background and the
   * snapshot's `approval` turns `approved`. Rejects with `already_approved` on an approved device.
   */
  startDeviceLink(): Promise<DeviceLinkOfferView>;
  /** Drops the offer (the link screen closed). */
  cancelDeviceLink(): Promise<void>;
  /**
   * On an approved device: the device of this person that a typed code or a scanned QR payload
   * names, verified (user-keys.md §3.3 steps 3-4). Rejects with `link_invalid` or `link_no_match`.
   */
  checkDeviceLink(codeOrQr: string): Promise<DeviceLinkCandidateView>;
  /** Approves it (steps 6-8): signs its certificate, publishes it and sends it the user key. */
  approveDeviceLink(codeOrQr: string): Promise<void>;
  /**
   * Accepts a contact's new user key (MemberView.userKeyChanged, user-keys.md §2.5): their devices
   * under it are written to from now on. Rejects with `not_found` when the key did not change.
   */
  acceptUserKey(address: string): Promise<void>;
}

/** Worker → UI notifications. */
export type MessengerEvent =
  | { readonly type: 'snapshot'; readonly snapshot: ClientSnapshot }
  | { readonly type: 'messages'; readonly conversationId: string }
  /** What one commit did to a conversation's messages: the page applies it without asking again. */
  | {
      readonly type: 'messages_changed';
      readonly conversationId: string;
      readonly upserted: readonly MessageView[];
      readonly removed: readonly string[];
    }
  /** How far an upload or download has come (attachment-api.ts); throttled, never stored. */
  | ({ readonly type: 'attachment_progress' } & AttachmentProgress)
  /** Who is typing in a conversation now (addresses); an empty list when nobody is. Never stored. */
  | { readonly type: 'typing'; readonly conversationId: string; readonly addresses: readonly string[] };
