/** The signed revocation list (docs/protocol/attestations.md §3). */
import fc from 'fast-check';
import {
  MAX_REVOCATION_LIST_VALIDITY_SECONDS,
  MAX_REVOKED_DEVICES,
  ProtocolError,
  REVOCATION_LIST_VERSION,
  decodeRevocationList,
  isRevoked,
  revocationListFreshness,
  signRevocationList,
  supersedes,
  verifyRevocationList,
  type RevocationListFields,
  type RevokedDevice,
} from '../src/index';
import { expectGolden, fromHex, goldenOrgKey, hex, labelled, newOrgKey } from './support';

/**
 * A version 1 list as this code signed it before §3.5 (the former golden vector, two entries):
 * kept to prove that version 1 is now refused as too old, not misread as version 2.
 */
const V1_LIST =
  '01023641d6d746ccefb47a0cd3f1dc0a073f52a50119f6a6fbab000000076b49d2640000000206561a3d9a54219079eb1e4436d9cbd76b49d20002769e07e3a18f3a941af534e8becf4d436b49d200012751da26aa7772848ad2f9eea6b8638f6ee042f43fd084a399f3b30ba36d49ecb234438a00d8be47d49b8715bc533a266257de2f52bed9439ea3e005a39f320e';
/** Byte offsets in a version 2 list (attestations.md §3.1). */
const NEXT_UPDATE_AT = 34;
const COUNT_AT = 38;
const ENTRIES_AT = 42;
const ISSUED_AT = 1_800_000_100;

const orgId = labelled('org: ministry of examples', 16);
const device = (name: string, reason: RevokedDevice['reason'] = 'lost_or_stolen'): RevokedDevice => ({
  deviceId: labelled(`device: ${name}`, 16),
  revokedAt: 1_800_000_000,
  reason,
});

function fields(overrides: Partial<RevocationListFields> = {}): RevocationListFields {
  return {
    orgId,
    listVersion: 7,
    issuedAt: ISSUED_AT,
    nextUpdate: ISSUED_AT + 86_400,
    revoked: [device('bob phone'), device('carol laptop', 'compromised')],
    ...overrides,
  };
}

describe('revocation list', () => {
  it('matches its golden vector (a format change is a visible diff)', async () => {
    const org = await goldenOrgKey();
    const bytes = await signRevocationList(fields(), org.privateKey);
    expectGolden('revocation-list-v2', {
      description:
        'attestations.md §3: the revocation list, version 2 (next update one day after issue), two entries, signed by the golden organisation key',
      orgPublicKey: hex(org.publicKey),
      bytes: hex(bytes),
    });
  });

  it('round-trips, sorts its entries and answers look-ups', async () => {
    const org = await newOrgKey();
    const bytes = await signRevocationList(fields(), org.privateKey);
    expect(bytes[0]).toBe(REVOCATION_LIST_VERSION);
    const list = await verifyRevocationList(bytes, [{ orgId, publicKey: org.publicKey }]);
    expect(list.listVersion).toBe(7);
    expect(list.issuedAt).toBe(ISSUED_AT);
    expect(list.nextUpdate).toBe(ISSUED_AT + 86_400);
    const ids = list.revoked.map((entry) => hex(entry.deviceId));
    expect(ids).toEqual([...ids].sort());
    expect(isRevoked(list, labelled('device: bob phone', 16))).toBe(true);
    expect(isRevoked(list, labelled('device: carol laptop', 16))).toBe(true);
    expect(isRevoked(list, labelled('device: alice laptop', 16))).toBe(false);
  });

  it('finds every member and no outsider, for any set of devices', async () => {
    const org = await newOrgKey();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.uint8Array({ minLength: 16, maxLength: 16 }), { maxLength: 40, selector: hex }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        async (ids, probe) => {
          const revoked = ids.map((deviceId) => ({ deviceId, revokedAt: 1, reason: 'unspecified' as const }));
          const list = await verifyRevocationList(await signRevocationList(fields({ revoked }), org.privateKey), [
            { orgId, publicKey: org.publicKey },
          ]);
          for (const id of ids) expect(isRevoked(list, id)).toBe(true);
          expect(isRevoked(list, probe)).toBe(ids.some((id) => hex(id) === hex(probe)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('only goes forward: a newer version supersedes, a replay of the same is a no-op, an older one is stale', async () => {
    const org = await newOrgKey();
    const trusted = [{ orgId, publicKey: org.publicKey }];
    const v7 = await verifyRevocationList(await signRevocationList(fields(), org.privateKey), trusted);
    const v8 = await verifyRevocationList(
      await signRevocationList(fields({ listVersion: 8 }), org.privateKey),
      trusted,
    );
    const v6 = await verifyRevocationList(
      await signRevocationList(fields({ listVersion: 6 }), org.privateKey),
      trusted,
    );
    const forkedV7 = await verifyRevocationList(
      await signRevocationList(fields({ revoked: [] }), org.privateKey),
      trusted,
    );
    expect(supersedes(undefined, v7)).toBe(true);
    expect(supersedes(v7, v8)).toBe(true);
    expect(supersedes(v7, v7)).toBe(false);
    expect(() => supersedes(v7, v6)).toThrow(expect.objectContaining({ code: 'stale' }));
    expect(() => supersedes(v7, forkedV7)).toThrow(expect.objectContaining({ code: 'stale' }));
    // The same version again with only its next update moved is a fork too, not a refresh.
    const postponedV7 = await verifyRevocationList(
      await signRevocationList(fields({ nextUpdate: ISSUED_AT + 2 * 86_400 }), org.privateKey),
      trusted,
    );
    expect(() => supersedes(v7, postponedV7)).toThrow(expect.objectContaining({ code: 'stale' }));
  });

  it('is fresh before its next update and stale from it on; a stale list still answers look-ups', async () => {
    const org = await newOrgKey();
    const list = await verifyRevocationList(await signRevocationList(fields(), org.privateKey), [
      { orgId, publicKey: org.publicKey },
    ]);
    expect(revocationListFreshness(list, ISSUED_AT)).toBe('fresh');
    expect(revocationListFreshness(list, list.nextUpdate - 1)).toBe('fresh');
    expect(revocationListFreshness(list, list.nextUpdate)).toBe('stale');
    expect(revocationListFreshness(list, list.nextUpdate + 31 * 86_400)).toBe('stale');
    // Staleness is a state, never a refusal: the list still decodes and its revocations still count.
    expect(isRevoked(list, labelled('device: bob phone', 16))).toBe(true);
  });

  it('refuses a next update that is not after the issue, or more than a week after it (malformed), signing and decoding', async () => {
    const org = await newOrgKey();
    for (const nextUpdate of [ISSUED_AT, ISSUED_AT - 1, ISSUED_AT + MAX_REVOCATION_LIST_VALIDITY_SECONDS + 1]) {
      await expect(signRevocationList(fields({ nextUpdate }), org.privateKey)).rejects.toMatchObject({
        code: 'malformed',
      });
    }
    const longest = await signRevocationList(
      fields({ nextUpdate: ISSUED_AT + MAX_REVOCATION_LIST_VALIDITY_SECONDS }),
      org.privateKey,
    );
    expect(decodeRevocationList(longest).list.nextUpdate).toBe(ISSUED_AT + MAX_REVOCATION_LIST_VALIDITY_SECONDS);
    for (const nextUpdate of [0, ISSUED_AT, ISSUED_AT + MAX_REVOCATION_LIST_VALIDITY_SECONDS + 1, 0xffffffff]) {
      const edited = longest.slice();
      new DataView(edited.buffer).setUint32(NEXT_UPDATE_AT, nextUpdate);
      expect(() => decodeRevocationList(edited)).toThrow(expect.objectContaining({ code: 'malformed' }));
    }
  });

  it('refuses a version 1 list (no next update) as version_too_old, signed or not', async () => {
    const org = await goldenOrgKey();
    const v1 = fromHex(V1_LIST);
    expect(() => decodeRevocationList(v1)).toThrow(expect.objectContaining({ code: 'version_too_old' }));
    await expect(verifyRevocationList(v1, [{ orgId, publicKey: org.publicKey }])).rejects.toMatchObject({
      code: 'version_too_old',
    });
  });

  it('refuses a list signed by an unpinned key, and a tampered one', async () => {
    const org = await newOrgKey();
    const rogue = await newOrgKey();
    const bytes = await signRevocationList(fields(), rogue.privateKey);
    await expect(verifyRevocationList(bytes, [{ orgId, publicKey: org.publicKey }])).rejects.toMatchObject({
      code: 'unknown_signer',
    });
    const genuine = await signRevocationList(fields(), org.privateKey);
    const tampered = genuine.slice();
    tampered[27] = (tampered[27] as number) ^ 1; // a byte of listVersion
    await expect(verifyRevocationList(tampered, [{ orgId, publicKey: org.publicKey }])).rejects.toMatchObject({
      code: 'bad_signature',
    });
  });

  it('refuses duplicated or unknown entries when signing and when decoding', async () => {
    const org = await newOrgKey();
    await expect(
      signRevocationList(fields({ revoked: [device('x'), device('x')] }), org.privateKey),
    ).rejects.toMatchObject({ code: 'malformed' });
    await expect(signRevocationList(fields({ listVersion: 0 }), org.privateKey)).rejects.toMatchObject({
      code: 'malformed',
    });
    const bytes = await signRevocationList(fields(), org.privateKey);
    const badReason = bytes.slice();
    badReason[ENTRIES_AT + 20] = 99; // first entry's reason byte
    expect(() => decodeRevocationList(badReason)).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('tells unknown from too-old versions, and refuses an entry count it cannot hold before reading entries', async () => {
    const org = await newOrgKey();
    const bytes = await signRevocationList(fields(), org.privateKey);
    const newer = bytes.slice();
    newer[0] = REVOCATION_LIST_VERSION + 1;
    expect(() => decodeRevocationList(newer)).toThrow(expect.objectContaining({ code: 'version_unknown' }));
    for (const version of [0, 1]) {
      const older = bytes.slice();
      older[0] = version;
      expect(() => decodeRevocationList(older)).toThrow(expect.objectContaining({ code: 'version_too_old' }));
    }
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(COUNT_AT, MAX_REVOKED_DEVICES + 1);
    expect(() => decodeRevocationList(huge)).toThrow(expect.objectContaining({ code: 'oversized' }));
    const lying = bytes.slice();
    new DataView(lying.buffer).setUint32(COUNT_AT, 3);
    expect(() => decodeRevocationList(lying)).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('decodes arbitrary and mutated bytes with nothing but ProtocolError', async () => {
    const org = await newOrgKey();
    const valid = await signRevocationList(fields(), org.privateKey);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, value] of edits) copy[at] = value;
              return copy;
            }),
        ),
        (bytes) => {
          try {
            decodeRevocationList(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
