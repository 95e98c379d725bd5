/**
 * Malformed ids never reach the database as a query that fails: a UUID-shaped but invalid id
 * (PostgreSQL's `invalid input syntax for type uuid`) is 400 `malformed` from a route and "not
 * found" from a page, never a 500, and changes nothing (src/server/http/ids.ts).
 *  - every id-taking admin route, with an otherwise valid body: 400 naming the field;
 *  - a sweep over every route handler under app/api (routes added later included), with each
 *    malformed value in every id field: never 500 (the answer to any unexpected error);
 *  - the pages' read models: the member page's `memberDetail` and the audit page's `before`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { POST as disableAdmin } from '../../app/api/admin/admins/disable/route';
import { POST as resetAdmin } from '../../app/api/admin/admins/reset/route';
import { POST as revoke } from '../../app/api/admin/devices/revoke/route';
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { POST as cancelCode } from '../../app/api/admin/enrolment-codes/cancel/route';
import { POST as signInVerify } from '../../app/api/auth/sign-in/verify/route';
import { auditView } from '../../src/server/audit/audit-view';
import { memberDetail } from '../../src/server/views';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { DATABASE_KINDS, PUBLIC_URL, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

const VALID = '0190b3c2-7d4e-7a00-8000-00000000abcd';

/** UUID-shaped but invalid, and the other ways an id goes wrong. */
const MALFORMED: [string, unknown][] = [
  ['not hexadecimal', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'],
  ['36 dashes', '-'.repeat(36)],
  ['upper case', VALID.toUpperCase()],
  ['too long', `${VALID}0`],
  ['too short', VALID.slice(0, -1)],
  ['without dashes', VALID.replace(/-/g, '')],
  ['with braces', `{${VALID}}`],
  ['with a NUL', `${VALID.slice(0, -1)}\u0000`],
  ['SQL', "' OR '1'='1"],
  ['empty', ''],
  ['a number', 42],
  ['null', null],
  ['an array', [VALID]],
  ['an object', { id: VALID }],
];

const ID_FIELDS = ['id', 'adminId', 'memberId', 'deviceId', 'challengeId', 'keyId', 'codeId', 'alertId', 'linkId'];

type Handler = (request: Request) => Promise<Response> | Response;

/** Every route handler under app/api, by URL path and method. */
function allRouteHandlers(): { url: string; method: string; load: () => Promise<Handler> }[] {
  const apiDir = path.resolve(__dirname, '../../app/api');
  const files = readdirSync(apiDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'route.ts')
    // Signing out takes no id and would end the session the sweep signs its requests with.
    .filter((f) => path.dirname(f) !== path.join('auth', 'sign-out'))
    .sort();
  return files.flatMap((file) => {
    const url = `/api/${path.dirname(file).split(path.sep).join('/')}`;
    return ['GET', 'POST'].map((method) => ({
      url,
      method,
      load: async () =>
        ((await import(path.join(apiDir, file))) as Record<string, Handler | undefined>)[method] as Handler,
    }));
  });
}

describe.each(DATABASE_KINDS)('malformed ids on the %s database', (kind) => {
  let app: TestApp;
  let admin: TestAdmin;
  let other: TestAdmin;
  let memberId: string;
  let codeId: string;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    admin = await signedInAdmin(app.services, 'Ida Admin');
    other = await signedInAdmin(app.services, 'Other Admin');
    const created = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address: 'kept@example.org', displayName: 'Kept Member' },
      { headers: admin.headers },
    );
    memberId = (created.json.member as { id: string }).id;
    codeId = created.json.id as string;
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  describe.each(MALFORMED)('an id that is %s', (_name, bad) => {
    test.each([
      ['POST /api/admin/admins/disable', disableAdmin, '/api/admin/admins/disable', { adminId: bad }, 'adminId'],
      ['POST /api/admin/admins/reset', resetAdmin, '/api/admin/admins/reset', { adminId: bad }, 'adminId'],
      ['POST /api/admin/enrolment-codes/cancel', cancelCode, '/api/admin/enrolment-codes/cancel', { id: bad }, 'id'],
      [
        'POST /api/admin/devices/revoke (member)',
        revoke,
        '/api/admin/devices/revoke',
        { memberId: bad, reason: 'lost_or_stolen' },
        undefined,
      ],
    ] as const)('is refused as malformed by %s', async (_route, handler, url, body, named) => {
      const { status, json } = await call(handler, url, body, { headers: admin.headers });
      expect([status, json.error]).toEqual([400, 'malformed']);
      if (named) expect(json.message).toContain(named);
    });

    test('is refused by POST /api/admin/devices/revoke as a device id (400, or 404 for 32 hex digits that name no device)', async () => {
      const { status, json } = await call(
        revoke,
        '/api/admin/devices/revoke',
        { deviceId: bad, reason: 'lost_or_stolen' },
        { headers: admin.headers },
      );
      const expected = typeof bad === 'string' && /^[0-9a-f]{32}$/.test(bad) ? [404, 'not_found'] : [400, 'malformed'];
      expect([status, json.error]).toEqual(expected);
    });

    test('is refused by POST /api/auth/sign-in/verify as a challenge id (400, or 429 once the source spent its failures)', async () => {
      const { status } = await call(
        signInVerify,
        '/api/auth/sign-in/verify',
        { challengeId: bad, response: {} },
        { headers: { origin: PUBLIC_URL } },
      );
      expect([400, 429]).toContain(status);
    });

    test('is "not found" for the member page and ignored by the audit page', async () => {
      expect(await memberDetail(app.services, bad as string)).toBeUndefined();
      const newest = await auditView(app.services, { limit: 5 });
      expect((await auditView(app.services, { before: bad, limit: 5 })).events.map((e) => e.id)).toEqual(
        newest.events.map((e) => e.id),
      );
    });
  });

  test('a refused malformed id changed nothing: both admins enabled, the member and code as they were', async () => {
    const admins = await app.services.prisma.admin.findMany({ where: { id: { in: [admin.id, other.id] } } });
    expect(admins.map((a) => a.disabledAt)).toEqual([null, null]);
    expect(await app.services.prisma.enrolmentCode.findUniqueOrThrow({ where: { id: codeId } })).toMatchObject({
      usedAt: null,
      cancelledAt: null,
    });
    expect((await memberDetail(app.services, memberId))?.member.address).toBe('kept@example.org');
  });

  test(
    'every route handler under app/api answers malformed ids in every id field with no 500',
    async () => {
      const answered: string[] = [];
      for (const route of allRouteHandlers()) {
        const handler = await route.load();
        if (!handler) continue;
        for (const [name, bad] of MALFORMED) {
          const fields = Object.fromEntries(ID_FIELDS.map((f) => [f, bad]));
          const query = new URLSearchParams(typeof bad === 'string' ? { id: bad, before: bad } : {}).toString();
          const { status } =
            route.method === 'POST'
              ? await call(handler, route.url, { ...fields, reason: 'lost_or_stolen' }, { headers: admin.headers })
              : await call(handler, `${route.url}${query ? `?${query}` : ''}`, undefined, { headers: admin.headers });
          answered.push(`${route.method} ${route.url} (${name}): ${status}`);
        }
      }
      expect(answered.filter((line) => /: 5\d\d$/.test(line))).toEqual([]);
      // The sweep reached the id-taking routes, not only the others.
      expect(answered).toContain('POST /api/admin/admins/disable (not hexadecimal): 400');
      expect(answered).toContain('POST /api/admin/enrolment-codes/cancel (36 dashes): 400');
    },
    SLOW,
  );
});
