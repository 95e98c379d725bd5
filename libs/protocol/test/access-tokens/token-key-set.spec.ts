/** The signed token key set (docs/protocol/access-tokens.md §3). */
import { generateEd25519KeyPair } from '@opendescent/crypto';
import {
  ProtocolError,
  decodeTokenKeySet,
  issuingTokenKey,
  signTokenKeySet,
  tokenKeySetSupersedes,
  verifyTokenKeySet,
  MAX_TOKEN_KEYS,
} from '../../src';
import { TestTokenIssuer } from '../../src/testing';

const flip = (bytes: Uint8Array, index: number): void => {
  bytes[index] = (bytes[index] ?? 0) ^ 1;
};

describe('token key set', () => {
  const orgId = new Uint8Array(16).fill(1);
  let orgKey: Awaited<ReturnType<typeof generateEd25519KeyPair>>;
  let issuer: TestTokenIssuer;
  let next: TestTokenIssuer;
  beforeAll(async () => {
    orgKey = await generateEd25519KeyPair();
    issuer = await TestTokenIssuer.create(orgId, orgKey, { issueFrom: 1_000, issueUntil: 2_000, acceptUntil: 3_000 });
    next = await TestTokenIssuer.create(orgId, orgKey, { issueFrom: 2_000, issueUntil: 3_000, acceptUntil: 4_000 });
  });
  const trusted = () => [{ orgId, publicKey: orgKey.publicKey }];

  it('round-trips under the organisation key, with key ids computed from the keys', async () => {
    const set = await verifyTokenKeySet(await issuer.keySet([next]), trusted());
    expect(set.keys).toHaveLength(2);
    expect(Buffer.from(set.keys[0]?.tokenKeyId ?? new Uint8Array(0)).equals(Buffer.from(issuer.key.tokenKeyId))).toBe(
      true,
    );
    expect(issuingTokenKey(set, 1_500)?.issueFrom).toBe(1_000);
    expect(issuingTokenKey(set, 2_500)?.issueFrom).toBe(2_000);
    expect(issuingTokenKey(set, 5_000)).toBeUndefined();
  });

  it('refuses a set signed by an untrusted key (unknown_signer) or altered (bad_signature)', async () => {
    const stranger = await generateEd25519KeyPair();
    await expect(verifyTokenKeySet(await issuer.keySet([], stranger), trusted())).rejects.toMatchObject({
      code: 'unknown_signer',
    });
    const bytes = await issuer.keySet();
    flip(bytes, 30);
    await expect(verifyTokenKeySet(bytes, trusted())).rejects.toMatchObject({ code: 'bad_signature' });
  });

  it('refuses malformed sets: truncated, trailing byte, wrong type, unknown version', async () => {
    const bytes = await issuer.keySet();
    expect(() => decodeTokenKeySet(bytes.subarray(0, bytes.length - 1))).toThrow(ProtocolError);
    expect(() => decodeTokenKeySet(new Uint8Array([...bytes, 0]))).toThrow(ProtocolError);
    const wrongType = bytes.slice();
    wrongType[1] = 0x02;
    expect(() => decodeTokenKeySet(wrongType)).toThrow(/type byte/);
    const newer = bytes.slice();
    newer[0] = 2;
    expect(() => decodeTokenKeySet(newer)).toThrow(expect.objectContaining({ code: 'version_unknown' }));
    expect(() => decodeTokenKeySet('text')).toThrow(ProtocolError);
  });

  it('refuses keys that stop issuing before they start, or are accepted for less time than they issue, and duplicates', async () => {
    const key = { spki: issuer.key.spki, issueFrom: 10, issueUntil: 20, acceptUntil: 30 };
    await expect(
      signTokenKeySet({ orgId, setVersion: 1, issuedAt: 1, keys: [{ ...key, issueUntil: 10 }] }, orgKey.privateKey),
    ).rejects.toThrow(ProtocolError);
    await expect(
      signTokenKeySet({ orgId, setVersion: 1, issuedAt: 1, keys: [{ ...key, acceptUntil: 19 }] }, orgKey.privateKey),
    ).rejects.toThrow(ProtocolError);
    await expect(
      signTokenKeySet({ orgId, setVersion: 1, issuedAt: 1, keys: [key, key] }, orgKey.privateKey),
    ).rejects.toThrow(/twice/);
    await expect(
      signTokenKeySet(
        { orgId, setVersion: 1, issuedAt: 1, keys: Array(MAX_TOKEN_KEYS + 1).fill(key) },
        orgKey.privateKey,
      ),
    ).rejects.toMatchObject({ code: 'oversized' });
  });

  it('only a higher version supersedes; the same version is a no-op; a lower one is stale (no rollback to a retired key)', async () => {
    const first = await verifyTokenKeySet(await issuer.keySet(), trusted());
    const second = await verifyTokenKeySet(await issuer.keySet([next]), trusted());
    expect(tokenKeySetSupersedes(undefined, first)).toBe(true);
    expect(tokenKeySetSupersedes(first, second)).toBe(true);
    expect(tokenKeySetSupersedes(second, second)).toBe(false);
    expect(() => tokenKeySetSupersedes(second, first)).toThrow(expect.objectContaining({ code: 'stale' }));
  });
});
