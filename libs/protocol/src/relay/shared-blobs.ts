import type { ByteReader } from '@opendescent/crypto';
import { boundedLength, checkLength, commandHeader } from './bytes';
import { MAX_BLOB_BYTES, SHARED_ID_LENGTH } from './constants';

/**
 * Shared blobs (docs/protocol/relay.md §3.13, §3.14): one blob stored once under an id the relay
 * draws, fetched by id by every member of a group, gone at its TTL. The client frames of both
 * commands, their decoders (the relay's, plugged into decodeRelayCommand) and their encoders
 * (clients'). Their replies are in replies.ts with every other reply.
 */

export type SharedBlobCommand =
  | {
      readonly command: 'put_shared';
      readonly requestId: number;
      /** Seconds; 0 is the relay's default, more than its maximum is lowered to it (§8.2). */
      readonly ttl: number;
      readonly blob: Uint8Array;
    }
  | { readonly command: 'fetch_shared'; readonly requestId: number; readonly sharedId: Uint8Array };

type SharedBlobDecoder<N extends SharedBlobCommand['command']> = (
  reader: ByteReader,
  bytes: Uint8Array,
  requestId: number,
  what: string,
) => Extract<SharedBlobCommand, { command: N }>;

/** The bodies after the header (§3.0); decodeRelayCommand checks the header and refuses trailing bytes. */
export const SHARED_BLOB_BODY_DECODERS: {
  readonly put_shared: SharedBlobDecoder<'put_shared'>;
  readonly fetch_shared: SharedBlobDecoder<'fetch_shared'>;
} = {
  put_shared: (reader, _bytes, requestId, what) => {
    const ttl = reader.u32('ttl');
    const blob = reader.raw(boundedLength(reader, 4, 'blob', 1, MAX_BLOB_BYTES, what), 'blob');
    return { command: 'put_shared', requestId, ttl, blob };
  },
  fetch_shared: (reader, _bytes, requestId) => ({
    command: 'fetch_shared',
    requestId,
    sharedId: reader.raw(SHARED_ID_LENGTH, 'shared id'),
  }),
};

/** §3.13: `header ‖ ttl (u32) ‖ n (u32) ‖ blob (n)`. Unsigned: any admitted connection may store one. */
export function encodePutShared(fields: { requestId: number; ttl?: number; blob: Uint8Array }): Uint8Array {
  const blob = checkLength(fields.blob, 'blob', 1, MAX_BLOB_BYTES);
  return commandHeader('put_shared', fields.requestId)
    .u32(fields.ttl ?? 0)
    .u32(blob.length)
    .raw(blob)
    .finish();
}

/** §3.14: `header ‖ shared id (16)`. Unsigned: the id is the capability. */
export function encodeFetchShared(fields: { requestId: number; sharedId: Uint8Array }): Uint8Array {
  return commandHeader('fetch_shared', fields.requestId).raw(fields.sharedId, SHARED_ID_LENGTH).finish();
}
