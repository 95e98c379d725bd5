/**
 * Getting an attestation: enrolment with a one-time code (docs/protocol/admin-api.md §4.2),
 * renewal (§5), and the answer both give (§4.3). The client still verifies the attestation
 * against the pinned organisation keys; these schemas only fix the JSON.
 */
import { z } from 'zod';
import { DEVICE_ID_LENGTH, MAX_ATTESTATION_BYTES } from '../attestation';
import { ORG_ID_LENGTH } from '../org-key';
import { base64UrlField, unixSecondsField } from './json-fields';
import { orgDocumentSchema } from './org-document';
import { deviceRequestFields } from './signed-request';

/** relay.md §3.10: where a device publishes its prekeys. */
export const PREKEY_SLOT_ID_LENGTH = 16;
/** §4.1: 24 characters in groups, with room for dashes and spaces as people type them. */
export const MAX_ENROLMENT_CODE_CHARS = 64;

/** §4.2. */
export const enrolPayloadSchema = z.strictObject({
  ...deviceRequestFields,
  type: z.literal('enrol'),
  code: z.string().max(MAX_ENROLMENT_CODE_CHARS),
  signingKey: base64UrlField(32),
  agreementKey: base64UrlField(32),
  prekeySlotId: base64UrlField(PREKEY_SLOT_ID_LENGTH).optional(),
});

/** §5. */
export const renewPayloadSchema = z.strictObject({
  ...deviceRequestFields,
  type: z.literal('renew'),
  orgId: base64UrlField(ORG_ID_LENGTH),
  deviceId: base64UrlField(DEVICE_ID_LENGTH),
  prekeySlotId: base64UrlField(PREKEY_SLOT_ID_LENGTH).optional(),
});

/** §4.3: renewAfter is the attestation's half-life, between its issue and its expiry. */
export const attestationAnswerSchema = z
  .strictObject({
    deviceId: base64UrlField(DEVICE_ID_LENGTH),
    attestation: base64UrlField(undefined, MAX_ATTESTATION_BYTES),
    issuedAt: unixSecondsField,
    expiresAt: unixSecondsField,
    renewAfter: unixSecondsField,
    org: orgDocumentSchema,
  })
  .refine(
    (a) => a.issuedAt < a.expiresAt && a.issuedAt <= a.renewAfter && a.renewAfter <= a.expiresAt,
    'expected issuedAt <= renewAfter <= expiresAt',
  );

export type EnrolPayloadJson = z.input<typeof enrolPayloadSchema>;
export type RenewPayloadJson = z.input<typeof renewPayloadSchema>;
export type AttestationAnswerJson = z.input<typeof attestationAnswerSchema>;
export type AttestationAnswer = z.output<typeof attestationAnswerSchema>;
