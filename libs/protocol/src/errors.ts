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
  | 'mismatch'
  /** Group state chain (groups.md §6): a change for another group than the state it is applied to. */
  | 'wrong_group'
  /** Group state chain: the change names another parent state (or a creation is applied to a state). */
  | 'wrong_parent'
  /** Group state chain: the change's epoch is not its parent's plus one (or the epoch would overflow). */
  | 'wrong_epoch'
  /** Group state chain: the author is not a member of the parent state, or not under this user key. */
  | 'not_a_member'
  /** Group state chain: the author's role does not allow the operation (groups.md §4). */
  | 'not_allowed'
  /** Group state chain: the change would leave members but no administrator. */
  | 'last_admin'
  /** Group state chain: more members than a group may have. */
  | 'too_many_members'
  /** Group state chain: an `add` of someone who is already a member. */
  | 'duplicate_member'
  /** Group state chain: a `remove` or `role` of someone who is not a member. */
  | 'unknown_member'
  /** Group state chain: a change whose parent is older than the states a member keeps. */
  | 'too_old'
  /** Group state chain: too many changes wait for a parent not seen yet. */
  | 'too_many_pending'
  /** Group state chain: the author's device is not one the caller knows. */
  | 'unknown_author';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
