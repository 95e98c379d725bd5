/** What relays and clients pin: `GET /api/v1/org` (docs/protocol/admin-api.md §9.1), also inside every attestation answer (§4.3). */
import { z } from 'zod';
import { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH } from '../org-key';
import { ORG_KEY_STATEMENT_BYTES } from '../org-key-statement';
import { base64UrlField, unixSecondsField } from './json-fields';

/** An organisation lists every key to pin now: at most a handful, never this many. */
export const MAX_ORG_DOCUMENT_KEYS = 64;
/** The newest organisation-key statements (attestations.md §4): a few per rotation. */
export const MAX_ORG_DOCUMENT_STATEMENTS = 64;

export const orgKeyStatusSchema = z.enum(['active', 'pending', 'retired']);

export const orgDocumentSchema = z.strictObject({
  orgId: base64UrlField(ORG_ID_LENGTH),
  keys: z
    .array(
      z.strictObject({
        keyId: base64UrlField(ORG_KEY_ID_LENGTH),
        publicKey: base64UrlField(32),
        status: orgKeyStatusSchema,
        /** Retired keys: pinned until this time, the expiry of the last attestation they signed. */
        pinnedUntil: unixSecondsField.optional(),
      }),
    )
    .min(1)
    .max(MAX_ORG_DOCUMENT_KEYS),
  revocationListVersion: unixSecondsField,
  /** Oldest first; a verifier applies the ones it has not applied yet (attestations.md §4.3). */
  statements: z.array(base64UrlField(ORG_KEY_STATEMENT_BYTES)).max(MAX_ORG_DOCUMENT_STATEMENTS),
});

export type OrgKeyStatus = z.output<typeof orgKeyStatusSchema>;
/** The document as JSON (what the admin app writes). */
export type OrgDocumentJson = z.input<typeof orgDocumentSchema>;
/** The document parsed (what a client reads). */
export type OrgDocument = z.output<typeof orgDocumentSchema>;
