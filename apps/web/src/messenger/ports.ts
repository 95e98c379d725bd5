import type { DeviceIdentity, Ed25519KeyPair } from '@opendescent/crypto';
import type { PrekeyPublishMode, PutManyStatus } from '@opendescent/protocol';
import type { RelayStatus } from './api';

/**
 * What the messenger needs from the outside world, declared once so that the browser wiring
 * (service.ts) and the tests can each supply their own: the admin app's device API, relay
 * connections, the clock. Network clients live in ../net; the store in ../store.
 */
export interface OrgDocument {
  readonly orgId: Uint8Array;
  readonly keys: readonly { readonly publicKey: Uint8Array; readonly status: string }[];
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
}

export interface AdminPort {
  enrol(input: { code: string; identity: DeviceIdentity; prekeySlotId: Uint8Array }): Promise<AttestationAnswer>;
  renew(input: { orgId: Uint8Array; deviceId: Uint8Array; identity: DeviceIdentity; prekeySlotId?: Uint8Array }): Promise<AttestationAnswer>;
  lookup(input: {
    orgId: Uint8Array;
    deviceId: Uint8Array;
    attestation: Uint8Array;
    identity: DeviceIdentity;
    address: string;
  }): Promise<{ address: string; devices: readonly DirectoryDevice[] }>;
  revocationList(): Promise<Uint8Array>;
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
  onStatus(listener: (status: RelayStatus, detail?: string) => void): void;
  onNotice(listener: (name: string) => void): void;
  onDeliver(listener: (delivery: RelayDeliveryEvent) => void): void;
  /** A remembered subscription refused after a reconnection (`auth`: the relay lost the queue). */
  onSubscriptionError(listener: (recipientId: Uint8Array, error: { code: string }) => void): void;
  createQueue(recipientKey: Ed25519KeyPair): Promise<{ recipientId: Uint8Array; senderId: Uint8Array }>;
  putMany(entries: readonly { senderId: Uint8Array; blob: Uint8Array }[], ttl?: number): Promise<PutManyStatus[]>;
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

export type RelayCredentials = () => Promise<{ attestation: Uint8Array; signingKey: Ed25519KeyPair['privateKey'] }>;

export type RelayFactory = (url: string, credentials: RelayCredentials) => RelayPort;

export interface MessengerEnvironment {
  readonly relayUrls: readonly string[];
  readonly admin: AdminPort;
  readonly relayFactory: RelayFactory;
  /** ms since the epoch. */
  readonly now: () => number;
  readonly revocationPollMs: number;
}
