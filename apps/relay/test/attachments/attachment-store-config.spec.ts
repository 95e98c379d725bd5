/** Where attachments are kept, from the relay's configuration (attachments.md §4.5, relay.md §9). */
import { attachmentStoreSettings } from '../../src/attachments/open-attachment-store';
import { ConfigError, loadRelayConfig } from '../../src/config/relay-config';

const S3 = { RELAY_ATTACHMENT_STORE: 's3', RELAY_S3_BUCKET: 'attachments' };

describe('attachment store configuration', () => {
  it('defaults: files and the memory index; S3 settings unused', () => {
    const config = loadRelayConfig({});
    expect(config).toMatchObject({
      RELAY_ATTACHMENT_STORE: 'filesystem',
      RELAY_S3_REGION: 'us-east-1',
      RELAY_S3_PREFIX: 'opendescent-attachments/',
    });
    expect(attachmentStoreSettings(config)).toEqual({
      directory: undefined,
      maxReservedBytes: 10 * 1024 ** 3,
      redis: undefined,
      s3: undefined,
    });
  });

  it('RELAY_STORE=redis puts the index in Redis, under the relay store prefix', () => {
    const config = loadRelayConfig({
      RELAY_STORE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      RELAY_REDIS_PREFIX: 'x:',
    });
    expect(attachmentStoreSettings(config).redis).toEqual({
      target: { url: 'redis://127.0.0.1:6379', minReplicas: 0 },
      prefix: 'x:',
    });
  });

  it('through sentinels, the index follows the same primary with the same replica wait', () => {
    const config = loadRelayConfig({
      RELAY_STORE: 'redis',
      RELAY_REDIS_SENTINELS: '10.0.0.5:26379, [fd00::7]:26380',
      RELAY_REDIS_SENTINEL_NAME: 'odr',
      RELAY_REDIS_PASSWORD: 'pw',
      RELAY_REDIS_MIN_REPLICAS: '1',
    });
    expect(attachmentStoreSettings(config).redis).toEqual({
      target: {
        sentinel: {
          sentinels: [
            { host: '10.0.0.5', port: 26379 },
            { host: 'fd00::7', port: 26380 },
          ],
          name: 'odr',
          password: 'pw',
          sentinelPassword: undefined,
        },
        minReplicas: 1,
      },
      prefix: 'odr:',
    });
  });

  it('S3 on AWS: virtual-hosted style unless told otherwise', () => {
    expect(attachmentStoreSettings(loadRelayConfig(S3)).s3).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      bucket: 'attachments',
      prefix: 'opendescent-attachments/',
      forcePathStyle: false,
    });
  });

  it('S3 at an endpoint (MinIO, Ceph, Garage): path style by default, and every setting read', () => {
    const env = {
      ...S3,
      RELAY_S3_ENDPOINT: 'http://127.0.0.1:9000',
      RELAY_S3_REGION: 'eu-west-3',
      RELAY_S3_PREFIX: 'a/b/',
    };
    expect(attachmentStoreSettings(loadRelayConfig(env)).s3).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-3',
      bucket: 'attachments',
      prefix: 'a/b/',
      forcePathStyle: true,
    });
    const virtual = loadRelayConfig({ ...env, RELAY_S3_FORCE_PATH_STYLE: 'false' });
    expect(attachmentStoreSettings(virtual).s3?.forcePathStyle).toBe(false);
  });

  it('credentials are never settings: the SDK reads them, and the configuration holds none', () => {
    const config = loadRelayConfig({ ...S3, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI' });
    expect(JSON.stringify(config)).not.toContain('AKIDEXAMPLE');
    expect(JSON.stringify(config)).not.toContain('wJalrXUtnFEMI');
  });

  it.each([
    [{ RELAY_ATTACHMENT_STORE: 's3' }, 'RELAY_S3_BUCKET: expected a bucket name when RELAY_ATTACHMENT_STORE=s3'],
    [{ RELAY_ATTACHMENT_STORE: 'disk' }, 'RELAY_ATTACHMENT_STORE: expected "filesystem" or "s3"'],
    [{ ...S3, RELAY_S3_ENDPOINT: 'ftp://127.0.0.1' }, 'RELAY_S3_ENDPOINT: expected an http(s) URL'],
    [
      { ...S3, RELAY_S3_BUCKET: 'Bad_Bucket' },
      'RELAY_S3_BUCKET: expected a bucket name: 3-63 characters of [a-z0-9.-]',
    ],
    [{ ...S3, RELAY_S3_PREFIX: 'a b/' }, 'RELAY_S3_PREFIX: expected 1-256 characters of [A-Za-z0-9_./-]'],
    [{ ...S3, RELAY_S3_FORCE_PATH_STYLE: 'yes' }, 'RELAY_S3_FORCE_PATH_STYLE: expected "true" or "false"'],
    [{ ...S3, RELAY_S3_REGION: 'EU West' }, 'RELAY_S3_REGION: expected a region name such as us-east-1'],
  ])('malformed: %j is refused by name', (env, message) => {
    expect(() => loadRelayConfig(env)).toThrow(new ConfigError(message));
  });
});
