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
  | 'stale';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
