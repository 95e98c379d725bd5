import { createHmac, randomBytes } from 'node:crypto';

/**
 * Short-lived TURN credentials in coturn's shared-secret scheme (its `use-auth-secret`, the
 * "TURN REST API" draft; docs/protocol/direct.md §8): the user name is the expiry in Unix seconds,
 * a colon and a random id, the password is base64(HMAC-SHA1(secret, user name)). coturn checks
 * both with the same secret and refuses an expired name, so it stores no account and learns
 * nothing of the device beyond the credential. The relay hands these to devices it admitted with
 * an anonymous token (decision 0015), by `turn_credentials` (relay.md §3.16, turn.service.ts).
 */

/** A credential's life when the configuration does not say: a channel is opened within it. */
export const DEFAULT_TURN_CREDENTIAL_SECONDS = 3_600;
const MAX_TURN_CREDENTIAL_SECONDS = 86_400;
const MIN_SECRET_BYTES = 16;

export interface TurnCredential {
  readonly username: string;
  readonly credential: string;
  /** Unix seconds: coturn refuses the user name from then on. */
  readonly expiresAt: number;
}

export function turnCredential(
  secret: string,
  nowSeconds: number,
  lifeSeconds: number = DEFAULT_TURN_CREDENTIAL_SECONDS,
): TurnCredential {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES)
    throw new RangeError(`a TURN shared secret is at least ${MIN_SECRET_BYTES} bytes`);
  if (!Number.isInteger(nowSeconds) || nowSeconds < 0) throw new RangeError('now is whole Unix seconds');
  if (!Number.isInteger(lifeSeconds) || lifeSeconds < 1 || lifeSeconds > MAX_TURN_CREDENTIAL_SECONDS)
    throw new RangeError(`a TURN credential lives 1 to ${MAX_TURN_CREDENTIAL_SECONDS} s`);
  const expiresAt = nowSeconds + lifeSeconds;
  // The id only keeps two credentials of the same second apart; it names nobody.
  const username = `${expiresAt}:${randomBytes(16).toString('hex')}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}
