/**
 * What the messenger needs from the page to run direct channels (docs/protocol/direct.md,
 * decision 0015): a dedicated worker has no RTCPeerConnection, so the page runs it and hands the
 * worker the data channel. The page sees SDP and nothing else: no key, no frame's content.
 */

/** The ICE policy of one peer connection (direct.md §8): servers come from the organisation only. */
export interface IceOptions {
  /** `relay`: TURN candidates only (the `turn_only` setting). */
  readonly policy: 'all' | 'relay';
  readonly servers: readonly IceServer[];
}

export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** One data channel (`od1`, id 0), as the worker holds it once the page transferred it. */
export interface DirectLink {
  /** Resolves once the channel is open; rejects if it closes first. */
  whenOpen(): Promise<void>;
  send(frame: Uint8Array): void;
  close(): void;
  /** Each message as it came; anything but bytes is passed on as it is, and refused as malformed. */
  onFrame(listener: (frame: unknown) => void): void;
  onClose(listener: () => void): void;
}

/** A local description and the channel made with it. */
export interface LocalSide {
  /** The complete SDP, every candidate gathered (at most 2 s of gathering, direct.md §3). */
  readonly sdp: string;
  readonly link: DirectLink;
}

/** The page's side, one peer connection per channel id. */
export interface DirectHostPort {
  offer(channel: string, ice: IceOptions): Promise<LocalSide>;
  answer(channel: string, offerSdp: string, ice: IceOptions): Promise<LocalSide>;
  /** The peer's answer to an offer of ours. */
  accept(channel: string, answerSdp: string): Promise<void>;
  close(channel: string): void;
  /** DTLS is up: the DER of the peer's certificate (empty when the browser gave none). */
  onConnected(listener: (channel: string, certificate: Uint8Array) => void): void;
  /** The connection failed or closed. */
  onFailed(listener: (channel: string) => void): void;
}

/** A direct channel's setting (direct.md §8, decision 0015): `direct` unless the person chose otherwise. */
export type DirectSetting = 'off' | 'direct' | 'turn_only';
export const DIRECT_SETTINGS: readonly DirectSetting[] = ['off', 'direct', 'turn_only'];

/** Why a channel closed or was never made (the `reason` of `rtc_close`, direct.md §3). */
export type DirectCloseReason = 'closed' | 'refused' | 'bad_sdp' | 'fingerprint_mismatch' | 'timeout' | 'malformed';
export const DIRECT_CLOSE_REASONS: readonly DirectCloseReason[] = [
  'closed',
  'refused',
  'bad_sdp',
  'fingerprint_mismatch',
  'timeout',
  'malformed',
];
