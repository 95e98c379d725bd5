/**
 * RFC 9474 BlindSign through OpenSSL (docs/decisions/0010-token-issuance-rsa.md): byte-identical
 * to the library's issuer for the same request, refuses a blinded message at or above the
 * modulus, and never releases a signature that fails the RSAVP1 check.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { publicVerif } from '@cloudflare/privacypass-ts';
import { generateEd25519KeyPair } from '@opendescent/crypto';
import { TOKEN_REQUEST_LENGTH, blindAccessTokenRequest, decodeTokenRequest } from '@opendescent/protocol';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import {
  BlindSigningFault,
  BlindedMessageOutOfRange,
  blindSign,
  type IssuerKeyPair,
} from '../../src/server/tokens/blind-sign';

const ORG_ID = new Uint8Array(16).fill(7);

async function issuerWithOpenSslKey(): Promise<{ issuer: TestTokenIssuer; pair: IssuerKeyPair }> {
  const issuer = await TestTokenIssuer.create(ORG_ID, await generateEd25519KeyPair());
  const privateKey = createPrivateKey({ key: Buffer.from(await issuer.pkcs8()), format: 'der', type: 'pkcs8' });
  return { issuer, pair: { privateKey, publicKey: createPublicKey(privateKey) } };
}

test('OpenSSL gives byte-identical blind signatures to publicVerif.Issuer.issue for the same request, and the token verifies', async () => {
  const { issuer, pair } = await issuerWithOpenSslKey();
  for (let i = 0; i < 3; i++) {
    const pending = await blindAccessTokenRequest(issuer.key, ORG_ID, 'relay.example:443');
    expect(pending.request).toHaveLength(TOKEN_REQUEST_LENGTH);
    const decoded = decodeTokenRequest(pending.request, issuer.key.tokenKeyId);
    if (!decoded) throw new Error('the client made a request the issuer cannot read');
    const ours = blindSign(pair, decoded.blindedMessage);
    const library = await issuer.issue(pending.request);
    expect(Buffer.from(ours).equals(Buffer.from(library))).toBe(true);
    // finish() unblinds and verifies under the issuer key (RFC 9474 Finalize).
    await expect(pending.finish(ours)).resolves.toHaveLength(2 + 32 + 32 + 32 + 256);
  }
}, 30_000);

test('a blinded message at or above the modulus is refused (BlindedMessageOutOfRange), not signed', async () => {
  const { pair } = await issuerWithOpenSslKey();
  expect(() => blindSign(pair, new Uint8Array(256).fill(0xff))).toThrow(BlindedMessageOutOfRange);
  expect(() => blindSign(pair, new Uint8Array(255).fill(1))).toThrow(BlindedMessageOutOfRange);
});

function modulusOf(publicKey: KeyObject): bigint {
  return BigInt(`0x${Buffer.from(publicKey.export({ format: 'jwk' }).n ?? '', 'base64url').toString('hex')}`);
}

function toBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(512, '0'), 'hex');
}

test('a signature that fails the RSAVP1 check is never released (BlindSigningFault), whether or not it is below the other modulus', async () => {
  const { pair } = await issuerWithOpenSslKey();
  // The check runs under the wrong public key, as a faulty private operation would look. Each
  // signature s is chosen first and its message computed as s^e mod n under the issuer key, so
  // both cases are made on purpose rather than hoped for: s below the other modulus (RSAVP1
  // gives a different value) and s at or above it (OpenSSL refuses the input).
  let other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  while (modulusOf(other.publicKey) >= modulusOf(pair.publicKey))
    other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuerModulus = modulusOf(pair.publicKey);
  const otherModulus = modulusOf(other.publicKey);
  const faulty: IssuerKeyPair = { privateKey: pair.privateKey, publicKey: other.publicKey };
  const random = (): bigint => BigInt(`0x${randomBytes(256).toString('hex')}`);
  const signatures = [
    ...Array.from({ length: 4 }, () => random() % otherModulus),
    ...Array.from({ length: 4 }, () => otherModulus + (random() % (issuerModulus - otherModulus))),
  ];
  for (const signature of signatures) {
    const message = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_NO_PADDING }, toBytes(signature));
    // The issuer's own operation gives back the chosen signature: the case is the intended one.
    expect(privateDecrypt({ key: pair.privateKey, padding: constants.RSA_NO_PADDING }, message)).toEqual(
      toBytes(signature),
    );
    expect(() => blindSign(faulty, message)).toThrow(BlindSigningFault);
  }
}, 60_000);

test('the library issuer and OpenSSL agree on the key: a PSS key from Issuer.generateKey opens as plain RSA in node:crypto', async () => {
  const pair = await publicVerif.Issuer.generateKey(publicVerif.BlindRSAMode.PSS, {
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  });
  const key = createPrivateKey({
    key: Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
    format: 'der',
    type: 'pkcs8',
  });
  expect(key.asymmetricKeyType).toBe('rsa');
  expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
  expect(await publicVerif.getPublicKeyBytes(pair.publicKey)).toHaveLength(342);
});
