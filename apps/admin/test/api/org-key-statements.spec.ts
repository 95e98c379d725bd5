/**
 * Organisation-key rotation that verifiers follow (docs/protocol/attestations.md §4, admin-api.md
 * §9.1, §9.3): a verifier that pinned only the first key, as a client does at enrolment, follows
 * prepare, activate, a second rotation and a discarded key through the statements of
 * `GET /api/v1/org` alone, and then verifies the lists the admin app signs with the new keys.
 */
import {
  applyOrgKeyStatements,
  decodeOrgKeyStatement,
  honouredOrgKeys,
  orgDocumentSchema,
  verifyRevocationList,
  type PinnedOrgKeys,
} from '@opendescent/protocol';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { GET as revocationList } from '../../app/api/v1/revocation-list/route';
import { activateNextOrgKey, discardNextOrgKey, prepareNextOrgKey } from '../../src/server/org/organisation';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { b64 } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('organisation-key statements on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const unix = () => Math.floor(app.services.now().getTime() / 1000);
  const actor = () => `admin:${admin.id}` as const;
  const orgDocument = async () => orgDocumentSchema.parse((await call(orgConfig, '/api/v1/org')).json);
  const listBytes = async () =>
    new Uint8Array(await (await call(revocationList, '/api/v1/revocation-list')).response.arrayBuffer());

  test('a verifier pinning only the first key follows two rotations and a discarded key from the statements alone', async () => {
    const first = await orgDocument();
    expect(first.statements).toEqual([]);
    const firstKey = first.keys.find((key) => key.status === 'active');
    if (!firstKey) throw new Error('no active key');
    let pinned: PinnedOrgKeys = { orgId: first.orgId, keys: [{ publicKey: firstKey.publicKey }], sequence: 0 };
    const follow = async () => {
      const result = await applyOrgKeyStatements(pinned, (await orgDocument()).statements, unix());
      expect(result.refused).toEqual([]);
      pinned = result.pinned;
      return honouredOrgKeys(pinned, unix()).map((key) => b64(key.publicKey));
    };

    const next = await prepareNextOrgKey(app.services, actor());
    expect(await follow()).toEqual([b64(firstKey.publicKey), b64(next.publicKey)]);

    await activateNextOrgKey(app.services, actor());
    expect(await follow()).toEqual([b64(firstKey.publicKey), b64(next.publicKey)]);
    // The list the admin app now signs with the new key verifies against what was followed.
    await expect(verifyRevocationList(await listBytes(), honouredOrgKeys(pinned, unix()))).resolves.toBeDefined();
    const retiredUntil = pinned.keys[0]?.until ?? 0;
    expect(retiredUntil).toBeGreaterThanOrEqual(unix() + app.services.config.attestationLifetimeSeconds);

    const discarded = await prepareNextOrgKey(app.services, actor());
    expect(await follow()).toContain(b64(discarded.publicKey));
    await discardNextOrgKey(app.services, actor());
    expect(await follow()).not.toContain(b64(discarded.publicKey));

    // A day later, a second rotation: the first key's end comes before the second's.
    app.advance(86_400);
    const third = await prepareNextOrgKey(app.services, actor());
    await activateNextOrgKey(app.services, actor());
    expect(await follow()).toEqual([b64(firstKey.publicKey), b64(next.publicKey), b64(third.publicKey)]);
    await expect(verifyRevocationList(await listBytes(), honouredOrgKeys(pinned, unix()))).resolves.toBeDefined();

    // Past the first key's stated end it is dropped; the keys still honoured verify what is signed now.
    app.advance(retiredUntil - unix());
    expect(await follow()).toEqual([b64(next.publicKey), b64(third.publicKey)]);
    expect(pinned.keys.map((key) => b64(key.publicKey))).not.toContain(b64(firstKey.publicKey));
  });

  test('statements are numbered without a gap, each signed by a key honoured when it was made', async () => {
    const { statements } = await orgDocument();
    const decoded = statements.map((bytes) => decodeOrgKeyStatement(bytes).statement);
    expect(decoded.map((s) => s.sequence)).toEqual(decoded.map((_, i) => i + 1));
    expect(decoded.map((s) => s.kind)).toEqual(['introduce', 'retire', 'introduce', 'retire', 'introduce', 'retire']);
  });

  test('the database refuses a statement out of sequence, a rewrite and a removal', async () => {
    const prisma = app.database.prisma;
    const row = await prisma.orgKeyStatement.findFirst({ orderBy: { sequence: 'desc' } });
    if (!row) throw new Error('no statement');
    const copy = { kind: row.kind, subjectId: row.subjectId, createdAt: row.createdAt, bytes: row.bytes };
    await expect(prisma.orgKeyStatement.create({ data: { ...copy, sequence: row.sequence + 2 } })).rejects.toThrow();
    await expect(
      prisma.orgKeyStatement.update({ where: { sequence: row.sequence }, data: { kind: 'introduce' } }),
    ).rejects.toThrow();
    await expect(prisma.orgKeyStatement.delete({ where: { sequence: row.sequence } })).rejects.toThrow();
    expect(await prisma.orgKeyStatement.count()).toBe(row.sequence);
  });
});
