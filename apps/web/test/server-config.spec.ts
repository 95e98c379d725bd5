import { ConfigError, loadServerConfig } from '../server-config.mjs';

describe('web client server configuration', () => {
  it('uses loopback defaults that match the relay and admin app defaults', () => {
    expect(loadServerConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      relayUrl: 'http://127.0.0.1:3002',
      adminUrl: 'http://127.0.0.1:3001',
    });
  });

  it('reads every variable, trims trailing slashes, and treats an empty one as unset', () => {
    expect(
      loadServerConfig({ WEB_HOST: '0.0.0.0', WEB_PORT: '8080', WEB_RELAY_URL: 'https://relay.example.org/', WEB_ADMIN_URL: '' }),
    ).toEqual({ host: '0.0.0.0', port: 8080, relayUrl: 'https://relay.example.org', adminUrl: 'http://127.0.0.1:3001' });
  });

  it.each([
    ['WEB_PORT', '-1', 'WEB_PORT: expected a TCP port number'],
    ['WEB_PORT', 'http', 'WEB_PORT: expected a TCP port number'],
    ['WEB_RELAY_URL', 'relay.example.org', 'WEB_RELAY_URL: expected an http(s) URL'],
    ['WEB_RELAY_URL', 'ftp://relay.example.org', 'WEB_RELAY_URL: expected an http(s) URL'],
    ['WEB_ADMIN_URL', 'javascript:alert(1)', 'WEB_ADMIN_URL: expected an http(s) URL'],
  ])('refuses a malformed %s (%p) with one line naming it', (name, value, message) => {
    expect(() => loadServerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadServerConfig({ [name]: value })).toThrow(new RegExp(`^${message.replace(/[()]/g, '\\$&')}`));
  });
});
