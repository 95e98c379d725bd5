// Stateless sign-in challenges (docs/decisions/0006-admin-auth.md, "Stateless sign-in
// challenges"): asking for sign-in options stores nothing, so nobody can fill a table or spend a
// budget by asking. The challenge travels in `challengeId`, MAC'd under a key derived from the
// master key, with its expiry:
//
//   token = base64url( version 0x01 | expiresAt, u32 BE Unix seconds | challenge, 32 bytes | HMAC-SHA256, 32 bytes )
//
// The MAC covers a label and the first 37 bytes. Single use is enforced when the token is
// redeemed (sign-in.ts: a row per used challenge, unique, kept until the token expires anyway).
import { concatBytes, hkdfSha256, hmacSha256, randomBytes, utf8Encode, verifyHmacSha256 } from '@opendescent/crypto';
import { decodeBase64Url, encodeBase64Url } from '@opendescent/protocol';
import type { MasterKeySource } from '../org/master-key.mjs';

export const SIGN_IN_CHALLENGE_FORMAT = 0x01;
export const SIGN_IN_CHALLENGE_LIFETIME_SECONDS = 300;
const CHALLENGE_BYTES = 32;
const TOKEN_BYTES = 1 + 4 + CHALLENGE_BYTES + 32;
const KEY_INFO = utf8Encode('OpenDescent admin sign-in challenge key v1');
const MAC_LABEL = utf8Encode('OpenDescent admin sign-in challenge v1');

/** Derived once per master key source: the master key is read from a file in the embedded default. */
const macKeys = new WeakMap<MasterKeySource, Uint8Array>();

function macKey(masterKey: MasterKeySource): Uint8Array {
  let key = macKeys.get(masterKey);
  if (!key) {
    const master = masterKey.read();
    key = hkdfSha256(master, new Uint8Array(), KEY_INFO, 32);
    master.fill(0);
    macKeys.set(masterKey, key);
  }
  return key;
}

function macInput(body: Uint8Array): Uint8Array {
  return concatBytes(MAC_LABEL, new Uint8Array([0]), body);
}

export interface SignInChallenge {
  /** What the browser signs, as @simplewebauthn expects it: base64url of the 32 random bytes. */
  readonly challenge: string;
  readonly expiresAt: Date;
}

/** A fresh challenge and the token that carries it. */
export function issueSignInChallenge(masterKey: MasterKeySource, now: Date): SignInChallenge & { token: string } {
  const challenge = randomBytes(CHALLENGE_BYTES);
  const expiresSeconds = Math.floor(now.getTime() / 1000) + SIGN_IN_CHALLENGE_LIFETIME_SECONDS;
  const body = new Uint8Array(1 + 4 + CHALLENGE_BYTES);
  body[0] = SIGN_IN_CHALLENGE_FORMAT;
  new DataView(body.buffer).setUint32(1, expiresSeconds);
  body.set(challenge, 5);
  const token = encodeBase64Url(concatBytes(body, hmacSha256(macKey(masterKey), macInput(body))));
  return { token, challenge: encodeBase64Url(challenge), expiresAt: new Date(expiresSeconds * 1000) };
}

/**
 * The challenge a token carries, or undefined when the token is not one of ours (wrong length,
 * unknown format, a MAC that does not verify: forged, altered, or made under another master
 * key) or has expired.
 */
export function openSignInChallenge(
  masterKey: MasterKeySource,
  token: unknown,
  now: Date,
): SignInChallenge | undefined {
  const bytes = tokenBytes(token);
  if (!bytes || bytes[0] !== SIGN_IN_CHALLENGE_FORMAT) return undefined;
  const body = bytes.subarray(0, TOKEN_BYTES - 32);
  if (!verifyHmacSha256(macKey(masterKey), macInput(body), bytes.subarray(TOKEN_BYTES - 32))) return undefined;
  const expiresAt = new Date(new DataView(bytes.buffer, bytes.byteOffset).getUint32(1) * 1000);
  if (expiresAt <= now) return undefined;
  return { challenge: encodeBase64Url(body.subarray(5)), expiresAt };
}

/** The token's bytes, or undefined for anything that is not canonical base64url of a token's length. */
function tokenBytes(token: unknown): Uint8Array | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    return decodeBase64Url(token, TOKEN_BYTES);
  } catch {
    return undefined;
  }
}
