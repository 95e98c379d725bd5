/**
 * Admin accounts through their route handlers (docs/decisions/0006-admin-auth.md): the one-time
 * setup link, passkey registration and sign-in (a software authenticator plays the browser),
 * invitations and resets (by an admin, or by the server command `npm run admin:reset-link`),
 * sessions and the CSRF defences. There are no recovery codes.
 */
import { POST as registerOptions } from '../../app/api/auth/register/options/route';
import { POST as registerVerify } from '../../app/api/auth/register/verify/route';
import { POST as signInOptions } from '../../app/api/auth/sign-in/options/route';
import { POST as signInVerify } from '../../app/api/auth/sign-in/verify/route';
import { POST as signOut } from '../../app/api/auth/sign-out/route';
import { POST as invite } from '../../app/api/admin/admins/invite/route';
import { POST as reset } from '../../app/api/admin/admins/reset/route';
import { POST as disable } from '../../app/api/admin/admins/disable/route';
import { POST as createCode } from '../../app/api/admin/enrolment-codes/route';
import { ensureSetupLink } from '../../src/server/auth/one-time-secrets';
import { createResetLinkFromCli } from '../../src/server/auth/reset-link-cli';
import { csrfTokenFor } from '../../src/server/auth/sessions';
import { SoftAuthenticator, type RegistrationOptions } from '../support/soft-authenticator';
import { DATABASE_KINDS, PUBLIC_URL, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

describe.each(DATABASE_KINDS)('admin accounts on the %s database', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({}, kind);
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const ORIGIN = { origin: PUBLIC_URL };

  interface Browser {
    cookie: string;
    csrf: string;
    headers: Record<string, string>;
  }

  function browserFrom(response: Response): Browser {
    const setCookie = response.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0] as string;
    const csrf = csrfTokenFor(new Uint8Array(Buffer.from(cookie.split('=')[1] as string, 'base64url')));
    return { cookie, csrf, headers: { cookie, origin: PUBLIC_URL, 'x-csrf-token': csrf } };
  }

  const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

  async function registerWith(authenticator: SoftAuthenticator, start: Record<string, unknown>) {
    const options = await call(registerOptions, '/api/auth/register/options', start, { headers: ORIGIN });
    expect(options.status).toBe(200);
    const response = authenticator.register(options.json.options as RegistrationOptions);
    return call(
      registerVerify,
      '/api/auth/register/verify',
      { challengeId: options.json.challengeId, response },
      { headers: ORIGIN },
    );
  }

  async function signInWith(authenticator: SoftAuthenticator, overrides: { origin?: string } = {}) {
    const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: ORIGIN });
    expect(options.status).toBe(200);
    const response = authenticator.authenticate(options.json.options as { challenge: string; rpId: string }, overrides);
    return call(
      signInVerify,
      '/api/auth/sign-in/verify',
      { challengeId: options.json.challengeId, response },
      { headers: ORIGIN },
    );
  }

  let first: SoftAuthenticator;
  let firstBrowser: Browser;
  let setupToken: string;

  describe('first administrator', () => {
    test('a one-time setup link exists while no admin does, and registers the first passkey', async () => {
      const link = await ensureSetupLink(app.services);
      expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/setup#token=[A-Za-z0-9_-]{43}$`));
      first = new SoftAuthenticator(PUBLIC_URL);
      setupToken = tokenOf(link as string);
      const registered = await registerWith(first, { token: setupToken, displayName: 'Ada Admin' });
      expect(registered.status).toBe(200);
      // No recovery codes: nothing typed can replace a passkey.
      expect(registered.json).toEqual({ signedIn: true });
      const setCookie = registered.response.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(
        /^od_admin_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
      );
      firstBrowser = browserFrom(registered.response);
      // Nor is any other way in left behind: one passkey, the setup link used, the challenge gone.
      expect(await app.database.prisma.adminCredential.findMany({ select: { id: true } })).toEqual([{ id: first.id }]);
      expect(await app.database.prisma.adminInvitation.count({ where: { usedAt: null, cancelledAt: null } })).toBe(0);
      expect(await app.database.prisma.webAuthnChallenge.count()).toBe(0);
      expect(await ensureSetupLink(app.services)).toBeUndefined();
    });

    test('the setup link works once: used, it is refused (invitation_invalid), as is an unknown one', async () => {
      for (const token of [setupToken, 'x'.repeat(43)]) {
        const refused = await call(
          registerOptions,
          '/api/auth/register/options',
          { token, displayName: 'Eve' },
          { headers: ORIGIN },
        );
        expect(refused).toMatchObject({ status: 403, json: { error: 'invitation_invalid' } });
      }
    });

    test('the new session works for admin actions', async () => {
      expect(
        (
          await call(
            createCode,
            '/api/admin/enrolment-codes',
            { address: 'a@example.org', displayName: 'A' },
            { headers: firstBrowser.headers },
          )
        ).status,
      ).toBe(201);
    });
  });

  describe('passkey sign-in', () => {
    test('the registered passkey signs in and opens a session; the counter moves', async () => {
      const signedIn = await signInWith(first);
      expect(signedIn).toMatchObject({ status: 200, json: { signedIn: true } });
      const browser = browserFrom(signedIn.response);
      expect(
        (
          await call(
            createCode,
            '/api/admin/enrolment-codes',
            { address: 'b@example.org', displayName: 'B' },
            { headers: browser.headers },
          )
        ).status,
      ).toBe(201);
      const credential = await app.database.prisma.adminCredential.findUniqueOrThrow({ where: { id: first.id } });
      expect(Number(credential.counter)).toBe(first.counter);
    });

    test('an unknown passkey is refused (sign_in_failed) and audited', async () => {
      const stranger = new SoftAuthenticator(PUBLIC_URL);
      expect(await signInWith(stranger)).toMatchObject({ status: 401, json: { error: 'sign_in_failed' } });
      expect(await app.database.prisma.auditEvent.count({ where: { action: 'admin.sign_in_failed' } })).toBeGreaterThan(
        0,
      );
    });

    test('an assertion made for another origin is refused (a phishing site cannot relay it)', async () => {
      expect(await signInWith(first, { origin: 'https://phish.example' })).toMatchObject({
        status: 401,
        json: { error: 'sign_in_failed' },
      });
    });

    test('a challenge answers once: replaying a sign-in response is refused (challenge_invalid)', async () => {
      const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: ORIGIN });
      const response = first.authenticate(options.json.options as { challenge: string; rpId: string });
      const body = { challengeId: options.json.challengeId, response };
      expect((await call(signInVerify, '/api/auth/sign-in/verify', body, { headers: ORIGIN })).status).toBe(200);
      expect(await call(signInVerify, '/api/auth/sign-in/verify', body, { headers: ORIGIN })).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
    });

    test('an expired challenge is refused', async () => {
      const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: ORIGIN });
      app.advance(301);
      const response = first.authenticate(options.json.options as { challenge: string; rpId: string });
      expect(
        await call(
          signInVerify,
          '/api/auth/sign-in/verify',
          { challengeId: options.json.challengeId, response },
          { headers: ORIGIN },
        ),
      ).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
    });

    test('without user verification the passkey is refused', async () => {
      first.userVerified = false;
      try {
        expect(await signInWith(first)).toMatchObject({ status: 401, json: { error: 'sign_in_failed' } });
      } finally {
        first.userVerified = true;
      }
    });

    test('sign-in ceremonies from another origin are refused (csrf)', async () => {
      expect(
        await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: { origin: 'https://evil.example' } }),
      ).toMatchObject({ status: 403, json: { error: 'csrf' } });
      expect(await call(signInOptions, '/api/auth/sign-in/options', {})).toMatchObject({
        status: 403,
        json: { error: 'csrf' },
      });
    });

    test('a valid passkey is never rate limited; failures with it are, past its budget (10 per 15 minutes)', async () => {
      app.advance(15 * 60);
      // Signing in succeeds as often as the administrator likes: success spends no budget.
      for (let i = 0; i < 12; i++) expect((await signInWith(first)).status).toBe(200);
      // Failures naming this passkey (relayed by a phishing site) are counted.
      const failures = [];
      for (let i = 0; i < 11; i++) failures.push((await signInWith(first, { origin: 'https://phish.example' })).status);
      expect(failures).toEqual([...Array(10).fill(401), 429]);
      expect((await signInWith(first)).status).toBe(200);
      app.advance(15 * 60);
      expect((await signInWith(first, { origin: 'https://phish.example' })).status).toBe(401);
    });
  });

  describe('sessions and CSRF', () => {
    let browser: Browser;
    beforeEach(async () => {
      app.advance(15 * 60);
      browser = browserFrom((await signInWith(first)).response);
    });
    const create = (headers: Record<string, string>) =>
      call(createCode, '/api/admin/enrolment-codes', { address: 'c@example.org', displayName: 'C' }, { headers });

    test('no cookie: not_signed_in', async () => {
      expect(await create({ origin: PUBLIC_URL, 'x-csrf-token': browser.csrf })).toMatchObject({
        status: 401,
        json: { error: 'not_signed_in' },
      });
    });

    test('a forged or unknown cookie: not_signed_in', async () => {
      expect(await create({ ...browser.headers, cookie: `od_admin_session=${'A'.repeat(43)}` })).toMatchObject({
        status: 401,
        json: { error: 'not_signed_in' },
      });
    });

    test('no CSRF token, or the token of another session: csrf', async () => {
      const { 'x-csrf-token': _dropped, ...withoutToken } = browser.headers;
      expect(await create(withoutToken)).toMatchObject({ status: 403, json: { error: 'csrf' } });
      expect(await create({ ...browser.headers, 'x-csrf-token': firstBrowser.csrf })).toMatchObject({
        status: 403,
        json: { error: 'csrf' },
      });
    });

    test('another Origin, or none: csrf, even with the right token', async () => {
      expect(await create({ ...browser.headers, origin: 'https://evil.example' })).toMatchObject({
        status: 403,
        json: { error: 'csrf' },
      });
      const { origin: _dropped, ...withoutOrigin } = browser.headers;
      expect(await create(withoutOrigin)).toMatchObject({ status: 403, json: { error: 'csrf' } });
    });

    test('an idle session ends after an hour', async () => {
      expect((await create(browser.headers)).status).toBe(201);
      app.advance(3601);
      expect(await create(browser.headers)).toMatchObject({ status: 401, json: { error: 'not_signed_in' } });
    });

    test('an active session still ends 12 hours after sign-in', async () => {
      for (let step = 0; step < 14; step++) {
        app.advance(50 * 60);
        expect((await create(browser.headers)).status).toBe(201);
      }
      app.advance(25 * 60);
      expect(await create(browser.headers)).toMatchObject({ status: 401, json: { error: 'not_signed_in' } });
    });

    test('sign-out ends the session and clears the cookie', async () => {
      const out = await call(signOut, '/api/auth/sign-out', undefined, { headers: browser.headers, method: 'POST' });
      expect(out.status).toBe(200);
      expect(out.response.headers.get('set-cookie')).toMatch(/^od_admin_session=; .*Max-Age=0/);
      expect(await create(browser.headers)).toMatchObject({ status: 401, json: { error: 'not_signed_in' } });
    });
  });

  describe('more administrators, resets and recovery', () => {
    let second: SoftAuthenticator;
    let secondId: string;

    test('an admin invites another with a one-time link', async () => {
      app.advance(15 * 60);
      const browser = browserFrom((await signInWith(first)).response);
      const invited = await call(invite, '/api/admin/admins/invite', undefined, {
        headers: browser.headers,
        method: 'POST',
      });
      expect(invited.status).toBe(201);
      second = new SoftAuthenticator(PUBLIC_URL);
      const registered = await registerWith(second, {
        token: tokenOf(invited.json.link as string),
        displayName: 'Grace Admin',
      });
      expect(registered.status).toBe(200);
      secondId = (await app.database.prisma.adminCredential.findUniqueOrThrow({ where: { id: second.id } })).adminId;
      expect((await signInWith(second)).status).toBe(200);
      // The link was single use.
      expect(
        await call(
          registerOptions,
          '/api/auth/register/options',
          { token: tokenOf(invited.json.link as string), displayName: 'Again' },
          { headers: ORIGIN },
        ),
      ).toMatchObject({
        status: 403,
        json: { error: 'invitation_invalid' },
      });
    });

    test('a passkey reset by another admin replaces the old passkey and ends its sessions', async () => {
      app.advance(15 * 60);
      const secondBrowser = browserFrom((await signInWith(second)).response);
      const browser = browserFrom((await signInWith(first)).response);
      const link = await call(reset, '/api/admin/admins/reset', { adminId: secondId }, { headers: browser.headers });
      expect(link.status).toBe(201);
      const replacement = new SoftAuthenticator(PUBLIC_URL);
      expect((await registerWith(replacement, { token: tokenOf(link.json.link as string) })).status).toBe(200);
      expect(await signInWith(second)).toMatchObject({ status: 401, json: { error: 'sign_in_failed' } });
      expect((await signInWith(replacement)).status).toBe(200);
      expect(
        await call(
          createCode,
          '/api/admin/enrolment-codes',
          { address: 'd@example.org', displayName: 'D' },
          { headers: secondBrowser.headers },
        ),
      ).toMatchObject({ status: 401 });
      second = replacement;
    });

    test('a recovery code is not a way in: the register endpoint accepts only a one-time link token', async () => {
      expect(
        await call(
          registerOptions,
          '/api/auth/register/options',
          { recoveryCode: 'AAAAA-AAAAA-AAAAA-AAAAA' },
          { headers: ORIGIN },
        ),
      ).toMatchObject({ status: 400, json: { error: 'malformed' } });
    });

    test('the server command (npm run admin:reset-link) makes a working one-time reset link, audited as system:cli', async () => {
      app.advance(15 * 60);
      const firstId = (await app.database.prisma.adminCredential.findUniqueOrThrow({ where: { id: first.id } }))
        .adminId;
      const oldSession = browserFrom((await signInWith(first)).response);
      const made = await createResetLinkFromCli(app.services, 'Ada Admin');
      expect(made.admin).toEqual({ id: firstId, displayName: 'Ada Admin' });
      expect(made.link).toMatch(new RegExp(`^${PUBLIC_URL}/setup#token=[A-Za-z0-9_-]{43}$`));
      const audit = await app.database.prisma.auditEvent.findFirstOrThrow({
        where: { action: 'admin.passkey_reset_link_created' },
        orderBy: { id: 'desc' },
      });
      expect(audit).toMatchObject({ actor: 'system:cli', detail: { adminId: firstId } });
      const replacement = new SoftAuthenticator(PUBLIC_URL);
      expect((await registerWith(replacement, { token: tokenOf(made.link) })).status).toBe(200);
      // The old passkey and its sessions end; the new one signs in; the link worked once.
      expect(await signInWith(first)).toMatchObject({ status: 401, json: { error: 'sign_in_failed' } });
      expect(
        await call(
          createCode,
          '/api/admin/enrolment-codes',
          { address: 'c@example.org', displayName: 'C' },
          { headers: oldSession.headers },
        ),
      ).toMatchObject({ status: 401 });
      expect((await signInWith(replacement)).status).toBe(200);
      expect(
        await call(registerOptions, '/api/auth/register/options', { token: tokenOf(made.link) }, { headers: ORIGIN }),
      ).toMatchObject({ status: 403, json: { error: 'invitation_invalid' } });
      // By id too.
      expect((await createResetLinkFromCli(app.services, firstId)).admin.id).toBe(firstId);
      first = replacement;
    });

    test('the server command refuses an unknown or removed administrator', async () => {
      await expect(createResetLinkFromCli(app.services, 'Nobody Here')).rejects.toThrow(
        'no administrator with the id or display name "Nobody Here"',
      );
      await expect(createResetLinkFromCli(app.services, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(
        /no administrator/,
      );
    });

    test('a removed admin can no longer sign in, and nobody removes themselves', async () => {
      app.advance(15 * 60);
      const browser = browserFrom((await signInWith(first)).response);
      const firstId = (await app.database.prisma.adminCredential.findUniqueOrThrow({ where: { id: first.id } }))
        .adminId;
      expect(
        await call(disable, '/api/admin/admins/disable', { adminId: firstId }, { headers: browser.headers }),
      ).toMatchObject({ status: 400, json: { error: 'not_for_yourself' } });
      expect(
        (await call(disable, '/api/admin/admins/disable', { adminId: secondId }, { headers: browser.headers })).status,
      ).toBe(200);
      expect(await signInWith(second)).toMatchObject({ status: 401, json: { error: 'sign_in_failed' } });
      await expect(createResetLinkFromCli(app.services, secondId)).rejects.toThrow(/no administrator/);
    });
  });
});
