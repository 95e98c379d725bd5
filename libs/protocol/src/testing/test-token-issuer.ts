import { publicVerif } from '@cloudflare/privacypass-ts';
import { sha256, type Ed25519KeyPair } from '@opendescent/crypto';
import { ACCESS_TOKEN_TYPE, relayTokenChallenge } from '../access-tokens/access-token';
import { signTokenKeySet, tokenKeyIdOf, type TokenKey } from '../access-tokens/token-key-set';
import { protocolWriter } from '../wire-bytes';

/**
 * A Privacy Pass issuer for tests and benchmarks (never for production: the admin app issues
 * tokens blind, docs/protocol/access-tokens.md). It holds one issuer key, publishes it in a token
 * key set signed by a test organisation key, and either signs blinded requests as the admin app
 * does (`issue`, slow: the library's own RSA) or *mints* a token directly: the same RSASSA-PSS
 * signature over the same token input that unblinding yields (RFC 9578 §6.5), made with Web
 * Crypto in about a millisecond, so a test can open hundreds of connections.
 */
export class TestTokenIssuer {
  #setVersion = 0;

  private constructor(
    readonly orgId: Uint8Array,
    private readonly orgKey: Ed25519KeyPair,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly key: TokenKey,
  ) {}

  static async create(
    orgId: Uint8Array,
    orgKey: Ed25519KeyPair,
    window: Partial<Omit<TokenKey, 'tokenKeyId' | 'spki'>> = {},
  ): Promise<TestTokenIssuer> {
    const pair = await publicVerif.Issuer.generateKey(publicVerif.BlindRSAMode.PSS, {
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
    });
    const spki = await publicVerif.getPublicKeyBytes(pair.publicKey);
    const now = Math.floor(Date.now() / 1000);
    const issueFrom = window.issueFrom ?? now - 3600;
    const issueUntil = window.issueUntil ?? now + 7 * 86_400;
    const key: TokenKey = {
      tokenKeyId: tokenKeyIdOf(spki),
      spki,
      issueFrom,
      issueUntil,
      acceptUntil: window.acceptUntil ?? issueUntil + 7 * 86_400,
    };
    return new TestTokenIssuer(orgId, orgKey, pair.privateKey, pair.publicKey, key);
  }

  /** A signed token key set with this issuer's key (and any others given), at the next version. */
  keySet(others: readonly TestTokenIssuer[] = [], signer: Ed25519KeyPair = this.orgKey): Promise<Uint8Array> {
    const keys = [this, ...others].map(({ key }) => ({
      spki: key.spki,
      issueFrom: key.issueFrom,
      issueUntil: key.issueUntil,
      acceptUntil: key.acceptUntil,
    }));
    return signTokenKeySet(
      { orgId: this.orgId, setVersion: ++this.#setVersion, issuedAt: Math.floor(Date.now() / 1000), keys },
      signer.privateKey,
    );
  }

  /** A valid token for `origin`, signed directly (not blind). `challengeFor` overrides the organisation (tests of wrong issuers). */
  async mint(origin: string, challengeFor: Uint8Array = this.orgId): Promise<Uint8Array> {
    const input = protocolWriter()
      .u16(ACCESS_TOKEN_TYPE)
      .raw(crypto.getRandomValues(new Uint8Array(32)))
      .raw(sha256(relayTokenChallenge(challengeFor, origin)))
      .raw(this.key.tokenKeyId)
      .finish();
    const authenticator = new Uint8Array(
      await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 48 }, this.privateKey, Uint8Array.from(input)),
    );
    return protocolWriter().raw(input).raw(authenticator).finish();
  }

  /** The issuer private key (PKCS#8), for a Node test that signs blinded requests with OpenSSL as the admin app does. */
  async pkcs8(): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.exportKey('pkcs8', this.privateKey));
  }

  /** Signs one blinded token request the way the library's issuer does (RFC 9474 BlindSign; about 300 ms). */
  async issue(request: Uint8Array): Promise<Uint8Array> {
    const issuer = new publicVerif.Issuer(publicVerif.BlindRSAMode.PSS, 'test issuer', this.privateKey, this.publicKey);
    const response = await issuer.issue(
      publicVerif.TokenRequest.deserialize(publicVerif.BLIND_RSA, Uint8Array.from(request)),
    );
    return response.serialize();
  }
}
