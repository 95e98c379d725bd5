/**
 * The token issuer keys and the signed token key set (docs/protocol/admin-api.md §11.1), on the
 * embedded database and on PostgreSQL: the schedule as housekeeping runs it (current key, the next
 * one made 2 days ahead, private halves erased, old keys dropped, versions only going up), the set
 * verifying under the organisation key, re-signed at an org key rotation, pushed to the relays,
 * served by GET /api/v1/token-keys, and stored sets that the database never lets anyone rewrite.
 */
import { randomBytes } from 'node:crypto';
import {
  decodeTokenKeySet,
  encodeHex,
  issuingTokenKey,
  verifyTokenKeySet,
  type TokenKeySet,
} from '@opendescent/protocol';
import { GET as tokenKeys } from '../../app/api/v1/token-keys/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { runHousekeeping } from '../../src/server/housekeeping';
import { activateNextOrgKey, ensureOrganisation, prepareNextOrgKey } from '../../src/server/org/organisation';
import { loadServerConfig } from '../../server-config.mjs';
import { createAdminServices, useAdminServicesForTests } from '../../src/server/services';
import { maintainTokenKeys } from '../../src/server/tokens/token-keys';
import { unb64 } from '../support/test-device';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const DAY = 86_400;

describe.each(DATABASE_KINDS)('token issuer keys on the %s database', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_TOKEN_KEY_ISSUE_DAYS: '7' }, kind);
  }, SLOW);
  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const unix = () => Math.floor(app.services.now().getTime() / 1000);
  const prisma = () => app.database.prisma;

  async function trusted() {
    const { json } = await call(orgConfig, '/api/v1/org');
    const orgId = unb64(json.orgId);
    return (json.keys as { publicKey: string; status: string }[])
      .filter((k) => k.status !== 'pending')
      .map((k) => ({ orgId, publicKey: unb64(k.publicKey) }));
  }

  async function servedSet(): Promise<{ version: number; set: TokenKeySet; bytes: Uint8Array }> {
    const { status, response } = await call(tokenKeys, '/api/v1/token-keys');
    expect(status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const set = await verifyTokenKeySet(bytes, await trusted());
    expect(response.headers.get('x-token-key-set-version')).toBe(String(set.setVersion));
    return { version: set.setVersion, set, bytes };
  }

  const storedVersions = async () =>
    (await prisma().signedTokenKeySet.findMany({ orderBy: { version: 'asc' } })).map((row) => row.version);

  test(
    'GET /api/v1/token-keys on a fresh start makes the first key and serves set version 1, signed by the organisation key',
    async () => {
      const { set } = await servedSet();
      expect(set.setVersion).toBe(1);
      expect(set.keys).toHaveLength(1);
      const [current] = set.keys;
      expect(current).toMatchObject({
        issueFrom: unix(),
        issueUntil: unix() + 7 * DAY,
        acceptUntil: unix() + 14 * DAY,
      });
      expect(current?.spki).toHaveLength(342);
      expect(issuingTokenKey(set, unix())).toBe(current);
      const row = await prisma().tokenIssuerKey.findUniqueOrThrow({
        where: { tokenKeyId: new Uint8Array(current?.tokenKeyId as Uint8Array) },
      });
      // Sealed, not PKCS#8 in the clear (a DER SEQUENCE would start 0x30).
      expect(row.sealedPrivateKey?.[0]).toBe(0x01);
      expect(row.privateErasedAt).toBeNull();
    },
    SLOW,
  );

  test(
    'housekeeping changes nothing while nothing is due: no new version',
    async () => {
      await runHousekeeping(app.services);
      await runHousekeeping(app.services);
      expect(await storedVersions()).toEqual([1]);
    },
    SLOW,
  );

  test(
    '2 days before the current key stops, the next is made with issueFrom = its issueUntil, in a new set pushed to every relay',
    async () => {
      const before = await servedSet();
      const current = before.set.keys[0];
      app.advance(5 * DAY - 60);
      expect(await maintainTokenKeys(app.services)).toBeUndefined();
      app.advance(60);
      app.pushes.length = 0;
      const signed = await maintainTokenKeys(app.services);
      expect(signed?.version).toBe(2);
      const { set } = await servedSet();
      expect(set.keys.map((k) => encodeHex(k.tokenKeyId))).toEqual([
        encodeHex(current?.tokenKeyId as Uint8Array),
        expect.any(String),
      ]);
      const next = set.keys[1];
      expect(next).toMatchObject({
        issueFrom: current?.issueUntil,
        issueUntil: (current?.issueUntil as number) + 7 * DAY,
      });
      // The current key still issues; the next one is only pinned.
      expect(issuingTokenKey(set, unix())).toEqual(current);
      await app.services.tokenKeyPusher.settled();
      expect(app.pushes.map((p) => p.url).sort()).toEqual([
        'http://relay-a.test/token-keys',
        'http://relay-b.test/token-keys',
      ]);
      expect(decodeTokenKeySet(app.pushes[0]?.body).set.setVersion).toBe(2);
    },
    SLOW,
  );

  test(
    'once the next key issues, the previous private half is erased but its key stays in the set until acceptUntil',
    async () => {
      const { set: before } = await servedSet();
      const [previous, next] = before.keys;
      app.advance(2 * DAY);
      await runHousekeeping(app.services);
      const old = await prisma().tokenIssuerKey.findUniqueOrThrow({
        where: { tokenKeyId: new Uint8Array(previous?.tokenKeyId as Uint8Array) },
      });
      expect(old.sealedPrivateKey).toBeNull();
      expect(old.privateErasedAt).toEqual(app.services.now());
      const { set } = await servedSet();
      expect(issuingTokenKey(set, unix())).toEqual(next);
      expect(set.keys.map((k) => encodeHex(k.tokenKeyId))).toContain(encodeHex(previous?.tokenKeyId as Uint8Array));
      // The set did not change by the erasure alone.
      expect(set.setVersion).toBe(before.setVersion);
    },
    SLOW,
  );

  test(
    'a key past acceptUntil leaves the set; versions only ever go up',
    async () => {
      const { set: before } = await servedSet();
      const first = before.keys[0];
      app.advance((first?.acceptUntil as number) - unix());
      await runHousekeeping(app.services);
      const { set } = await servedSet();
      expect(set.keys.map((k) => encodeHex(k.tokenKeyId))).not.toContain(encodeHex(first?.tokenKeyId as Uint8Array));
      expect(set.keys.length).toBeGreaterThanOrEqual(2);
      const versions = await storedVersions();
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(versions.at(-1)).toBe(set.setVersion);
      expect(set.setVersion).toBeGreaterThan(before.setVersion);
      // The row stays, public half only: every set ever signed can still be checked against it.
      expect(
        await prisma().tokenIssuerKey.count({
          where: { tokenKeyId: new Uint8Array(first?.tokenKeyId as Uint8Array), sealedPrivateKey: null },
        }),
      ).toBe(1);
    },
    SLOW,
  );

  test(
    'an org key rotation re-signs the set with the new key (next version), in the activation itself',
    async () => {
      const { set: before } = await servedSet();
      await prepareNextOrgKey(app.services, 'system');
      app.pushes.length = 0;
      const activated = await activateNextOrgKey(app.services, 'system');
      expect(activated.tokenKeySetVersion).toBe(before.setVersion + 1);
      const { set } = await servedSet();
      expect(set.setVersion).toBe(before.setVersion + 1);
      expect(set.keys).toEqual(before.keys);
      const active = await prisma().orgKey.findFirstOrThrow({ where: { retiredAt: null, activatedAt: { not: null } } });
      expect(encodeHex(set.orgKeyId)).toBe(encodeHex(active.keyId));
      expect(
        encodeHex((await prisma().signedTokenKeySet.findFirstOrThrow({ where: { version: set.setVersion } })).orgKeyId),
      ).toBe(encodeHex(active.keyId));
      // Only the new key verifies it: the retired key's public half alone does not.
      const newKeyOnly = [{ orgId: set.orgId, publicKey: new Uint8Array(active.publicKey) }];
      await expect(verifyTokenKeySet((await servedSet()).bytes, newKeyOnly)).resolves.toMatchObject({
        setVersion: set.setVersion,
      });
      await app.services.tokenKeyPusher.settled();
      expect(
        app.pushes.filter((p) => p.url.endsWith('/token-keys')).map((p) => decodeTokenKeySet(p.body).set.setVersion),
      ).toEqual([set.setVersion, set.setVersion]);
      // Housekeeping right after finds nothing changed.
      await runHousekeeping(app.services);
      expect((await storedVersions()).at(-1)).toBe(set.setVersion);
    },
    SLOW,
  );

  test(
    'the database refuses a duplicate or lower version, and any rewrite or deletion of a stored set',
    async () => {
      const latest = await prisma().signedTokenKeySet.findFirstOrThrow({ orderBy: { version: 'desc' } });
      const copy = { bytes: latest.bytes, issuedAt: latest.issuedAt, orgKeyId: latest.orgKeyId };
      await expect(prisma().signedTokenKeySet.create({ data: { ...copy, version: latest.version } })).rejects.toThrow();
      await expect(prisma().signedTokenKeySet.create({ data: { ...copy, version: 1 } })).rejects.toThrow();
      await expect(
        prisma().$executeRawUnsafe(
          `UPDATE "token_key_sets" SET "bytes" = '\\x00'::bytea WHERE "version" = ${latest.version}`,
        ),
      ).rejects.toThrow();
      await expect(prisma().$executeRawUnsafe('DELETE FROM "token_key_sets"')).rejects.toThrow();
      await expect(prisma().$executeRawUnsafe('TRUNCATE "token_key_sets"')).rejects.toThrow();
      expect((await storedVersions()).at(-1)).toBe(latest.version);
    },
    SLOW,
  );

  test(
    'two instances running the schedule at once make one next key and one new version, not a fork',
    async () => {
      const { set: before } = await servedSet();
      const current = issuingTokenKey(before, unix());
      app.advance((current?.issueUntil as number) - 2 * DAY - unix());
      const results = await Promise.all([maintainTokenKeys(app.services), maintainTokenKeys(app.services)]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      const { set } = await servedSet();
      expect(set.setVersion).toBe(before.setVersion + 1);
      expect(set.keys.filter((k) => k.issueFrom === current?.issueUntil)).toHaveLength(1);
    },
    SLOW,
  );
});

describe('when no token key set can be made', () => {
  test(
    'GET /api/v1/token-keys answers 503 token_keys_unavailable (here: a master key that does not open the organisation key)',
    async () => {
      const app = await startTestApp();
      try {
        await ensureOrganisation(app.services);
        const wrongKey = createAdminServices(
          app.database.prisma,
          loadServerConfig({
            ADMIN_MASTER_KEY: randomBytes(32).toString('hex'),
            ADMIN_PUBLIC_URL: 'http://localhost:3001',
          }),
          { log: { info: () => undefined, warn: () => undefined } },
        );
        useAdminServicesForTests(wrongKey);
        expect(await call(tokenKeys, '/api/v1/token-keys')).toMatchObject({
          status: 503,
          json: { error: 'token_keys_unavailable' },
        });
        expect(await app.database.prisma.signedTokenKeySet.count()).toBe(0);
        expect(await app.database.prisma.tokenIssuerKey.count()).toBe(0);
      } finally {
        await app.close();
      }
    },
    SLOW,
  );
});
