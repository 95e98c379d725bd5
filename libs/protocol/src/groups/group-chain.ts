import { encodeHex } from '../encoding';
import { ProtocolError } from '../errors';
import { expectBytesInput, protocolReader, protocolWriter } from '../wire-bytes';
import {
  applyGroupChange,
  applyGroupOps,
  leaversOf,
  type AppliedGroupChange,
  type GroupChangeAuthorKeys,
} from './apply-group-change';
import {
  decodeGroupChange,
  groupChangeHash,
  MAX_GROUP_CHANGE_BYTES,
  verifyGroupChange,
  type GroupChangeAuthor,
} from './group-change';
import { diffGroupStates, EMPTY_GROUP_DIFF, type GroupDiff } from './group-diff';
import {
  decodeGroupState,
  encodeGroupState,
  groupMember,
  groupStateHash,
  MAX_GROUP_STATE_BYTES,
  type GroupState,
} from './group-state';

// A member's view of one group's chain (docs/protocol/groups.md §5). The successor of a state is,
// among the valid changes naming it as parent, the one with the lowest changeHash: every member
// ends on the same head whatever order the relay delivered the changes in, with no server to
// order them. A lower competitor arriving late makes the member switch branch; the changes of the
// losing branch are dropped and returned, so a client can re-issue its own on the new head.

/**
 * States kept, counting the head. A competitor for an older state is refused (`too_old`): an
 * administrator who could replace any past state could grind a lower hash and rewrite a long
 * stretch of history; concurrent changes normally arrive within seconds of each other.
 */
export const GROUP_CHAIN_HISTORY = 16;
/** Changes waiting for a parent not seen yet (out of order), and losing states remembered. */
export const MAX_PENDING_GROUP_CHANGES = 256;
export const GROUP_CHAIN_RECORD_VERSION = 1;

/** Who signed a change: the caller's knowledge of approved devices (undefined: `unknown_author`). */
export type GroupAuthorResolver = (
  address: string,
  deviceId: Uint8Array,
) => GroupChangeAuthorKeys | undefined | Promise<GroupChangeAuthorKeys | undefined>;

export interface GroupChainUpdate {
  /** Hashes of the changes this call put on the chain (in order), still on it at the end. */
  readonly applied: readonly Uint8Array[];
  /** Hashes of valid changes that are not (or no longer) on the chain: they lost, or built on a loser. */
  readonly dropped: readonly Uint8Array[];
  /** Changes that waited for their parent and turned out invalid on it, with the ProtocolError code. */
  readonly refused: readonly { readonly changeHash: Uint8Array; readonly code: string }[];
  /** The change waits for a parent this member has not seen. */
  readonly pending: boolean;
  /** From the head before the call to the head after it (group-diff.ts). */
  readonly diff: GroupDiff;
  /**
   * The changes now on the branch that were not before the call, in order, each with its author
   * and what it changed: the lines a client shows, one change at a time (§4.3).
   */
  readonly steps: readonly GroupChainStep[];
  /**
   * The head before the call lost to a competitor (§5.1): what the branch switch undid, from the
   * old head back to the state the new steps build on. Absent when nothing was undone.
   */
  readonly undone?: GroupDiff;
}

export interface GroupChainStep {
  readonly changeHash: Uint8Array;
  readonly author: GroupChangeAuthor;
  readonly issuedAt: number;
  readonly diff: GroupDiff;
}

interface Link {
  readonly state: GroupState;
  readonly stateHash: Uint8Array;
  readonly key: string;
  /** The signed change that made this state and its hash. */
  readonly change: Uint8Array;
  readonly changeHash: Uint8Array;
  /** The author, when its own `leave` took it out. */
  readonly leaver: string | undefined;
}

interface Outcome {
  applied: Set<string>;
  dropped: Map<string, Uint8Array>;
  refused: { changeHash: Uint8Array; code: string }[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function linkOf(parent: GroupState | undefined, applied: Omit<AppliedGroupChange, 'diff'>, change: Uint8Array): Link {
  const leaver = [...leaversOf(parent, applied.state, applied.change)][0];
  const { state, stateHash, changeHash } = applied;
  return { state, stateHash, key: encodeHex(stateHash), change, changeHash, leaver };
}

export class GroupChain {
  /** The current branch, oldest state kept first, head last. */
  #links: Link[];
  /** States of losing branches, by state hash: their children are dropped, not held as pending. */
  readonly #losers = new Map<string, GroupState>();
  /** Change hashes known to be off the chain (a replay of one is a no-op), with their epoch. */
  readonly #dropped = new Map<string, number>();
  /** Out-of-order changes by the parent hash they name. */
  readonly #pending = new Map<string, { change: Uint8Array; key: string; epoch: number }[]>();

  private constructor(links: Link[]) {
    this.#links = links;
  }

  /** A chain from a group's creation change (verified and applied like any other). */
  static async create(firstChange: Uint8Array, author: GroupChangeAuthorKeys): Promise<GroupChain> {
    const applied = await applyGroupChange(undefined, firstChange, author);
    return new GroupChain([linkOf(undefined, applied, firstChange)]);
  }

  get head(): { readonly state: GroupState; readonly hash: Uint8Array } {
    const head = this.#links[this.#links.length - 1] as Link;
    return { state: head.state, hash: head.stateHash };
  }

  /**
   * Verifies and applies one change, then every pending change it unblocks. Throws the change's
   * ProtocolError and leaves the chain as it was when the change itself is refused.
   */
  async receive(change: Uint8Array, resolve: GroupAuthorResolver): Promise<GroupChainUpdate> {
    const before = this.head;
    const beforeKeys = new Set(this.#links.map((link) => link.key));
    const outcome: Outcome = { applied: new Set(), dropped: new Map(), refused: [] };
    const pending = await this.#receiveOne(change, resolve, outcome);
    const firstNew = this.#links.findIndex((link) => !beforeKeys.has(link.key));
    const steps = firstNew < 0 ? [] : this.#links.slice(firstNew);
    const leavers = new Set(steps.flatMap((link) => (link.leaver === undefined ? [] : [link.leaver])));
    const base = firstNew > 0 ? (this.#links[firstNew - 1] as Link) : undefined;
    const switched = steps.length > 0 && base !== undefined && base.key !== encodeHex(before.hash);
    return {
      applied: this.#links
        .filter((link) => outcome.applied.has(encodeHex(link.changeHash)))
        .map((link) => link.changeHash),
      dropped: [...outcome.dropped.values()],
      refused: outcome.refused,
      pending,
      diff: steps.length === 0 ? EMPTY_GROUP_DIFF : diffGroupStates(before.state, this.head.state, leavers),
      steps: steps.map((link, i) => {
        const { author, issuedAt } = decodeGroupChange(link.change).change;
        const parent = i === 0 ? base?.state : (steps[i - 1] as Link).state;
        const leaver = new Set(link.leaver === undefined ? [] : [link.leaver]);
        return { changeHash: link.changeHash, author, issuedAt, diff: diffGroupStates(parent, link.state, leaver) };
      }),
      ...(switched ? { undone: diffGroupStates(before.state, (base as Link).state) } : {}),
    };
  }

  async #receiveOne(bytes: Uint8Array, resolve: GroupAuthorResolver, outcome: Outcome): Promise<boolean> {
    const { change } = decodeGroupChange(bytes);
    const changeHash = groupChangeHash(bytes);
    const changeKey = encodeHex(changeHash);
    if (this.#links.some((link) => encodeHex(link.changeHash) === changeKey) || this.#dropped.has(changeKey))
      return false; // replayed: already applied or already dropped
    const parentKey = encodeHex(change.parentHash);
    if ((this.#pending.get(parentKey) ?? []).some((entry) => entry.key === changeKey)) return true;
    const author = await resolve(change.author.address, change.author.deviceId);
    if (author === undefined)
      throw new ProtocolError('unknown_author', 'group change: from a device this member does not know');
    const oldest = (this.#links[0] as Link).state.epoch;
    if (change.epoch - 1 < oldest)
      throw new ProtocolError('too_old', 'group change: its parent is older than the states this member keeps');

    const index = this.#links.findIndex((link) => link.key === parentKey);
    const loser = this.#losers.get(parentKey);
    if (index < 0 && loser === undefined) {
      await verifyGroupChange(bytes, author.signingKey);
      const waiting = [...this.#pending.values()].reduce((sum, list) => sum + list.length, 0);
      if (waiting >= MAX_PENDING_GROUP_CHANGES)
        throw new ProtocolError('too_many_pending', 'group change: too many changes wait for their parent');
      this.#pending.set(parentKey, [
        ...(this.#pending.get(parentKey) ?? []),
        { change: bytes, key: changeKey, epoch: change.epoch },
      ]);
      return true;
    }
    const parent = index >= 0 ? (this.#links[index] as Link).state : (loser as GroupState);
    const applied = await applyGroupChange(parent, bytes, author);
    const link = linkOf(parent, applied, bytes);
    // From here on the change is valid: the chain changes.
    const successor = index >= 0 ? this.#links[index + 1] : undefined;
    if (index < 0) {
      this.#lose(link, outcome);
    } else if (successor === undefined) {
      this.#append(link, outcome);
    } else if (compareBytes(link.changeHash, successor.changeHash) >= 0) {
      this.#lose(link, outcome);
    } else if (link.key === successor.key) {
      // The same state by a lower change: the descendants still build on it.
      this.#links[index + 1] = link;
      this.#drop(successor, outcome);
      outcome.applied.add(encodeHex(link.changeHash));
    } else {
      for (const gone of this.#links.splice(index + 1)) this.#lose(gone, outcome);
      this.#append(link, outcome);
    }
    await this.#drain(link.key, resolve, outcome);
    return false;
  }

  #append(link: Link, outcome: Outcome): void {
    this.#links.push(link);
    outcome.applied.add(encodeHex(link.changeHash));
    if (this.#links.length <= GROUP_CHAIN_HISTORY) return;
    this.#links.shift();
    const oldest = (this.#links[0] as Link).state.epoch;
    for (const [key, state] of this.#losers) if (state.epoch < oldest) this.#losers.delete(key);
    for (const [key, epoch] of this.#dropped) if (epoch <= oldest) this.#dropped.delete(key);
    for (const [key, list] of this.#pending) {
      const kept = list.filter((entry) => entry.epoch > oldest);
      if (kept.length === 0) this.#pending.delete(key);
      else this.#pending.set(key, kept);
    }
  }

  #drop(link: Link, outcome: Outcome): void {
    const key = encodeHex(link.changeHash);
    this.#dropped.set(key, link.state.epoch);
    outcome.dropped.set(key, link.changeHash);
    outcome.applied.delete(key);
  }

  #lose(link: Link, outcome: Outcome): void {
    this.#drop(link, outcome);
    if (this.#links.some((kept) => kept.key === link.key)) return;
    this.#losers.set(link.key, link.state);
    // Bounded like the pending changes: the oldest losing state is forgotten first.
    if (this.#losers.size > MAX_PENDING_GROUP_CHANGES) this.#losers.delete(this.#losers.keys().next().value as string);
  }

  async #drain(parentKey: string, resolve: GroupAuthorResolver, outcome: Outcome): Promise<void> {
    const waiting = this.#pending.get(parentKey);
    if (waiting === undefined) return;
    this.#pending.delete(parentKey);
    for (const entry of waiting) {
      try {
        await this.#receiveOne(entry.change, resolve, outcome);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        outcome.refused.push({ changeHash: groupChangeHash(entry.change), code: error.code });
      }
    }
  }

  /** The signed changes of the current branch, oldest kept first (what a handover carries, §5.4). */
  branch(): Uint8Array[] {
    return this.#links.map((link) => link.change);
  }

  /**
   * Joins from a chain handed over by a member (groups.md §5.4): the stored form of their branch,
   * without their pending changes. Every change whose author `resolve` knows is verified (its
   * signature, and the author's user key against the member it is recorded as in the parent
   * state); the oldest state itself, and changes by authors not known here, rest on the word of
   * the member who handed the chain over, as a Welcome rests on its sender in MLS.
   */
  static async join(record: unknown, resolve: GroupAuthorResolver): Promise<{ chain: GroupChain; unverified: number }> {
    const chain = GroupChain.deserialise(record);
    chain.#pending.clear();
    let unverified = 0;
    for (const [index, link] of chain.#links.entries()) {
      const { change } = decodeGroupChange(link.change);
      const author = await resolve(change.author.address, change.author.deviceId);
      if (author === undefined) {
        unverified += 1;
        continue;
      }
      await verifyGroupChange(link.change, author.signingKey);
      // A creation records its author in its own state; any other change, in its parent's.
      const parent = index > 0 ? (chain.#links[index - 1] as Link).state : change.epoch === 1 ? link.state : undefined;
      const recorded = parent ? groupMember(parent, change.author.address)?.userKey : undefined;
      if (recorded !== undefined && encodeHex(recorded) !== encodeHex(author.userKey))
        throw new ProtocolError('not_a_member', 'group chain: a change by a member under another user key');
    }
    return { chain, unverified };
  }

  /**
   * The stored form (groups.md §5.3): version, the oldest state kept, the changes of the branch
   * after it, and the pending changes (none with `pending: false`: a handover, §5.4). Losing
   * states are not stored: a late child of one waits as pending until the window passes it.
   */
  serialise({ pending = true }: { readonly pending?: boolean } = {}): Uint8Array {
    const [first, ...rest] = this.#links as [Link, ...Link[]];
    const writer = protocolWriter().u8(GROUP_CHAIN_RECORD_VERSION).bytes32(encodeGroupState(first.state));
    writer.bytes16(first.change).u8(rest.length);
    for (const link of rest) writer.bytes16(link.change);
    const waiting = pending ? [...this.#pending.values()].flat() : [];
    writer.u16(waiting.length);
    for (const entry of waiting) writer.bytes16(entry.change);
    return writer.finish();
  }

  /**
   * Reads a stored chain. The changes were verified when received and the store is the member's
   * own (encrypted at rest, storage.md), so the states are re-derived without the signatures.
   */
  static deserialise(input: unknown): GroupChain {
    const what = 'group chain record';
    const maxBytes =
      5 + MAX_GROUP_STATE_BYTES + (GROUP_CHAIN_HISTORY + MAX_PENDING_GROUP_CHANGES) * (2 + MAX_GROUP_CHANGE_BYTES) + 3;
    const reader = protocolReader(expectBytesInput(input, what, maxBytes), what);
    if (reader.u8('version') !== GROUP_CHAIN_RECORD_VERSION)
      throw new ProtocolError('version_unknown', `${what}: unknown version`);
    const firstState = decodeGroupState(reader.bytes32(MAX_GROUP_STATE_BYTES, 'oldest state'));
    const firstChange = reader.bytes16(MAX_GROUP_CHANGE_BYTES, 'oldest change');
    const { change } = decodeGroupChange(firstChange);
    const stateHash = groupStateHash(firstState);
    const links: Link[] = [
      {
        state: firstState,
        stateHash,
        key: encodeHex(stateHash),
        change: firstChange,
        changeHash: groupChangeHash(firstChange),
        leaver: undefined,
      },
    ];
    if (change.epoch !== firstState.epoch)
      throw new ProtocolError('malformed', `${what}: the oldest change is not the oldest state's`);
    const count = reader.count(reader.u8('link count'), GROUP_CHAIN_HISTORY - 1, 'link count');
    for (let i = 0; i < count; i += 1) {
      const bytes = reader.bytes16(MAX_GROUP_CHANGE_BYTES, 'change');
      const parent = (links[links.length - 1] as Link).state;
      const decoded = decodeGroupChange(bytes).change;
      const member = groupMember(parent, decoded.author.address);
      if (member === undefined) throw new ProtocolError('malformed', `${what}: a change by a non-member`);
      const state = applyGroupOps(parent, decoded, member.userKey);
      links.push(
        linkOf(
          parent,
          { change: decoded, state, stateHash: groupStateHash(state), changeHash: groupChangeHash(bytes) },
          bytes,
        ),
      );
    }
    const chain = new GroupChain(links);
    const pendingCount = reader.count(reader.u16('pending count'), MAX_PENDING_GROUP_CHANGES, 'pending count');
    for (let i = 0; i < pendingCount; i += 1) {
      const bytes = reader.bytes16(MAX_GROUP_CHANGE_BYTES, 'pending change');
      const decoded = decodeGroupChange(bytes).change;
      const key = encodeHex(decoded.parentHash);
      chain.#pending.set(key, [
        ...(chain.#pending.get(key) ?? []),
        { change: bytes, key: encodeHex(groupChangeHash(bytes)), epoch: decoded.epoch },
      ]);
    }
    reader.end();
    return chain;
  }
}
