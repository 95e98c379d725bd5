/**
 * A stand-in for WebRTC between the page hosts of several test devices (direct-ports.ts): each
 * offer or answer carries a fingerprint of a certificate made for it, a connection comes up once
 * the offer's answer is accepted, and frames cross in order, copied, a turn of the event loop
 * later. Like a browser, it refuses to connect when a description names another certificate than
 * the one the other side holds; `trustAnyCertificate` plays a browser that would not, so that the
 * messenger's own check is what is tested.
 */
import { randomBytes, sha256 } from '@opendescent/crypto';
import type { DirectHostPort, DirectLink, IceOptions, LocalSide } from '../../src/messenger/direct/direct-ports';

export function sdpWithFingerprint(fingerprint: Uint8Array): string {
  const hex = [...fingerprint].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=candidate:1 1 udp 2122260223 10.77.0.1 40000 typ host',
    `a=fingerprint:sha-256 ${hex}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=sctp-port:5000',
    '',
  ].join('\r\n');
}

export function fingerprintOf(sdp: string): string {
  return /a=fingerprint:sha-256 (\S+)/.exec(sdp)?.[1] ?? '';
}

class FakeLink implements DirectLink {
  peer: FakeLink | undefined;
  private opened = false;
  private closed = false;
  private readonly openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly frameListeners: ((frame: unknown) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly network: FakeDirectNetwork) {}

  whenOpen(): Promise<void> {
    if (this.opened) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('closed'));
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve, reject }));
  }

  open(): void {
    if (this.closed || this.opened) return;
    this.opened = true;
    for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
  }

  send(frame: Uint8Array): void {
    if (!this.opened || this.closed) throw new Error('InvalidStateError: the channel is not open');
    if (frame[0] === 0x01) this.network.dataFrames += 1;
    const copy = this.network.rewriteFrame(frame.slice());
    const peer = this.peer;
    if (copy) setTimeout(() => peer?.deliver(copy), 0);
  }

  deliver(frame: unknown): void {
    if (this.closed) return;
    for (const listener of this.frameListeners) listener(frame);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.openWaiters.splice(0)) waiter.reject(new Error('closed'));
    for (const listener of this.closeListeners) listener();
    const peer = this.peer;
    setTimeout(() => peer?.close(), 0);
  }

  onFrame(listener: (frame: unknown) => void): void {
    this.frameListeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
}

interface Side {
  readonly host: FakeDirectHost;
  readonly certificate: Uint8Array;
  readonly sdp: string;
  readonly link: FakeLink;
  readonly ice: IceOptions;
}

export class FakeDirectHost implements DirectHostPort {
  private readonly connected: ((channel: string, certificate: Uint8Array) => void)[] = [];
  private readonly failed: ((channel: string) => void)[] = [];
  /** Every ICE policy this host was asked for, in order. */
  readonly policies: IceOptions['policy'][] = [];

  constructor(
    private readonly network: FakeDirectNetwork,
    readonly name: string,
  ) {}

  async offer(channel: string, ice: IceOptions): Promise<LocalSide> {
    this.policies.push(ice.policy);
    const side = this.side(ice);
    this.network.offers.set(channel, side);
    return { sdp: side.sdp, link: side.link };
  }

  async answer(channel: string, offerSdp: string, ice: IceOptions): Promise<LocalSide> {
    this.policies.push(ice.policy);
    const side = this.side(ice);
    this.network.answers.set(channel, { ...side, remoteSdp: offerSdp });
    return { sdp: side.sdp, link: side.link };
  }

  async accept(channel: string, answerSdp: string): Promise<void> {
    const offerer = this.network.offers.get(channel);
    const answerer = this.network.answers.get(channel);
    if (!offerer || !answerer) throw new Error('nothing to accept');
    setTimeout(() => this.network.connect(channel, offerer, answerer, answerSdp), 5);
  }

  close(channel: string): void {
    this.network.offers.get(channel)?.link.close();
    this.network.answers.get(channel)?.link.close();
  }

  onConnected(listener: (channel: string, certificate: Uint8Array) => void): void {
    this.connected.push(listener);
  }

  onFailed(listener: (channel: string) => void): void {
    this.failed.push(listener);
  }

  emitConnected(channel: string, certificate: Uint8Array): void {
    for (const listener of this.connected) listener(channel, certificate);
  }

  emitFailed(channel: string): void {
    for (const listener of this.failed) listener(channel);
  }

  private side(ice: IceOptions): Side {
    const certificate = randomBytes(300);
    return {
      host: this,
      certificate,
      sdp: sdpWithFingerprint(sha256(certificate)),
      link: new FakeLink(this.network),
      ice,
    };
  }
}

export class FakeDirectNetwork {
  readonly offers = new Map<string, Side>();
  readonly answers = new Map<string, Side & { readonly remoteSdp: string }>();
  /** A browser that skips its own fingerprint check: only the messenger's check stands. */
  trustAnyCertificate = false;
  /** The certificate each side is shown of the other (a man in the middle swaps it). */
  presentCertificate: (real: Uint8Array) => Uint8Array = (real) => real;
  /** Frames as they cross (a hostile peer's bytes, say); undefined: lost. */
  rewriteFrame: (frame: Uint8Array) => Uint8Array | undefined = (frame) => frame;
  /** Channels that came up. */
  connections = 0;
  /** While true, no connection comes up (the hosts cannot reach each other). */
  unreachable = false;
  /** Hosts no connection comes up with. */
  readonly unreachableHosts = new Set<string>();
  /** Data frames sent on every channel. */
  dataFrames = 0;

  host(name: string): FakeDirectHost {
    return new FakeDirectHost(this, name);
  }

  /** Cuts every channel, as a network that went away. */
  cutAll(): void {
    for (const side of [...this.offers.values(), ...this.answers.values()]) {
      side.link.close();
      side.host.emitFailed(this.channelOf(side));
    }
  }

  connect(channel: string, offerer: Side, answerer: Side & { remoteSdp: string }, answerSdp: string): void {
    if (
      this.unreachable ||
      this.unreachableHosts.has(offerer.host.name) ||
      this.unreachableHosts.has(answerer.host.name)
    )
      return;
    const fine =
      this.trustAnyCertificate ||
      (fingerprintOf(answerSdp) === fingerprintOf(answerer.sdp) &&
        fingerprintOf(answerer.remoteSdp) === fingerprintOf(offerer.sdp));
    if (!fine) {
      offerer.host.emitFailed(channel);
      answerer.host.emitFailed(channel);
      return;
    }
    this.connections += 1;
    offerer.link.peer = answerer.link;
    answerer.link.peer = offerer.link;
    offerer.link.open();
    answerer.link.open();
    offerer.host.emitConnected(channel, this.presentCertificate(answerer.certificate));
    answerer.host.emitConnected(channel, this.presentCertificate(offerer.certificate));
  }

  private channelOf(side: Side): string {
    for (const [channel, s] of [...this.offers, ...this.answers]) if (s === side) return channel;
    return '';
  }
}
