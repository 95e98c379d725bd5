import {
  clientConfig,
  ConfigError,
  contentSecurityPolicy,
  loadServerConfig,
  responseHeaders,
} from '../server-config.mjs';

describe('web client server configuration', () => {
  it('uses loopback defaults that match the relay and admin app defaults', () => {
    expect(loadServerConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      relayUrls: ['http://127.0.0.1:3002'],
      adminUrl: 'http://127.0.0.1:3001',
      revocationPollSeconds: 30,
    });
  });

  it('reads every variable, trims trailing slashes, and treats an empty one as unset', () => {
    expect(
      loadServerConfig({
        WEB_HOST: '0.0.0.0',
        WEB_PORT: '8080',
        WEB_RELAY_URL: 'https://relay.example.org/',
        WEB_ADMIN_URL: '',
        WEB_REVOCATION_POLL_SECONDS: '5',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 8080,
      relayUrls: ['https://relay.example.org'],
      adminUrl: 'http://127.0.0.1:3001',
      revocationPollSeconds: 5,
    });
  });

  it('reads several relays from WEB_RELAY_URLS, in order, without blanks or duplicates', () => {
    expect(
      loadServerConfig({
        WEB_RELAY_URLS: ' https://relay-a.example.org/ , https://relay-b.example.org:8443,,https://relay-a.example.org',
      }).relayUrls,
    ).toEqual(['https://relay-a.example.org', 'https://relay-b.example.org:8443']);
  });

  it('prefers WEB_RELAY_URLS over WEB_RELAY_URL when both are set', () => {
    expect(
      loadServerConfig({ WEB_RELAY_URL: 'https://old.example.org', WEB_RELAY_URLS: 'https://new.example.org' })
        .relayUrls,
    ).toEqual(['https://new.example.org']);
  });

  it.each([
    ['WEB_PORT', '-1', 'WEB_PORT: expected a TCP port number'],
    ['WEB_PORT', 'http', 'WEB_PORT: expected a TCP port number'],
    ['WEB_RELAY_URL', 'relay.example.org', 'WEB_RELAY_URL: expected an http(s) URL'],
    ['WEB_RELAY_URL', 'ftp://relay.example.org', 'WEB_RELAY_URL: expected an http(s) URL'],
    [
      'WEB_RELAY_URLS',
      'https://relay.example.org,ws://relay.example.org',
      'WEB_RELAY_URLS: expected comma-separated http(s) URLs',
    ],
    ['WEB_RELAY_URLS', ' , ', 'WEB_RELAY_URLS: expected at least one http(s) URL'],
    [
      'WEB_RELAY_URLS',
      Array.from({ length: 17 }, (_, i) => `https://r${i}.example.org`).join(','),
      'WEB_RELAY_URLS: expected at most 16 relays',
    ],
    ['WEB_ADMIN_URL', 'javascript:alert(1)', 'WEB_ADMIN_URL: expected an http(s) URL'],
    ['WEB_REVOCATION_POLL_SECONDS', '0', 'WEB_REVOCATION_POLL_SECONDS: expected a number of seconds, at least 1'],
    ['WEB_REVOCATION_POLL_SECONDS', '1.5', 'WEB_REVOCATION_POLL_SECONDS: expected a whole number of seconds'],
    ['WEB_REVOCATION_POLL_SECONDS', 'often', 'WEB_REVOCATION_POLL_SECONDS: expected a number of seconds'],
    [
      'WEB_REVOCATION_POLL_SECONDS',
      '86401',
      'WEB_REVOCATION_POLL_SECONDS: expected a number of seconds, at most 86400',
    ],
  ])('refuses a malformed %s (%p) with one line naming it', (name, value, message) => {
    expect(() => loadServerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadServerConfig({ [name]: value })).toThrow(new RegExp(`^${message.replace(/[()]/g, '\\$&')}`));
  });

  it('hands the browser only the messenger configuration, not where the server listens', () => {
    expect(clientConfig(loadServerConfig({ WEB_HOST: '10.0.0.5', WEB_PORT: '8080' }))).toEqual({
      relayUrls: ['http://127.0.0.1:3002'],
      adminUrl: 'http://127.0.0.1:3001',
      revocationPollSeconds: 30,
    });
  });
});

describe('web client Content-Security-Policy', () => {
  const directives = (policy: string) =>
    Object.fromEntries(
      policy.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );

  it('allows scripts, workers, styles and fonts from this origin only, with no inline script or style', () => {
    const policy = directives(contentSecurityPolicy(loadServerConfig({})));
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['worker-src']).toEqual(["'self'"]);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['font-src']).toEqual(["'self'"]);
    expect(policy['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'none'"]);
    expect(policy['form-action']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(contentSecurityPolicy(loadServerConfig({}))).not.toMatch(/unsafe|nonce-|sha256-/);
  });

  it('lets the page connect to every relay over HTTP and WebSocket, and to the admin app', () => {
    const config = loadServerConfig({
      WEB_RELAY_URLS: 'https://relay-a.example.org/path,http://127.0.0.1:3002',
      WEB_ADMIN_URL: 'https://admin.example.org/',
    });
    expect(directives(contentSecurityPolicy(config))['connect-src']).toEqual([
      "'self'",
      'https://relay-a.example.org',
      'wss://relay-a.example.org',
      'http://127.0.0.1:3002',
      'ws://127.0.0.1:3002',
      'https://admin.example.org',
    ]);
  });

  it('is what serve-next.mjs sets on every response', () => {
    const config = loadServerConfig({});
    expect(responseHeaders(config)).toEqual({ 'Content-Security-Policy': contentSecurityPolicy(config) });
  });
});
