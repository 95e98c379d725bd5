/** Errors the UI can show; `code` is stable, the UI translates it (see api.ts for every other type the page uses). */
export const MESSENGER_ERROR_CODES = [
  'wrong_passphrase',
  'unlock_delayed',
  'weak_passphrase',
  'locked',
  'not_enrolled',
  'already_enrolled',
  'enrolment_refused',
  'admin_unreachable',
  'relay_unreachable',
  'not_found',
  'no_devices',
  'invalid_address',
  'own_address',
  'rate_limited',
  'directory_suspended',
  'not_a_member',
  'message_too_long',
  'revoked',
  /** This device holds no user key yet: approve it from another of this person's devices first. */
  'not_approved',
  /** This device already holds the user key (a link offer is only for a new device). */
  'already_approved',
  /** A device-link code or QR code that does not read (a typo, another format). */
  'link_invalid',
  /** The code names none of this person's unapproved devices: mistyped, expired, or an attack (user-keys.md §6). */
  'link_no_match',
  /** A scanned safety-number QR code that does not read as one. */
  'safety_qr_invalid',
  /** A verified contact's user key changed: nothing is sent to conversations with them until this user accepts it. */
  'key_change_unaccepted',
  /** The group's rules do not let this user make that change, or post there (groups.md §4.2). */
  'not_allowed',
  /** The change would leave the group's members without an administrator. */
  'last_admin',
  /** A file over MAX_ATTACHMENT_FILE_BYTES (attachment-api.ts), or over what the relay takes. */
  'file_too_large',
  /** This device's attachment budget (ATTACHMENT_STORAGE_BUDGET_BYTES) or the relay's store is full. */
  'storage_full',
  /** The attachment is no longer on the relay (its TTL, or every fetch was counted), or was never stored. */
  'attachment_expired',
  /** The attachment's bytes did not check (a digest or chunk that does not verify): nothing was kept. */
  'attachment_invalid',
  /** A transfer stopped by the user. */
  'cancelled',
  'internal',
] as const;

export type MessengerErrorCode = (typeof MESSENGER_ERROR_CODES)[number];

export interface MessengerErrorShape {
  readonly code: MessengerErrorCode;
  /** For people, English; the UI prefers its own translation of `code`. */
  readonly message: string;
}
