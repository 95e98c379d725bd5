import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SHARED_ID_LENGTH, type RelayCommandOf } from '@opendescent/protocol';
import { effectiveTtlSeconds } from '../runtime/blob-ttl';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import { StoreUnavailableError } from '../store/relay-store';

/** Draws before giving up: with 128-bit ids a second draw already means something is wrong. */
const MAX_DRAWS = 4;

/**
 * Shared blobs (relay.md §3.13, §3.14): a group message stored once, under an id drawn here from
 * the CSPRNG, and fetched by id by every member until its TTL ends. Unsigned, like `put`: the id
 * is the only capability, and nothing stored with the blob names a queue, a connection or a
 * sender. The id is returned to the caller and handed to the store, never logged or counted by
 * value.
 */
@Injectable()
export class SharedBlobService {
  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  /** §3.13: stored before it is answered; resolves to the shared id. */
  async put(frame: RelayCommandOf<'put_shared'>): Promise<Uint8Array> {
    const now = this.runtime.clock();
    const expiresAt = now + effectiveTtlSeconds(this.runtime.config, frame.ttl) * 1000;
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const sharedId = new Uint8Array(randomBytes(SHARED_ID_LENGTH));
      const outcome = await this.runtime.store.putShared({ sharedId, blob: frame.blob, expiresAt }, now);
      if (outcome === 'stored') {
        this.runtime.metrics.sharedBlobsStored.inc();
        return sharedId;
      }
      if (outcome === 'store_full') throw new RelayRefusal('store_full', 'the relay store is full');
    }
    throw new StoreUnavailableError('could not draw an unused shared id');
  }

  /** §3.14: does not delete (every member fetches); unknown and expired are the same answer. */
  async fetch(frame: RelayCommandOf<'fetch_shared'>): Promise<Uint8Array> {
    const blob = await this.runtime.store.fetchShared(frame.sharedId, this.runtime.clock());
    this.runtime.metrics.sharedBlobFetches.inc({ result: blob === undefined ? 'not_found' : 'found' });
    if (blob === undefined) throw new RelayRefusal('not_found', 'no such shared blob, or it has expired');
    return blob;
  }
}
