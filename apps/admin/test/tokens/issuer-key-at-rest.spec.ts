/**
 * Token issuer private keys at rest (docs/protocol/admin-api.md §11.1): sealed under the master key
 * like the organisation keys, bound to their org id and SPKI, opening as nothing else.
 */
import { randomBytes } from 'node:crypto';
import { publicVerif } from '@cloudflare/privacypass-ts';
import { OrgKeyUnavailableError, openOrgKeySeed, openUnderMasterKey } from '../../src/server/org/org-key-sealing';
import { MasterKeySource } from '../../src/server/org/master-key.mjs';
import { IssuerKeyCache } from '../../src/server/tokens/issuer-key-cache';

const masterKeyOf = (bytes: Uint8Array) => new MasterKeySource('env', { hex: Buffer.from(bytes).toString('hex') });

describe('a sealed token issuer key', () => {
  const master = new Uint8Array(randomBytes(32));
  const orgId = new Uint8Array(randomBytes(16));
  let spki: Uint8Array;
  let pkcs8: Uint8Array;
  let sealed: Uint8Array;

  beforeAll(async () => {
    const pair = await publicVerif.Issuer.generateKey(publicVerif.BlindRSAMode.PSS, {
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
    });
    spki = await publicVerif.getPublicKeyBytes(pair.publicKey);
    pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    sealed = new IssuerKeyCache(masterKeyOf(master)).seal(orgId, spki, pkcs8.slice());
  });

  test('does not hold the PKCS#8 bytes in the clear, and opens into the same RSA key with the same master key', () => {
    expect(Buffer.from(sealed).includes(Buffer.from(pkcs8.subarray(40, 80)))).toBe(false);
    const pair = new IssuerKeyCache(masterKeyOf(master)).open(orgId, {
      tokenKeyId: new Uint8Array(32),
      spki,
      sealedPrivateKey: sealed,
    });
    expect(pair.privateKey.export({ format: 'der', type: 'pkcs8' }).equals(Buffer.from(pkcs8))).toBe(true);
  });

  test.each([
    [
      'with another master key',
      () =>
        new IssuerKeyCache(masterKeyOf(new Uint8Array(randomBytes(32)))).open(orgId, {
          tokenKeyId: new Uint8Array(32),
          spki,
          sealedPrivateKey: sealed,
        }),
    ],
    [
      'with another org id',
      () =>
        new IssuerKeyCache(masterKeyOf(master)).open(new Uint8Array(16), {
          tokenKeyId: new Uint8Array(32),
          spki,
          sealedPrivateKey: sealed,
        }),
    ],
    [
      'with another public key',
      () =>
        new IssuerKeyCache(masterKeyOf(master)).open(orgId, {
          tokenKeyId: new Uint8Array(32),
          spki: spki.map((b, i) => (i === 100 ? b ^ 1 : b)),
          sealedPrivateKey: sealed,
        }),
    ],
    ['as an organisation key would', () => openOrgKeySeed(master, orgId, spki, sealed)],
    [
      'once its private half is erased',
      () =>
        new IssuerKeyCache(masterKeyOf(master)).open(orgId, {
          tokenKeyId: new Uint8Array(32),
          spki,
          sealedPrivateKey: null,
        }),
    ],
  ])('does not open %s (OrgKeyUnavailableError)', (_what, attempt) => {
    expect(attempt).toThrow(OrgKeyUnavailableError);
  });

  test('opens with the token issuer kind only', () => {
    expect(openUnderMasterKey('token issuer key', master, orgId, spki, sealed).length).toBe(pkcs8.length);
  });
});
