/**
 * Every decoder and verifier in @opendescent/protocol throws only this error, whatever bytes it
 * is fed, so a caller can map any bad input to a clear answer without catching anything else.
 * The codes are stable and are what the relay and the admin app send back (docs/protocol/).
 */
export type ProtocolErrorCode =
  /** The bytes do not follow the layout: short, trailing bytes, a bad length or value. */
  | 'malformed'
  /** A known version this code no longer accepts. */
  | 'version_too_old'
  /** A version newer than this code knows. */
  | 'version_unknown'
  /** Larger than the format allows, refused before parsing further. */
  | 'oversized'
  /** The signature does not verify under the key the document names. */
  | 'bad_signature'
  /** Signed by a key (or for an organisation) this verifier does not trust. */
  | 'unknown_signer'
  /** Past its validity. */
  | 'expired'
  /** Not valid yet (beyond the allowed clock skew). */
  | 'not_yet_valid'
  /** Not sealed to this key, altered, or from a sender without the key it claims. */
  | 'undecryptable'
  /** A revocation list older than (or as old as, but different from) the one already held. */
  | 'stale'
  /**
   * Two tree heads of one transparency log that no append-only history explains: the same size
   * with another root, a smaller tree, or a consistency proof that fails (transparency-log.md §3.2).
   */
  | 'log_fork'
  /** An entry whose inclusion proof does not lead to the tree head's root (transparency-log.md §3.1). */
  | 'not_in_log'
  /**
   * Well formed and validly signed, but about something else than what it is checked against: a
   * device certificate for another device, other keys, another user or organisation, or a device
   * link offer whose key commitment is not the attested device's (user-keys.md §2.3, §3.3).
   */
  | 'mismatch';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
