/**
 * The web client's rule for what it shows once (messages.md §5.2), re-implemented here because
 * the web client's own code (apps/web/src/messenger/inbox.ts `accept`, message-identity.ts
 * `heldFromDevice`) runs inside its vault transaction and cannot be imported by another app:
 *
 * 1. a blob is known by its SHA-256, whatever path it came by: one seen before is only
 *    acknowledged, never opened again (a relay delivering it twice, a put repeated after
 *    `unavailable` that had in fact been stored, relay.md §9.1);
 * 2. a message is the sending device and the id it chose: a second message with the same pair
 *    is a duplicate (the same device sending the same id again), whatever its bytes.
 */
import { sha256 } from '@opendescent/crypto';
import { encodeHex } from '@opendescent/protocol';

export class DuplicateRule {
  readonly #seenBlobs = new Set<string>();
  readonly #held = new Set<number>();

  /**
   * Rule 1, before opening: true the first time these bytes arrive, and marks them seen. The web
   * client keeps the whole hash; 64 bits of it are plenty for one device's few thousand blobs here
   * and keep the soak process's heap small.
   */
  firstBlob(blob: Uint8Array): boolean {
    const id = encodeHex(sha256(blob).subarray(0, 8));
    if (this.#seenBlobs.has(id)) return false;
    this.#seenBlobs.add(id);
    return true;
  }

  /** Rule 2, once opened: true the first time this device's message id arrives, and holds it. */
  firstMessage(sendingDevice: number, id: number): boolean {
    const key = id * 8192 + sendingDevice;
    if (this.#held.has(key)) return false;
    this.#held.add(key);
    return true;
  }
}
