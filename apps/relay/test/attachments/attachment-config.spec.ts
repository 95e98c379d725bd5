/** The attachment settings of the relay's configuration (relay.md §3.15, attachments.md §4.5). */
import { attachmentCiphertextLength } from '@opendescent/protocol';
import {
  attachmentSweepIntervalMs,
  attachmentTtlSeconds,
  maxAttachmentCiphertextLength,
} from '../../src/attachments/attachment-limits';
import { ConfigError, loadRelayConfig } from '../../src/config/relay-config';

const DAY = 24 * 3600;

describe('attachment configuration', () => {
  it('defaults: a 100 MiB file, 10 GiB reserved in all, 3 days, at most 14, a directory drawn at start', () => {
    const config = loadRelayConfig({});
    expect(config).toMatchObject({
      RELAY_ATTACHMENT_MAX_BYTES: 104_857_600,
      RELAY_ATTACHMENT_STORE_MAX_BYTES: 10 * 1024 ** 3,
      RELAY_ATTACHMENT_TTL_SECONDS: 3 * DAY,
      RELAY_ATTACHMENT_MAX_TTL_SECONDS: 14 * DAY,
    });
    expect(config.RELAY_ATTACHMENT_DIR).toBeUndefined();
    // The TTL is the blobs' (relay.md §8.2): a dump exposes what is younger than it.
    expect(config.RELAY_ATTACHMENT_TTL_SECONDS).toBe(config.RELAY_BLOB_TTL_SECONDS);
  });

  it('reads every setting', () => {
    expect(
      loadRelayConfig({
        RELAY_ATTACHMENT_DIR: '/var/lib/opendescent/attachments',
        RELAY_ATTACHMENT_MAX_BYTES: '1024',
        RELAY_ATTACHMENT_STORE_MAX_BYTES: String(1024 ** 2),
        RELAY_ATTACHMENT_TTL_SECONDS: '60',
        RELAY_ATTACHMENT_MAX_TTL_SECONDS: '60',
      }),
    ).toMatchObject({
      RELAY_ATTACHMENT_DIR: '/var/lib/opendescent/attachments',
      RELAY_ATTACHMENT_MAX_BYTES: 1024,
      RELAY_ATTACHMENT_STORE_MAX_BYTES: 1024 ** 2,
      RELAY_ATTACHMENT_TTL_SECONDS: 60,
      RELAY_ATTACHMENT_MAX_TTL_SECONDS: 60,
    });
  });

  it.each([
    ['RELAY_ATTACHMENT_MAX_BYTES', '1023'],
    ['RELAY_ATTACHMENT_MAX_BYTES', String(4 * 1024 ** 3 + 1)],
    ['RELAY_ATTACHMENT_MAX_BYTES', '1.5'],
    ['RELAY_ATTACHMENT_STORE_MAX_BYTES', String(1024 ** 2 - 1)],
    ['RELAY_ATTACHMENT_STORE_MAX_BYTES', 'ten gigabytes'],
    ['RELAY_ATTACHMENT_TTL_SECONDS', '0'],
    ['RELAY_ATTACHMENT_MAX_TTL_SECONDS', String(365 * DAY + 1)],
  ])('out of range: %s=%s stops the relay, naming the variable', (name, value) => {
    expect(() => loadRelayConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadRelayConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('a default TTL over the maximum is refused, as for blobs', () => {
    expect(() =>
      loadRelayConfig({ RELAY_ATTACHMENT_TTL_SECONDS: '600', RELAY_ATTACHMENT_MAX_TTL_SECONDS: '60' }),
    ).toThrow(/^RELAY_ATTACHMENT_TTL_SECONDS: expected at most RELAY_ATTACHMENT_MAX_TTL_SECONDS/);
  });

  it('the ceiling is on the file: the admitted length is that file’s ciphertext length', () => {
    const config = loadRelayConfig({});
    expect(maxAttachmentCiphertextLength(config)).toBe(attachmentCiphertextLength(104_857_600));
    expect(maxAttachmentCiphertextLength(config)).toBe(104_883_200); // attachments.md §4.5
  });

  it('a TTL of 0 is the default; more than the maximum is lowered to it', () => {
    const config = loadRelayConfig({ RELAY_ATTACHMENT_TTL_SECONDS: '60', RELAY_ATTACHMENT_MAX_TTL_SECONDS: '600' });
    expect(attachmentTtlSeconds(config, 0)).toBe(60);
    expect(attachmentTtlSeconds(config, 5)).toBe(5);
    expect(attachmentTtlSeconds(config, 10_000)).toBe(600);
  });

  it('the sweep runs every min(60 s, the default TTL)', () => {
    expect(attachmentSweepIntervalMs(loadRelayConfig({}))).toBe(60_000);
    expect(attachmentSweepIntervalMs(loadRelayConfig({ RELAY_ATTACHMENT_TTL_SECONDS: '2' }))).toBe(2_000);
  });
});
