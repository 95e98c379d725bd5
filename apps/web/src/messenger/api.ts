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
}

export interface MemberView {
  readonly address: string;
  readonly displayName: string;
  readonly devices: readonly ContactDeviceView[];
  /** This user (one of their other devices may also be listed). */
  readonly isSelf: boolean;
}

export type ConversationKind = 'direct' | 'group';

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
  readonly updatedAt: number;
}

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'failed';

/** System lines the conversation shows (never hidden): membership, keys, revocation, retention. */
export type SystemEvent =
  | { readonly type: 'group_created'; readonly by: string }
  | { readonly type: 'member_added'; readonly by: string; readonly member: string }
  | { readonly type: 'member_removed'; readonly by: string; readonly member: string }
  | { readonly type: 'member_left'; readonly member: string }
  | { readonly type: 'key_changed'; readonly member: string; readonly deviceId: string }
  | { readonly type: 'device_added'; readonly member: string; readonly deviceId: string }
  | { readonly type: 'device_revoked'; readonly member: string; readonly deviceId: string }
  | { readonly type: 'disappearing_set'; readonly by: string; readonly seconds: number | null }
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
}

export interface SafetyNumberView {
  readonly address: string;
  readonly displayName: string;
  readonly deviceId: string;
  /** 60 digits in 12 groups of 5. */
  readonly digits: string;
  /** What the QR code encodes (the other side scans it to compare). */
  readonly qrPayload: string;
  /** The QR code as an SVG document made in the worker (no inline script; shown as an <img>). */
  readonly qrSvg: string;
  readonly trust: DeviceTrust;
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
  /**
   * A passkey can unlock this vault (WebAuthn PRF): the credential and the PRF salt to evaluate,
   * both base64url, neither secret. Present while locked too, so the UI can offer it.
   */
  readonly passkey?: { readonly credentialId: string; readonly prfSalt: string };
}

/** Errors the UI can show; `code` is stable, the UI translates it. */
export type MessengerErrorCode =
  | 'wrong_passphrase'
  | 'weak_passphrase'
  | 'locked'
  | 'not_enrolled'
  | 'already_enrolled'
  | 'enrolment_refused'
  | 'admin_unreachable'
  | 'relay_unreachable'
  | 'not_found'
  | 'no_devices'
  | 'invalid_address'
  | 'rate_limited'
  | 'directory_suspended'
  | 'not_a_member'
  | 'message_too_long'
  | 'revoked'
  | 'internal';

export interface MessengerErrorShape {
  readonly code: MessengerErrorCode;
  /** For people, English; the UI prefers its own translation of `code`. */
  readonly message: string;
}

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
  createGroup(title: string, addresses: readonly string[]): Promise<string>;
  addMember(conversationId: string, address: string): Promise<void>;
  removeMember(conversationId: string, address: string): Promise<void>;
  leave(conversationId: string): Promise<void>;
  send(conversationId: string, text: string): Promise<string>;
  messages(conversationId: string): Promise<readonly MessageView[]>;
  markRead(conversationId: string): Promise<void>;
  setDisappearing(conversationId: string, seconds: number | null): Promise<void>;
  safetyNumbers(conversationId: string): Promise<readonly SafetyNumberView[]>;
  markVerified(address: string, deviceId: string): Promise<void>;
  /**
   * Shares the conversation's last `count` messages (at most 100) with one member's devices (this
   * user's address: with this user's other devices), as a signed bundle; every member sees that
   * it happened. Resolves with the number of messages shared.
   */
  shareHistory(conversationId: string, address: string, count: number): Promise<number>;
  /** Deletes every local key and record of this device. */
  wipe(): Promise<void>;
}

/** Worker → UI notifications. */
export type MessengerEvent =
  | { readonly type: 'snapshot'; readonly snapshot: ClientSnapshot }
  | { readonly type: 'messages'; readonly conversationId: string };

/** Disappearing-message choices the UI offers (seconds). */
export const DISAPPEARING_CHOICES = [null, 300, 3600, 86_400, 604_800] as const;
export const MAX_MESSAGE_CHARACTERS = 4_000;
export const MAX_SHARED_HISTORY = 100;
