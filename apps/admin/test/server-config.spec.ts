import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadServerConfig } from '../server-config.mjs';

const KEY = 'a'.repeat(64);

describe('admin app server configuration', () => {
  it('defaults to loopback, the embedded database under .data/ and a master key file beside it', () => {
    const config = loadServerConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3001,
      databaseUrl: undefined,
      embeddedDatabaseDir: path.resolve('.data', 'admin-db'),
      publicUrl: 'http://localhost:3001',
      rpId: 'localhost',
      relayUrls: [],
      attestationLifetimeSeconds: 7 * 24 * 3600,
      enrolmentCodeLifetimeSeconds: 24 * 3600,
      tokenKeyIssueSeconds: 7 * 24 * 3600,
      revocationListValiditySeconds: 24 * 3600,
      directoryLookupsPerHour: 20,
    });
    // Unless an installation from before issue 10 keeps it inside (embedded-modes.spec.ts).
    if (!fs.existsSync(path.resolve('.data', 'admin-db', 'master-key'))) {
      expect(config.masterKey).toMatchObject({
        kind: 'embedded-file',
        file: path.resolve('.data', 'admin-db-secrets', 'master-key'),
        insideDataFolder: false,
      });
    }
  });

  it('uses PostgreSQL when DATABASE_URL is set, and resolves a relative ADMIN_DB_DIR from the working directory', () => {
    expect(
      loadServerConfig({
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
        ADMIN_DB_DIR: 'tmp/db',
        ADMIN_MASTER_KEY: KEY,
      }),
    ).toMatchObject({
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/test',
      embeddedDatabaseDir: path.resolve('tmp', 'db'),
    });
  });

  it('takes the public URL, relying party id and relay URLs from the environment', () => {
    expect(
      loadServerConfig({
        ADMIN_PUBLIC_URL: 'https://admin.example.org/',
        ADMIN_RELAY_URLS: 'https://relay1.example.org/, https://relay2.example.org',
        ADMIN_PORT: '8080',
      }),
    ).toMatchObject({
      publicUrl: 'https://admin.example.org',
      rpId: 'admin.example.org',
      relayUrls: ['https://relay1.example.org', 'https://relay2.example.org'],
    });
    expect(loadServerConfig({ ADMIN_PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
  });

  it.each([
    ['ADMIN_PORT', '65536', 'ADMIN_PORT: expected a TCP port number'],
    ['DATABASE_URL', 'mysql://root@localhost/test', 'DATABASE_URL: expected a postgresql:// connection URL'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL: expected a postgresql:// connection URL'],
    ['ADMIN_PUBLIC_URL', 'https://admin.example.org/path', 'ADMIN_PUBLIC_URL: expected an origin only'],
    ['ADMIN_RELAY_URLS', 'ftp://relay', 'ADMIN_RELAY_URLS: expected comma-separated http(s) base URLs'],
    [
      'ADMIN_ATTESTATION_LIFETIME_HOURS',
      '745',
      'ADMIN_ATTESTATION_LIFETIME_HOURS: expected a number of hours between 1 and 744',
    ],
    ['ADMIN_TOKEN_KEY_ISSUE_DAYS', '1', 'ADMIN_TOKEN_KEY_ISSUE_DAYS: expected a number of days between 2 and 30'],
    ['ADMIN_TOKEN_KEY_ISSUE_DAYS', '31', 'ADMIN_TOKEN_KEY_ISSUE_DAYS: expected a number of days between 2 and 30'],
    [
      'ADMIN_REVOCATION_LIST_VALIDITY_SECONDS',
      '119',
      'ADMIN_REVOCATION_LIST_VALIDITY_SECONDS: expected a number of seconds between 120 and 604800',
    ],
    [
      'ADMIN_REVOCATION_LIST_VALIDITY_SECONDS',
      '604801',
      'ADMIN_REVOCATION_LIST_VALIDITY_SECONDS: expected a number of seconds between 120 and 604800',
    ],
    ['ADMIN_MASTER_KEY', 'abcd', 'ADMIN_MASTER_KEY: expected 64 hexadecimal characters'],
    ['ADMIN_LOG_LEVEL', 'loud', 'ADMIN_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent'],
  ])('refuses a malformed %s (%p) with one line naming it', (name, value, message) => {
    expect(() => loadServerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadServerConfig({ [name]: value })).toThrow(message);
  });

  it('takes how long each token issuer key issues from ADMIN_TOKEN_KEY_ISSUE_DAYS', () => {
    expect(loadServerConfig({ ADMIN_TOKEN_KEY_ISSUE_DAYS: '14' }).tokenKeyIssueSeconds).toBe(14 * 86_400);
  });

  it('refuses to start with PostgreSQL (production) and no master key, in one line', () => {
    expect(() => loadServerConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' })).toThrow(
      /^ADMIN_MASTER_KEY: required with DATABASE_URL \(production\): 64 hexadecimal characters from `openssl rand -hex 32`, or ADMIN_MASTER_KEY_FILE naming a file that holds them$/,
    );
  });

  describe('ADMIN_MASTER_KEY_FILE', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-master-key-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads an owner-only file holding the key', () => {
      const file = path.join(dir, 'key');
      fs.writeFileSync(file, `${KEY}\n`, { mode: 0o600 });
      const config = loadServerConfig({ DATABASE_URL: 'postgresql://h/db', ADMIN_MASTER_KEY_FILE: file });
      expect(Buffer.from(config.masterKey.read()).toString('hex')).toBe(KEY);
    });

    it.each([
      ['missing', undefined, 'does not exist'],
      ['readable by others', 0o644, "is open to group or others (mode 0644); it must be this user's alone: chmod 600"],
      ['writable by others', 0o602, "is open to group or others (mode 0602); it must be this user's alone: chmod 600"],
    ])('refuses a file that is %s', (_what, mode, message) => {
      const file = path.join(dir, 'key');
      if (mode !== undefined) fs.writeFileSync(file, KEY, { mode });
      const expected =
        mode === undefined
          ? `ADMIN_MASTER_KEY_FILE: the master key file ${file} ${message}`
          : `ADMIN_MASTER_KEY_FILE: ${file} ${message} ${file}`;
      if (mode !== undefined) fs.chmodSync(file, mode); // past the umask
      expect(() => loadServerConfig({ ADMIN_MASTER_KEY_FILE: file })).toThrow(expected);
    });

    it('refuses both a key and a file', () => {
      expect(() => loadServerConfig({ ADMIN_MASTER_KEY: KEY, ADMIN_MASTER_KEY_FILE: '/x' })).toThrow(
        'ADMIN_MASTER_KEY: set ADMIN_MASTER_KEY or ADMIN_MASTER_KEY_FILE, not both',
      );
    });

    it('makes the embedded default key once, owner-only, beside the data folder, and reads the same key again', () => {
      const config = loadServerConfig({ ADMIN_DB_DIR: path.join(dir, 'db') });
      const key = config.masterKey.read();
      expect(key).toHaveLength(32);
      expect(fs.statSync(path.join(dir, 'db-secrets')).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, 'db-secrets', 'master-key')).mode & 0o777).toBe(0o600);
      expect(fs.existsSync(path.join(dir, 'db'))).toBe(false);
      expect(loadServerConfig({ ADMIN_DB_DIR: path.join(dir, 'db') }).masterKey.read()).toEqual(key);
    });

    it('never prints the key', () => {
      const config = loadServerConfig({ ADMIN_MASTER_KEY: KEY });
      expect(JSON.stringify(config)).not.toContain(KEY);
      expect(String(config.masterKey)).not.toContain(KEY);
      expect(require('node:util').inspect(config)).not.toContain(KEY);
    });
  });
});

describe('the reverse proxy whose address header is believed (ADMIN_TRUSTED_PROXY_HEADER, ADMIN_TRUSTED_PROXIES)', () => {
  it('is off by default: no header is believed, whatever the peer', () => {
    expect(loadServerConfig({})).toMatchObject({ trustedProxyHeader: undefined, trustedProxies: ['127.0.0.1', '::1'] });
  });

  it('takes a header name (compared in lower case) and the proxies it is believed from', () => {
    expect(
      loadServerConfig({
        ADMIN_TRUSTED_PROXY_HEADER: 'X-Forwarded-For',
        ADMIN_TRUSTED_PROXIES: ' 10.0.0.1, fd00::1 ,',
      }),
    ).toMatchObject({
      trustedProxyHeader: 'x-forwarded-for',
      trustedProxies: ['10.0.0.1', 'fd00::1'],
    });
  });

  it.each([
    ['ADMIN_TRUSTED_PROXY_HEADER', 'X-Forwarded-For: 1.2.3.4', 'expected a header name such as X-Forwarded-For'],
    ['ADMIN_TRUSTED_PROXY_HEADER', 'x forwarded', 'expected a header name such as X-Forwarded-For'],
    ['ADMIN_TRUSTED_PROXIES', '10.0.0.0/8', 'expected comma-separated IP addresses of the reverse proxies'],
    ['ADMIN_TRUSTED_PROXIES', 'proxy.internal', 'expected comma-separated IP addresses of the reverse proxies'],
  ])('refuses %s=%p, naming the variable', (name, value, message) => {
    expect(() => loadServerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadServerConfig({ [name]: value })).toThrow(name);
    expect(() => loadServerConfig({ [name]: value })).toThrow(message);
  });
});
