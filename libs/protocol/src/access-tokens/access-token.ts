import { TOKEN_TYPES, Token, TokenChallenge, publicVerif, util } from '@cloudflare/privacypass-ts';
import { concatBytes, constantTimeEqual, sha256, utf8Encode } from '@opendescent/crypto';
import { encodeHex } from '../encoding';
import { protocolReader } from '../wire-bytes';
import { ORG_ID_LENGTH } from '../org-key';
import { TOKEN_KEY_ID_LENGTH, type TokenKey } from './token-key-set';

/**
 * Anonymous relay access tokens (docs/protocol/access-tokens.md): Privacy Pass publicly
 * verifiable tokens (RFC 9578 token type 0x0002, blind RSA of RFC 9474), through
 * `@cloudflare/privacypass-ts`. The admin app signs blinded requests without seeing the tokens;
 * a relay checks a token offline against the issuer keys of the signed token key set and learns
 * only that some attested device of the organisation got it.
 */
export const ACCESS_TOKEN_TYPE = TOKEN_TYPES.BLIND_RSA.value;
/** RFC 9578 §6.5: token_type (2) || nonce (32) || challenge_digest (32) || token_key_id (32) || authenticator (256). */
export const ACCESS_TOKEN_LENGTH = 2 + 32 + 32 + TOKEN_KEY_ID_LENGTH + TOKEN_TYPES.BLIND_RSA.Nk;
/** RFC 9578 §6.1: token_type (2) || truncated_token_key_id (1) || blinded_msg (256). */
export const TOKEN_REQUEST_LENGTH = 2 + 1 + TOKEN_TYPES.BLIND_RSA.Nk;
/** RFC 9578 §6.2: blind_sig (256). */
export const TOKEN_RESPONSE_LENGTH = TOKEN_TYPES.BLIND_RSA.Nk;
/** access-tokens.md §5: what one issuance request may ask for. */
export const MAX_TOKENS_PER_REQUEST = 20;

const MODE = publicVerif.BlindRSAMode.PSS;

/** access-tokens.md §2: the issuer name every relay and client of an organisation agree on. */
export function tokenIssuerName(orgId: Uint8Array): string {
  if (orgId.length !== ORG_ID_LENGTH) throw new RangeError('orgId: 16 bytes expected');
  return `${encodeHex(orgId)}.issuer.opendescent`;
}

/**
 * access-tokens.md §2: a relay's origin name is the host (and port, unless the default) of the URL
 * clients dial, lower case: what a client computes from its configuration and the relay is told
 * by its operator (`RELAY_TOKEN_ORIGINS`).
 */
export function relayOriginOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** RFC 9577 §2.1 TokenChallenge: this organisation's issuer, no redemption context, one relay origin. */
export function relayTokenChallenge(orgId: Uint8Array, origin: string): Uint8Array {
  if (origin.length === 0 || origin.includes(',')) throw new RangeError('origin: a host name, without commas');
  return new TokenChallenge(ACCESS_TOKEN_TYPE, tokenIssuerName(orgId), new Uint8Array(0), [origin]).serialize();
}

/** Client side: one blinded request and what turns the issuer's answer into a token. */
export interface PendingAccessToken {
  readonly request: Uint8Array;
  finish(response: Uint8Array): Promise<Uint8Array>;
}

/**
 * Blinds one token request for `origin` to `key` (RFC 9578 §6.1). `finish` unblinds the issuer's
 * response and verifies the signature under the key (RFC 9474 Finalize), so a token that would
 * not verify at the relay never reaches the wallet.
 */
export async function blindAccessTokenRequest(
  key: TokenKey,
  orgId: Uint8Array,
  origin: string,
): Promise<PendingAccessToken> {
  const client = new publicVerif.Client(MODE);
  const challenge = TokenChallenge.deserialize(relayTokenChallenge(orgId, origin));
  const request = await client.createTokenRequest(challenge, Uint8Array.from(key.spki));
  return {
    request: request.serialize(),
    async finish(response: Uint8Array): Promise<Uint8Array> {
      if (response.length !== TOKEN_RESPONSE_LENGTH)
        throw new RangeError(`token response: ${TOKEN_RESPONSE_LENGTH} bytes expected`);
      const token = await client.finalize(new publicVerif.TokenResponse(Uint8Array.from(response)));
      return token.serialize();
    },
  };
}

export interface DecodedTokenRequest {
  readonly truncatedTokenKeyId: number;
  readonly blindedMessage: Uint8Array;
}

/** Issuer side: the request's layout (RFC 9578 §6.1) and that it names `tokenKeyId`; null otherwise. */
export function decodeTokenRequest(bytes: Uint8Array, tokenKeyId: Uint8Array): DecodedTokenRequest | null {
  if (bytes.length !== TOKEN_REQUEST_LENGTH) return null;
  const reader = protocolReader(bytes, 'token request');
  if (reader.u16('token_type') !== ACCESS_TOKEN_TYPE) return null;
  const truncatedTokenKeyId = reader.u8('truncated_token_key_id');
  if (truncatedTokenKeyId !== tokenKeyId[TOKEN_KEY_ID_LENGTH - 1]) return null;
  return { truncatedTokenKeyId, blindedMessage: reader.raw(TOKEN_TYPES.BLIND_RSA.Nk, 'blinded_msg') };
}

/** Why a relay refuses a token (relay.md §3.2). */
export type AccessTokenRefusal =
  'token_malformed' | 'token_unknown_key' | 'token_wrong_origin' | 'token_invalid' | 'token_expired';

export type AccessTokenCheck =
  | { readonly ok: true; readonly spendId: Uint8Array; readonly acceptUntil: number }
  | { readonly ok: false; readonly refusal: AccessTokenRefusal; readonly detail: string };

interface VerifierKey {
  readonly key: TokenKey;
  readonly publicKey: CryptoKey;
}

/**
 * Relay side (relay.md §3.2): checks a token offline against the pinned issuer keys and the
 * origins this relay answers to. The double-spend check is the caller's (the store's), keyed by
 * `spendId` until `acceptUntil`.
 */
export class AccessTokenVerifier {
  private constructor(
    private readonly keys: readonly VerifierKey[],
    private readonly challengeDigests: readonly Uint8Array[],
  ) {}

  static async create(
    orgId: Uint8Array,
    keys: readonly TokenKey[],
    origins: readonly string[],
  ): Promise<AccessTokenVerifier> {
    const imported = await Promise.all(
      keys.map(async (key) => ({
        key,
        publicKey: await crypto.subtle.importKey(
          'spki',
          new Uint8Array(util.convertRSASSAPSSToEnc(Uint8Array.from(key.spki))),
          TOKEN_TYPES.BLIND_RSA.rsaParams,
          true,
          ['verify'],
        ),
      })),
    );
    return new AccessTokenVerifier(
      imported,
      origins.map((origin) => sha256(relayTokenChallenge(orgId, origin))),
    );
  }

  async verify(bytes: Uint8Array, nowSeconds: number): Promise<AccessTokenCheck> {
    if (bytes.length !== ACCESS_TOKEN_LENGTH)
      return refuse('token_malformed', `an access token is ${ACCESS_TOKEN_LENGTH} bytes`);
    const reader = protocolReader(bytes, 'access token');
    if (reader.u16('token_type') !== ACCESS_TOKEN_TYPE)
      return refuse('token_malformed', 'not a blind RSA (0x0002) token');
    const nonce = reader.raw(32, 'nonce');
    const challengeDigest = reader.raw(32, 'challenge_digest');
    const tokenKeyId = reader.raw(TOKEN_KEY_ID_LENGTH, 'token_key_id');
    const entry = this.keys.find((candidate) => constantTimeEqual(candidate.key.tokenKeyId, tokenKeyId));
    if (entry === undefined) return refuse('token_unknown_key', 'no pinned issuer key has this id');
    if (nowSeconds >= entry.key.acceptUntil)
      return refuse('token_expired', 'the issuer key of this token is no longer accepted');
    if (!this.challengeDigests.some((digest) => constantTimeEqual(digest, challengeDigest))) {
      return refuse('token_wrong_origin', 'this token was made for another relay or another organisation');
    }
    const token = Token.deserialize(TOKEN_TYPES.BLIND_RSA, Uint8Array.from(bytes));
    const valid = await new publicVerif.Origin(MODE).verify(token, entry.publicKey).catch(() => false);
    if (!valid) return refuse('token_invalid', 'the issuer signature does not verify');
    return {
      ok: true,
      spendId: sha256(concatBytes(utf8Encode('OpenDescent spent token v1'), tokenKeyId, nonce)),
      acceptUntil: entry.key.acceptUntil,
    };
  }
}

function refuse(refusal: AccessTokenRefusal, detail: string): AccessTokenCheck {
  return { ok: false, refusal, detail };
}
