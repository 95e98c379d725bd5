/**
 * The one error type of @opendescent/crypto. Every refusal of an input (a bad length, a key that is
 * not on the curve, a forged tag, an unknown record version) surfaces as a `CryptoError` with a
 * stable `code`, so callers branch on the code and never on a message. Messages never contain key
 * or plaintext bytes.
 */

export type CryptoErrorCode =
  /** An input has the wrong length (a key, a nonce, a ciphertext shorter than its overhead, ...). */
  | 'bad_length'
  /** A parameter is out of its allowed range (an HKDF output length, Argon2id costs, ...). */
  | 'bad_parameter'
  /** A key does not decode (e.g. an ML-KEM encapsulation key failing the FIPS 203 §7.2 check). */
  | 'malformed_key'
  /** An X25519 public key of small order (RFC 7748 §7): the peer would fix the shared secret. */
  | 'low_order_point'
  /** An X25519 output of all zeros (RFC 7748 §6.1): a second line of defence behind low_order_point. */
  | 'zero_shared_secret'
  /** An Ed25519 signature that does not pass the strict rule of ed25519.ts. */
  | 'bad_signature'
  /** An AEAD ciphertext, its tag, its nonce or its associated data was altered, or the key is wrong. */
  | 'auth_failed'
  /** A record or frame starts with a version byte newer than this code knows. */
  | 'unknown_version'
  /**
   * A record or frame starts with a version byte older than the oldest this code accepts (every
   * format is at version 1 today, so: 0). Kept apart from unknown_version so a caller can tell an
   * outdated peer from a newer one.
   */
  | 'version_too_old'
  /** A SecretBytes was used after wipe(). */
  | 'secret_wiped'
  /** Text that must be UTF-8 is not. */
  | 'malformed_utf8'
  /** A curve backend was forced (setCurveBackend) that this runtime does not provide. */
  | 'backend_unavailable'
  // Protocol codes (prekey*.ts, handshake.ts, double-ratchet.ts and ratchet-*.ts, sender-keys.ts):
  /** Bytes that do not parse as the message or record they claim to be (a bad flag, count or field). */
  | 'malformed_message'
  /** A prekey (or a bundle naming it) is past its expiry, or its private half was retired. */
  | 'expired_prekey'
  /** A handshake names a prekey id this device never issued or no longer remembers. */
  | 'unknown_prekey'
  /** A handshake names a one-time prekey that an earlier handshake already consumed. */
  | 'reused_prekey'
  /** A message or handshake whose key was already used once (a replay or a duplicate delivery). */
  | 'duplicate_message'
  /** A message asks the receiver to skip more message keys than MAX_SKIP allows. */
  | 'too_many_skipped'
  /** A session that has not received its first message cannot send yet (Double Ratchet §3.3). */
  | 'session_not_ready'
  /** A group message for a sender key chain the receiver does not hold (not distributed, or rotated). */
  | 'unknown_sender_key'
  // Attachment codes (attachment-cipher.ts, attachment-stream.ts; docs/protocol/attachments.md §2):
  /**
   * An attachment's ciphertext ended before its last chunk (mid-chunk, or at a chunk boundary so
   * that no chunk carries the final flag); or the sender asked for the digest before every chunk
   * was sealed in order.
   */
  | 'attachment_truncated'
  /** An attachment's ciphertext goes on beyond the length its size implies (appended bytes). */
  | 'attachment_oversized'
  /** An attachment's ciphertext does not hash to the SHA-256 digest carried in the message. */
  | 'attachment_digest'
  /** An attachment chunk authenticated, but its Padmé padding is not all zero bytes. */
  | 'attachment_padding';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';

  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function isCryptoError(value: unknown, code?: CryptoErrorCode): value is CryptoError {
  return value instanceof CryptoError && (code === undefined || value.code === code);
}
