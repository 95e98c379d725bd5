/** Anonymous relay access tokens (docs/protocol/access-tokens.md): issuance, verification, refusals by name. */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import {
  AccessTokenVerifier,
  blindAccessTokenRequest,
  decodeTokenRequest,
  relayOriginOf,
  ACCESS_TOKEN_LENGTH,
  TOKEN_REQUEST_LENGTH,
  verifyTokenKeySet,
} from '../../src';
import { TestTokenIssuer } from '../../src/testing';

const ORIGIN = 'relay.example:4443';
const now = (): number => Math.floor(Date.now() / 1000);

async function setup() {
  const orgId = crypto.getRandomValues(new Uint8Array(16));
  const orgKey = await generateEd25519KeyPair();
  const issuer = await TestTokenIssuer.create(orgId, orgKey);
  const set = await verifyTokenKeySet(await issuer.keySet(), [{ orgId, publicKey: orgKey.publicKey }]);
  const verifier = await AccessTokenVerifier.create(orgId, set.keys, [ORIGIN]);
  return { orgId, orgKey, issuer, set, verifier };
}

const key = (c: Awaited<ReturnType<typeof setup>>) => {
  const first = c.set.keys[0];
  if (first === undefined) throw new Error('the set holds no key');
  return first;
};
const flip = (bytes: Uint8Array, index: number): void => {
  bytes[index] = (bytes[index] ?? 0) ^ 1;
};

describe('access tokens', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    ctx = await setup();
  });

  it('a blinded request signed by the issuer unblinds into a token the relay accepts, and the issuer never saw the token', async () => {
    const pending = await blindAccessTokenRequest(key(ctx), ctx.orgId, ORIGIN);
    expect(pending.request).toHaveLength(TOKEN_REQUEST_LENGTH);
    expect(decodeTokenRequest(pending.request, ctx.issuer.key.tokenKeyId)).not.toBeNull();
    const token = await pending.finish(await ctx.issuer.issue(pending.request));
    expect(token).toHaveLength(ACCESS_TOKEN_LENGTH);
    // The token's nonce and authenticator appear nowhere in what the issuer received.
    const nonce = Buffer.from(token.subarray(2, 34));
    const authenticator = Buffer.from(token.subarray(ACCESS_TOKEN_LENGTH - 256));
    expect(Buffer.from(pending.request).includes(nonce)).toBe(false);
    expect(Buffer.from(pending.request).includes(authenticator.subarray(0, 32))).toBe(false);
    const check = await ctx.verifier.verify(token, now());
    expect(check.ok).toBe(true);
  });

  it('two tokens of one batch have different spend ids (double-spend keys)', async () => {
    const [a, b] = await Promise.all([ctx.issuer.mint(ORIGIN), ctx.issuer.mint(ORIGIN)]);
    const [ca, cb] = await Promise.all([ctx.verifier.verify(a, now()), ctx.verifier.verify(b, now())]);
    if (!ca.ok || !cb.ok) throw new Error('expected both tokens to verify');
    expect(Buffer.from(ca.spendId).equals(Buffer.from(cb.spendId))).toBe(false);
    expect(ca.acceptUntil).toBe(ctx.issuer.key.acceptUntil);
  });

  it('refuses a token made for another relay (token_wrong_origin)', async () => {
    const check = await ctx.verifier.verify(await ctx.issuer.mint('other-relay.example'), now());
    expect(check).toMatchObject({ ok: false, refusal: 'token_wrong_origin' });
  });

  it('refuses a token of another organisation’s issuer name (token_wrong_origin)', async () => {
    const check = await ctx.verifier.verify(await ctx.issuer.mint(ORIGIN, new Uint8Array(16).fill(7)), now());
    expect(check).toMatchObject({ ok: false, refusal: 'token_wrong_origin' });
  });

  it('refuses a token of a key not in the pinned set (token_unknown_key)', async () => {
    const stranger = await TestTokenIssuer.create(ctx.orgId, ctx.orgKey);
    expect(await ctx.verifier.verify(await stranger.mint(ORIGIN), now())).toMatchObject({
      ok: false,
      refusal: 'token_unknown_key',
    });
  });

  it('refuses a token whose key is no longer accepted (token_expired)', async () => {
    const token = await ctx.issuer.mint(ORIGIN);
    expect(await ctx.verifier.verify(token, ctx.issuer.key.acceptUntil)).toMatchObject({
      ok: false,
      refusal: 'token_expired',
    });
  });

  it('refuses a forged token: one flipped bit of the authenticator or of the nonce (token_invalid)', async () => {
    const token = await ctx.issuer.mint(ORIGIN);
    const forged = token.slice();
    flip(forged, ACCESS_TOKEN_LENGTH - 1);
    expect(await ctx.verifier.verify(forged, now())).toMatchObject({ ok: false, refusal: 'token_invalid' });
    const renonced = token.slice();
    flip(renonced, 5);
    expect(await ctx.verifier.verify(renonced, now())).toMatchObject({ ok: false, refusal: 'token_invalid' });
  });

  it('refuses malformed tokens: short, long, another token type (token_malformed)', async () => {
    const token = await ctx.issuer.mint(ORIGIN);
    expect(await ctx.verifier.verify(token.subarray(1), now())).toMatchObject({
      ok: false,
      refusal: 'token_malformed',
    });
    expect(await ctx.verifier.verify(new Uint8Array([...token, 0]), now())).toMatchObject({
      ok: false,
      refusal: 'token_malformed',
    });
    const otherType = token.slice();
    otherType[1] = 1;
    expect(await ctx.verifier.verify(otherType, now())).toMatchObject({ ok: false, refusal: 'token_malformed' });
  });

  it('an issuer refuses a request of the wrong length, type or truncated key id', async () => {
    const pending = await blindAccessTokenRequest(key(ctx), ctx.orgId, ORIGIN);
    expect(decodeTokenRequest(pending.request.subarray(1), ctx.issuer.key.tokenKeyId)).toBeNull();
    const wrongKey = pending.request.slice();
    flip(wrongKey, 2);
    expect(decodeTokenRequest(wrongKey, ctx.issuer.key.tokenKeyId)).toBeNull();
    const wrongType = pending.request.slice();
    wrongType[1] = 1;
    expect(decodeTokenRequest(wrongType, ctx.issuer.key.tokenKeyId)).toBeNull();
  });

  it('finish refuses a response that is not a signature of this request', async () => {
    const pending = await blindAccessTokenRequest(key(ctx), ctx.orgId, ORIGIN);
    const other = await blindAccessTokenRequest(key(ctx), ctx.orgId, ORIGIN);
    await expect(pending.finish(await ctx.issuer.issue(other.request))).rejects.toThrow();
    await expect(pending.finish(new Uint8Array(10))).rejects.toThrow(RangeError);
  });

  it('names a relay by the host of its URL, default port left out', () => {
    expect(relayOriginOf('https://Relay.Ministry.example/')).toBe('relay.ministry.example');
    expect(relayOriginOf('http://127.0.0.1:3002')).toBe('127.0.0.1:3002');
    expect(relayOriginOf('https://relay.example:443')).toBe('relay.example');
  });
});
