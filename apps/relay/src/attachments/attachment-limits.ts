/**
 * The relay's attachment limits, from its configuration (relay.md §3.15, §8.2): the largest
 * upload it admits, the TTL an upload gets, and how often expired uploads are swept.
 */
import { attachmentCiphertextLength } from '@opendescent/protocol';
import type { RelayConfig } from '../config/relay-config';

type AttachmentConfig = Pick<
  RelayConfig,
  'RELAY_ATTACHMENT_MAX_BYTES' | 'RELAY_ATTACHMENT_TTL_SECONDS' | 'RELAY_ATTACHMENT_MAX_TTL_SECONDS'
>;

/** The sweep runs at least this often, so an expired upload's bytes are gone within a minute. */
const MAX_SWEEP_INTERVAL_SECONDS = 60;

/**
 * The longest ciphertext admitted: that of a RELAY_ATTACHMENT_MAX_BYTES file. The setting is on
 * the file, as people think of it; padding and tags (attachments.md §2) are the format's business.
 */
export function maxAttachmentCiphertextLength(config: AttachmentConfig): number {
  return attachmentCiphertextLength(config.RELAY_ATTACHMENT_MAX_BYTES);
}

/** relay.md §8.2, as for blobs: 0 is the default; more than the ceiling is lowered to it. */
export function attachmentTtlSeconds(config: AttachmentConfig, requested: number): number {
  const { RELAY_ATTACHMENT_TTL_SECONDS, RELAY_ATTACHMENT_MAX_TTL_SECONDS } = config;
  return Math.min(requested === 0 ? RELAY_ATTACHMENT_TTL_SECONDS : requested, RELAY_ATTACHMENT_MAX_TTL_SECONDS);
}

/** min(60 s, the default TTL): a short-lived configuration (tests) is swept as often as it expires. */
export function attachmentSweepIntervalMs(config: AttachmentConfig): number {
  return Math.min(MAX_SWEEP_INTERVAL_SECONDS, config.RELAY_ATTACHMENT_TTL_SECONDS) * 1000;
}
