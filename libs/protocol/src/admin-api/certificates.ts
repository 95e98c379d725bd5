/**
 * Publishing a device certificate (docs/protocol/admin-api.md §12, user-keys.md §7): a device of
 * a person uploads the certificate its person's user key made for one of their devices (its own
 * first certificate, or one it approved through the device link).
 */
import { z } from 'zod';
import { DEVICE_ID_LENGTH } from '../attestation';
import { ORG_ID_LENGTH } from '../org-key';
import { MAX_DEVICE_CERTIFICATE_BYTES } from '../user-keys/device-certificate';
import { base64UrlField, unixSecondsField } from './json-fields';
import { deviceRequestFields } from './signed-request';

/** §12.1: signed by the uploading device, which must be a device of the same person. */
export const certifyPayloadSchema = z.strictObject({
  ...deviceRequestFields,
  type: z.literal('certify'),
  orgId: base64UrlField(ORG_ID_LENGTH),
  /** The uploading device. */
  deviceId: base64UrlField(DEVICE_ID_LENGTH),
  certificate: base64UrlField(undefined, MAX_DEVICE_CERTIFICATE_BYTES),
});

/** §12.2. */
export const certifyAnswerSchema = z.strictObject({
  /** The certified device. */
  deviceId: base64UrlField(DEVICE_ID_LENGTH),
  certifiedAt: unixSecondsField,
  /** Its position in the transparency log (transparency-log.md §4, leaf kind 4). */
  logIndex: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export type CertifyPayloadJson = z.input<typeof certifyPayloadSchema>;
export type CertifyAnswerJson = z.input<typeof certifyAnswerSchema>;
