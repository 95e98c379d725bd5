import { ProtocolError, openFanoutPointer } from '@opendescent/protocol';
import { RelayRequestError } from '@opendescent/relay-client';
import { fanoutKeysOf } from './received-group-keys';
import { TABLES, type PeerRecord, type ReceivedGroupKey } from './records';
import type { Transaction } from './transaction';

export interface FanoutCandidate {
  readonly peer: PeerRecord;
  readonly key: ReceivedGroupKey;
  readonly fanoutKey: Uint8Array;
}

/**
 * The fan-out keys a blob from this queue may be sealed under (envelopes.md §6-§7): each sender's
 * current key, then those it rotated away from lately (received-group-keys.ts). A queue made for
 * one peer device only takes that device's keys.
 */
export function fanoutCandidates(tx: Transaction, queuePeer: string | undefined, now: number): FanoutCandidate[] {
  const peers = queuePeer ? [tx.get<PeerRecord>(TABLES.peers, queuePeer)] : tx.all<PeerRecord>(TABLES.peers);
  return peers.flatMap((peer) =>
    (peer?.groupKeys ?? []).flatMap((key) =>
      fanoutKeysOf(key, now).map((fanoutKey) => ({ peer: peer as PeerRecord, key, fanoutKey })),
    ),
  );
}

/** What became of a pointer: its shared envelope, no key of ours opens it yet, the blob is gone, or try later. */
export type ResolvedPointer =
  | { readonly kind: 'envelope'; readonly blob: Uint8Array }
  | { readonly kind: 'unopened' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry' };

/**
 * A fan-out pointer (envelopes.md §7) names a group message stored once on the relay that
 * delivered it: opened with our fan-out keys, then fetched (over a sending connection, never the
 * one that reads our queues: relay.md §3.14). The envelope fetched is then opened like any
 * fan-out envelope. An id the relay no longer holds (expired) is `gone`: the pointer is dropped.
 */
export async function resolvePointer(
  candidates: readonly FanoutCandidate[],
  pointer: Uint8Array,
  fetchShared: (sharedId: Uint8Array) => Promise<Uint8Array>,
): Promise<ResolvedPointer> {
  let sharedId: Uint8Array;
  try {
    sharedId = openFanoutPointer(
      pointer,
      candidates.map((candidate) => candidate.fanoutKey),
    ).sharedId;
  } catch (error) {
    if (error instanceof ProtocolError && error.code === 'undecryptable') return { kind: 'unopened' };
    throw error;
  }
  try {
    return { kind: 'envelope', blob: await fetchShared(sharedId) };
  } catch (error) {
    if (error instanceof RelayRequestError && error.code === 'not_found') return { kind: 'gone' };
    return { kind: 'retry' };
  }
}
