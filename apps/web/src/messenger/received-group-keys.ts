import {
  MAX_PREVIOUS_SENDER_CHAINS,
  PREVIOUS_CHAIN_LIFETIME_MS,
  deserializeSenderKeyReceiverState,
  processSenderKeyDistribution,
  serializeSenderKeyReceiverState,
  constantTimeEqual,
} from '@opendescent/crypto';
import type { ReceivedGroupKey } from './records';

/**
 * What this device holds of another member's Sender Key for one group (messages.md §5.3,
 * crypto.md §12.4). When the sender rotates, its group messages sent just before the rotation are
 * still in flight, sealed under the previous fan-out key and encrypted under the previous chain:
 * both are kept for a while (at most MAX_PREVIOUS_SENDER_CHAINS, each for
 * PREVIOUS_CHAIN_LIFETIME_MS after it was replaced), so those messages still open. The window
 * only reads what was sent before; the sender writes under the new keys only.
 */
export function receiveDistribution(
  held: ReceivedGroupKey | undefined,
  groupId: string,
  distribution: Uint8Array,
  fanoutKey: Uint8Array,
  now: number,
): ReceivedGroupKey {
  const previous = held ? deserializeSenderKeyReceiverState(held.state, now) : undefined;
  const state = processSenderKeyDistribution(distribution, previous, now);
  const replaced =
    held && !constantTimeEqual(held.fanoutKey, fanoutKey)
      ? [{ key: held.fanoutKey, replacedAt: now }, ...(held.previousFanoutKeys ?? [])]
      : (held?.previousFanoutKeys ?? []);
  return {
    groupId,
    fanoutKey,
    previousFanoutKeys: liveFanoutKeys(replaced, now),
    state: serializeSenderKeyReceiverState(state).exposeBytes().slice(),
  };
}

/** The fan-out keys a group message may be sealed under: the current one, then the previous ones still kept. */
export function fanoutKeysOf(key: ReceivedGroupKey, now: number): Uint8Array[] {
  return [key.fanoutKey, ...liveFanoutKeys(key.previousFanoutKeys ?? [], now).map((previous) => previous.key)];
}

function liveFanoutKeys(
  keys: readonly { readonly key: Uint8Array; readonly replacedAt: number }[],
  now: number,
): { readonly key: Uint8Array; readonly replacedAt: number }[] {
  return keys.filter((k) => now - k.replacedAt < PREVIOUS_CHAIN_LIFETIME_MS).slice(0, MAX_PREVIOUS_SENDER_CHAINS);
}
