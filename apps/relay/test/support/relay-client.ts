/**
 * A well-behaved relay client for the tests, on the real socket.io-client, plus an organisation
 * made at test time (attestations and revocation lists signed with a fresh key).
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
// The tests play the organisation and the devices, which hold private keys; the relay's own
// sources never import @opendescent/crypto (eslint.config.mjs). This is the one place tests do.
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';

export { generateEd25519KeyPair, type Ed25519KeyPair };
import {
  decodeChallenge,
  decodeDeliver,
  decodeRelayReply,
  encodeAck,
  encodeCreate,
  encodeDelete,
  encodeFetch,
  encodeHello,
  encodePrekeyClaim,
  encodePrekeyFetch,
  encodePrekeyPublish,
  encodePut,
  encodePutMany,
  encodeRevocationPush,
  encodeSubscribe,
  signAttestation,
  signRevocationList,
  PROVEN_ON_THIS_CONNECTION,
  type PrekeyPublishMode,
  type PutManyEntry,
  type RelayDelivery,
  type RelayErrorReply,
  type RelayLimits,
  type RelayReply,
  type RevokedDevice,
} from '@opendescent/protocol';
import type { RelayConfig } from '../../src/config/relay-config';
import { loadRelayConfig } from '../../src/config/relay-config';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface TestOrg {
  readonly orgId: Uint8Array;
  readonly key: Ed25519KeyPair;
}

export async function newOrg(): Promise<TestOrg> {
  return { orgId: new Uint8Array(randomBytes(16)), key: await generateEd25519KeyPair() };
}

/** The relay's configuration for an organisation, with test-friendly overrides. */
export function relayConfig(org: TestOrg, env: Record<string, string> = {}): RelayConfig {
  return loadRelayConfig({
    RELAY_PORT: '0',
    RELAY_LOG_LEVEL: 'silent',
    RELAY_ORG_ID: Buffer.from(org.orgId).toString('hex'),
    RELAY_ORG_PUBLIC_KEYS: Buffer.from(org.key.publicKey).toString('hex'),
    RELAY_RATE_PER_SECOND: '100000',
    RELAY_RATE_BURST: '100000',
    ...env,
  });
}

export interface TestDevice {
  readonly deviceId: Uint8Array;
  readonly key: Ed25519KeyPair;
  readonly attestation: Uint8Array;
  readonly userAddress: string;
}

export async function newDevice(
  org: TestOrg,
  options: { issuedAt?: number; expiresAt?: number; signer?: Ed25519KeyPair; userAddress?: string } = {},
): Promise<TestDevice> {
  const key = await generateEd25519KeyPair();
  const deviceId = new Uint8Array(randomBytes(16));
  const issuedAt = options.issuedAt ?? nowSeconds() - 60;
  const userAddress = options.userAddress ?? `staff-${Buffer.from(deviceId).toString('hex').slice(0, 6)}@ministry.example`;
  const attestation = await signAttestation(
    {
      orgId: org.orgId,
      deviceId,
      userAddress,
      displayName: 'Test Staff',
      signingKey: key.publicKey,
      agreementKey: new Uint8Array(32).fill(9),
      issuedAt,
      expiresAt: options.expiresAt ?? issuedAt + 7 * 24 * 3600,
    },
    (options.signer ?? org.key).privateKey,
  );
  return { deviceId, key, attestation, userAddress };
}

export async function revocationList(org: TestOrg, listVersion: number, revoked: readonly Uint8Array[]): Promise<Uint8Array> {
  const entries: RevokedDevice[] = revoked.map((deviceId) => ({ deviceId, revokedAt: nowSeconds(), reason: 'lost_or_stolen' }));
  return signRevocationList({ orgId: org.orgId, listVersion, issuedAt: nowSeconds(), revoked: entries }, org.key.privateKey);
}

export interface TestQueue {
  readonly recipientId: Uint8Array;
  readonly senderId: Uint8Array;
  readonly key: Ed25519KeyPair;
}

export class RelayClient {
  readonly deliveries: RelayDelivery[] = [];
  readonly notices: RelayErrorReply[] = [];
  readonly replies: RelayReply[] = [];
  #requestId = 0;
  #waiters: (() => void)[] = [];

  private constructor(
    readonly socket: Socket,
    readonly challenge: Uint8Array,
    readonly limits: RelayLimits,
  ) {
    socket.on('deliver', (frame: ArrayBuffer) => {
      this.deliveries.push(decodeDeliver(frame));
      this.wake();
    });
    socket.on('notice', (frame: ArrayBuffer) => {
      this.notices.push(decodeRelayReply(frame) as RelayErrorReply);
      this.wake();
    });
    socket.on('reply', (frame: ArrayBuffer) => {
      this.replies.push(decodeRelayReply(frame));
      this.wake();
    });
  }

  static async connect(url: string): Promise<RelayClient> {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const frame = await new Promise<ArrayBuffer>((resolve, reject) => {
      socket.once('challenge', resolve);
      socket.once('connect_error', reject);
    });
    const { challenge, limits } = decodeChallenge(frame);
    return new RelayClient(socket, challenge, limits);
  }

  /** Connects and completes hello. */
  static async signedIn(url: string, device: TestDevice): Promise<RelayClient> {
    const client = await RelayClient.connect(url);
    const reply = await client.hello(device);
    if (!reply.ok) throw new Error(`hello refused: ${reply.error}`);
    return client;
  }

  nextRequestId(): number {
    return ++this.#requestId;
  }

  /** Emits a frame with an acknowledgement and decodes the reply. */
  async request(event: string, frame: Uint8Array): Promise<RelayReply> {
    const reply = await this.socket.timeout(5_000).emitWithAck(event, frame);
    return decodeRelayReply(reply);
  }

  async hello(device: TestDevice): Promise<RelayReply> {
    return this.request('hello', await encodeHello({ requestId: this.nextRequestId(), attestation: device.attestation }, this.challenge, device.key.privateKey));
  }

  async createQueue(): Promise<TestQueue> {
    const key = await generateEd25519KeyPair();
    const reply = await this.request('create', await encodeCreate({ requestId: this.nextRequestId() }, { challenge: this.challenge, key: key.privateKey }));
    if (!reply.ok || reply.command !== 'create') throw new Error(`create refused: ${JSON.stringify(reply)}`);
    return { recipientId: reply.recipientId, senderId: reply.senderId, key };
  }

  put(senderId: Uint8Array, blob: Uint8Array, ttl = 0): Promise<RelayReply> {
    return this.request('put', encodePut({ requestId: this.nextRequestId(), senderId, ttl, blob }));
  }

  putMany(entries: PutManyEntry[], ttl = 0): Promise<RelayReply> {
    return this.request('put_many', encodePutMany({ requestId: this.nextRequestId(), ttl, entries }));
  }

  async subscribe(queue: TestQueue, key = queue.key): Promise<RelayReply> {
    return this.request('subscribe', await encodeSubscribe({ requestId: this.nextRequestId(), recipientId: queue.recipientId }, { challenge: this.challenge, key: key.privateKey }));
  }

  async fetch(queue: TestQueue, max = 100, key = queue.key): Promise<RelayReply> {
    return this.request('fetch', await encodeFetch({ requestId: this.nextRequestId(), recipientId: queue.recipientId, max }, { challenge: this.challenge, key: key.privateKey }));
  }

  async ack(queue: TestQueue, messageIds: Uint8Array[], key = queue.key): Promise<RelayReply> {
    return this.request('ack', await encodeAck({ requestId: this.nextRequestId(), recipientId: queue.recipientId, messageIds }, { challenge: this.challenge, key: key.privateKey }));
  }

  /** relay.md §6.3: no signature, standing on a proof of the queue key made on this connection. */
  async fetchUnsigned(queue: Pick<TestQueue, 'recipientId'>, max = 100): Promise<RelayReply> {
    return this.request('fetch', await encodeFetch({ requestId: this.nextRequestId(), recipientId: queue.recipientId, max }, PROVEN_ON_THIS_CONNECTION));
  }

  /** relay.md §6.3: no signature, standing on a proof of the queue key made on this connection. */
  async ackUnsigned(queue: Pick<TestQueue, 'recipientId'>, messageIds: Uint8Array[]): Promise<RelayReply> {
    return this.request('ack', await encodeAck({ requestId: this.nextRequestId(), recipientId: queue.recipientId, messageIds }, PROVEN_ON_THIS_CONNECTION));
  }

  async deleteQueue(queue: TestQueue, key = queue.key): Promise<RelayReply> {
    return this.request('delete', await encodeDelete({ requestId: this.nextRequestId(), recipientId: queue.recipientId }, { challenge: this.challenge, key: key.privateKey }));
  }

  async publishPrekeys(slotId: Uint8Array, key: Ed25519KeyPair, bundle: Uint8Array, oneTimePrekeys: Uint8Array[], mode: PrekeyPublishMode = 'replace'): Promise<RelayReply> {
    return this.request(
      'prekey_publish',
      await encodePrekeyPublish({ requestId: this.nextRequestId(), slotId, mode, bundle, oneTimePrekeys }, { challenge: this.challenge, key: key.privateKey }),
    );
  }

  fetchPrekeys(slotId: Uint8Array): Promise<RelayReply> {
    return this.request('prekey_fetch', encodePrekeyFetch({ requestId: this.nextRequestId(), slotId }));
  }

  claimPrekey(slotId: Uint8Array): Promise<RelayReply> {
    return this.request('prekey_claim', encodePrekeyClaim({ requestId: this.nextRequestId(), slotId }));
  }

  pushRevocationList(list: Uint8Array): Promise<RelayReply> {
    return this.request('revocation_push', encodeRevocationPush({ requestId: this.nextRequestId(), list }));
  }

  /** Resolves when the condition holds (checked on every event), or rejects after the timeout. */
  async until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('condition not met in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  disconnected(): Promise<string> {
    return new Promise((resolve) => {
      if (this.socket.disconnected) resolve('already');
      else this.socket.once('disconnect', (reason) => resolve(reason));
    });
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

export function errorOf(reply: RelayReply): string {
  return reply.ok ? 'ok' : reply.error;
}

export const blobOf = (text: string): Uint8Array => new TextEncoder().encode(text);
export const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
