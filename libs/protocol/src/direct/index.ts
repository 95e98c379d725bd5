// Direct channels (docs/protocol/direct.md): the frames on a channel and the SDP rules.
export {
  DIRECT_FRAME_ACK,
  DIRECT_FRAME_DATA,
  DirectSequence,
  MAX_DIRECT_BLOB_BYTES,
  MAX_DIRECT_FRAME_BYTES,
  decodeDirectFrame,
  encodeDirectFrame,
  type DirectFrame,
} from './frames';
export { DTLS_FINGERPRINT_BYTES, MAX_DIRECT_SDP_CHARS, checkDirectSdp, sameDtlsFingerprint } from './sdp';
