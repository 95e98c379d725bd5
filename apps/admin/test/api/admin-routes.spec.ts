/**
 * The admin API's other operations through their route handlers: enrolment codes (text, QR),
 * input validation, the audit log view and export, the relay configuration download, key
 * rotation, and the enrolment failure budget.
 */
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { GET as auditExport } from '../../app/api/admin/audit-log/route';
import { GET as relayConfig } from '../../app/api/admin/relay-config/route';
import { POST as prepareKey } from '../../app/api/admin/org-keys/prepare/route';
import { POST as activateKey } from '../../app/api/admin/org-keys/activate/route';
import { POST as discardKey } from '../../app/api/admin/org-keys/discard/route';
import { GET as orgConfig } from '../../app/api/v1/org/route';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { GET as health } from '../../app/api/health/route';
import { listAuditEvents } from '../../src/server/audit/audit-log';
import { signedInAdmin, type TestAdmin } from '../support/test-admin';
import { TestDevice } from '../support/test-device';
import { SLOW, call, startTestApp, type TestApp } from '../support/test-services';

let app: TestApp;
let admin: TestAdmin;

beforeAll(async () => {
  app = await startTestApp();
  admin = await signedInAdmin(app.services, 'Route Admin');
}, SLOW);

afterAll(async () => {
  await app?.close();
}, SLOW);

describe('enrolment codes', () => {
  test('are shown once as text and as a server-rendered SVG QR code carrying the admin URL and the code', async () => {
    const { status, json } = await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address: ' Zoe.Durand@Example.org ', displayName: '  Zoé   Durand ' },
      { headers: admin.headers },
    );
    expect(status).toBe(201);
    expect(json.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
    expect(json.uri).toBe(
      `opendescent:enrol?v=1&admin=${encodeURIComponent('http://localhost:3001')}&code=${json.code as string}`,
    );
    expect(json.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(json.member).toMatchObject({ address: 'zoe.durand@example.org', displayName: 'Zoé Durand' });
    const row = await app.database.prisma.enrolmentCode.findUniqueOrThrow({ where: { id: json.id as string } });
    // Only a hash of the secret part is stored.
    expect(row.handle).toBe((json.code as string).replace(/-/g, '').slice(0, 8));
    expect(Buffer.from(row.secretHash).toString('latin1')).not.toContain(
      (json.code as string).replace(/-/g, '').slice(8),
    );
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * 3600 * 1000);
  });

  test.each([
    [{ address: 'not an address', displayName: 'X' }, 'invalid_address'],
    [{ address: 'a@b@c', displayName: 'X' }, 'invalid_address'],
    [{ address: `${'a'.repeat(250)}@example.org`, displayName: 'X' }, 'invalid_address'],
    [{ address: 'x@example.org', displayName: '' }, 'invalid_display_name'],
    [{ address: 'x@example.org', displayName: 'bell\u0007here' }, 'invalid_display_name'],
    [{ address: 'x@example.org', displayName: 'é'.repeat(65) }, 'invalid_display_name'],
  ])('bad staff details %p are refused (%s)', async (body, error) => {
    expect(await call(createCode, '/api/admin/enrolment-codes', body, { headers: admin.headers })).toMatchObject({
      status: 400,
      json: { error },
    });
  });

  test('a new code for a known address with a new name renames the member (audited)', async () => {
    await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address: 'rename@example.org', displayName: 'Old Name' },
      { headers: admin.headers },
    );
    await call(
      createCode,
      '/api/admin/enrolment-codes',
      { address: 'rename@example.org', displayName: 'New Name' },
      { headers: admin.headers },
    );
    expect(await app.database.prisma.member.findUnique({ where: { address: 'rename@example.org' } })).toMatchObject({
      displayName: 'New Name',
    });
    expect(await app.database.prisma.auditEvent.count({ where: { action: 'member.renamed' } })).toBe(1);
  });

  test('junk enrolments spend only their own failure budget: past it junk gets 429, a good code still enrols at once', async () => {
    app.advance(15 * 60);
    const good = (
      await call(
        createCode,
        '/api/admin/enrolment-codes',
        { address: 'patient@example.org', displayName: 'P' },
        { headers: admin.headers },
      )
    ).json.code as string;
    const device = await TestDevice.create(() => app.services.now());
    for (let i = 0; i < 30; i++) expect((await call(enrol, '/api/v1/enrol', {})).status).toBe(400);
    const refused = await call(enrol, '/api/v1/enrol', {});
    expect(refused).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
    expect(refused.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await call(enrol, '/api/v1/enrol', await device.enrolment(good))).status).toBe(201);
  });
});

describe('organisation keys', () => {
  test('the relay configuration names the org id, every key to pin and the revocation list URL', async () => {
    const { response, status } = await call(relayConfig, '/api/admin/relay-config', undefined, {
      headers: { cookie: admin.cookie },
    });
    expect(status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="opendescent-relay.env"');
    const text = await response.text();
    const org = (await call(orgConfig, '/api/v1/org')).json;
    const hex = (b64: string) => Buffer.from(b64, 'base64url').toString('hex');
    expect(text).toContain(`RELAY_ORG_ID=${hex(org.orgId as string)}\n`);
    expect(text).toContain(
      `RELAY_ORG_PUBLIC_KEYS=${(org.keys as { publicKey: string }[]).map((k) => hex(k.publicKey)).join(',')}\n`,
    );
    expect(text).toContain('RELAY_ORG_URL=http://localhost:3001/api/v1/org\n');
    expect(text).toContain('RELAY_REVOCATION_LIST_URL=http://localhost:3001/api/v1/revocation-list\n');
    expect(text).toContain('RELAY_TOKEN_KEYS_URL=http://localhost:3001/api/v1/token-keys\n');
    expect(text).toMatch(/^RELAY_ORG_ID=[0-9a-f]{32}$/m);
    expect(text).toMatch(/^RELAY_ORG_PUBLIC_KEYS=[0-9a-f]{64}(,[0-9a-f]{64})*$/m);
  });

  test('the relay configuration needs a session', async () => {
    expect(await call(relayConfig, '/api/admin/relay-config')).toMatchObject({
      status: 401,
      json: { error: 'not_signed_in' },
    });
  });

  test('rotation: prepare (pinned, not signing), refuse a second prepare, discard, prepare again, activate', async () => {
    const prepared = await call(prepareKey, '/api/admin/org-keys/prepare', undefined, {
      headers: admin.headers,
      method: 'POST',
    });
    expect(prepared).toMatchObject({ status: 201, json: { status: 'pending' } });
    expect(
      await call(prepareKey, '/api/admin/org-keys/prepare', undefined, { headers: admin.headers, method: 'POST' }),
    ).toMatchObject({ status: 409, json: { error: 'key_pending' } });
    const relayEnv = await (
      await call(relayConfig, '/api/admin/relay-config', undefined, { headers: { cookie: admin.cookie } })
    ).response.text();
    expect(relayEnv).toContain(prepared.json.publicKey as string);
    expect(
      (await call(discardKey, '/api/admin/org-keys/discard', undefined, { headers: admin.headers, method: 'POST' }))
        .status,
    ).toBe(200);
    expect(
      await call(activateKey, '/api/admin/org-keys/activate', undefined, { headers: admin.headers, method: 'POST' }),
    ).toMatchObject({ status: 409, json: { error: 'no_pending_key' } });
    await call(prepareKey, '/api/admin/org-keys/prepare', undefined, { headers: admin.headers, method: 'POST' });
    const activated = await call(activateKey, '/api/admin/org-keys/activate', undefined, {
      headers: admin.headers,
      method: 'POST',
    });
    expect(activated).toMatchObject({ status: 200, json: { activated: true } });
    const actions = (await listAuditEvents(app.database.prisma, { limit: 20 })).events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['org_key.prepared', 'org_key.discarded', 'org_key.activated']));
  });

  test('rotation routes need the CSRF token', async () => {
    expect(
      await call(prepareKey, '/api/admin/org-keys/prepare', undefined, {
        headers: { cookie: admin.cookie, origin: 'http://localhost:3001' },
        method: 'POST',
      }),
    ).toMatchObject({
      status: 403,
      json: { error: 'csrf' },
    });
  });
});

describe('audit log', () => {
  test('exports as CSV and as JSON Lines, oldest first, with formula-looking cells neutralised; the export is itself logged', async () => {
    await app.database.prisma.auditEvent.create({
      data: { actor: 'system', action: '=HYPERLINK("x")', detail: { note: 'a,"quoted"\nline' } },
    });
    const csv = await call(auditExport, '/api/admin/audit-log?format=csv', undefined, {
      headers: { cookie: admin.cookie },
    });
    expect(csv.response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await csv.response.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,detail');
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).toContain('"{""note"":""a,\\""quoted\\""\\nline""}"');

    const jsonl = await call(auditExport, '/api/admin/audit-log?format=json', undefined, {
      headers: { cookie: admin.cookie },
    });
    const events = (await jsonl.response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; action: string });
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort());
    expect(events.map((e) => e.action)).toContain('audit.exported');
    expect(
      await call(auditExport, '/api/admin/audit-log?format=xml', undefined, { headers: { cookie: admin.cookie } }),
    ).toMatchObject({ status: 400 });
    expect(await call(auditExport, '/api/admin/audit-log?format=csv')).toMatchObject({ status: 401 });
  });

  test('pages newest first', async () => {
    const first = await listAuditEvents(app.database.prisma, { limit: 3 });
    const second = await listAuditEvents(app.database.prisma, { limit: 3, before: first.nextBefore });
    expect(first.events).toHaveLength(3);
    expect((second.events[0]?.id ?? '') < (first.events[2]?.id ?? '')).toBe(true);
  });
});

describe('health', () => {
  test('still answers as the whole-system test expects', async () => {
    expect((await health()).status).toBe(200);
    expect(await (await health()).json()).toEqual({ service: 'opendescent-admin', status: 'ok', database: 'embedded' });
  });
});
