import type { GroupChange } from '@opendescent/protocol';
import type { DeviceIdentity, Ed25519KeyPair } from '@opendescent/crypto';
import type { PrekeyPublishMode, TurnCredentials } from '@opendescent/protocol';
import type { AdmittedAttachment, AttachmentRequest, RelayCredentials } from '@opendescent/relay-client';
import type { RelayStatus } from './api';
import type { AppPayload } from './payload';
import type { DirectTiming } from './direct/direct-channels';
import type { DirectHostPort, IceServer } from './direct/direct-ports';

/**
 * What the messenger needs from the outside world, declared once so that the browser wiring
 * (service.ts) and the tests can each supply their own: the admin app's device API, relay
 * connections, the clock. Network clients live in ../net; the store in ../store.
 */
export interface OrgDocument {
  readonly orgId: Uint8Array;
  readonly keys: readonly { readonly publicKey: Uint8Array; readonly status: string; readonly pinnedUntil?: number }[];
  /** Organisation-key statements, oldest first (attestations.md §4): how a rotation is followed. */
  readonly statements: readonly Uint8Array[];
}

export interface AttestationAnswer {
  readonly deviceId: Uint8Array;
  readonly attestation: Uint8Array;
  readonly expiresAt: number;
  readonly renewAfter: number;
  readonly org: OrgDocument;
}

export interface DirectoryDevice {
  readonly deviceId: Uint8Array;
  readonly attestation: Uint8Array;
  readonly prekeySlotId?: Uint8Array;
  /** user-keys.md §2: its person's user key approved it; verified by the messenger (user-keys.ts). */
  readonly certificate?: Uint8Array;
}

export interface AdminPort {
  enrol(input: { code: string; identity: DeviceIdentity; prekeySlotId: Uint8Array }): Promise<AttestationAnswer>;
  renew(input: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    identity: DeviceIdentity;
    prekeySlotId?: Uint8Array;
  }): Promise<AttestationAnswer>;
  lookup(input: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    attestation: Uint8Array;
    identity: DeviceIdentity;
    address: string;
  }): Promise<{ address: string; devices: readonly DirectoryDevice[] }>;
  revocationList(): Promise<Uint8Array>;
  /** admin-api.md §12: publishes a device certificate, signed by this device (a device of the same person). */
  certify(input: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    identity: DeviceIdentity;
    certificate: Uint8Array;
  }): Promise<{ deviceId: Uint8Array; logIndex: number }>;
  /** admin-api.md §9.1: the organisation's keys and the statements that rotate them. */
  org(): Promise<OrgDocument>;
  /** transparency-log.md §5: the newest signed tree head, an inclusion proof, a consistency proof (checked by the caller). */
  logHead(): Promise<Uint8Array>;
  logInclusion(
    leafHash: Uint8Array,
    treeSize: number,
  ): Promise<{ leafIndex: number; treeSize: number; proof: readonly Uint8Array[] }>;
  logConsistency(from: number, to: number): Promise<readonly Uint8Array[]>;
  /** admin-api.md: the token key set, signed by the organisation key (verified by the caller). */
  tokenKeys(): Promise<Uint8Array>;
  /** admin-api.md: blind signatures for 1..20 token requests, signed like renew (access-tokens.md §5). */
  tokens(input: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    identity: DeviceIdentity;
    tokenKeyId: Uint8Array;
    requests: readonly Uint8Array[];
  }): Promise<{ tokenKeyId: Uint8Array; responses: readonly Uint8Array[] }>;
}

export interface RelayDeliveryEvent {
  readonly recipientId: Uint8Array;
  readonly messageId: Uint8Array;
  readonly receivedAt: number;
  readonly blob: Uint8Array;
}

export interface RelayPort {
  readonly url: string;
  readonly status: RelayStatus;
  start(): void;
  stop(): void;
  /** `detail`: the relay error behind an `offline` or `refused` status (a refused token: `token_*`). */
  onStatus(listener: (status: RelayStatus, detail?: string) => void): void;
  onDeliver(listener: (delivery: RelayDeliveryEvent) => void): void;
  /** A signed revocation list the relay pushed, to be verified (attestations.md §3). */
  onRevocation(listener: (list: Uint8Array) => void): void;
  /** A hello (reading or sending) refused for its token: on `token_unknown_key`, refetch the token key set. */
  onTokenRefused(listener: (code: string) => void): void;
  /** A remembered subscription refused after a reconnection (`auth`: the relay lost the queue). */
  onSubscriptionError(listener: (recipientId: Uint8Array, error: { code: string }) => void): void;
  createQueue(recipientKey: Ed25519KeyPair): Promise<{ recipientId: Uint8Array; senderId: Uint8Array }>;
  /** Per entry, in order: `ok`, the relay's status, or why its frame failed (`offline`, `timeout`…). */
  putMany(entries: readonly { senderId: Uint8Array; blob: Uint8Array }[], ttl?: number): Promise<readonly string[]>;
  /** Stores one blob every member fetches (relay.md §3.13); resolves with its random shared id. */
  putShared(blob: Uint8Array, ttl?: number): Promise<Uint8Array>;
  /** A shared blob by id (relay.md §3.14), over a sending connection; rejects `not_found` once it expired. */
  fetchShared(sharedId: Uint8Array): Promise<Uint8Array>;
  /** The organisation's TURN server and a short-lived credential (relay.md §3.16); rejects `not_found` when none. */
  turnCredentials?(): Promise<TurnCredentials>;
  /** Admits an attachment upload (relay.md §3.15), over a sending connection: the two capabilities and the expiry. */
  createAttachment(request: AttachmentRequest): Promise<AdmittedAttachment>;
  subscribe(recipientId: Uint8Array, recipientKey: Ed25519KeyPair): Promise<void>;
  unsubscribeLocal?(recipientId: Uint8Array): void;
  ack(recipientId: Uint8Array, recipientKey: Ed25519KeyPair, messageIds: readonly Uint8Array[]): Promise<void>;
  publishPrekeys(
    slotId: Uint8Array,
    slotKey: Ed25519KeyPair,
    mode: PrekeyPublishMode,
    bundle: Uint8Array,
    oneTimeItems: readonly Uint8Array[],
  ): Promise<number>;
  fetchPrekeys(slotId: Uint8Array): Promise<{ remaining: number; bundle: Uint8Array }>;
  claimPrekeys(slotId: Uint8Array): Promise<{ bundle: Uint8Array; oneTime: Uint8Array | null }>;
}

export type { RelayCredentials };

export type RelayFactory = (url: string, credentials: RelayCredentials) => RelayPort;

export interface MessengerEnvironment {
  readonly relayUrls: readonly string[];
  readonly admin: AdminPort;
  readonly relayFactory: RelayFactory;
  /** ms since the epoch. */
  readonly now: () => number;
  readonly revocationPollMs: number;
  /** How often the transparency log is checked; LOG_CHECK_MS when absent. */
  readonly logCheckMs?: number;
  /** How often this person's own devices are looked up (user-key.ts); OWN_DEVICES_CHECK_MS when absent. */
  readonly ownDevicesCheckMs?: number;
  /** The page's peer connections (direct.md, decision 0015); absent: every message goes through a relay. */
  readonly direct?: DirectHostPort;
  /** The organisation's STUN/TURN servers (direct.md §8); absent: host candidates only. */
  readonly iceServers?: readonly IceServer[];
  /** Tests only: shorter timeouts for direct channels (DIRECT_TIMING when absent). */
  readonly directTiming?: DirectTiming;
  /** Tests only: received files up to this size are fetched on arrival (AUTO_DOWNLOAD_BYTES when absent). */
  readonly autoDownloadBytes?: number;
  /** Tests only, never set by the app (service.ts ServiceDependencies.tamper). */
  readonly tamper?: Tamper;
}

/**
 * A member whose client writes what it likes into what it sends, for the tests of what a receiver
 * must not believe (messenger-message-identity.spec.ts): the id of its next message, and any
 * payload just before it is encrypted. The receiver's checks are what is tested, not this.
 */
export interface Tamper {
  readonly messageId?: () => string | undefined;
  readonly payload?: (payload: AppPayload) => AppPayload;
  /** Rewrites a group change before it is signed (group-changes it could not make, an epoch out of reach). */
  readonly groupChange?: (change: GroupChange) => GroupChange;
  /** Sends a change its own chain refuses (a non-administrator's removal, say), as a hostile client would. */
  readonly sendRefusedGroupChanges?: boolean;
  /** Rewrites the SDP of a direct channel's offer or answer before it is sent (a wrong fingerprint, say). */
  readonly directSdp?: (sdp: string) => string;
  /** Rewrites each sealed piece of a file this device serves over a direct channel (bytes that do not check). */
  readonly directFilePiece?: (bytes: Uint8Array) => Uint8Array;
}
