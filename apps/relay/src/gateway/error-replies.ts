/**
 * How a failure becomes an error reply (relay.md §4.2): the spec's error code and a detail for
 * people, never an id, a key or a payload byte. A refusal a service meant is passed on as it is;
 * a frame that does not parse is `malformed` (or oversized, or of a version too old or unknown);
 * anything else is logged and answered `unavailable`, so nothing a client sends throws out of the
 * gateway. Metric labels come from the same fixed set of names.
 */
import {
  ProtocolError,
  encodeRelayReply,
  isRelayCommandName,
  peekRequestId,
  type RelayCommandName,
  type RelayErrorName,
} from '@opendescent/protocol';
import type { OutageLog } from '../runtime/outage-log';
import { RelayRefusal } from '../runtime/relay-refusal';
import type { RelayRuntime } from '../runtime/relay-runtime';
import { StoreUnavailableError } from '../store/relay-store';

export interface Refusal {
  readonly error: RelayErrorName;
  readonly detail: string;
}

/**
 * The code and detail for whatever a command threw; what no client could cause is logged (a
 * store outage through `outage`, which keeps it to a line or two).
 */
export function refusalOf(error: unknown, logger: RelayRuntime['logger'], outage: OutageLog): Refusal {
  if (error instanceof RelayRefusal) return { error: error.error, detail: error.message };
  if (error instanceof ProtocolError) {
    const code =
      error.code === 'oversized' || error.code === 'version_too_old' || error.code === 'version_unknown'
        ? error.code
        : 'malformed';
    return { error: code, detail: error.message };
  }
  if (error instanceof StoreUnavailableError) {
    outage.report(error.message);
    return { error: 'unavailable', detail: 'the relay store is unavailable; retry later' };
  }
  logger.error(
    { event: 'internal_error', reason: error instanceof Error ? error.message : String(error) },
    'internal error',
  );
  return { error: 'unavailable', detail: 'internal error; retry later' };
}

/** An error reply carrying the frame's request id, or 0 when it is too broken to have one. */
export function errorReply(
  payload: unknown,
  command: string | undefined,
  error: RelayErrorName,
  detail: string,
): Uint8Array {
  return encodeRelayReply({
    ok: false,
    requestId: peekRequestId(payload),
    command: isRelayCommandName(command) ? (command as RelayCommandName) : undefined,
    error,
    detail,
  });
}

/** Metric labels come from a fixed set, never from what a client typed. */
export function metricName(event: string): string {
  return isRelayCommandName(event) ? event : 'unknown';
}
