import { ConfigError, loadRelayConfig } from '../src/config/relay-config';

describe('relay configuration', () => {
  it('uses loopback defaults when nothing is set', () => {
    expect(loadRelayConfig({})).toEqual({
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: 3002,
      RELAY_ALLOWED_ORIGINS: ['http://127.0.0.1:3000', 'http://localhost:3000'],
      RELAY_MAX_FRAME_BYTES: 262_144,
    });
  });

  it('reads every variable and treats an empty one as unset', () => {
    const config = loadRelayConfig({
      RELAY_HOST: '::1',
      RELAY_PORT: '4000',
      RELAY_ALLOWED_ORIGINS: 'https://chat.example.org, http://127.0.0.1:8080',
      RELAY_MAX_FRAME_BYTES: '',
    });
    expect(config).toMatchObject({
      RELAY_HOST: '::1',
      RELAY_PORT: 4000,
      RELAY_ALLOWED_ORIGINS: ['https://chat.example.org', 'http://127.0.0.1:8080'],
      RELAY_MAX_FRAME_BYTES: 262_144,
    });
  });

  it.each([
    ['RELAY_PORT', 'abc', 'RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)'],
    ['RELAY_PORT', '70000', 'RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)'],
    ['RELAY_PORT', '80.5', 'RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)'],
    ['RELAY_ALLOWED_ORIGINS', 'not a url', 'RELAY_ALLOWED_ORIGINS: expected a comma-separated list of origins'],
    ['RELAY_ALLOWED_ORIGINS', 'http://127.0.0.1:3000/app', 'RELAY_ALLOWED_ORIGINS: expected origins only'],
    ['RELAY_MAX_FRAME_BYTES', '12', 'RELAY_MAX_FRAME_BYTES: expected a byte count between 1024 and 16777216'],
  ])('refuses a malformed %s (%p) with one line naming it', (name, value, message) => {
    let thrown: unknown;
    try {
      loadRelayConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message.startsWith(message)).toBe(true);
    expect((thrown as Error).message).not.toContain('\n');
  });
});
