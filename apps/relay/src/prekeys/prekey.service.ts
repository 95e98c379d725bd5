import { Inject, Injectable } from '@nestjs/common';
import { verifyCommandSignature, type RelayCommandOf } from '@opendescent/protocol';
import { RelayRefusal } from '../runtime/relay-refusal';
import { RELAY_RUNTIME, type RelayRuntime } from '../runtime/relay-runtime';
import type { PrekeyClaim } from '../store/relay-store';

/** Prekey slots (relay.md §3.10, §3.11): opaque bundles; the claim is atomic in the store. */
@Injectable()
export class PrekeyService {
  constructor(@Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime) {}

  async publish(frame: RelayCommandOf<'prekey_publish'>, challenge: Uint8Array): Promise<number> {
    if (!(await verifyCommandSignature(frame.slotKey, challenge, frame.signed, frame.signature))) {
      throw new RelayRefusal('auth', 'the signature does not verify under the slot key');
    }
    const outcome = await this.runtime.store.publishPrekeys(frame, this.runtime.clock());
    if (!outcome.ok) {
      const detail = {
        auth: 'the slot belongs to another key',
        quota_exceeded: 'too many one-time prekeys for one slot',
        store_full: 'the relay store is full',
      }[outcome.error];
      throw new RelayRefusal(outcome.error, detail);
    }
    return outcome.remaining;
  }

  async fetch(frame: RelayCommandOf<'prekey_fetch'>): Promise<{ bundle: Uint8Array; remaining: number }> {
    const slot = await this.runtime.store.fetchPrekeys(frame.slotId, this.runtime.clock());
    if (slot === undefined) throw new RelayRefusal('not_found', 'no such prekey slot');
    return slot;
  }

  async claim(frame: RelayCommandOf<'prekey_claim'>): Promise<PrekeyClaim> {
    const claim = await this.runtime.store.claimPrekey(frame.slotId, this.runtime.clock());
    if (claim === undefined) throw new RelayRefusal('not_found', 'no such prekey slot');
    return claim;
  }
}
