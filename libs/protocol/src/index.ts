// The only public surface of @opendescent/protocol: every wire format, its codec and its
// validation. No I/O; runs unchanged in the browser and in Node. docs/protocol/ specifies each.
export { ProtocolError, type ProtocolErrorCode } from './errors';
export { RELAY_PROTOCOL_VERSION, parseRelayHealth, relayHealth, type RelayHealth } from './health';
export { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, type TrustedOrgKey } from './org-key';
export { orgDocumentSignerId } from './org-document';
// How a verifier follows a rotation of the organisation key (docs/protocol/attestations.md §4).
export {
  ORG_KEY_STATEMENT_BYTES,
  ORG_KEY_STATEMENT_KINDS,
  ORG_KEY_STATEMENT_TYPE,
  ORG_KEY_STATEMENT_VERSION,
  applyOrgKeyStatements,
  decodeOrgKeyStatement,
  honouredOrgKeys,
  signOrgKeyStatement,
  withoutEndedOrgKeys,
  type OrgKeyStatement,
  type OrgKeyStatementFields,
  type OrgKeyStatementKind,
  type PinnedOrgKey,
  type PinnedOrgKeys,
  type RefusedOrgKeyStatement,
} from './org-key-statement';
// Addresses and display names a person can trust (docs/protocol/identifiers.md).
export { CONFUSABLES_VERSION } from './confusables-ascii';
export {
  MAX_ADDRESS_BYTES,
  MAX_DISPLAY_NAME_BYTES,
  MAX_DOMAIN_LABEL_BYTES,
  MAX_LOCAL_PART_BYTES,
  MIN_ADDRESS_BYTES,
  addressProblem,
  addressSkeleton,
  codePointName,
  displayNameProblem,
  isAcceptableDisplayName,
  isProfileAddress,
  prepareAddress,
  prepareDisplayName,
} from './identifiers';
export {
  ATTESTATION_VERSION,
  DEVICE_ID_LENGTH,
  MAX_ATTESTATION_BYTES,
  MAX_ATTESTATION_LIFETIME_SECONDS,
  ALLOWED_CLOCK_SKEW_SECONDS,
  decodeAttestation,
  signAttestation,
  verifyAttestation,
  type AttestationCheck,
  type AttestationFields,
  type DeviceAttestation,
} from './attestation';
export {
  DEVICE_REQUEST_NONCE_LENGTH,
  DEVICE_REQUEST_VERSION,
  deviceRequestSigningInput,
  signDeviceRequest,
  verifyDeviceRequest,
} from './device-request';
export {
  ENVELOPE_BUCKETS,
  ENVELOPE_OVERHEAD,
  ENVELOPE_VERSION,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_CONTENT,
  FANOUT_ENVELOPE_OVERHEAD,
  FANOUT_ENVELOPE_VERSION,
  FANOUT_KEY_LENGTH,
  envelopeSizeFor,
  openEnvelope,
  openFanoutEnvelope,
  sealEnvelope,
  sealFanoutEnvelope,
  type EnvelopeSender,
  type OpenedEnvelope,
} from './envelope';
// The pointer a member device gets when a group message is stored once as a shared blob (envelopes.md §7).
export {
  FANOUT_POINTER_BYTES,
  FANOUT_POINTER_TYPE,
  FANOUT_SHARED_ID_LENGTH,
  isFanoutPointer,
  openFanoutPointer,
  sealFanoutPointer,
  type OpenedFanoutPointer,
} from './fanout-pointer';
export {
  HANDSHAKE_INITIATION_BYTES,
  MAX_ONE_TIME_ITEM_BYTES,
  MAX_SLOT_BUNDLE_BYTES,
  PREKEY_FORMAT_VERSION,
  decodeClaimedBundle,
  decodeHandshakeInitiation,
  encodeHandshakeInitiation,
  encodeSlotUpload,
  type SlotUpload,
} from './prekey-bundle';
export {
  REVOCATION_LIST_VERSION,
  REVOCATION_REASONS,
  MAX_REVOKED_DEVICES,
  MAX_REVOCATION_LIST_BYTES,
  MAX_REVOCATION_LIST_VALIDITY_SECONDS,
  decodeRevocationList,
  isRevoked,
  revocationListFreshness,
  signRevocationList,
  supersedes,
  verifyRevocationList,
  type RevocationList,
  type RevocationListFields,
  type RevocationListFreshness,
  type RevocationReason,
  type RevokedDevice,
} from './revocation-list';
// The transparency log's signed tree head and the checks a client makes (docs/protocol/transparency-log.md).
export {
  TREE_HEAD_BYTES,
  TREE_HEAD_TYPE,
  TREE_HEAD_VERSION,
  checkInclusion,
  checkTreeHeadConsistency,
  decodeTreeHead,
  signTreeHead,
  verifyTreeHead,
  type TreeHead,
  type TreeHeadFields,
} from './transparency/tree-head';
export {
  LOG_LEAF_BYTES,
  LOG_LEAF_KINDS,
  LOG_LEAF_VERSION,
  logLeaf,
  logLeafHash,
  type LogLeafKind,
} from './transparency/log-leaf';
// User keys, device certificates, the device-link flow and per-person safety numbers
// (docs/protocol/user-keys.md); base32 for the typed device-link code.
export * from './user-keys/index';
// Group state: a signed, hash-chained list of changes with roles (docs/protocol/groups.md).
export * from './groups/index';
export { decodeBase32, encodeBase32 } from './encoding';
// The relay protocol (docs/protocol/relay.md): client and relay frames, signatures, error codes.
export * from './relay/index';
// Direct channels between two devices (docs/protocol/direct.md): frames and SDP rules.
export * from './direct/index';
// The client-to-client layer (docs/protocol/messages.md).
export {
  APP_PAYLOAD_VERSION,
  CONTACT_SLOT_SIGNATURE_LABEL,
  MAX_APP_PAYLOAD_BYTES,
  MAX_CONTACT_SLOT_BYTES,
  MESSAGING_FORMAT_VERSION,
  HISTORY_BUNDLE_SIGNATURE_LABEL,
  MAX_HISTORY_BUNDLE_CHARACTERS,
  signHistoryBundle,
  verifyHistoryBundle,
  decodePairwiseContent,
  encodeContactSlot,
  encodePairwiseContent,
  frameAppPayload,
  openContactSlot,
  unframeAppPayload,
  type ContactSlot,
  type PairwiseContent,
} from './messaging';
// Anonymous relay access (docs/protocol/access-tokens.md): Privacy Pass tokens and their signed issuer keys.
export {
  MAX_TOKEN_KEYS,
  MAX_TOKEN_KEY_SET_BYTES,
  TOKEN_KEY_ID_LENGTH,
  TOKEN_KEY_SET_VERSION,
  decodeTokenKeySet,
  issuingTokenKey,
  signTokenKeySet,
  tokenKeyIdOf,
  tokenKeySetSupersedes,
  verifyTokenKeySet,
  type TokenKey,
  type TokenKeyFields,
  type TokenKeySet,
  type TokenKeySetFields,
} from './access-tokens/token-key-set';
export {
  ACCESS_TOKEN_LENGTH,
  ACCESS_TOKEN_TYPE,
  AccessTokenVerifier,
  MAX_TOKENS_PER_REQUEST,
  TOKEN_REQUEST_LENGTH,
  TOKEN_RESPONSE_LENGTH,
  blindAccessTokenRequest,
  decodeTokenRequest,
  relayOriginOf,
  relayTokenChallenge,
  tokenIssuerName,
  type AccessTokenCheck,
  type AccessTokenRefusal,
  type DecodedTokenRequest,
  type PendingAccessToken,
} from './access-tokens/access-token';
// The one text encoding of bytes (hex, unpadded base64url): canonical forms only, ProtocolError('malformed') otherwise.
export { decodeBase64Url, decodeHex, encodeBase64Url, encodeHex } from './encoding';
/** @deprecated the old name of encodeHex, kept until libs/relay-client imports encodeHex. */
// The admin app's device-facing JSON API (docs/protocol/admin-api.md): one set of schemas, parsed
// by the admin app (requests) and by the web client (answers); each side writes the other's input type.
export { base64UrlField, unixSecondsField } from './admin-api/json-fields';
export {
  MAX_ATTESTATION_FIELD_CHARS,
  MAX_DEVICE_REQUEST_BYTES,
  MAX_DEVICE_REQUEST_PAYLOAD_CHARS,
  MAX_TOKENS_REQUEST_BYTES,
  MAX_TOKENS_REQUEST_PAYLOAD_CHARS,
  deviceRequestFields,
  signedRequestBodySchema,
  type DeviceRequestType,
  type SignedRequestBodyJson,
} from './admin-api/signed-request';
export {
  MAX_ORG_DOCUMENT_KEYS,
  MAX_ORG_DOCUMENT_STATEMENTS,
  orgDocumentSchema,
  orgKeyStatusSchema,
  type OrgDocument,
  type OrgDocumentJson,
  type OrgKeyStatus,
} from './admin-api/org-document';
export {
  logConsistencyAnswerSchema,
  logHeadAnswerSchema,
  logInclusionAnswerSchema,
  type LogConsistencyAnswerJson,
  type LogHeadAnswerJson,
  type LogInclusionAnswerJson,
} from './admin-api/transparency-log';
export {
  certifyAnswerSchema,
  certifyPayloadSchema,
  type CertifyAnswerJson,
  type CertifyPayloadJson,
} from './admin-api/certificates';
export {
  MAX_ENROLMENT_CODE_CHARS,
  PREKEY_SLOT_ID_LENGTH,
  attestationAnswerSchema,
  enrolPayloadSchema,
  renewPayloadSchema,
  type AttestationAnswer,
  type AttestationAnswerJson,
  type EnrolPayloadJson,
  type RenewPayloadJson,
} from './admin-api/enrolment';
export {
  MAX_LOOKUP_ADDRESS_CHARS,
  MAX_LOOKUP_DEVICES,
  lookupAnswerSchema,
  lookupPayloadSchema,
  type LookupAnswer,
  type LookupAnswerJson,
  type LookupDeviceJson,
  type LookupPayloadJson,
} from './admin-api/directory';
export {
  tokensAnswerSchema,
  tokensPayloadSchema,
  type TokensAnswer,
  type TokensAnswerJson,
  type TokensPayloadJson,
} from './admin-api/tokens';
export {
  DEVICE_API_ERROR_CODES,
  adminErrorBodySchema,
  type AdminErrorBodyJson,
  type DeviceApiErrorCode,
} from './admin-api/errors';
