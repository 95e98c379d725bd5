import {
  GroupChain,
  type GroupAuthorResolver,
  type GroupChangeAuthorKeys,
  type GroupState,
} from '@opendescent/protocol';
import type { MessengerContext } from './context';
import { toHex } from './encoding';
import { ownUserKey } from './person-keys';
import {
  TABLES,
  type ContactRecord,
  type ConversationRecord,
  type GroupChainRecord,
  type GroupSummary,
} from './records';
import type { Transaction } from './transaction';

/** Our own changes kept for re-issue (groups.md §5.1): no more than the states a chain keeps. */
const MINE_KEPT = 16;
/** Changes waiting for their author to be known here. */
export const MAX_UNRESOLVED_GROUP_CHANGES = 64;

export function emptyChainRecord(groupId: string): GroupChainRecord {
  return { v: 1, groupId, mine: [], unresolved: [] };
}

export async function chainRecordOf(tx: Transaction, groupId: string): Promise<GroupChainRecord | undefined> {
  return tx.getStored<GroupChainRecord>(TABLES.groupChains, groupId);
}

/** The group's chain, or undefined when this device holds none (not a member, or a handover still arriving). */
export async function loadChain(tx: Transaction, groupId: string): Promise<GroupChain | undefined> {
  const record = await chainRecordOf(tx, groupId);
  return record?.chain ? GroupChain.deserialise(record.chain) : undefined;
}

export function saveChain(
  tx: Transaction,
  record: GroupChainRecord,
  chain: GroupChain,
  changes: { readonly mine?: readonly Uint8Array[]; readonly unresolved?: readonly Uint8Array[] } = {},
): void {
  const mine = [...record.mine, ...(changes.mine ?? [])].slice(-MINE_KEPT);
  const { incoming: _incoming, ...rest } = record;
  tx.put(TABLES.groupChains, record.groupId, {
    ...rest,
    chain: chain.serialise(),
    mine,
    unresolved: (changes.unresolved ?? record.unresolved).slice(-MAX_UNRESOLVED_GROUP_CHANGES),
  } satisfies GroupChainRecord);
}

/**
 * Who signed a change, as this device knows them (groups.md §5.2): one of our own devices under
 * our user key, or a contact's device that their pinned user key approved (user-keys.md §2.5),
 * neither revoked nor proven absent from the log. Anything else is `unknown_author`.
 */
export function authorResolver(tx: Transaction, ctx: MessengerContext): GroupAuthorResolver {
  const self = ctx.requireSelf();
  return (address, deviceId) => {
    const id = toHex(deviceId);
    if (address === self.address && id === toHex(self.deviceId)) return ownAuthorKeys(ctx);
    const contact = tx.get<ContactRecord>(TABLES.contacts, address);
    const device = contact?.devices[id];
    if (!contact || !device || device.approved !== true || device.trust === 'revoked' || device.notLogged)
      return undefined;
    const userKey = address === self.address ? ownUserKey(self) : contact.userKey;
    return userKey ? { signingKey: device.signingKey, userKey } : undefined;
  };
}

/** This device as the author of a change. */
export function ownAuthorKeys(ctx: MessengerContext): GroupChangeAuthorKeys | undefined {
  const userKey = ownUserKey(ctx.requireSelf());
  if (!userKey) return undefined;
  return { signingKey: ctx.requireIdentity().signing.publicKey, userKey };
}

export function summaryOf(state: GroupState): GroupSummary {
  return {
    admins: state.members.filter((member) => member.role === 'admin').map((member) => member.address),
    announcementOnly: state.settings.announcementOnly,
    addBy: state.settings.addBy,
  };
}

/** The conversation as the head of its chain says it is: members, title, roles, settings. */
export function conversationAtHead(
  current: ConversationRecord | undefined,
  groupId: string,
  state: GroupState,
  selfAddress: string,
  now: number,
): ConversationRecord {
  const members = state.members.map((member) => member.address);
  return {
    v: 1,
    id: groupId,
    kind: 'group',
    title: state.title,
    members,
    groupVersion: state.epoch,
    group: summaryOf(state),
    active: members.includes(selfAddress),
    disappearAfterSeconds: state.settings.disappearAfter,
    unread: current?.unread ?? 0,
    updatedAt: now,
    ...(current?.lastPreview ? { lastPreview: current.lastPreview, lastAt: current.lastAt as number } : {}),
  };
}
