import { randomBytes } from '@opendescent/crypto';
import { checkDirectSdp, sameDtlsFingerprint } from '@opendescent/protocol';
import { toHex } from '../encoding';
import { CHANNEL_TIMING, DirectChannel, type BlobReceiver, type ChannelTiming } from './direct-channel';
import type { FileFetch } from './direct-files';
import type { DirectCloseReason, DirectHostPort, DirectLink, DirectSetting, IceOptions } from './direct-ports';
import type { DirectSignal } from './direct-signals';
import type { ServedFileLookup } from './served-files';

/** Open channels and channels being made, per device (direct.md §7). */
export const MAX_CHANNELS = 32;
/** An offer or answer not connected and checked within this is given up (direct.md §7). */
export const OPEN_TIMEOUT_MS = 15_000;
/** An offer older than this by its `at` is dropped (direct.md §3). */
export const OFFER_MAX_AGE_MS = 60_000;
/** After a failure the offerer waits this long, doubled each time up to MAX_RETRY_WAIT_MS (direct.md §2). */
export const FIRST_RETRY_WAIT_MS = 60_000;
export const MAX_RETRY_WAIT_MS = 10 * 60_000;

export interface DirectTiming extends ChannelTiming {
  readonly openTimeoutMs: number;
  readonly firstRetryWaitMs: number;
}

export const DIRECT_TIMING: DirectTiming = {
  ...CHANNEL_TIMING,
  openTimeoutMs: OPEN_TIMEOUT_MS,
  firstRetryWaitMs: FIRST_RETRY_WAIT_MS,
};

/** What the channels need from the messenger. */
export interface DirectDeps {
  readonly host: DirectHostPort | undefined;
  readonly now: () => number;
  /** This device's id (hex), once enrolled. */
  readonly selfId: () => string | undefined;
  readonly setting: () => DirectSetting;
  /** Approved, not revoked, sharing a session and each other's queues (direct.md §2). */
  readonly eligible: (peer: string) => boolean;
  /** The ICE servers, from the organisation's configuration only (direct.md §8). */
  readonly iceServers: () => Promise<IceOptions['servers']>;
  /** Sends a signalling payload pairwise, through the outbox. */
  readonly signal: (peer: string, payload: DirectSignal) => Promise<void>;
  /** A blob that came over a channel, for the inbox. */
  readonly receive: (peer: string, blob: Uint8Array) => Promise<boolean>;
  /** What a peer's request for a file (the relay's attachment id, hex) finds here (direct.md §9). */
  readonly serveFile: (peer: string, attachmentId: string) => Promise<ServedFileLookup>;
  /** Tests only: rewrites each file piece before it is sent. */
  readonly tamperFilePiece?: ((bytes: Uint8Array) => Uint8Array) | undefined;
  /** A channel opened or closed: the outbox sends what waits, the page shows the path. */
  readonly changed: () => void;
}

interface Attempt {
  readonly peer: string;
  /** The setting it was made under: a change of setting closes it (recheck). */
  readonly setting: DirectSetting;
  readonly channel: string;
  readonly role: 'offer' | 'answer';
  readonly timer: ReturnType<typeof setTimeout>;
  remoteFingerprint?: Uint8Array;
  link?: DirectLink;
  linkOpen?: boolean;
  checked?: boolean;
  open?: DirectChannel;
}

/**
 * The direct channels of this device (docs/protocol/direct.md): who offers, the signalling, the
 * certificate check, and the open channels the outbox sends through. Every decision is here, in
 * the worker; the page only runs the peer connections (DirectHostPort, decision 0015).
 */
export class DirectChannels {
  private readonly byPeer = new Map<string, Attempt>();
  private readonly byChannel = new Map<string, Attempt>();
  private readonly retry = new Map<string, { readonly at: number; readonly wait: number }>();
  /** Channels that were open and closed lately, by id: the peer's `rtc_close` may arrive after. */
  private readonly lately = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly deps: DirectDeps,
    private readonly timing: DirectTiming = DIRECT_TIMING,
  ) {
    deps.host?.onConnected((channel, certificate) => this.connected(channel, certificate));
    deps.host?.onFailed((channel) => {
      const attempt = this.byChannel.get(channel);
      if (attempt) this.fail(attempt, 'closed', !attempt.open);
    });
  }

  /** Whether blobs for this device go over a channel now. */
  isOpen(peer: string): boolean {
    const attempt = this.byPeer.get(peer);
    if (attempt && attempt.setting !== this.deps.setting()) this.recheck();
    return this.byPeer.get(peer)?.open?.isOpen === true;
  }

  /** The devices with an open channel. */
  openPeers(): ReadonlySet<string> {
    return new Set([...this.byPeer.values()].filter((a) => a.open?.isOpen).map((a) => a.peer));
  }

  /** Sends a blob over the peer's channel: false when there is none or no ack came in time. */
  send(peer: string, blob: Uint8Array): Promise<boolean> {
    const open = this.byPeer.get(peer)?.open;
    return open ? open.send(blob) : Promise.resolve(false);
  }

  /**
   * Fetches a file's sealed bytes from the device that sent it, over its channel (direct.md §9).
   * Resolves with the first byte not written: `job.from` when there is no open channel.
   */
  fetchFile(peer: string, job: FileFetch): Promise<number> {
    const open = this.byPeer.get(peer)?.open;
    return open ? open.fetchFile(job) : Promise.resolve(job.from);
  }

  /**
   * We are about to send to this device, or heard from it: the lower device id offers a channel
   * when none is open or being made, and it is not waiting after a failure (direct.md §2).
   */
  want(peer: string): void {
    const self = this.deps.selfId();
    if (this.stopped || !this.deps.host || !self || self >= peer || this.byPeer.has(peer)) return;
    if (this.deps.setting() === 'off' || this.byPeer.size >= MAX_CHANNELS) return;
    const retry = this.retry.get(peer);
    if (retry && this.deps.now() < retry.at) return;
    if (!this.deps.eligible(peer)) return;
    void this.offer(peer);
  }

  /** A signalling payload from an approved device, after the change that received it committed. */
  async signal(peer: string, payload: DirectSignal): Promise<void> {
    if (this.stopped) return;
    if (payload.t === 'rtc_offer') return this.answerOffer(peer, payload);
    const attempt = this.byChannel.get(payload.channel);
    // The peer closed a working channel on purpose (its setting changed, it went idle): a new
    // one may be made at once, whichever side saw the channel go first.
    if (payload.t === 'rtc_close' && payload.reason === 'closed' && this.lately.get(payload.channel) === peer) {
      this.retry.delete(peer);
      return;
    }
    // An answer or a close for a channel we did not offer or answer is dropped (direct.md §3).
    if (!attempt || attempt.peer !== peer) return;
    if (payload.t === 'rtc_close') {
      const purposeful = attempt.open !== undefined && payload.reason === 'closed';
      this.fail(attempt, payload.reason, false);
      if (purposeful) this.retry.delete(peer);
      return;
    }
    if (attempt.role !== 'offer' || attempt.remoteFingerprint) return;
    try {
      attempt.remoteFingerprint = checkDirectSdp(payload.sdp);
    } catch {
      return this.fail(attempt, 'bad_sdp', true);
    }
    await this.deps.host?.accept(attempt.channel, payload.sdp).catch(() => this.fail(attempt, 'bad_sdp', true));
  }

  /** Closes every channel (lock, wipe, revocation): everything goes through the relay again. */
  stop(): void {
    this.stopped = true;
    for (const attempt of [...this.byPeer.values()]) this.fail(attempt, 'closed', false);
  }

  /** A device no longer eligible (revoked, say), or a channel made under another setting, is closed. */
  recheck(): void {
    const setting = this.deps.setting();
    for (const attempt of [...this.byPeer.values()]) {
      if (attempt.setting !== setting) {
        this.fail(attempt, 'closed', true);
        // The person changed the setting: a channel under the new one may be made at once.
        this.retry.delete(attempt.peer);
      } else if (!this.deps.eligible(attempt.peer)) this.fail(attempt, 'closed', true);
    }
  }

  private async offer(peer: string): Promise<void> {
    const host = this.deps.host;
    if (!host) return;
    const attempt = this.begin(peer, toHex(randomBytes(16)), 'offer');
    try {
      const local = await host.offer(attempt.channel, await this.ice());
      if (!this.current(attempt)) return local.link.close();
      this.watch(attempt, local.link);
      await this.deps.signal(peer, { t: 'rtc_offer', channel: attempt.channel, sdp: local.sdp, at: this.deps.now() });
    } catch {
      this.fail(attempt, 'closed', false);
    }
  }

  private async answerOffer(peer: string, offer: Extract<DirectSignal, { t: 'rtc_offer' }>): Promise<void> {
    const { channel } = offer;
    if (this.deps.now() - offer.at > OFFER_MAX_AGE_MS || this.byChannel.has(channel)) return;
    const refuse = (reason: DirectCloseReason) =>
      this.deps.signal(peer, { t: 'rtc_close', channel, reason, at: this.deps.now() }).catch(() => undefined);
    if (!this.deps.host || this.deps.setting() === 'off' || !this.deps.eligible(peer)) return refuse('refused');
    const existing = this.byPeer.get(peer);
    const self = this.deps.selfId() ?? '';
    // Crossed offers: the lower device id's offer wins (direct.md §2).
    if (existing?.role === 'offer' && !existing.remoteFingerprint && self < peer) return;
    // A new offer from the peer replaces what we had with it (it restarted, or lost its channel).
    if (existing) this.fail(existing, 'closed', false);
    if (this.byPeer.size >= MAX_CHANNELS) return refuse('refused');
    let fingerprint: Uint8Array;
    try {
      fingerprint = checkDirectSdp(offer.sdp);
    } catch {
      return refuse('bad_sdp');
    }
    const attempt = this.begin(peer, channel, 'answer');
    attempt.remoteFingerprint = fingerprint;
    try {
      const local = await this.deps.host.answer(channel, offer.sdp, await this.ice());
      if (!this.current(attempt)) return local.link.close();
      this.watch(attempt, local.link);
      await this.deps.signal(peer, { t: 'rtc_answer', channel, sdp: local.sdp, at: this.deps.now() });
    } catch {
      this.fail(attempt, 'bad_sdp', true);
    }
  }

  private async ice(): Promise<IceOptions> {
    const servers = await this.deps.iceServers().catch(() => []);
    return { policy: this.deps.setting() === 'turn_only' ? 'relay' : 'all', servers };
  }

  private begin(peer: string, channel: string, role: Attempt['role']): Attempt {
    const timer = setTimeout(() => {
      const attempt = this.byChannel.get(channel);
      if (attempt && !attempt.open) this.fail(attempt, 'timeout', true);
    }, this.timing.openTimeoutMs);
    const attempt: Attempt = { peer, channel, role, timer, setting: this.deps.setting() };
    this.byPeer.set(peer, attempt);
    this.byChannel.set(channel, attempt);
    return attempt;
  }

  private current(attempt: Attempt): boolean {
    return !this.stopped && this.byChannel.get(attempt.channel) === attempt;
  }

  private watch(attempt: Attempt, link: DirectLink): void {
    attempt.link = link;
    link.whenOpen().then(
      () => {
        attempt.linkOpen = true;
        this.openIfReady(attempt);
      },
      () => this.current(attempt) && this.fail(attempt, 'closed', true),
    );
  }

  /** DTLS is up: the peer's certificate must hash to the fingerprint that came through the ratchet (direct.md §4). */
  private connected(channel: string, certificate: Uint8Array): void {
    const attempt = this.byChannel.get(channel);
    if (!attempt || attempt.checked) return;
    if (!attempt.remoteFingerprint || !sameDtlsFingerprint(attempt.remoteFingerprint, certificate))
      return this.fail(attempt, 'fingerprint_mismatch', true);
    attempt.checked = true;
    this.openIfReady(attempt);
  }

  private openIfReady(attempt: Attempt): void {
    if (!this.current(attempt) || !attempt.checked || !attempt.linkOpen || !attempt.link || attempt.open) return;
    clearTimeout(attempt.timer);
    const receive: BlobReceiver = (blob) => this.deps.receive(attempt.peer, blob);
    attempt.open = new DirectChannel(
      attempt.peer,
      attempt.channel,
      attempt.link,
      receive,
      (reason) => this.fail(attempt, reason, reason === 'malformed'),
      {
        lookup: (attachmentId) => this.deps.serveFile(attempt.peer, attachmentId),
        tamperPiece: this.deps.tamperFilePiece,
      },
      this.timing,
    );
    this.retry.delete(attempt.peer);
    this.deps.changed();
  }

  /** Gives a channel up: the pair goes back to the relay, and `tell` says so to the peer. */
  private fail(attempt: Attempt, reason: DirectCloseReason, tell: boolean): void {
    if (this.byChannel.get(attempt.channel) !== attempt) return;
    this.byChannel.delete(attempt.channel);
    if (this.byPeer.get(attempt.peer) === attempt) this.byPeer.delete(attempt.peer);
    clearTimeout(attempt.timer);
    const wasOpen = attempt.open !== undefined;
    if (wasOpen) {
      this.lately.set(attempt.channel, attempt.peer);
      if (this.lately.size > MAX_CHANNELS) this.lately.delete(this.lately.keys().next().value as string);
    }
    attempt.open?.close(reason);
    if (!attempt.open) attempt.link?.close();
    this.deps.host?.close(attempt.channel);
    // The offerer waits before trying again, longer after each failure (direct.md §2); a channel
    // that opened starts the count afresh (openIfReady).
    const previous = this.retry.get(attempt.peer)?.wait;
    const wait = previous === undefined ? this.timing.firstRetryWaitMs : Math.min(previous * 2, MAX_RETRY_WAIT_MS);
    this.retry.set(attempt.peer, { at: this.deps.now() + wait, wait });
    if (tell && !this.stopped)
      void this.deps
        .signal(attempt.peer, { t: 'rtc_close', channel: attempt.channel, reason, at: this.deps.now() })
        .catch(() => undefined);
    if (wasOpen) this.deps.changed();
  }
}
