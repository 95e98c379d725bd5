/** Organisation-key statements: following a rotation (docs/protocol/attestations.md §4). */
import type { Ed25519KeyPair } from '@opendescent/crypto';
import {
  ORG_KEY_STATEMENT_BYTES,
  applyOrgKeyStatements,
  decodeOrgKeyStatement,
  honouredOrgKeys,
  signOrgKeyStatement,
  type OrgKeyStatementFields,
  type PinnedOrgKeys,
} from '../src/index';
import { expectGolden, goldenOrgKey, hex, labelled, newOrgKey, protocolCode } from './support';

const orgId = labelled('org: ministry of examples', 16);
const NOW = 1_800_000_000;
const DAY = 86_400;

const pinnedTo = (...keys: Ed25519KeyPair[]): PinnedOrgKeys => ({
  orgId,
  keys: keys.map((key) => ({ publicKey: key.publicKey })),
  sequence: 0,
});
const honoured = (pinned: PinnedOrgKeys, now = NOW) => honouredOrgKeys(pinned, now).map((key) => hex(key.publicKey));

function introduce(sequence: number, subject: Ed25519KeyPair, issuedAt = NOW): OrgKeyStatementFields {
  return { orgId, sequence, issuedAt, kind: 'introduce', subject: subject.publicKey, until: 0 };
}

function retire(sequence: number, subject: Ed25519KeyPair, until: number, issuedAt = NOW): OrgKeyStatementFields {
  return { orgId, sequence, issuedAt, kind: 'retire', subject: subject.publicKey, until };
}

describe('organisation key statements', () => {
  let k1: Ed25519KeyPair;
  let k2: Ed25519KeyPair;
  let k3: Ed25519KeyPair;
  beforeAll(async () => {
    [k1, k2, k3] = await Promise.all([newOrgKey(), newOrgKey(), newOrgKey()]);
  });

  it('matches its golden vector (a format change is a visible diff)', async () => {
    const org = await goldenOrgKey();
    const next = labelled('golden next organisation key', 32);
    const bytes = await signOrgKeyStatement(
      { orgId, sequence: 3, issuedAt: NOW, kind: 'introduce', subject: next, until: 0 },
      org.privateKey,
    );
    expect(bytes.length).toBe(ORG_KEY_STATEMENT_BYTES);
    expectGolden('org-key-statement-v1', {
      description:
        'attestations.md §4: an organisation key statement, version 1, introducing a next key, signed by the golden organisation key',
      orgPublicKey: hex(org.publicKey),
      bytes: hex(bytes),
    });
  });

  it('follows a whole rotation: the next key introduced, then the previous key retired and dropped at its end', async () => {
    const introduced = await signOrgKeyStatement(introduce(1, k2), k1.privateKey);
    const retired = await signOrgKeyStatement(retire(2, k1, NOW + 31 * DAY), k1.privateKey);
    const { pinned, applied, refused } = await applyOrgKeyStatements(pinnedTo(k1), [introduced, retired], NOW);
    expect({ applied, refused }).toEqual({ applied: 2, refused: [] });
    expect(honoured(pinned)).toEqual([hex(k1.publicKey), hex(k2.publicKey)]);
    expect(pinned.sequence).toBe(2);
    // At its stated end the previous key is no longer honoured, then dropped for good.
    expect(honoured(pinned, NOW + 31 * DAY)).toEqual([hex(k2.publicKey)]);
    const later = await applyOrgKeyStatements(pinned, [], NOW + 31 * DAY);
    expect(later.pinned.keys.map((key) => hex(key.publicKey))).toEqual([hex(k2.publicKey)]);
  });

  it('follows a chain of rotations it missed, in sequence order whatever the order served', async () => {
    const statements = [
      await signOrgKeyStatement(retire(4, k2, NOW + 10), k2.privateKey),
      await signOrgKeyStatement(introduce(3, k3), k2.privateKey),
      await signOrgKeyStatement(retire(2, k1, NOW + 10), k1.privateKey),
      await signOrgKeyStatement(introduce(1, k2), k1.privateKey),
    ];
    const { pinned, applied } = await applyOrgKeyStatements(pinnedTo(k1), statements, NOW);
    expect(applied).toBe(4);
    expect(honoured(pinned, NOW + 10)).toEqual([hex(k3.publicKey)]);
  });

  it('refuses a key introduced by a key it does not pin (unknown_signer): nothing changes', async () => {
    const forged = await signOrgKeyStatement(introduce(1, k3), k2.privateKey);
    const { pinned, applied, refused } = await applyOrgKeyStatements(pinnedTo(k1), [forged], NOW);
    expect(applied).toBe(0);
    expect(refused).toEqual([{ sequence: 1, code: 'unknown_signer' }]);
    expect(honoured(pinned)).toEqual([hex(k1.publicKey)]);
    expect(pinned.sequence).toBe(0);
  });

  it('refuses a statement signed by a key past its end (unknown_signer)', async () => {
    const retired = await signOrgKeyStatement(retire(1, k1, NOW + 60), k1.privateKey);
    const late = await signOrgKeyStatement(introduce(2, k3), k1.privateKey);
    const { pinned, refused } = await applyOrgKeyStatements(pinnedTo(k1, k2), [retired, late], NOW + 61);
    expect(refused).toEqual([{ sequence: 2, code: 'unknown_signer' }]);
    expect(honoured(pinned, NOW + 61)).toEqual([hex(k2.publicKey)]);
  });

  it('refuses a tampered statement (bad_signature) and one of another organisation (unknown_signer)', async () => {
    const bytes = await signOrgKeyStatement(introduce(1, k2), k1.privateKey);
    const tampered = bytes.slice();
    tampered[40] = (tampered[40] as number) ^ 1;
    const otherOrg = await signOrgKeyStatement(
      { ...introduce(1, k2), orgId: labelled('org: another one', 16) },
      k1.privateKey,
    );
    const { pinned, refused } = await applyOrgKeyStatements(pinnedTo(k1), [tampered, otherOrg], NOW);
    expect(refused.map((r) => r.code).sort()).toEqual(['bad_signature', 'unknown_signer']);
    expect(honoured(pinned)).toEqual([hex(k1.publicKey)]);
  });

  it('applies a statement once: a replayed or older sequence is ignored', async () => {
    const first = await signOrgKeyStatement(introduce(5, k2), k1.privateKey);
    const once = await applyOrgKeyStatements(pinnedTo(k1), [first], NOW);
    // k2 retired by k1 under an older sequence: a replay of history, not a new statement.
    const older = await signOrgKeyStatement(retire(4, k2, NOW + 1), k1.privateKey);
    const again = await applyOrgKeyStatements(once.pinned, [first, older], NOW);
    expect(again.applied).toBe(0);
    expect(again.pinned).toEqual(once.pinned);
  });

  it('never extends a key: a later retirement with a later end keeps the earlier end', async () => {
    const statements = [
      await signOrgKeyStatement(retire(1, k2, NOW + 100), k1.privateKey),
      await signOrgKeyStatement(retire(2, k2, NOW + 10 * DAY), k1.privateKey),
    ];
    const { pinned } = await applyOrgKeyStatements(pinnedTo(k1, k2), statements, NOW);
    expect(pinned.keys.find((key) => hex(key.publicKey) === hex(k2.publicKey))?.until).toBe(NOW + 100);
  });

  it('refuses a statement issued in the future (not_yet_valid)', async () => {
    const early = await signOrgKeyStatement(introduce(1, k2, NOW + 3600), k1.privateKey);
    const { refused } = await applyOrgKeyStatements(pinnedTo(k1), [early], NOW);
    expect(refused).toEqual([{ sequence: 1, code: 'not_yet_valid' }]);
  });

  it('refuses malformed statements by name: truncated, trailing bytes, unknown kind, self-introduction, no end', async () => {
    const bytes = await signOrgKeyStatement(introduce(1, k2), k1.privateKey);
    expect(protocolCode(() => decodeOrgKeyStatement(bytes.slice(0, -1)))).toBe('malformed');
    expect(protocolCode(() => decodeOrgKeyStatement(new Uint8Array([...bytes, 0])))).toBe('oversized');
    const kind = bytes.slice();
    kind[34] = 9;
    expect(protocolCode(() => decodeOrgKeyStatement(kind))).toBe('malformed');
    await expect(signOrgKeyStatement(introduce(1, k1), k1.privateKey)).rejects.toMatchObject({ code: 'malformed' });
    await expect(signOrgKeyStatement(retire(1, k2, 0), k1.privateKey)).rejects.toMatchObject({ code: 'malformed' });
    await expect(signOrgKeyStatement(introduce(0, k2), k1.privateKey)).rejects.toMatchObject({ code: 'malformed' });
    const { refused } = await applyOrgKeyStatements(pinnedTo(k1), [bytes.slice(0, 20)], NOW);
    expect(refused).toEqual([{ sequence: undefined, code: 'malformed' }]);
  });

  it('refuses another version (version_too_old, version_unknown) and another document type', async () => {
    const bytes = await signOrgKeyStatement(introduce(1, k2), k1.privateKey);
    const old = bytes.slice();
    old[0] = 0;
    const newer = bytes.slice();
    newer[0] = 2;
    const type = bytes.slice();
    type[1] = 2;
    expect(protocolCode(() => decodeOrgKeyStatement(old))).toBe('version_too_old');
    expect(protocolCode(() => decodeOrgKeyStatement(newer))).toBe('version_unknown');
    expect(protocolCode(() => decodeOrgKeyStatement(type))).toBe('malformed');
  });
});
