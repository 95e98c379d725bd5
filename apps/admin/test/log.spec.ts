/**
 * The admin app's log (src/server/log.mjs; issue 10, item 9): pino JSON lines as the relay
 * writes, with no token, code, key or challenge in them. The setup link, the one secret the app
 * shows, goes to stdout once as a plain line and never into the structured log.
 */
import { POST as signInOptions } from '../app/api/auth/sign-in/options/route';
import { POST as signInVerify } from '../app/api/auth/sign-in/verify/route';
import { POST as createCode } from '../app/api/admin/enrolment-codes/route';
import { POST as enrol } from '../app/api/v1/enrol/route';
import { respond } from '../src/server/http/responses';
import { PEER_ADDRESS_HEADER } from '../src/server/http/client-address';
import { createAdminLogger, errorSummary, scrubSecrets, useAdminLogger } from '../src/server/log.mjs';
import { startAdminApp } from '../src/server/startup';
import { SoftAuthenticator } from './support/soft-authenticator';
import { signedInAdmin } from './support/test-admin';
import { TestDevice } from './support/test-device';
import { PUBLIC_URL, SLOW, call, startTestApp, type TestApp } from './support/test-services';

type Line = { level: number; service: string; event?: string; msg: string } & Record<string, unknown>;

let lines: string[];
beforeEach(() => {
  lines = [];
  useAdminLogger(
    createAdminLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } }),
  );
});
afterEach(() => useAdminLogger(undefined));
const parsed = () => lines.map((line) => JSON.parse(line) as Line);

describe('redaction', () => {
  test('secret-looking fields are redacted at the top level and one level down', () => {
    createAdminLogger({ destination: { write: (line: string) => void lines.push(line) } }).info(
      {
        event: 'x',
        token: 'T0KEN',
        code: 'C0DE',
        detail: { challenge: 'CHALL', address: 'alice@example.org', count: 3 },
      },
      'an event',
    );
    expect(parsed()[0]).toMatchObject({
      service: 'opendescent-admin',
      event: 'x',
      token: '[redacted]',
      code: '[redacted]',
      detail: { challenge: '[redacted]', address: '[redacted]', count: 3 },
    });
    expect(lines.join('')).not.toMatch(/T0KEN|C0DE|CHALL|alice@/);
  });

  test('a secret inside a message (a link with its token, a bearer token) is scrubbed', () => {
    expect(scrubSecrets('open http://localhost:3001/setup#token=abcDEF_123-x now')).toBe(
      'open http://localhost:3001/setup#token=[redacted] now',
    );
    expect(scrubSecrets('Authorization: Bearer s3cr3t, code=AB12-CD34&x=1')).toBe(
      'Authorization: Bearer [redacted], code=[redacted]&x=1',
    );
    expect(scrubSecrets('the organisation key: signing key 0a1b')).toBe('the organisation key: signing key 0a1b');
  });

  test('an unexpected error logs its name, code and last line, never the query values Prisma puts before', async () => {
    const error = Object.assign(
      new Error(
        '\nInvalid `prisma.enrolmentCode.findUnique()` invocation:\n{ where: { secretHash: "SECRETHASH", code: "AB12CD34" } }\nUnique constraint failed on the fields: (`handle`)',
      ),
      {
        name: 'PrismaClientKnownRequestError',
        code: 'P2002',
      },
    );
    expect(errorSummary(error)).toEqual({
      name: 'PrismaClientKnownRequestError',
      errorCode: 'P2002',
      message: 'Unique constraint failed on the fields: (`handle`)',
    });
    const response = await respond(async () => {
      throw error;
    });
    expect(response.status).toBe(500);
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: 50,
        event: 'internal_error',
        err: {
          name: 'PrismaClientKnownRequestError',
          errorCode: 'P2002',
          message: 'Unique constraint failed on the fields: (`handle`)',
        },
      }),
    ]);
    expect(lines.join('')).not.toMatch(/SECRETHASH|AB12CD34/);
  });
});

describe('around a first start, an enrolment and a sign-in failure', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  }, SLOW);
  afterAll(async () => {
    await app?.close();
  }, SLOW);

  test(
    'log lines carry no secrets',
    async () => {
      const stdout: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout.push(String(chunk));
        return true;
      });
      try {
        (await startAdminApp())(); // its timers must not outlive this file's database
      } finally {
        write.mockRestore();
      }
      // The setup link: once, on stdout, as scripts/start.mjs reads it.
      const shown = stdout.join('').match(/one-time setup link .*?: (\S+)\n/g) ?? [];
      expect(shown).toHaveLength(1);
      const setupLink = /: (\S+)\n$/.exec(shown[0] as string)?.[1] as string;
      const setupToken = new URL(setupLink).hash.replace('#token=', '');
      expect(setupToken.length).toBeGreaterThan(20);

      const admin = await signedInAdmin(app.services);
      const made = await call(
        createCode,
        '/api/admin/enrolment-codes',
        { address: 'alice@example.org', displayName: 'Alice Martin' },
        { headers: admin.headers },
      );
      expect(made.status).toBe(201);
      const code = made.json.code as string;
      const device = await TestDevice.create(() => app.services.now());
      const enrolled = await call(enrol, '/api/v1/enrol', await device.enrolment(code));
      expect(enrolled.status).toBe(201);
      const wrongCode = await call(
        enrol,
        '/api/v1/enrol',
        await (await TestDevice.create(() => app.services.now())).enrolment(code),
      );
      expect(wrongCode.status).toBeGreaterThanOrEqual(400);

      const from = { origin: PUBLIC_URL, [PEER_ADDRESS_HEADER]: '198.51.100.7' };
      const options = await call(signInOptions, '/api/auth/sign-in/options', {}, { headers: from });
      const stranger = new SoftAuthenticator(PUBLIC_URL);
      const answer = stranger.authenticate(options.json.options as { challenge: string; rpId: string });
      const refused = await call(
        signInVerify,
        '/api/auth/sign-in/verify',
        { challengeId: options.json.challengeId, response: answer },
        { headers: from },
      );
      expect(refused.status).toBeGreaterThanOrEqual(400);

      // Something was logged (the test would prove nothing otherwise), as JSON lines of the admin app.
      const events = parsed().map((line) => line.event);
      expect(events).toEqual(expect.arrayContaining(['organisation.created', 'started', 'setup_link.shown']));
      expect(parsed().every((line) => line.service === 'opendescent-admin')).toBe(true);
      const secrets = {
        setupToken,
        code,
        codeWithoutDashes: code.replace(/-/g, ''),
        sessionCookie: admin.cookie.split('=')[1] as string,
        csrf: admin.csrf,
        challengeId: String(options.json.challengeId),
        challenge: (options.json.options as { challenge: string }).challenge,
        credentialId: String((answer as { id?: unknown }).id),
        attestation: String(enrolled.json.attestation),
      };
      const log = lines.join('');
      for (const [name, secret] of Object.entries(secrets)) {
        expect(secret.length).toBeGreaterThan(7);
        expect({ name, found: log.includes(secret) }).toEqual({ name, found: false });
      }
      expect(log).not.toContain('alice@example.org');
    },
    SLOW,
  );
});
