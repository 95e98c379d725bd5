import { constantTimeEqual } from '@opendescent/crypto';
import {
  ProtocolError,
  checkTreeHeadConsistency,
  decodeTreeHead,
  verifyTreeHead,
  type TreeHead,
} from '@opendescent/protocol';
import { AdminRequestError } from '../net/admin-errors';
import type { MessengerContext } from './context';
import type { OrgKeys } from './org-keys';
import type { AppPayload } from './payload';
import { TABLES, type ContactDeviceRecord, type PeerRecord, type SelfRecord } from './records';

/**
 * Tree-head gossip (transparency-log.md §3.4): with what a device sends another anyway, it also
 * sends the newest log head it verified, so each side can check the other's against its own and a
 * log shown one way to one person and another way to another is caught (`GossipedHeads`
 * below). Sent when the head changed since the last one this peer got, and again after
 * LOG_GOSSIP_MS; only to devices their person approved, and never in answer to gossip or in the
 * device link.
 */
export const LOG_GOSSIP_MS = 24 * 3_600_000;

const NOT_WITH: ReadonlySet<AppPayload['t']> = new Set(['tree_head', 'link', 'hello']);

/** The head to send `device` beside `payload`, or nothing. */
export function headToGossip(
  ctx: MessengerContext,
  peer: PeerRecord,
  device: ContactDeviceRecord,
  payload: AppPayload,
): { bytes: Uint8Array; treeSize: number } | undefined {
  const bytes = ctx.self?.logHead;
  if (!bytes || NOT_WITH.has(payload.t) || device.approved !== true) return undefined;
  const treeSize = decodeTreeHead(bytes).head.treeSize;
  const sent = peer.headSent;
  if (sent && sent.treeSize === treeSize && ctx.now() - sent.at < LOG_GOSSIP_MS) return undefined;
  return { bytes, treeSize };
}

/** Gossiped heads kept for a later comparison (the admin app out of reach), at most; the oldest goes first. */
export const MAX_HEADS_KEPT = 16;

/**
 * A failure that says nothing about the log: no answer (network, timeout, a gateway error), the
 * admin app busy or failing. Anything else it answered (a refusal, a proof that does not verify,
 * an answer that is not a proof) is the admin app failing to show that the two heads are one log.
 */
function outOfReach(error: unknown): boolean {
  if (error instanceof ProtocolError) return false;
  if (!(error instanceof AdminRequestError)) return true;
  return error.code === 'unreachable' || error.status === 0 || error.status === 429 || error.status >= 500;
}

/**
 * The receiving side of gossip (transparency-log.md §3.4): a head a contact's device holds,
 * compared outside `exclusive` with the head held here, the consistency proof asked of this
 * device's own admin app. A validly signed head that no valid proof joins to ours (two roots for
 * one size, a proof that fails, a proof refused) is a split view: `log_fork`, kept with their head
 * as evidence. A head that does not verify proves nothing and is dropped; one that cannot be
 * compared now (no head held yet, the admin app out of reach) is kept in memory and compared again
 * after the next check (`compareKept`).
 */
export class GossipedHeads {
  private kept: Uint8Array[] = [];

  constructor(
    private readonly ctx: MessengerContext,
    private readonly orgKeys: OrgKeys,
  ) {}

  async compare(bytes: Uint8Array): Promise<void> {
    const self = this.ctx.self;
    if (!self || this.ctx.stopped) return;
    if (!self.logHead) return this.keep(bytes);
    let theirs: TreeHead;
    try {
      await this.orgKeys.followIfUnknown(bytes);
      theirs = await verifyTreeHead(bytes, this.ctx.trusted(self));
    } catch {
      return;
    }
    const held = decodeTreeHead(self.logHead).head;
    const [older, newer] = theirs.treeSize < held.treeSize ? [theirs, held] : [held, theirs];
    let proof: readonly Uint8Array[] = [];
    try {
      if (older.treeSize < newer.treeSize)
        proof = await this.ctx.env.admin.logConsistency(older.treeSize, newer.treeSize);
      checkTreeHeadConsistency(older, newer, proof);
    } catch (error) {
      if (outOfReach(error)) return this.keep(bytes);
      await this.recordFork(bytes);
    }
  }

  /** After a check that reached the admin app: every kept head is compared once more. */
  async compareKept(): Promise<void> {
    const heads = this.kept;
    this.kept = [];
    for (const bytes of heads) await this.compare(bytes);
  }

  private keep(bytes: Uint8Array): void {
    if (this.kept.some((kept) => constantTimeEqual(kept, bytes))) return;
    this.kept = [...this.kept, bytes].slice(-MAX_HEADS_KEPT);
  }

  private recordFork(evidence: Uint8Array): Promise<void> {
    return this.ctx.exclusive(async () => {
      const current = this.ctx.self;
      if (!current || current.logAlert?.code === 'log_fork') return;
      const tx = this.ctx.tx();
      tx.put(TABLES.self, 'device', {
        ...current,
        logAlert: { code: 'log_fork', at: this.ctx.now(), evidence },
      } satisfies SelfRecord);
      await this.ctx.commit(tx);
    });
  }
}
