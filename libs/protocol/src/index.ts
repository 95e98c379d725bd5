// The only public surface of @opendescent/protocol: every wire format, its codec and its
// validation. No I/O; runs unchanged in the browser and in Node. docs/protocol/ specifies each.
export { ProtocolError, type ProtocolErrorCode } from './errors';
export { RELAY_PROTOCOL_VERSION, parseRelayHealth, relayHealth, type RelayHealth } from './health';
export { ORG_ID_LENGTH, ORG_KEY_ID_LENGTH, orgKeyId, type TrustedOrgKey } from './org-key';
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
  decodeRevocationList,
  isRevoked,
  signRevocationList,
  supersedes,
  verifyRevocationList,
  type RevocationList,
  type RevocationListFields,
  type RevocationReason,
  type RevokedDevice,
} from './revocation-list';
// The relay protocol (docs/protocol/relay.md): client and relay frames, signatures, error codes.
export * from './relay/index';
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
