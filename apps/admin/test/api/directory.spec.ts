/**
 * The directory (docs/protocol/admin-api.md §7, §8): one exact address per look-up, limits per
 * device, per member and per organisation in sliding windows, alerts counted rather than
 * written one per refusal, suspension until an administrator resumes, and the look-up's own
 * refusals. The clock is the test's: `app.advance(seconds)`.
 */
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { POST as acknowledge } from '../../app/api/admin/directory/alerts/acknowledge/route';
import { POST as resume } from '../../app/api/admin/directory/resume/route';
import { GET as metrics } from '../../app/metrics/route';
import { loadServerConfig } from '../../server-config.mjs';
import { ORIGINAL_HEADERS_HEADER, PEER_ADDRESS_HEADER } from '../../src/server/http/client-address';
import { requireMetricsAccess } from '../../src/server/http/metrics-access';
import { useAdminServicesForTests } from '../../src/server/services';
import { signedInAdmin } from '../support/test-admin';
import type { TestDevice } from '../support/test-device';
import { testMembers, type TestMembers } from '../support/test-members';
import { DATABASE_KINDS, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const HOUR = 3600;
const DAY = 24 * HOUR;
// Tests make tens to hundreds of signed look-ups each; on a loaded machine that takes a while.
jest.setTimeout(SLOW);

const hex = (device: TestDevice) => Buffer.from(device.deviceId as Uint8Array).toString('hex');

describe.each(DATABASE_KINDS)('the directory on the %s database', (kind) => {
  let app: TestApp;
  let m: TestMembers;
  // The floor is tested on its own below; here answers leave as soon as they are ready.
  beforeAll(async () => {
    app = await startTestApp({ ADMIN_DIRECTORY_ANSWER_FLOOR_MS: '0' }, kind);
    m = testMembers(app, (await signedInAdmin(app.services)).id);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  /** Each test starts a day later, so that no window of an earlier test is still open. */
  beforeEach(() => app.advance(DAY + 60));

  const prisma = () => app.database.prisma;
  const memberId = async (address: string) => (await prisma().member.findUniqueOrThrow({ where: { address } })).id;
  const audits = (action: string) => prisma().auditEvent.count({ where: { action } });

  /** Look-ups from `devices` in turn, `each` per device; the statuses in order. */
  async function burst(devices: TestDevice[], each: number, tag: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < each; i++)
      for (const [d, device] of devices.entries())
        statuses.push((await m.look(device, `${tag}-${d}-${i}@example.org`)).status);
    return statuses;
  }
  const answered = (statuses: number[]) => statuses.filter((s) => s === 200).length;

  describe('limits', () => {
    test('past 20 look-ups in an hour a device is refused (rate_limited, Retry-After) until the window slides', async () => {
      const [busy] = await m.devicesOf('busy@example.org', 1);
      const other = await m.enrolledDevice('not-busy@example.org');
      expect(answered(await burst([busy as TestDevice], 20, 'busy'))).toBe(20);
      const refused = await m.look(busy as TestDevice, 'bob@example.org');
      expect(refused).toMatchObject({
        status: 429,
        json: { error: 'rate_limited', message: expect.stringContaining('device') },
      });
      expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(HOUR - 60);
      // Another member is not affected.
      expect((await m.look(other, 'bob@example.org')).status).toBe(200);
      app.advance(HOUR);
      expect((await m.look(busy as TestDevice, 'bob@example.org')).status).toBe(200);
    });

    test("two devices of a member share the member's hourly limit", async () => {
      const [first, second] = (await m.devicesOf('two-devices@example.org', 2)) as [TestDevice, TestDevice];
      expect(answered(await burst([first], 20, 'first'))).toBe(20);
      // The second device has its own device budget, but only 10 of the member's 30 are left.
      expect(answered(await burst([second], 10, 'second'))).toBe(10);
      expect(await m.look(second, 'bob@example.org')).toMatchObject({
        status: 429,
        json: { error: 'rate_limited', message: expect.stringContaining('member') },
      });
      expect(
        await prisma().directoryAlert.findFirst({ where: { memberId: await memberId('two-devices@example.org') } }),
      ).toMatchObject({ scope: 'member', level: 'limit', hits: 1 });
    });

    test('no boundary burst: 30 at the end of an hour and 30 at the start of the next are not both answered', async () => {
      const devices = await m.devicesOf('boundary@example.org', 2);
      // To 59 min 30 s past an hour.
      const intoHour = Math.floor(app.services.now().getTime() / 1000) % HOUR;
      app.advance(HOUR - 30 - intoHour);
      expect(answered(await burst(devices, 15, 'end'))).toBe(30);
      app.advance(60);
      const start = await burst(devices, 15, 'start');
      expect(answered(start)).toBe(0);
      expect(start[0]).toBe(429);
    });

    test(
      'one member with 8 devices gets at most 100 answers in 24 hours',
      async () => {
        const devices = await m.devicesOf('eight@example.org', 8);
        const perHour: number[] = [];
        // 3 look-ups per device per hour: 24 an hour, under every hourly limit, all day long.
        for (let hour = 0; hour < 24; hour++) {
          perHour.push(answered(await burst(devices, 3, `h${hour}`)));
          app.advance(HOUR);
        }
        expect(perHour.slice(0, 4)).toEqual([24, 24, 24, 24]);
        expect(perHour.reduce((a, b) => a + b, 0)).toBe(100);
        // The daily cap refused the rest of the fifth hour, and that many refusals suspended the member.
        expect(await prisma().member.findUniqueOrThrow({ where: { address: 'eight@example.org' } })).toMatchObject({
          directorySuspendedAt: expect.any(Date),
        });
      },
      SLOW,
    );

    test(
      'the organisation-wide ceiling',
      async () => {
        const small = await startTestApp(
          {
            ADMIN_DIRECTORY_ANSWER_FLOOR_MS: '0',
            ADMIN_DIRECTORY_ORG_LOOKUPS_PER_HOUR: '10',
            ADMIN_DIRECTORY_ORG_LOOKUPS_PER_DAY: '15',
          },
          kind,
        );
        try {
          const s = testMembers(small, (await signedInAdmin(small.services)).id);
          const devices = [
            await s.enrolledDevice('org-a@example.org'),
            await s.enrolledDevice('org-b@example.org'),
            await s.enrolledDevice('org-c@example.org'),
          ];
          const look = async (tag: string) => {
            const statuses: number[] = [];
            for (let i = 0; i < 4; i++)
              for (const device of devices) statuses.push((await s.look(device, `${tag}${i}@example.org`)).status);
            return statuses;
          };
          // Three members, none near their own limits: 12 asked, 10 answered within the hour.
          const first = await look('a');
          expect(answered(first)).toBe(10);
          expect(first.slice(10)).toEqual([429, 429]);
          small.advance(HOUR);
          expect(answered(await look('b'))).toBe(5); // the daily ceiling: 15
          const alert = await small.database.prisma.directoryAlert.findFirstOrThrow({
            where: { scope: 'organisation' },
          });
          expect(alert).toMatchObject({ memberId: null, level: 'limit', hits: 9 });
          // Refused for the organisation's sake, no member is suspended or blamed.
          expect(await small.database.prisma.member.count({ where: { directorySuspendedAt: { not: null } } })).toBe(0);
          expect(await small.database.prisma.directoryAlert.count({ where: { scope: { not: 'organisation' } } })).toBe(
            0,
          );
          small.advance(DAY);
          expect(answered(await look('c'))).toBe(10);
        } finally {
          await small.close();
          // Closing it unhooked the route handlers: back to this file's app.
          useAdminServicesForTests(app.services);
        }
      },
      SLOW,
    );
  });

  describe('alerts and suspension', () => {
    test('a limit hit opens one alert and counts further hits on it without audit rows', async () => {
      const [device] = (await m.devicesOf('alerted@example.org', 1)) as [TestDevice];
      await burst([device], 20, 'fill');
      const opened = await audits('directory.alert_opened');
      const refused = await audits('directory.lookup_refused');
      const events = await prisma().auditEvent.count();
      expect(await burst([device], 6, 'over')).toEqual([429, 429, 429, 429, 429, 429]);
      const alerts = await prisma().directoryAlert.findMany({
        where: { memberId: await memberId('alerted@example.org') },
      });
      expect(alerts).toEqual([
        expect.objectContaining({ scope: 'device', level: 'limit', hits: 6, acknowledgedAt: null }),
      ]);
      expect(Buffer.from(alerts[0]?.deviceId as Uint8Array).toString('hex')).toBe(hex(device));
      // One audit row for the alert opening, none per refusal; refused look-ups are not counted.
      expect(await audits('directory.alert_opened')).toBe(opened + 1);
      expect(await audits('directory.lookup_refused')).toBe(refused);
      expect(await prisma().auditEvent.count()).toBe(events + 1);
      expect(await prisma().rateLimitHit.count({ where: { key: `directory:device:${hex(device)}` } })).toBe(20);

      // Acknowledged by an administrator (audited once), the next hit opens a new alert.
      const id = alerts[0]?.id as string;
      expect(
        await call(acknowledge, '/api/admin/directory/alerts/acknowledge', { id }, { headers: await m.adminHeaders() }),
      ).toMatchObject({ status: 200, json: { acknowledged: true } });
      expect(
        await call(acknowledge, '/api/admin/directory/alerts/acknowledge', { id }, { headers: await m.adminHeaders() }),
      ).toMatchObject({ status: 409, json: { error: 'already_acknowledged' } });
      expect(await audits('directory.alert_acknowledged')).toBe(1);
      await m.look(device, 'again@example.org');
      expect(
        await prisma().directoryAlert.count({
          where: { memberId: await memberId('alerted@example.org'), acknowledgedAt: null },
        }),
      ).toBe(1);
    });

    test('acknowledging a malformed, unknown or unauthorised alert is refused and changes nothing', async () => {
      const headers = await m.adminHeaders();
      expect(
        await call(acknowledge, '/api/admin/directory/alerts/acknowledge', { id: 'not-a-uuid' }, { headers }),
      ).toMatchObject({ status: 400, json: { error: 'malformed' } });
      const unknown = '01900000-0000-7000-8000-000000000000';
      expect(
        await call(acknowledge, '/api/admin/directory/alerts/acknowledge', { id: unknown }, { headers }),
      ).toMatchObject({ status: 404, json: { error: 'not_found' } });
      const open = await prisma().directoryAlert.findFirstOrThrow({ where: { acknowledgedAt: null } });
      expect(
        (
          await call(
            acknowledge,
            '/api/admin/directory/alerts/acknowledge',
            { id: open.id },
            { headers: { ...headers, 'x-csrf-token': 'forged' } },
          )
        ).status,
      ).toBe(403);
      expect((await call(acknowledge, '/api/admin/directory/alerts/acknowledge', { id: open.id })).status).toBe(401);
      expect(await prisma().directoryAlert.findUniqueOrThrow({ where: { id: open.id } })).toMatchObject({
        acknowledgedAt: null,
      });
    });

    test('past the second threshold the member is suspended until an administrator resumes them', async () => {
      const [device, spare] = (await m.devicesOf('suspect@example.org', 2)) as [TestDevice, TestDevice];
      const id = await memberId('suspect@example.org');
      await burst([device], 20, 'fill');
      // 19 refusals in 24 hours: still refused by the limit only.
      expect(new Set(await burst([device], 19, 'over'))).toEqual(new Set([429]));
      expect(await prisma().member.findUniqueOrThrow({ where: { id } })).toMatchObject({ directorySuspendedAt: null });
      expect((await m.look(device, 'twentieth@example.org')).status).toBe(429);
      expect(await prisma().member.findUniqueOrThrow({ where: { id } })).toMatchObject({
        directorySuspendedAt: app.services.now(),
      });
      expect(
        await prisma().auditEvent.findFirst({ where: { action: 'directory.suspended' }, orderBy: { id: 'desc' } }),
      ).toMatchObject({ detail: { memberId: id, refusedWithin24h: 20 } });

      // Every device of the member, long after the limits' windows, until an administrator looks.
      app.advance(2 * HOUR);
      expect(await m.look(spare, 'bob@example.org')).toMatchObject({
        status: 403,
        json: { error: 'directory_suspended' },
      });
      expect(await m.look(device, 'bob@example.org')).toMatchObject({
        status: 403,
        json: { error: 'directory_suspended' },
      });
      expect(
        await prisma().directoryAlert.findFirstOrThrow({ where: { memberId: id, level: 'suspended' } }),
      ).toMatchObject({ scope: 'member', hits: 3 });

      const headers = await m.adminHeaders();
      expect(await call(resume, '/api/admin/directory/resume', { memberId: 'nope' }, { headers })).toMatchObject({
        status: 400,
        json: { error: 'malformed' },
      });
      expect(
        await call(
          resume,
          '/api/admin/directory/resume',
          { memberId: '01900000-0000-7000-8000-000000000000' },
          { headers },
        ),
      ).toMatchObject({ status: 404 });
      expect((await call(resume, '/api/admin/directory/resume', { memberId: id })).status).toBe(401);
      expect(await call(resume, '/api/admin/directory/resume', { memberId: id }, { headers })).toMatchObject({
        status: 200,
        json: { resumed: true, alertsAcknowledged: 2 },
      });
      expect(await call(resume, '/api/admin/directory/resume', { memberId: id }, { headers })).toMatchObject({
        status: 409,
        json: { error: 'not_suspended' },
      });
      expect(
        await prisma().auditEvent.findFirst({ where: { action: 'directory.resumed' }, orderBy: { id: 'desc' } }),
      ).toMatchObject({ detail: { memberId: id } });
      expect(await prisma().directoryAlert.count({ where: { memberId: id, acknowledgedAt: null } })).toBe(0);
      expect((await m.look(spare, 'bob@example.org')).status).toBe(200);
      // A fresh start: one refusal after resuming does not suspend again at once.
      await burst([spare], 25, 'after');
      expect(await prisma().member.findUniqueOrThrow({ where: { id } })).toMatchObject({ directorySuspendedAt: null });
    });

    test("a revoked device's look-up is refused and audited", async () => {
      const [gone] = (await m.devicesOf('gone@example.org', 1)) as [TestDevice];
      await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId: hex(gone), reason: 'lost_or_stolen' },
        { headers: await m.adminHeaders() },
      );
      const audited = () =>
        prisma().auditEvent.count({ where: { action: 'directory.lookup_refused', actor: `device:${hex(gone)}` } });
      for (let i = 0; i < 5; i++)
        expect(await m.look(gone, 'bob@example.org')).toMatchObject({ status: 403, json: { error: 'device_revoked' } });
      // Audited, but at most once per device per hour; every refusal counts on the alert.
      expect(await audited()).toBe(1);
      expect(
        await prisma().auditEvent.findFirst({
          where: { action: 'directory.lookup_refused', actor: `device:${hex(gone)}` },
        }),
      ).toMatchObject({
        detail: { reason: 'device_revoked', requester: 'gone@example.org', deviceId: hex(gone) },
      });
      expect(
        await prisma().directoryAlert.findFirstOrThrow({ where: { memberId: await memberId('gone@example.org') } }),
      ).toMatchObject({ scope: 'device', level: 'revoked', hits: 5 });
      app.advance(HOUR);
      expect((await m.look(gone, 'bob@example.org')).status).toBe(403);
      expect(await audited()).toBe(2);
    });

    test('the address looked up is never recorded', async () => {
      const [device] = (await m.devicesOf('curious@example.org', 1)) as [TestDevice];
      await m.enrolledDevice('kept-quiet@example.org');
      // Answered (an existing and an unknown address), refused by the limit, then by the suspension.
      const asked = ['kept-quiet@example.org', 'never-enrolled@example.org'];
      for (let i = 0; i < 45; i++) await m.look(device, asked[i % 2] as string);
      expect(await prisma().member.findUniqueOrThrow({ where: { address: 'curious@example.org' } })).toMatchObject({
        directorySuspendedAt: expect.any(Date),
      });
      // The colleague's address is rightly in the log of their own enrolment; the directory's
      // events, alerts and counters never name what was asked.
      const directoryEvents = await prisma().auditEvent.findMany({ where: { action: { startsWith: 'directory.' } } });
      const rows = [directoryEvents, await prisma().directoryAlert.findMany(), await prisma().rateLimitHit.findMany()];
      const stored = JSON.stringify(rows, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      );
      expect(directoryEvents.length).toBeGreaterThan(20);
      expect(stored.includes('curious@example.org')).toBe(true); // the requester is kept: the check can fail
      expect(stored.includes('kept-quiet')).toBe(false);
      const everything = JSON.stringify(await prisma().auditEvent.findMany(), (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      );
      expect(everything.includes('never-enrolled')).toBe(false);
    });
  });

  describe('metrics', () => {
    const scrape = (headers: Record<string, string> = {}) => call(metrics, '/metrics', undefined, { headers });

    test('/metrics is refused to a remote peer without the token', async () => {
      expect(await scrape({ [PEER_ADDRESS_HEADER]: '203.0.113.7' })).toMatchObject({
        status: 403,
        json: { error: 'forbidden' },
      });
      expect((await scrape({ [PEER_ADDRESS_HEADER]: '2001:db8::1' })).status).toBe(403);
      expect((await scrape()).status).toBe(403); // no peer known: not loopback
      // A reverse proxy on the same host forwarding someone else's request is not the local agent.
      expect((await scrape({ [PEER_ADDRESS_HEADER]: '127.0.0.1', 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
      expect(
        (
          await scrape({
            [PEER_ADDRESS_HEADER]: '127.0.0.1',
            authorization: 'Bearer anything-at-all-anything-at-all-x',
          })
        ).status,
      ).toBe(200);
    });

    test('behind Next.js, which adds x-forwarded-* to every request, what the request arrived with decides (serve-next.mjs lists it)', async () => {
      // As Next.js routes a loopback agent's plain request: its own x-forwarded-* added, none sent.
      const nextAdded = {
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-host': 'localhost:3001',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': '3001',
      };
      expect(
        (
          await scrape({
            [PEER_ADDRESS_HEADER]: '127.0.0.1',
            [ORIGINAL_HEADERS_HEADER]: 'host,user-agent,accept',
            ...nextAdded,
          })
        ).status,
      ).toBe(200);
      // A proxy on the same host that did send x-forwarded-for (or Forwarded) is still refused.
      expect(
        (
          await scrape({
            [PEER_ADDRESS_HEADER]: '127.0.0.1',
            [ORIGINAL_HEADERS_HEADER]: 'host,x-forwarded-for',
            ...nextAdded,
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await scrape({
            [PEER_ADDRESS_HEADER]: '127.0.0.1',
            [ORIGINAL_HEADERS_HEADER]: 'host,forwarded',
            ...nextAdded,
          })
        ).status,
      ).toBe(403);
    });

    test('a loopback peer reads counts only: open alerts, suspended members, refusals, look-ups of the last hour', async () => {
      const [device] = (await m.devicesOf('metered@example.org', 1)) as [TestDevice];
      // 20 answered, 20 refused (which suspends), 1 refused as suspended.
      await burst([device], 41, 'metered');
      for (const peer of ['127.0.0.1', '::1']) {
        const { status, response } = await scrape({ [PEER_ADDRESS_HEADER]: peer });
        expect(status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
        const text = await response.text();
        const suspended = await prisma().member.count({ where: { directorySuspendedAt: { not: null } } });
        expect(suspended).toBeGreaterThan(0);
        const openDeviceLimits = await prisma().directoryAlert.count({
          where: { scope: 'device', level: 'limit', acknowledgedAt: null },
        });
        expect(text).toContain(`\nopendescent_directory_members_suspended ${suspended}\n`);
        expect(text).toContain(
          `\nopendescent_directory_alerts_open{scope="device",level="limit"} ${openDeviceLimits}\n`,
        );
        expect(text).toContain('\nopendescent_directory_lookups_last_hour 20\n');
        expect(text).toMatch(
          /\nopendescent_directory_lookups_refused_total\{scope="member",level="suspended"\} [1-9]\d*\n/,
        );
        expect(text).not.toMatch(/@|[0-9a-f]{8}-[0-9a-f]{4}|[0-9a-f]{32}/);
      }
    });

    test('with ADMIN_METRICS_TOKEN, a remote peer needs that bearer token, compared in full', () => {
      const token = 'c0ffee'.repeat(8);
      const config = loadServerConfig({ ADMIN_METRICS_TOKEN: token });
      const request = (authorization?: string) =>
        new Request('http://localhost:3001/metrics', {
          headers: { [PEER_ADDRESS_HEADER]: '203.0.113.7', ...(authorization ? { authorization } : {}) },
        });
      expect(() => requireMetricsAccess(request(`Bearer ${token}`), config)).not.toThrow();
      for (const wrong of [undefined, `Bearer ${token.slice(0, -1)}`, `Bearer ${token}0`, `Basic ${token}`, token]) {
        expect(() => requireMetricsAccess(request(wrong), config)).toThrow(
          expect.objectContaining({ status: 401, code: 'unauthorised' }),
        );
      }
      expect(JSON.stringify(config)).not.toContain(token);
      expect(() => loadServerConfig({ ADMIN_METRICS_TOKEN: 'short' })).toThrow(
        'ADMIN_METRICS_TOKEN: expected at least 32 characters',
      );
    });
  });
});
