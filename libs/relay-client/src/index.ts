// @opendescent/relay-client: the one relay client (docs/protocol/relay.md). No DOM, no Node built-ins.
export {
  RelayConnection,
  nextRequestId,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type OkReplyOf,
  type RelayConnectionOptions,
  type RelayIoFactory,
} from './relay-connection';
export {
  ack,
  claimPrekeys,
  createQueue,
  deleteQueue,
  fetchPending,
  fetchPrekeys,
  publishPrekeys,
  pushRevocationList,
  put,
  putMany,
  putManyBatches,
  subscribe,
  type FetchResult,
  type PutManyOutcome,
} from './commands';
export {
  attachCreate,
  attachmentRequestProblem,
  type AdmittedAttachment,
  type AttachmentRequest,
} from './attachment-commands';
export { UploadBuffers } from './upload-buffers';
export {
  TRANSFER_MAX_RETRIES,
  UPLOAD_REQUEST_BYTES,
  downloadAttachment,
  fetchNonce,
  reportFetched,
  uploadAttachment,
  uploadStatus,
  type TransferOptions,
  type UploadStatus,
} from './attachment-transfer';
export { RelayRequestError, isRetryable, type RelayRequestErrorCode } from './errors';
export { FramePacer, MAX_IN_FLIGHT, RATE_MARGIN } from './frame-pacer';
export { RelayClient, type RelayClientOptions, type RelayStatus, type StatusListener } from './relay-client';
export {
  DEFAULT_BACKOFF_INITIAL_MS,
  DEFAULT_BACKOFF_MAX_MS,
  STABLE_CONNECTION_MS,
  reconnectDelayMs,
} from './reconnect-backoff';
export {
  DEFAULT_LANES,
  DEFAULT_LANE_IDLE_MS,
  DEFAULT_LANE_MAX_AGE_MS,
  DEFAULT_LANE_MAX_FRAMES,
  SendChannel,
  type RelayCredentials,
  type SendChannelOptions,
} from './send-channel';
