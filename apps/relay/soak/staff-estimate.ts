/**
 * What the capacity measured on this machine means for an organisation of STAFF people. Every
 * assumption is a named constant, printed in the report beside the result, so a reader can redo
 * the sum with their own.
 */
import type { DeviceMemoryResult, ThroughputResult } from './capacity';

export const ASSUMPTIONS = {
  staff: 73_000,
  /** A laptop for everyone, a phone as a second device for half. */
  devicesPerStaff: 1.5,
  /** Connected at the busiest hour (the web client holds its reading connection while open). */
  connectedShareAtPeak: 0.9,
  /** Messages a person sends in a working day (direct and group together). */
  messagesPerStaffPerDay: 60,
  /** Device queues one sent message is put into: the recipients' devices, the sender's other devices, small groups. */
  blobsPerMessage: 4,
  /** The day's traffic falls in this many hours ... */
  workingHours: 8,
  /** ... and its busiest minute carries this many times that average. */
  peakFactor: 4,
  /** Nodes are sized to run at this share of what they were measured to carry, so one can fail. */
  targetLoad: 0.5,
  /** Memory a node may give to its connections. */
  connectionMemoryBytes: 2 * 1024 ** 3,
} as const;

export interface StaffEstimate {
  readonly assumptions: typeof ASSUMPTIONS;
  readonly devices: number;
  readonly connectedAtPeak: number;
  readonly blobsPerDay: number;
  readonly peakBlobsPerSecond: number;
  /** Measured, per node on this machine (two cores shared by everything). */
  readonly nodeMessagesPerSecond: number;
  /** The same per core-second of the node: what a node with a core to itself would carry. */
  readonly nodeMessagesPerCoreSecond: number;
  readonly devicesPerNodeByMemory: number;
  readonly nodesForThroughputHere: number;
  readonly nodesForThroughputPerCore: number;
  readonly nodesForConnections: number;
  /** After a node's loss, how long its devices take to be admitted again by one node at the measured rate. */
  readonly reconnectSecondsPerNode: number;
  /** Redis primary CPU per 1,000 blobs/s, from the same measurement: where the single primary tops out. */
  readonly redisCoreShareAtPeak: number;
}

export function staffEstimate(throughput: ThroughputResult, memory: DeviceMemoryResult): StaffEstimate {
  const a = ASSUMPTIONS;
  const devices = a.staff * a.devicesPerStaff;
  const connectedAtPeak = devices * a.connectedShareAtPeak;
  const blobsPerDay = a.staff * a.messagesPerStaffPerDay * a.blobsPerMessage;
  const peakBlobsPerSecond = (blobsPerDay / (a.workingHours * 3600)) * a.peakFactor;
  // The larger of the two growths: RSS also holds socket buffers, the heap what the GC keeps.
  const bytesPerDevice = Math.max(memory.rssBytesPerDevice, memory.heapBytesPerDevice);
  const devicesPerNodeByMemory = bytesPerDevice > 0 ? a.connectionMemoryBytes / bytesPerDevice : NaN;
  const nodesForConnections = Math.ceil(connectedAtPeak / (devicesPerNodeByMemory * a.targetLoad));
  return {
    assumptions: a,
    devices,
    connectedAtPeak,
    blobsPerDay,
    peakBlobsPerSecond,
    nodeMessagesPerSecond: throughput.messagesPerSecond,
    nodeMessagesPerCoreSecond: throughput.messagesPerNodeCoreSecond,
    devicesPerNodeByMemory,
    nodesForThroughputHere: Math.ceil(peakBlobsPerSecond / (throughput.messagesPerSecond * a.targetLoad)),
    nodesForThroughputPerCore: Math.ceil(peakBlobsPerSecond / (throughput.messagesPerNodeCoreSecond * a.targetLoad)),
    nodesForConnections,
    reconnectSecondsPerNode: connectedAtPeak / nodesForConnections / memory.reconnectionsPerSecond,
    redisCoreShareAtPeak: (throughput.redisPrimaryCpu / throughput.messagesPerSecond) * peakBlobsPerSecond,
  };
}
