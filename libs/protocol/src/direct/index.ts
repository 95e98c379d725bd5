// Direct channels (docs/protocol/direct.md): the frames on a channel and the SDP rules.
export {
  DIRECT_FRAME_ACK,
  DIRECT_FRAME_DATA,
  DirectSequence,
  MAX_DIRECT_BLOB_BYTES,
  MAX_DIRECT_DATA_FRAME_BYTES,
  MAX_DIRECT_FRAME_BYTES,
  decodeDirectFrame,
  encodeDirectFrame,
  type DirectFrame,
} from './frames';
export { DTLS_FINGERPRINT_BYTES, MAX_DIRECT_SDP_CHARS, checkDirectSdp, sameDtlsFingerprint } from './sdp';
export {
  DIRECT_FILE_ID_BYTES,
  DIRECT_FRAME_FILE_END,
  DIRECT_FRAME_FILE_PIECE,
  DIRECT_FRAME_FILE_REQUEST,
  MAX_DIRECT_FILE_FRAME_BYTES,
  MAX_DIRECT_FILE_PIECE_BYTES,
  MAX_DIRECT_FILE_REQUESTS,
  MAX_DIRECT_FILE_WINDOW_BYTES,
  encodeDirectFileFrame,
  type DirectFileFrame,
  type DirectFileStatus,
} from './file-frames';
export { DirectFileWindows } from './file-windows';
