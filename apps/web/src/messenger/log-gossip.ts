import { decodeTreeHead } from '@opendescent/protocol';
import type { MessengerContext } from './context';
import type { AppPayload } from './payload';
import type { ContactDeviceRecord, PeerRecord } from './records';

/**
 * Tree-head gossip (transparency-log.md §3.4): with what a device sends another anyway, it also
 * sends the newest log head it verified, so each side can check the other's against its own and a
 * log shown one way to one person and another way to another is caught (log-monitor.ts
 * compareGossiped). Sent when the head changed since the last one this peer got, and again after
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
