/**
 * Rate limits that protect instead of lock out (issue 10, item 1; docs/protocol/admin-api.md §8):
 * junk from an attacker's address spends that address's failure budget and nothing else, so the
 * administrator's passkey, a valid link and a valid enrolment code still work from the very same
 * address; stateless sign-in challenges that answer once; administrator links that die with their
 * maker, every refused use audited (item 2).
 */
import { randomBytes } from 'node:crypto';
import { POST as registerOptions } from '../../app/api/auth/register/options/route';
import { POST as registerVerify } from '../../app/api/auth/register/verify/route';
import { POST as signInOptions } from '../../app/api/auth/sign-in/options/route';
import { POST as signInVerify } from '../../app/api/auth/sign-in/verify/route';
import { POST as invite } from '../../app/api/admin/admins/invite/route';
import { POST as reset } from '../../app/api/admin/admins/reset/route';
import { POST as enrol } from '../../app/api/v1/enrol/route';
import { createInvitation, ensureSetupLink } from '../../src/server/auth/one-time-secrets';
import { issueSignInChallenge } from '../../src/server/auth/sign-in-challenge';
import { enrolmentSecretHash, formatEnrolmentCode } from '../../src/server/devices/enrolment-codes';
import { PEER_ADDRESS_HEADER } from '../../src/server/http/client-address';
import { FAILURE_BUDGETS } from '../../src/server/http/failure-budget';
import { MasterKeySource } from '../../src/server/org/master-key.mjs';
import { SoftAuthenticator, type RegistrationOptions } from '../support/soft-authenticator';
import { signedInAdmin } from '../support/test-admin';
import { TestDevice } from '../support/test-device';
import { DATABASE_KINDS, PUBLIC_URL, SLOW, call, startTestApp, type TestApp } from '../support/test-services';

type Options = { challenge: string; rpId: string };

/** A fresh documentation address (RFC 5737) per test, so that budgets do not carry over. */
let nextSource = 1;
const newSource = () => `198.51.100.${nextSource++}`;
const from = (source: string) => ({ origin: PUBLIC_URL, [PEER_ADDRESS_HEADER]: source });
const tokenOf = (link: unknown) => new URL(String(link)).hash.replace('#token=', '');

describe.each(DATABASE_KINDS)('lock-out resistance on the %s database', (kind) => {
  let app: TestApp;
  let ada: SoftAuthenticator;
  let adaId: string;

  const audits = (action: string) => app.database.prisma.auditEvent.count({ where: { action } });

  /** The audit rows of `action` that `work` wrote (ids are compared, not ordered). */
  async function auditedBy(action: string, work: () => Promise<unknown>) {
    const before = new Set(
      (await app.database.prisma.auditEvent.findMany({ where: { action }, select: { id: true } })).map((row) => row.id),
    );
    await work();
    return (await app.database.prisma.auditEvent.findMany({ where: { action } })).filter((row) => !before.has(row.id));
  }

  async function signInWith(authenticator: SoftAuthenticator, source: string) {
    const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from(source) });
    expect(options.status).toBe(200);
    const response = authenticator.authenticate(options.json.options as Options);
    return call(
      signInVerify,
      '/api/auth/sign-in/verify',
      { challengeId: options.json.challengeId, response },
      { headers: from(source) },
    );
  }

  async function registerWith(authenticator: SoftAuthenticator, start: Record<string, unknown>, source: string) {
    const options = await call(registerOptions, '/api/auth/register/options', start, { headers: from(source) });
    if (options.status !== 200) return options;
    const response = authenticator.register(options.json.options as RegistrationOptions);
    return call(
      registerVerify,
      '/api/auth/register/verify',
      { challengeId: options.json.challengeId, response },
      { headers: from(source) },
    );
  }

  /** Junk an attacker can make without any secret: each kind fails differently. */
  async function junkSignIn(source: string, i: number) {
    let body: unknown;
    if (i % 3 === 0) body = { challengeId: 'junk', response: { id: 'junk', response: {} } };
    else if (i % 3 === 1) body = { nothing: true };
    else {
      // A real challenge answered by a passkey nobody registered.
      const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from(source) });
      body = {
        challengeId: options.json.challengeId,
        response: new SoftAuthenticator(PUBLIC_URL).authenticate(options.json.options as Options),
      };
    }
    return call(signInVerify, '/api/auth/sign-in/verify', body, { headers: from(source) });
  }

  /** A pending enrolment code, made directly in the database (the admin routes are tested elsewhere). */
  async function enrolmentCode(address: string): Promise<{ code: string; memberId: string }> {
    const member = await app.database.prisma.member.create({ data: { address, displayName: 'Staff Member' } });
    const handle = randomBytes(5)
      .toString('hex')
      .toUpperCase()
      .replace(/[ILOU]/g, '0')
      .slice(0, 8);
    const secret = 'ABCDEFGHJKMNPQRS';
    await app.database.prisma.enrolmentCode.create({
      data: {
        handle,
        secretHash: new Uint8Array(enrolmentSecretHash({ handle, secret })),
        memberId: member.id,
        createdBy: 'system',
        expiresAt: new Date(app.services.now().getTime() + 3600_000),
      },
    });
    return { code: formatEnrolmentCode({ handle, secret }), memberId: member.id };
  }

  beforeAll(async () => {
    app = await startTestApp({}, kind);
    ada = new SoftAuthenticator(PUBLIC_URL);
    const setup = await ensureSetupLink(app.services);
    expect((await registerWith(ada, { token: tokenOf(setup), displayName: 'Ada Admin' }, newSource())).status).toBe(
      200,
    );
    adaId = (await app.database.prisma.adminCredential.findUniqueOrThrow({ where: { id: ada.id } })).adminId;
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  describe('sign-in', () => {
    test("31 junk sign-in verifications from one address do not stop the administrator's passkey from the same address", async () => {
      const source = newSource();
      const answers = [];
      for (let i = 0; i < 31; i++) answers.push((await junkSignIn(source, i)).status);
      expect(answers.slice(0, 30).every((status) => status === 400 || status === 401)).toBe(true);
      expect(answers[30]).toBe(429);
      expect(await signInWith(ada, source)).toMatchObject({ status: 200, json: { signedIn: true } });
    });

    test("100 junk sign-in options from one address do not stop the administrator's passkey, and store nothing", async () => {
      const source = newSource();
      const stored = await app.database.prisma.webAuthnChallenge.count();
      for (let i = 0; i < 100; i++)
        expect((await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from(source) })).status).toBe(
          200,
        );
      expect(await app.database.prisma.webAuthnChallenge.count()).toBe(stored);
      expect(await signInWith(ada, source)).toMatchObject({ status: 200 });
    });

    test('past the budget, junk gets 429 with Retry-After and no audit row per request', async () => {
      const source = newSource();
      const failedBefore = await audits('admin.sign_in_failed');
      const spentBefore = await audits('security.failure_budget_spent');
      for (let i = 0; i < FAILURE_BUDGETS.signInPerSource.limit; i++)
        expect((await junkSignIn(source, 2)).status).toBe(401);
      // Under budget every failure is audited, and the one that spends the budget says so once.
      expect(await audits('admin.sign_in_failed')).toBe(failedBefore + FAILURE_BUDGETS.signInPerSource.limit);
      expect(await audits('security.failure_budget_spent')).toBe(spentBefore + 1);
      const spent = await app.database.prisma.auditEvent.findFirstOrThrow({
        where: { action: 'security.failure_budget_spent' },
        orderBy: { id: 'desc' },
      });
      expect(spent.detail).toMatchObject({
        attempt: 'sign-in',
        scope: 'source',
        source,
        limit: 30,
        windowSeconds: 900,
      });
      const hits = await app.database.prisma.rateLimitHit.count();
      const allAudits = await app.database.prisma.auditEvent.count();
      for (let i = 0; i < 20; i++) {
        const refused = await junkSignIn(source, i);
        expect(refused).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
        const retryAfter = Number(refused.response.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(900);
      }
      // Refused junk writes nothing: no audit row, no counted hit.
      expect(await app.database.prisma.auditEvent.count()).toBe(allAudits);
      expect(await app.database.prisma.rateLimitHit.count()).toBe(hits);
      // Another address's junk still gets its own answer, and the window slides.
      expect((await junkSignIn(newSource(), 0)).status).toBe(400);
      app.advance(FAILURE_BUDGETS.signInPerSource.windowSeconds);
      expect((await junkSignIn(source, 0)).status).toBe(400);
    });

    test('failures naming the passkey from many addresses spend its own budget, yet the passkey still signs in', async () => {
      // Assertions relayed by a phishing site, each from another address.
      const phished = async () => {
        const source = newSource();
        const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from(source) });
        const response = ada.authenticate(options.json.options as Options, { origin: 'https://phish.example' });
        return call(
          signInVerify,
          '/api/auth/sign-in/verify',
          { challengeId: options.json.challengeId, response },
          { headers: from(source) },
        );
      };
      for (let i = 0; i < FAILURE_BUDGETS.signInPerCredential.limit; i++) expect((await phished()).status).toBe(401);
      expect(await phished()).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
      expect((await signInWith(ada, newSource())).status).toBe(200);
      app.advance(FAILURE_BUDGETS.signInPerCredential.windowSeconds);
    });

    test('the global ceiling refuses failures from a fresh address, never a valid passkey', async () => {
      const now = app.services.now();
      await app.database.prisma.rateLimitHit.createMany({
        data: Array.from({ length: FAILURE_BUDGETS.ceiling.limit }, () => ({ key: 'failures:sign-in:all', at: now })),
      });
      const source = newSource();
      expect(await junkSignIn(source, 0)).toMatchObject({ status: 429 });
      expect((await signInWith(ada, source)).status).toBe(200);
      app.advance(FAILURE_BUDGETS.ceiling.windowSeconds);
      expect((await junkSignIn(source, 0)).status).toBe(400);
    });
  });

  describe('stateless sign-in challenges', () => {
    async function answer(challengeId: unknown, options: Options, source = newSource()) {
      return call(
        signInVerify,
        '/api/auth/sign-in/verify',
        { challengeId, response: ada.authenticate(options) },
        { headers: from(source) },
      );
    }

    test('a replayed sign-in challenge is refused, even with a fresh assertion over it', async () => {
      const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from(newSource()) });
      const body = {
        challengeId: options.json.challengeId,
        response: ada.authenticate(options.json.options as Options),
      };
      expect((await call(signInVerify, '/api/auth/sign-in/verify', body, { headers: from(newSource()) })).status).toBe(
        200,
      );
      expect(await call(signInVerify, '/api/auth/sign-in/verify', body, { headers: from(newSource()) })).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
      // The authenticator's counter moved on: only the used-challenge row stops this one.
      expect(await answer(options.json.challengeId, options.json.options as Options)).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
    });

    test('a forged or expired stateless challenge is refused', async () => {
      const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from(newSource()) });
      const token = Buffer.from(String(options.json.challengeId), 'base64url');
      expect(token.length).toBe(69);
      // Another challenge in the token, MAC kept: the browser signs the forged challenge.
      const altered = Buffer.from(token);
      altered[10] = (altered[10] ?? 0) ^ 1;
      const alteredOptions = {
        ...(options.json.options as Options),
        challenge: altered.subarray(5, 37).toString('base64url'),
      };
      expect(await answer(altered.toString('base64url'), alteredOptions)).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
      // A later expiry written in: the MAC no longer verifies.
      const extended = Buffer.from(token);
      extended.writeUInt32BE(extended.readUInt32BE(1) + 3600, 1);
      expect(await answer(extended.toString('base64url'), options.json.options as Options)).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
      // A well-made token under another master key.
      const foreign = issueSignInChallenge(
        new MasterKeySource('env', { hex: randomBytes(32).toString('hex') }),
        app.services.now(),
      );
      expect(
        await answer(foreign.token, { ...(options.json.options as Options), challenge: foreign.challenge }),
      ).toMatchObject({ status: 400, json: { error: 'challenge_invalid' } });
      // Unknown format, truncated, an old-style UUID.
      const otherFormat = Buffer.from(token);
      otherFormat[0] = 2;
      for (const bad of [
        otherFormat.toString('base64url'),
        token.subarray(0, 60).toString('base64url'),
        '00000000-0000-4000-8000-000000000000',
      ]) {
        expect(await answer(bad, options.json.options as Options)).toMatchObject({
          status: 400,
          json: { error: 'challenge_invalid' },
        });
      }
      // Expired: five minutes and a second later.
      app.advance(301);
      expect(await answer(options.json.challengeId, options.json.options as Options)).toMatchObject({
        status: 400,
        json: { error: 'challenge_invalid' },
      });
    });
  });

  describe('registration links', () => {
    test("40 junk registration options from one address do not stop a valid link's holder at the same address", async () => {
      const source = newSource();
      const refusedBefore = await audits('admin.link_refused');
      const answers = [];
      for (let i = 0; i < 40; i++)
        answers.push(
          (
            await call(
              registerOptions,
              '/api/auth/register/options',
              { token: randomBytes(32).toString('base64url'), displayName: 'Eve' },
              { headers: from(source) },
            )
          ).status,
        );
      expect(answers.slice(0, 20)).toEqual(Array(20).fill(403));
      expect(answers.slice(20)).toEqual(Array(20).fill(429));
      // 20 refused uses audited, then counted only.
      expect(await audits('admin.link_refused')).toBe(refusedBefore + 20);
      const link = await createInvitation(app.services, app.services.prisma, `admin:${adaId}`, 'invite');
      expect(
        (
          await registerWith(
            new SoftAuthenticator(PUBLIC_URL),
            { token: tokenOf(link.link), displayName: 'Grace Admin' },
            source,
          )
        ).status,
      ).toBe(200);
    });

    test('one valid link asks for at most 10 passkey challenges in 15 minutes, without spending its address budget', async () => {
      const source = newSource();
      const link = await createInvitation(app.services, app.services.prisma, `admin:${adaId}`, 'invite');
      const start = { token: tokenOf(link.link), displayName: 'Patient Admin' };
      for (let i = 0; i < 10; i++)
        expect(
          (await call(registerOptions, '/api/auth/register/options', start, { headers: from(source) })).status,
        ).toBe(200);
      const capped = await call(registerOptions, '/api/auth/register/options', start, { headers: from(source) });
      expect(capped).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
      expect(capped.response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(
        await app.database.prisma.rateLimitHit.count({ where: { key: `failures:registration:source:${source}` } }),
      ).toBe(0);
    });

    test('a link made by an administrator who was then disabled is refused and audited', async () => {
      const maker = await signedInAdmin(app.services, 'Mallory Admin');
      const invited = await call(invite, '/api/admin/admins/invite', undefined, {
        headers: maker.headers,
        method: 'POST',
      });
      const resetLink = await call(reset, '/api/admin/admins/reset', { adminId: adaId }, { headers: maker.headers });
      expect([invited.status, resetLink.status]).toEqual([201, 201]);
      // Options asked for while the maker was still enabled, answered after.
      const early = await call(
        registerOptions,
        '/api/auth/register/options',
        { token: tokenOf(invited.json.link), displayName: 'Early' },
        { headers: from(newSource()) },
      );
      expect(early.status).toBe(200);
      // Disabled directly in the database: only the maker check stands in the way (the disable
      // route, which also cancels the links, is tested in admin-links.spec.ts).
      await app.database.prisma.admin.update({ where: { id: maker.id }, data: { disabledAt: app.services.now() } });
      const rows = await auditedBy('admin.link_refused', async () => {
        for (const link of [invited.json.link, resetLink.json.link]) {
          const refused = await call(
            registerOptions,
            '/api/auth/register/options',
            { token: tokenOf(link), displayName: 'Taken Over' },
            { headers: from(newSource()) },
          );
          expect(refused).toMatchObject({ status: 403, json: { error: 'invitation_invalid' } });
        }
        const response = new SoftAuthenticator(PUBLIC_URL).register(early.json.options as RegistrationOptions);
        expect(
          await call(
            registerVerify,
            '/api/auth/register/verify',
            { challengeId: early.json.challengeId, response },
            { headers: from(newSource()) },
          ),
        ).toMatchObject({
          status: 403,
          json: { error: 'invitation_invalid' },
        });
      });
      const inviteId = (
        await app.database.prisma.adminInvitation.findFirstOrThrow({
          where: { createdBy: `admin:${maker.id}`, purpose: 'invite' },
        })
      ).id;
      const resetId = (
        await app.database.prisma.adminInvitation.findFirstOrThrow({
          where: { createdBy: `admin:${maker.id}`, purpose: 'reset' },
        })
      ).id;
      const seen = rows.map((row) => row.detail as { reason: string; purpose: string; invitationId: string });
      expect(seen.every((detail) => detail.reason === 'maker_disabled')).toBe(true);
      expect(seen.map((detail) => `${detail.purpose}:${detail.invitationId}`).sort()).toEqual(
        [`invite:${inviteId}`, `invite:${inviteId}`, `reset:${resetId}`].sort(),
      );
      // Ada's passkey was not replaced, and nobody new was made.
      expect((await signInWith(ada, newSource())).status).toBe(200);
      expect(await app.database.prisma.admin.count({ where: { displayName: { in: ['Early', 'Taken Over'] } } })).toBe(
        0,
      );
    });

    test('every refused link use is audited with its reason, and never with the token', async () => {
      const make = () => createInvitation(app.services, app.services.prisma, `admin:${adaId}`, 'invite');
      const used = await make();
      expect(
        (
          await registerWith(
            new SoftAuthenticator(PUBLIC_URL),
            { token: tokenOf(used.link), displayName: 'Used Once' },
            newSource(),
          )
        ).status,
      ).toBe(200);
      const cancelled = await make();
      await app.database.prisma.adminInvitation.update({
        where: { id: cancelled.id },
        data: { cancelledAt: app.services.now(), cancelledBy: `admin:${adaId}` },
      });
      const expired = await make();
      await app.database.prisma.adminInvitation.update({
        where: { id: expired.id },
        data: { expiresAt: app.services.now() },
      });
      const setup = await createInvitation(app.services, app.services.prisma, 'system', 'setup');
      const unknown = randomBytes(32).toString('base64url');
      const cases = [
        [used.link, 'used', used.id],
        [cancelled.link, 'cancelled', cancelled.id],
        [expired.link, 'expired', expired.id],
        [setup.link, 'setup_after_admin', setup.id],
        [`${PUBLIC_URL}/setup#token=${unknown}`, 'unknown', undefined],
      ] as const;
      for (const [link, reason, invitationId] of cases) {
        const token = tokenOf(link);
        const rows = await auditedBy('admin.link_refused', async () => {
          expect(
            await call(
              registerOptions,
              '/api/auth/register/options',
              { token, displayName: 'X' },
              { headers: from(newSource()) },
            ),
          ).toMatchObject({ status: 403 });
        });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ actor: 'system', detail: { reason } });
        expect((rows[0]?.detail as { invitationId?: string }).invitationId).toBe(invitationId);
        expect(JSON.stringify(rows[0]?.detail)).not.toContain(token);
      }
    });
  });

  describe('enrolment', () => {
    const now = () => app.services.now();

    test('100 junk enrolment posts from one address, then a valid enrolment from the same address', async () => {
      const source = newSource();
      const { code } = await enrolmentCode('natted@example.org');
      const junkDevice = await TestDevice.create(now);
      const statuses = [];
      for (let i = 0; i < 100; i++) {
        const body =
          i % 2 === 0 ? {} : await junkDevice.enrolment(`ZZZZ${String(i).padStart(4, '0')}-0000-0000-0000-0000`);
        statuses.push((await call(enrol, '/api/v1/enrol', body, { headers: from(source) })).status);
      }
      expect(statuses.slice(0, 30).every((status) => status === 400 || status === 403)).toBe(true);
      expect(statuses.slice(30)).toEqual(Array(70).fill(429));
      const device = await TestDevice.create(now);
      expect((await call(enrol, '/api/v1/enrol', await device.enrolment(code), { headers: from(source) })).status).toBe(
        201,
      );
    });

    test('over the source budget a code that cannot be redeemed is refused 429, bad signature or not', async () => {
      const source = newSource();
      for (let i = 0; i < FAILURE_BUDGETS.enrolmentPerSource.limit; i++)
        await call(enrol, '/api/v1/enrol', {}, { headers: from(source) });
      const device = await TestDevice.create(now);
      const forged = await device.sign(
        {
          type: 'enrol',
          code: 'ZZZZ-ZZZZ-0000-0000-0000-0000',
          signingKey: Buffer.from(device.signing.publicKey).toString('base64url'),
          agreementKey: Buffer.from(device.agreement.publicKey).toString('base64url'),
        },
        { key: (await TestDevice.create(now)).signing },
      );
      const refused = await call(enrol, '/api/v1/enrol', forged, { headers: from(source) });
      expect(refused).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
      expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
      // The same request from elsewhere is told what is wrong with it.
      expect(await call(enrol, '/api/v1/enrol', forged, { headers: from(newSource()) })).toMatchObject({
        status: 401,
        json: { error: 'bad_signature' },
      });
    });

    test("a disabled member's code is refused (410 code_cancelled) even when the code itself was not cancelled", async () => {
      const { code, memberId } = await enrolmentCode('offboarded@example.org');
      await app.database.prisma.member.update({
        where: { id: memberId },
        data: { status: 'disabled', disabledAt: now() },
      });
      const device = await TestDevice.create(now);
      expect(
        await call(enrol, '/api/v1/enrol', await device.enrolment(code), { headers: from(newSource()) }),
      ).toMatchObject({ status: 410, json: { error: 'code_cancelled' } });
      expect(await app.database.prisma.device.count({ where: { memberId } })).toBe(0);
    });
  });
});
