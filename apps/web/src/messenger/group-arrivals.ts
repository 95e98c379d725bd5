import { chainRecordOf } from './group-chain-store';
import { TABLES, type GroupChainRecord } from './records';
import type { Transaction } from './transaction';

/**
 * Groups this device holds data for without being a member yet: a handover arriving in parts, or
 * changes that came before it (group-inbox.ts). Any approved contact can send those for any group
 * id, so at most this many are kept; the oldest is forgotten first (its sender hands it over again
 * if it was real: a handover is sent until it is received, group-delivery.ts).
 */
export const MAX_GROUP_ARRIVALS = 8;

/** Stored in the group-chains table under an id no group has (group ids are 32 hex digits). */
const ARRIVALS_ID = 'arrivals';

interface ArrivalsRecord {
  readonly v: 1;
  /** Oldest first. */
  readonly groupIds: readonly string[];
}

async function arrivals(tx: Transaction): Promise<readonly string[]> {
  return (await tx.getStored<ArrivalsRecord>(TABLES.groupChains, ARRIVALS_ID))?.groupIds ?? [];
}

/** Data for `groupId` arrived before we are a member: remembered, and the oldest beyond the bound dropped. */
export async function noteArrival(tx: Transaction, groupId: string): Promise<void> {
  const ids = [...(await arrivals(tx)).filter((id) => id !== groupId), groupId];
  for (const gone of ids.slice(0, Math.max(0, ids.length - MAX_GROUP_ARRIVALS))) {
    const record = await chainRecordOf(tx, gone);
    if (!record) continue;
    if (!record.chain) {
      tx.delete(TABLES.groupChains, gone);
      continue;
    }
    const { incoming: _dropped, ...rest } = record;
    tx.put(TABLES.groupChains, gone, { ...rest, unresolved: [] } satisfies GroupChainRecord);
  }
  tx.put(TABLES.groupChains, ARRIVALS_ID, { v: 1, groupIds: ids.slice(-MAX_GROUP_ARRIVALS) } satisfies ArrivalsRecord);
}

/** We joined `groupId` (or gave it up): no longer counted. */
export async function arrivalSettled(tx: Transaction, groupId: string): Promise<void> {
  const ids = await arrivals(tx);
  if (!ids.includes(groupId)) return;
  tx.put(TABLES.groupChains, ARRIVALS_ID, {
    v: 1,
    groupIds: ids.filter((id) => id !== groupId),
  } satisfies ArrivalsRecord);
}
