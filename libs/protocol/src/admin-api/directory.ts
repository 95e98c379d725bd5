/**
 * The directory look-up (docs/protocol/admin-api.md §7): one exact address in, that colleague's
 * current attestations out. An unknown address and a member with no current device get the same
 * answer, `"devices": []` (§7.3): the directory does not tell them apart, so nobody can learn
 * from it who is a member.
 */
import { z } from 'zod';
import { DEVICE_ID_LENGTH, MAX_ATTESTATION_BYTES } from '../attestation';
import { ORG_ID_LENGTH } from '../org-key';
import { MAX_DEVICE_CERTIFICATE_BYTES } from '../user-keys/device-certificate';
import { PREKEY_SLOT_ID_LENGTH } from './enrolment';
import { base64UrlField } from './json-fields';
import { deviceRequestFields } from './signed-request';

/** §7.1: the query as sent; the server folds and checks it after authentication (§7.2), so that a bad one still costs budget. */
export const MAX_LOOKUP_ADDRESS_CHARS = 512;
/** More devices than any member has: an answer beyond it is not the admin app's. */
export const MAX_LOOKUP_DEVICES = 1_000;

/** §7.1. */
export const lookupPayloadSchema = z.strictObject({
  ...deviceRequestFields,
  type: z.literal('lookup'),
  orgId: base64UrlField(ORG_ID_LENGTH),
  deviceId: base64UrlField(DEVICE_ID_LENGTH),
  address: z.string().max(MAX_LOOKUP_ADDRESS_CHARS),
});

/** §7.3. */
export const lookupAnswerSchema = z.strictObject({
  address: z.string().min(1).max(MAX_LOOKUP_ADDRESS_CHARS),
  devices: z
    .array(
      z.strictObject({
        deviceId: base64UrlField(DEVICE_ID_LENGTH),
        attestation: base64UrlField(undefined, MAX_ATTESTATION_BYTES),
        prekeySlotId: base64UrlField(PREKEY_SLOT_ID_LENGTH).optional(),
        /** The device's certificate by its person's user key, once approved (user-keys.md §2, §7). */
        certificate: base64UrlField(undefined, MAX_DEVICE_CERTIFICATE_BYTES).optional(),
      }),
    )
    .max(MAX_LOOKUP_DEVICES),
});

export type LookupPayloadJson = z.input<typeof lookupPayloadSchema>;
export type LookupAnswerJson = z.input<typeof lookupAnswerSchema>;
export type LookupAnswer = z.output<typeof lookupAnswerSchema>;
export type LookupDeviceJson = LookupAnswerJson['devices'][number];
