import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics (docs/protocol/relay.md §10): counts and latencies only, with labels drawn
 * from fixed sets (command names, error codes), never ids. One registry per relay instance, so
 * two instances in one process (tests) do not collide.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'relay_connections',
    help: 'Open socket.io connections',
    registers: [this.registry],
  });
  readonly authenticated = new Gauge({
    name: 'relay_authenticated_connections',
    help: 'Connections that completed hello',
    registers: [this.registry],
  });
  readonly frames = new Counter({
    name: 'relay_frames_total',
    help: 'Client frames by command and result (ok or an error code)',
    labelNames: ['command', 'result'],
    registers: [this.registry],
  });
  readonly frameSeconds = new Histogram({
    name: 'relay_frame_seconds',
    help: 'Time from a frame being taken up to its reply',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'relay_deliveries_total',
    help: 'Blobs pushed to subscribers (deliver events)',
    registers: [this.registry],
  });
  readonly storedBlobs = new Counter({
    name: 'relay_blobs_stored_total',
    help: 'Blobs accepted by put and put_many',
    registers: [this.registry],
  });
  /** relay.md §3.13, §3.14: counts only; never a shared id. */
  readonly turnCredentialsIssued = new Counter({
    name: 'relay_turn_credentials_issued_total',
    help: 'TURN credentials handed out by turn_credentials',
    registers: [this.registry],
  });

  readonly sharedBlobsStored = new Counter({
    name: 'relay_shared_blobs_stored_total',
    help: 'Shared blobs accepted by put_shared',
    registers: [this.registry],
  });
  readonly sharedBlobFetches = new Counter({
    name: 'relay_shared_blob_fetches_total',
    help: 'fetch_shared by result (found or not_found)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  /** relay.md §3.15: counts only; never an upload or attachment id, and no gauge of stored bytes (§10). */
  readonly attachmentsCreated = new Counter({
    name: 'relay_attachments_created_total',
    help: 'Uploads admitted by attach_create',
    registers: [this.registry],
  });
  readonly attachmentBytesReceived = new Counter({
    name: 'relay_attachment_bytes_received_total',
    help: 'Attachment bytes written by PATCH requests (kept ones: a refused PATCH counts nothing)',
    registers: [this.registry],
  });
  readonly attachmentDownloads = new Counter({
    name: 'relay_attachment_downloads_total',
    help: 'GET of an attachment by result (found, or not_found: unknown, expired or not complete)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  /** The lengths of the ranges found downloads asked for: what the relay set out to send (direct.md §9 lowers it). */
  readonly attachmentDownloadBytes = new Counter({
    name: 'relay_attachment_download_bytes_total',
    help: 'Attachment bytes in the ranges of GET requests that found their attachment',
    registers: [this.registry],
  });
  readonly attachmentsDeleted = new Counter({
    name: 'relay_attachments_deleted_total',
    help: 'Attachments deleted, by reason (fetched by every device, or expired)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly revocationListVersion = new Gauge({
    name: 'relay_revocation_list_version',
    help: 'Version of the revocation list held (0: none)',
    registers: [this.registry],
  });
  /** attestations.md §3.5: alert on `time() >= relay_revocation_list_next_update_seconds` (stale list). */
  readonly revocationListNextUpdate = new Gauge({
    name: 'relay_revocation_list_next_update_seconds',
    help: 'Next update of the revocation list held, Unix seconds (0: none); stale from then on',
    registers: [this.registry],
  });
  readonly revocationForwards = new Counter({
    name: 'relay_revocation_forwards_total',
    help: 'Revocation lists sent to connections (relay.md §7)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
