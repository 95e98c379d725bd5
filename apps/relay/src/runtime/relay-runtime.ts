import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { AttachmentStore } from '../attachments/attachment-store';
import type { RelayConfig } from '../config/relay-config';
import type { RelayMetrics } from '../metrics/relay-metrics';
import type { RelayStore } from '../store/relay-store';
import type { LiveBus } from '../gateway/live-delivery';

/** The wall clock, in Unix milliseconds: passed in so TTLs and validity are testable. */
export type Clock = () => number;

/**
 * What the relay is built from, made before Nest starts (the store connects first, so a relay
 * that cannot reach Redis never listens). Injected as one value.
 */
export interface RelayRuntime {
  readonly config: RelayConfig;
  readonly clock: Clock;
  readonly store: RelayStore;
  /** Attachment records and bytes (relay.md §3.15); on this node, whatever the relay store is. */
  readonly attachments: AttachmentStore;
  readonly logger: Logger;
  readonly metrics: RelayMetrics;
  /** Publisher and subscriber for socket.io's Redis adapter, with the Redis store only. */
  readonly pubSub: { readonly pub: Redis; readonly sub: Redis } | undefined;
  /** Live pushes between nodes (gateway/live-bus.ts), on the same publisher and subscriber; with the Redis store only. */
  readonly liveBus: LiveBus | undefined;
}

export const RELAY_RUNTIME = Symbol('RELAY_RUNTIME');
