import { isRevoked } from '@opendescent/protocol';
import type { MessengerContext } from '../context';
import { fromHex } from '../encoding';
import type { Outbox } from '../outbox';
import type { Peers } from '../peers';
import { TABLES, type ContactRecord, type PeerRecord } from '../records';
import type { Transaction } from '../transaction';
import { DirectChannels, DIRECT_TIMING, type DirectTiming } from './direct-channels';
import type { DirectSetting } from './direct-ports';
import { findServedFile } from './served-files';
import { TurnServers, type TurnSource } from './turn-servers';

/**
 * Whether a device may have a channel with us (direct.md §2): approved by its person's user key,
 * not revoked, sharing a session, and each holding the other's queue (`hello` exchanged).
 */
export function eligibleForDirect(ctx: MessengerContext, tx: Transaction, peerId: string): boolean {
  const peer = tx.get<PeerRecord>(TABLES.peers, peerId);
  if (!peer || peer.revoked || peer.sessions.length === 0 || !peer.outbox || !peer.inbox) return false;
  const device = tx.get<ContactRecord>(TABLES.contacts, peer.address)?.devices[peerId];
  if (!device || device.approved !== true || device.trust === 'revoked') return false;
  return !(ctx.revocation && isRevoked(ctx.revocation, fromHex(peerId)));
}

export function directSetting(ctx: MessengerContext): DirectSetting {
  return ctx.self?.directChannels ?? 'direct';
}

/** The messenger's direct channels, wired to its outbox, inbox and sessions. */
export function createDirectChannels(
  ctx: MessengerContext,
  parts: {
    readonly peers: () => Peers;
    readonly outbox: () => Outbox;
    readonly receive: (peer: string, blob: Uint8Array) => Promise<boolean>;
    /** A relay this device reaches now, asked for the organisation's TURN server. */
    readonly relay: () => TurnSource | undefined;
  },
  timing: DirectTiming = ctx.env.directTiming ?? DIRECT_TIMING,
): DirectChannels {
  const turn = new TurnServers(parts.relay, () => ctx.now());
  return new DirectChannels(
    {
      host: ctx.env.direct,
      now: () => ctx.now(),
      selfId: () => (ctx.self && ctx.identity ? ctx.selfDeviceHex() : undefined),
      setting: () => directSetting(ctx),
      eligible: (peer) => eligibleForDirect(ctx, ctx.tx(), peer),
      iceServers: async () => [...(ctx.env.iceServers ?? []), ...(await turn.servers())],
      signal: async (peer, payload) => {
        await ctx.exclusive(async () => {
          const tx = ctx.tx();
          const record = tx.get<PeerRecord>(TABLES.peers, peer);
          const device = record && tx.get<ContactRecord>(TABLES.contacts, record.address)?.devices[peer];
          if (!device) return;
          const rewrite = ctx.env.tamper?.directSdp;
          const sent = rewrite && payload.t !== 'rtc_close' ? { ...payload, sdp: rewrite(payload.sdp) } : payload;
          await parts.peers().send(tx, device, sent);
          await ctx.commit(tx);
        });
        parts.outbox().flushSoon();
      },
      receive: parts.receive,
      serveFile: (peer, attachmentId) => findServedFile(ctx, peer, attachmentId),
      tamperFilePiece: ctx.env.tamper?.directFilePiece,
      changed: () => {
        ctx.changed();
        parts.outbox().flushSoon();
      },
    },
    timing,
  );
}
