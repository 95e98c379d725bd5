/**
 * RelayClient's sending side (docs/protocol/relay.md §5.5): every command that writes, or looks
 * something up by a capability the device holds (a sender id, a slot id, a shared id), goes over
 * the SendChannel's short-lived connections and never over the reading connection, which holds
 * the device's subscriptions. RelayClient (relay-client.ts) extends this class and supplies the
 * channel and the one rule it shares: a stopped or refused client sends nothing.
 */
import type { Ed25519KeyPair } from '@opendescent/crypto';
import type { PrekeyPublishMode, PutManyEntry, TurnCredentials } from '@opendescent/protocol';
import type { AdmittedAttachment, AttachmentRequest } from './attachment-commands';
import type { PutManyOutcome } from './commands';
import type { SendChannel } from './send-channel';

export abstract class RelayClientSendingSide {
  /** The sending connections of this client (send-channel.ts). */
  protected abstract readonly sender: SendChannel;

  /** Throws `offline` unless the client is running and not refused. */
  protected abstract requireRunning(): void;

  /** §3.4, over a sending connection. Rejects with `offline` when the relay is not reachable now. */
  async put(senderId: Uint8Array, blob: Uint8Array, ttl = 0): Promise<void> {
    this.requireRunning();
    return this.sender.put(senderId, blob, ttl);
  }

  /** §3.5, shuffled over the sending connections; per entry, in order: `ok`, the relay's status, or why its frame failed. */
  async putMany(entries: readonly PutManyEntry[], ttl = 0): Promise<PutManyOutcome[]> {
    this.requireRunning();
    return this.sender.putMany(entries, ttl);
  }

  /**
   * §3.13, over a sending connection: stores one blob that every member of a group fetches by
   * the id this resolves to (16 random bytes drawn by the relay). `ttlSeconds` 0 (the default) is
   * the relay's default TTL. Rejects with the relay's code (`store_full`, `oversized`…), or with
   * `malformed` / `oversized` before any connection for a blob that could never be sent.
   */
  async putShared(blob: Uint8Array, ttlSeconds = 0): Promise<Uint8Array> {
    this.requireRunning();
    return this.sender.putShared(blob, ttlSeconds);
  }

  /**
   * §3.14, over a sending connection, never the reading one: the relay cannot tie the fetch to a
   * queue this device reads. Fetching does not delete; rejects `not_found` once the blob expired.
   */
  async fetchShared(sharedId: Uint8Array): Promise<Uint8Array> {
    this.requireRunning();
    return this.sender.fetchShared(sharedId);
  }

  /**
   * §3.15, over a sending connection: admits an attachment upload of `length` ciphertext bytes,
   * deleted after `fetches` downloads or at its TTL. Rejects with the relay's code (`oversized`,
   * `store_full`…), or `malformed` before any connection for a length that is not a padded one.
   */
  async createAttachment(request: AttachmentRequest): Promise<AdmittedAttachment> {
    this.requireRunning();
    return this.sender.attachCreate(request);
  }

  /**
   * §3.16, over a sending connection: the organisation's TURN URLs and a short-lived credential
   * for direct channels (direct.md §8). Rejects `not_found` when the relay hands out none.
   */
  async turnCredentials(): Promise<TurnCredentials> {
    this.requireRunning();
    return this.sender.turnCredentials();
  }

  /** §3.10, over a sending connection: the slot is not tied to the connection that reads this device's queues. */
  async publishPrekeys(
    slotId: Uint8Array,
    slotKey: Ed25519KeyPair,
    mode: PrekeyPublishMode,
    bundle: Uint8Array,
    oneTimeItems: readonly Uint8Array[],
  ): Promise<number> {
    this.requireRunning();
    return this.sender.publishPrekeys(slotId, slotKey, mode, bundle, oneTimeItems);
  }

  /** §3.11, over a sending connection. */
  async fetchPrekeys(slotId: Uint8Array): Promise<{ remaining: number; bundle: Uint8Array }> {
    this.requireRunning();
    return this.sender.fetchPrekeys(slotId);
  }

  /** §3.11, over a sending connection: whom a device is about to write to stays off its reading connection. */
  async claimPrekeys(slotId: Uint8Array): Promise<{ bundle: Uint8Array; oneTime: Uint8Array | null }> {
    this.requireRunning();
    return this.sender.claimPrekeys(slotId);
  }
}
