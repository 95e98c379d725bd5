import { ProtocolError, type RelayErrorName } from '@opendescent/protocol';

/**
 * Why a command failed: a relay error name (relay.md §4.2), or one of this client's own:
 * `offline` (not connected, or the connection was lost before the answer), `timeout` (no answer
 * in time; the command may or may not have been carried out, and every command is safe to
 * repeat), `bad_reply` (the relay's answer does not decode or does not match the request),
 * `cancelled` (an attachment transfer stopped by its caller, attachment-transfer.ts).
 */
export type RelayRequestErrorCode = RelayErrorName | 'offline' | 'timeout' | 'bad_reply' | 'cancelled';

export class RelayRequestError extends Error {
  override readonly name = 'RelayRequestError';

  constructor(
    readonly code: RelayRequestErrorCode,
    message: string = code,
  ) {
    super(message);
  }
}

const RETRYABLE: ReadonlySet<string> = new Set<RelayRequestErrorCode>([
  'offline',
  'timeout',
  'unavailable',
  'rate_limited',
  'shutting_down',
]);

/** Whether sending the same command again later may succeed. Takes an error or a status code. */
export function isRetryable(error: unknown): boolean {
  const code = error instanceof RelayRequestError ? error.code : error;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export function asRequestError(error: unknown): RelayRequestError {
  if (error instanceof RelayRequestError) return error;
  if (error instanceof ProtocolError)
    return new RelayRequestError(error.code === 'oversized' ? 'oversized' : 'malformed', error.message);
  return new RelayRequestError('malformed', error instanceof Error ? error.message : 'invalid command');
}

export const offline = (): RelayRequestError => new RelayRequestError('offline', 'not connected to the relay');
