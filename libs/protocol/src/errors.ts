/**
 * Every decoder in @opendescent/protocol throws only this error, whatever bytes it is fed, so a
 * caller can map any bad input to a clear answer without catching anything else.
 */
export type ProtocolErrorCode = 'malformed' | 'version_too_old' | 'version_unknown' | 'oversized';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
