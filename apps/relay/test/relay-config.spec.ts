import { ConfigError, loadRelayConfig } from '../src/config/relay-config';

describe('relay configuration', () => {
  it('uses loopback defaults when nothing is set', () => {
    expect(loadRelayConfig({})).toEqual({
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: 3002,
      RELAY_ALLOWED_ORIGINS: ['http://127.0.0.1:3000', 'http://localhost:3000'],
      RELAY_MAX_FRAME_BYTES: 262_144,
      RELAY_ORG_REFRESH_SECONDS: 1800,
      RELAY_REVOCATION_REFRESH_SECONDS: 60,
      RELAY_TOKEN_KEYS_REFRESH_SECONDS: 600,
      RELAY_STORE: 'memory',
      RELAY_REDIS_PREFIX: 'odr:',
      RELAY_REDIS_MIN_REPLICAS: 0,
      RELAY_BLOB_TTL_SECONDS: 3 * 24 * 3600,
      RELAY_BLOB_MAX_TTL_SECONDS: 14 * 24 * 3600,
      RELAY_QUEUE_IDLE_TTL_SECONDS: 35 * 24 * 3600,
      RELAY_PREKEY_TTL_SECONDS: 35 * 24 * 3600,
      RELAY_QUEUE_MAX_MESSAGES: 1000,
      RELAY_QUEUE_MAX_BYTES: 4 * 1024 * 1024,
      RELAY_MEMORY_MAX_BYTES: 256 * 1024 * 1024,
      RELAY_SHARED_MAX_BYTES: 256 * 1024 * 1024,
      RELAY_ATTACHMENT_MAX_BYTES: 104_857_600,
      RELAY_ATTACHMENT_STORE_MAX_BYTES: 10 * 1024 ** 3,
      RELAY_ATTACHMENT_TTL_SECONDS: 3 * 24 * 3600,
      RELAY_ATTACHMENT_MAX_TTL_SECONDS: 14 * 24 * 3600,
      RELAY_ATTACHMENT_STORE: 'filesystem',
      RELAY_S3_REGION: 'us-east-1',
      RELAY_S3_PREFIX: 'opendescent-attachments/',
      RELAY_TURN_CREDENTIAL_SECONDS: 3600,
      RELAY_RATE_PER_SECOND: 50,
      RELAY_RATE_BURST: 200,
      RELAY_HELLO_TIMEOUT_SECONDS: 10,
      RELAY_LOG_LEVEL: 'info',
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

  it('reads the organisation keys, the Redis store and the limits', () => {
    const config = loadRelayConfig({
      RELAY_ORG_ID: '00112233445566778899aabbccddeeff',
      RELAY_ORG_PUBLIC_KEYS: `${'ab'.repeat(32)}, ${'cd'.repeat(32)}`,
      RELAY_STORE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      RELAY_BLOB_TTL_SECONDS: '60',
    });
    expect(config.RELAY_ORG_ID).toEqual(new Uint8Array(Buffer.from('00112233445566778899aabbccddeeff', 'hex')));
    expect(config.RELAY_ORG_PUBLIC_KEYS).toHaveLength(2);
    expect(config.RELAY_STORE).toBe('redis');
    expect(config.RELAY_BLOB_TTL_SECONDS).toBe(60);
  });

  it('reads where the token key set comes from and the names tokens are bound to (relay.md §3.2)', () => {
    const config = loadRelayConfig({
      RELAY_TOKEN_KEYS_URL: 'https://admin.example/api/v1/token-keys',
      RELAY_TOKEN_KEYS_REFRESH_SECONDS: '30',
      RELAY_TOKEN_ORIGINS: 'Relay.Example:8443, relay.example ,[::1]:3002',
    });
    expect(config.RELAY_TOKEN_KEYS_URL).toBe('https://admin.example/api/v1/token-keys');
    expect(config.RELAY_TOKEN_KEYS_REFRESH_SECONDS).toBe(30);
    // Lower case, trimmed: a client derives the same name from the URL it dials (relayOriginOf).
    expect(config.RELAY_TOKEN_ORIGINS).toEqual(['relay.example:8443', 'relay.example', '[::1]:3002']);
  });

  it('leaves the token origins unset by default: the relay answers to 127.0.0.1:<port> and localhost:<port>', () => {
    const config = loadRelayConfig({});
    expect(config.RELAY_TOKEN_ORIGINS).toBeUndefined();
    expect(config.RELAY_TOKEN_KEYS_URL).toBeUndefined();
  });

  it.each([
    ['RELAY_TOKEN_KEYS_URL', 'ftp://admin.example/keys', 'RELAY_TOKEN_KEYS_URL: expected an http(s) URL'],
    ['RELAY_TOKEN_KEYS_URL', 'not a url', 'RELAY_TOKEN_KEYS_URL: expected an http(s) URL'],
    ['RELAY_ORG_URL', 'ftp://admin.example/api/v1/org', 'RELAY_ORG_URL: expected an http(s) URL'],
    ['RELAY_ORG_REFRESH_SECONDS', '2', 'RELAY_ORG_REFRESH_SECONDS: expected a number of seconds between 5 and 86400'],
    [
      'RELAY_TOKEN_KEYS_REFRESH_SECONDS',
      '1',
      'RELAY_TOKEN_KEYS_REFRESH_SECONDS: expected a number of seconds between 5 and 86400',
    ],
    [
      'RELAY_TOKEN_KEYS_REFRESH_SECONDS',
      'often',
      'RELAY_TOKEN_KEYS_REFRESH_SECONDS: expected a number of seconds between 5 and 86400',
    ],
    ['RELAY_TOKEN_ORIGINS', 'https://relay.example', 'RELAY_TOKEN_ORIGINS: expected host names with an optional port'],
    ['RELAY_TOKEN_ORIGINS', 'relay.example/path', 'RELAY_TOKEN_ORIGINS: expected host names with an optional port'],
    ['RELAY_TOKEN_ORIGINS', 'relay example', 'RELAY_TOKEN_ORIGINS: expected host names with an optional port'],
    ['RELAY_TOKEN_ORIGINS', ' , ', 'RELAY_TOKEN_ORIGINS: expected at least one host name'],
    ['RELAY_PORT', 'abc', 'RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)'],
    ['RELAY_PORT', '70000', 'RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)'],
    ['RELAY_PORT', '80.5', 'RELAY_PORT: expected a TCP port number (0-65535, 0 picks a free one)'],
    ['RELAY_ALLOWED_ORIGINS', 'not a url', 'RELAY_ALLOWED_ORIGINS: expected a comma-separated list of origins'],
    ['RELAY_ALLOWED_ORIGINS', 'http://127.0.0.1:3000/app', 'RELAY_ALLOWED_ORIGINS: expected origins only'],
    ['RELAY_MAX_FRAME_BYTES', '12', 'RELAY_MAX_FRAME_BYTES: expected a byte count between 1024 and 16777216'],
    ['RELAY_ORG_ID', 'abc', 'RELAY_ORG_ID: expected the organisation id: 32 hexadecimal characters'],
    [
      'RELAY_ORG_ID',
      '00112233445566778899aabbccddeeff',
      'RELAY_ORG_PUBLIC_KEYS: expected RELAY_ORG_ID and RELAY_ORG_PUBLIC_KEYS to be set together',
    ],
    [
      'RELAY_ORG_PUBLIC_KEYS',
      'zz',
      'RELAY_ORG_PUBLIC_KEYS: expected Ed25519 public keys of 64 hexadecimal characters each',
    ],
    ['RELAY_STORE', 'disk', 'RELAY_STORE: expected "memory" or "redis"'],
    [
      'RELAY_TURN_URLS',
      'turn:turn.example:3478',
      'RELAY_TURN_SECRET: expected RELAY_TURN_URLS and RELAY_TURN_SECRET to be set together',
    ],
    ['RELAY_TURN_URLS', 'stun:turn.example:3478', 'RELAY_TURN_URLS: expected turn: or turns: URLs, comma-separated'],
    ['RELAY_TURN_SECRET', 'short', 'RELAY_TURN_SECRET: expected a shared secret of at least 16 characters'],
    [
      'RELAY_TURN_CREDENTIAL_SECONDS',
      '10',
      'RELAY_TURN_CREDENTIAL_SECONDS: expected a number of seconds between 60 and 86400',
    ],
    ['RELAY_STORE', 'redis', 'REDIS_URL: expected a redis:// URL (or RELAY_REDIS_SENTINELS) when RELAY_STORE=redis'],
    [
      'RELAY_REDIS_SENTINELS',
      '10.0.0.5:26379',
      'RELAY_REDIS_SENTINEL_NAME: expected RELAY_REDIS_SENTINELS and RELAY_REDIS_SENTINEL_NAME to be set together',
    ],
    ['RELAY_REDIS_SENTINELS', '10.0.0.5', 'RELAY_REDIS_SENTINELS: expected host:port entries, comma-separated'],
    ['RELAY_REDIS_SENTINEL_NAME', 'my master', "RELAY_REDIS_SENTINEL_NAME: expected the primary's name"],
    ['RELAY_REDIS_MIN_REPLICAS', '-1', 'RELAY_REDIS_MIN_REPLICAS: expected a count of replicas between 0 and 16'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'REDIS_URL: expected a redis:// or rediss:// URL'],
    ['RELAY_REVOCATION_LIST_URL', 'ftp://admin.example/list', 'RELAY_REVOCATION_LIST_URL: expected an http(s) URL'],
    ['RELAY_BLOB_TTL_SECONDS', '0', 'RELAY_BLOB_TTL_SECONDS: expected a number of seconds between 1 and 31536000'],
    ['RELAY_BLOB_TTL_SECONDS', '2000000', 'RELAY_BLOB_TTL_SECONDS: expected at most RELAY_BLOB_MAX_TTL_SECONDS'],
    [
      'RELAY_RATE_PER_SECOND',
      'fast',
      'RELAY_RATE_PER_SECOND: expected a number of frames per second between 1 and 1000000',
    ],
    ['RELAY_SHARED_MAX_BYTES', '1024', 'RELAY_SHARED_MAX_BYTES: expected a byte count between 65536 and 68719476736'],
    ['RELAY_SHARED_MAX_BYTES', 'lots', 'RELAY_SHARED_MAX_BYTES: expected a byte count between 65536 and 68719476736'],
    ['RELAY_LOG_LEVEL', 'loud', 'RELAY_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent'],
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

  it('reads Redis Sentinel instead of REDIS_URL (relay.md §9.1), and refuses both at once', () => {
    const sentinel = {
      RELAY_STORE: 'redis',
      RELAY_REDIS_SENTINELS: 'sentinel-a:26379,sentinel-b:26379',
      RELAY_REDIS_SENTINEL_NAME: 'opendescent',
      RELAY_REDIS_MIN_REPLICAS: '1',
    };
    expect(loadRelayConfig(sentinel)).toMatchObject({
      RELAY_REDIS_SENTINELS: ['sentinel-a:26379', 'sentinel-b:26379'],
      RELAY_REDIS_SENTINEL_NAME: 'opendescent',
      RELAY_REDIS_MIN_REPLICAS: 1,
    });
    expect(() => loadRelayConfig({ ...sentinel, REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      new ConfigError('RELAY_REDIS_SENTINELS: expected either REDIS_URL or RELAY_REDIS_SENTINELS, not both'),
    );
  });
});
