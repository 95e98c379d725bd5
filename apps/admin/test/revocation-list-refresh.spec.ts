/**
 * A revocation list that never goes stale while the admin app works (docs/protocol/attestations.md
 * §3.5, admin-api.md §6.4), on the embedded database and on PostgreSQL: every list's next update
 * comes from ADMIN_REVOCATION_LIST_VALIDITY_SECONDS; housekeeping signs the next version, same
 * entries, at half-life and not before, and pushes it to every relay; a stored version 1 list is
 * re-signed at start; instances refreshing together sign one version between them.
 */
import { decodeRevocationList, isRevoked, verifyRevocationList, type RevocationList } from '@opendescent/protocol';
import { GET as orgConfig } from '../app/api/v1/org/route';
import { GET as revocationListRoute } from '../app/api/v1/revocation-list/route';
import { POST as revoke } from '../app/api/admin/devices/revoke/route';
import { runHousekeeping } from '../src/server/housekeeping';
import { refreshDue, refreshIntervalMs, refreshRevocationList } from '../src/server/revocation/list-refresh';
import { HOUSEKEEPING_INTERVAL_MS } from '../src/server/housekeeping';
import { startAdminApp } from '../src/server/startup';
import { signedInAdmin } from './support/test-admin';
import { unb64 } from './support/test-device';
import { testMembers, type TestMembers } from './support/test-members';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from './support/test-services';

const VALIDITY = 3_600;

describe('when a list is due', () => {
  test('at half its validity counted from its issue or to its next update, whichever comes first', () => {
    const list = { issuedAt: 1_000, nextUpdate: 1_000 + VALIDITY };
    expect(refreshDue(list, 1_000, VALIDITY)).toBe(false);
    expect(refreshDue(list, 1_000 + VALIDITY / 2 - 1, VALIDITY)).toBe(false);
    expect(refreshDue(list, 1_000 + VALIDITY / 2, VALIDITY)).toBe(true);
    // Made under a longer validity: replaced at half the configured one.
    expect(refreshDue({ issuedAt: 1_000, nextUpdate: 1_000 + 7 * 86_400 }, 1_000 + VALIDITY / 2, VALIDITY)).toBe(true);
    // Made under a shorter validity: replaced before it goes stale.
    expect(refreshDue({ issuedAt: 1_000, nextUpdate: 1_000 + 120 }, 1_001, VALIDITY)).toBe(true);
  });

  test('is checked at least every quarter of the validity, so a short one never goes stale between checks', () => {
    expect(refreshIntervalMs(86_400, HOUSEKEEPING_INTERVAL_MS)).toBe(HOUSEKEEPING_INTERVAL_MS);
    expect(refreshIntervalMs(120, HOUSEKEEPING_INTERVAL_MS)).toBe(30_000);
    expect(refreshIntervalMs(600, HOUSEKEEPING_INTERVAL_MS)).toBe(150_000);
  });
});

describe.each(DATABASE_KINDS)('the revocation list kept fresh on the %s database', (kind) => {
  let app: TestApp;
  let m: TestMembers;

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_REVOCATION_LIST_VALIDITY_SECONDS: String(VALIDITY) }, kind);
    m = testMembers(app, (await signedInAdmin(app.services)).id);
  }, SLOW);
  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const unix = () => Math.floor(app.services.now().getTime() / 1000);

  async function trusted() {
    const { json } = await call(orgConfig, '/api/v1/org');
    const orgId = unb64(json.orgId);
    return (json.keys as { publicKey: string; status: string }[])
      .filter((k) => k.status !== 'pending')
      .map((k) => ({ orgId, publicKey: unb64(k.publicKey) }));
  }

  async function served(): Promise<RevocationList> {
    const { response } = await call(revocationListRoute, '/api/v1/revocation-list');
    return verifyRevocationList(new Uint8Array(await response.arrayBuffer()), await trusted());
  }

  async function pushedLists(): Promise<RevocationList[]> {
    await app.services.pusher.settled();
    const lists = app.pushes.filter((p) => p.url.endsWith('/revocation-list'));
    return Promise.all(lists.map(async (p) => verifyRevocationList(p.body, await trusted())));
  }

  test(
    "each list's next update is its issue time plus ADMIN_REVOCATION_LIST_VALIDITY_SECONDS, a revocation's list included",
    async () => {
      const first = await served();
      expect(first.nextUpdate - first.issuedAt).toBe(VALIDITY);
      const device = await m.enrolledDevice('refresh-revoked@example.org');
      const { status, json } = await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId: Buffer.from(device.deviceId as Uint8Array).toString('hex'), reason: 'lost_or_stolen' },
        { headers: await m.adminHeaders() },
      );
      expect(status).toBe(200);
      const list = await served();
      expect(list.listVersion).toBe(json.listVersion);
      expect(list).toMatchObject({ issuedAt: unix(), nextUpdate: unix() + VALIDITY });
      expect(isRevoked(list, device.deviceId as Uint8Array)).toBe(true);
    },
    SLOW,
  );

  test(
    'housekeeping signs nothing before half-life, then the next version with the same entries, pushed to every relay',
    async () => {
      const before = await served();
      app.advance(before.issuedAt + VALIDITY / 2 - 1 - unix());
      app.pushes.length = 0;
      await runHousekeeping(app.services);
      expect((await served()).listVersion).toBe(before.listVersion);
      expect(await pushedLists()).toEqual([]);

      app.advance(1);
      await runHousekeeping(app.services);
      const after = await served();
      expect(after.listVersion).toBe(before.listVersion + 1);
      expect(after).toMatchObject({ issuedAt: unix(), nextUpdate: unix() + VALIDITY });
      expect(after.revoked).toEqual(before.revoked);
      const pushed = await pushedLists();
      expect(pushed.map((l) => l.listVersion)).toEqual([after.listVersion, after.listVersion]);
      expect(
        app.pushes
          .map((p) => p.url)
          .filter((url) => url.endsWith('/revocation-list'))
          .sort(),
      ).toEqual(['http://relay-a.test/revocation-list', 'http://relay-b.test/revocation-list']);

      // Just re-signed: the next round has nothing to do.
      await runHousekeeping(app.services);
      expect((await served()).listVersion).toBe(after.listVersion);
    },
    SLOW,
  );

  test(
    'instances refreshing at the same moment sign one new version between them, and neither fails',
    async () => {
      const before = await served();
      app.advance(VALIDITY / 2);
      const outcomes = await Promise.all([refreshRevocationList(app.services), refreshRevocationList(app.services)]);
      expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
      expect((await served()).listVersion).toBe(before.listVersion + 1);
    },
    SLOW,
  );

  test(
    'a stored version 1 list (the format before next updates) is re-signed as the current format at start, and pushed',
    async () => {
      const current = await app.database.prisma.revocationList.findFirstOrThrow({ orderBy: { version: 'desc' } });
      // What an installation upgraded from version 1 holds: the newest stored list has the old version byte.
      const v1 = new Uint8Array(current.bytes);
      v1[0] = 1;
      expect(() => decodeRevocationList(v1)).toThrow(expect.objectContaining({ code: 'version_too_old' }));
      await app.database.prisma.revocationList.create({
        data: { version: current.version + 1, issuedAt: current.issuedAt, orgKeyId: current.orgKeyId, bytes: v1 },
      });
      app.pushes.length = 0;
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        (await startAdminApp())(); // its timers must not outlive this file's database
      } finally {
        stdout.mockRestore();
      }
      const list = await served();
      expect(list.listVersion).toBe(current.version + 2);
      expect(list.nextUpdate - list.issuedAt).toBe(VALIDITY);
      expect((await pushedLists()).every((l) => l.listVersion === list.listVersion)).toBe(true);
      expect(app.pushes.filter((p) => p.url.endsWith('/revocation-list')).length).toBeGreaterThan(0);
    },
    SLOW,
  );
});
