/**
 * A well-behaved relay client for the tests, on the real socket.io-client, plus an organisation
 * made at test time: an organisation key, a Privacy Pass issuer whose token key set it signs
 * (served over HTTP as the admin app serves it, so every relay a test starts pins it through
 * RELAY_TOKEN_KEYS_URL), and revocation lists.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Socket } from 'socket.io-client';
import { RelayConnection } from '@opendescent/relay-client';
// The tests play the organisation and the devices, which hold private keys; the relay's own
// sources never import @opendescent/crypto (eslint.config.mjs). This is the one place tests do.
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import { TestTokenIssuer } from '@opendescent/protocol/testing';

export { generateEd25519KeyPair, type Ed25519KeyPair };
import {
  decodeRelayReply,
  encodeAck,
  encodeAttachCreate,
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
  orgKeyId,
  relayOriginOf,
  signRevocationList,
  PROVEN_ON_THIS_CONNECTION,
  type PrekeyPublishMode,
  type PutManyEntry,
  type RelayDelivery,
  type RelayErrorName,
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
  readonly issuer: TestTokenIssuer;
  /** Where relays fetch the token key set (RELAY_TOKEN_KEYS_URL). */
  readonly keysUrl: string;
  /** Serves these bytes as the token key set from now on. */
  publishKeySet(bytes: Uint8Array): void;
  /** Where relays read the organisation document (RELAY_ORG_URL, admin-api.md §9.1). */
  readonly orgUrl: string;
  /** Serves this as the organisation document from now on (JSON, or any text: a test may serve junk). */
  publishOrgDocument(document: unknown): void;
  /** How many times the organisation document was asked for. */
  orgReads(): number;
}

export async function newOrg(): Promise<TestOrg> {
  const orgId = new Uint8Array(randomBytes(16));
  const key = await generateEd25519KeyPair();
  const issuer = await TestTokenIssuer.create(orgId, key);
  let served = await issuer.keySet();
  let orgDocument: unknown = {
    orgId: Buffer.from(orgId).toString('base64url'),
    keys: [
      {
        keyId: Buffer.from(orgKeyId(key.publicKey)).toString('base64url'),
        publicKey: Buffer.from(key.publicKey).toString('base64url'),
        status: 'active',
      },
    ],
    revocationListVersion: 1,
    statements: [],
  };
  let orgReads = 0;
  const server = createServer((request, response) => {
    if (request.url === '/api/v1/org') {
      orgReads += 1;
      response.setHeader('Content-Type', 'application/json');
      response.end(typeof orgDocument === 'string' ? orgDocument : JSON.stringify(orgDocument));
      return;
    }
    response.setHeader('Content-Type', 'application/octet-stream');
    response.end(Buffer.from(served));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    orgId,
    key,
    issuer,
    keysUrl: `http://127.0.0.1:${port}/api/v1/token-keys`,
    publishKeySet: (bytes) => {
      served = bytes;
    },
    orgUrl: `http://127.0.0.1:${port}/api/v1/org`,
    publishOrgDocument: (document) => {
      orgDocument = document;
    },
    orgReads: () => orgReads,
  };
}

/** The relay's configuration for an organisation, with test-friendly overrides. */
export function relayConfig(org: TestOrg, env: Record<string, string> = {}): RelayConfig {
  return loadRelayConfig({
    RELAY_PORT: '0',
    RELAY_LOG_LEVEL: 'silent',
    RELAY_ORG_ID: Buffer.from(org.orgId).toString('hex'),
    RELAY_ORG_PUBLIC_KEYS: Buffer.from(org.key.publicKey).toString('hex'),
    RELAY_TOKEN_KEYS_URL: org.keysUrl,
    RELAY_RATE_PER_SECOND: '100000',
    RELAY_RATE_BURST: '100000',
    ...env,
  });
}

/** What a device brings to a relay now: access tokens from its organisation's issuer (relay.md §3.2), nothing that names it. */
export interface TestDevice {
  readonly issuer: TestTokenIssuer;
  /** A fresh token for the relay at `url`. */
  token(url: string): Promise<Uint8Array>;
}

export function newDevice(org: TestOrg): TestDevice {
  return { issuer: org.issuer, token: (url) => org.issuer.mint(relayOriginOf(url)) };
}

/** A device id as revocation lists name it (the relay never sees one otherwise). */
export const newDeviceId = (): Uint8Array => new Uint8Array(randomBytes(16));

/** A signed list; fresh for an hour unless `times` says otherwise (attestations.md §3.5). */
export async function revocationList(
  org: TestOrg,
  listVersion: number,
  revoked: readonly Uint8Array[],
  times: { readonly issuedAt?: number; readonly nextUpdate?: number } = {},
  signer: Ed25519KeyPair = org.key,
): Promise<Uint8Array> {
  const entries: RevokedDevice[] = revoked.map((deviceId) => ({
    deviceId,
    revokedAt: nowSeconds(),
    reason: 'lost_or_stolen',
  }));
  const issuedAt = times.issuedAt ?? nowSeconds();
  return signRevocationList(
    { orgId: org.orgId, listVersion, issuedAt, nextUpdate: times.nextUpdate ?? issuedAt + 3_600, revoked: entries },
    signer.privateKey,
  );
}

export interface TestQueue {
  readonly recipientId: Uint8Array;
  readonly senderId: Uint8Array;
  readonly key: Ed25519KeyPair;
}

/**
 * A test's view of one connection: libs/relay-client's RelayConnection (the one relay client,
 * unpaced here, since tests drive the relay's own limits), every event recorded, and each command
 * answered with the raw reply, success or error, so a test can assert either.
 */
export class RelayClient {
  readonly deliveries: RelayDelivery[] = [];
  readonly notices: { readonly error: RelayErrorName }[] = [];
  readonly replies: RelayReply[] = [];
  /** Signed revocation lists the relay forwarded (relay.md §7). */
  readonly revocationLists: Uint8Array[] = [];
  #waiters: (() => void)[] = [];

  private constructor(readonly connection: RelayConnection) {
    connection.onRevocation((list) => {
      this.revocationLists.push(list);
      this.wake();
    });
    connection.onDeliver((delivery) => {
      this.deliveries.push(delivery);
      this.wake();
    });
    connection.onNotice((error) => {
      this.notices.push({ error });
      this.wake();
    });
    // Unsolicited replies (a frame sent without an acknowledgement) are not the client's business: recorded raw.
    connection.socket.on('reply', (frame: ArrayBuffer) => {
      this.replies.push(decodeRelayReply(frame));
      this.wake();
    });
  }

  static async connect(url: string): Promise<RelayClient> {
    return new RelayClient(await RelayConnection.open(url, { pace: false, requestTimeoutMs: 5_000 }));
  }

  /** Connects and completes hello. */
  static async signedIn(url: string, device: TestDevice): Promise<RelayClient> {
    const client = await RelayClient.connect(url);
    const reply = await client.hello(device);
    if (!reply.ok) throw new Error(`hello refused: ${reply.error}`);
    return client;
  }

  get url(): string {
    return this.connection.url;
  }

  get socket(): Socket {
    return this.connection.socket;
  }

  get challenge(): Uint8Array {
    return this.connection.challenge;
  }

  get limits(): RelayLimits {
    return this.connection.limits;
  }

  nextRequestId(): number {
    return this.connection.nextRequestId();
  }

  /** Emits a frame with an acknowledgement and decodes the reply, whatever it is. */
  request(event: string, frame: Uint8Array): Promise<RelayReply> {
    return this.connection.send(event, frame);
  }

  async hello(device: TestDevice): Promise<RelayReply> {
    return this.helloWith(await device.token(this.url));
  }

  helloWith(token: Uint8Array): Promise<RelayReply> {
    return this.request('hello', encodeHello({ requestId: this.nextRequestId(), token }));
  }

  async createQueue(): Promise<TestQueue> {
    const key = await generateEd25519KeyPair();
    const reply = await this.request(
      'create',
      await encodeCreate({ requestId: this.nextRequestId() }, { challenge: this.challenge, key: key.privateKey }),
    );
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
    return this.request(
      'subscribe',
      await encodeSubscribe(
        { requestId: this.nextRequestId(), recipientId: queue.recipientId },
        { challenge: this.challenge, key: key.privateKey },
      ),
    );
  }

  async fetch(queue: TestQueue, max = 100, key = queue.key): Promise<RelayReply> {
    return this.request(
      'fetch',
      await encodeFetch(
        { requestId: this.nextRequestId(), recipientId: queue.recipientId, max },
        { challenge: this.challenge, key: key.privateKey },
      ),
    );
  }

  async ack(queue: TestQueue, messageIds: Uint8Array[], key = queue.key): Promise<RelayReply> {
    return this.request(
      'ack',
      await encodeAck(
        { requestId: this.nextRequestId(), recipientId: queue.recipientId, messageIds },
        { challenge: this.challenge, key: key.privateKey },
      ),
    );
  }

  /** relay.md §6.3: no signature, standing on a proof of the queue key made on this connection. */
  async fetchUnsigned(queue: Pick<TestQueue, 'recipientId'>, max = 100): Promise<RelayReply> {
    return this.request(
      'fetch',
      await encodeFetch(
        { requestId: this.nextRequestId(), recipientId: queue.recipientId, max },
        PROVEN_ON_THIS_CONNECTION,
      ),
    );
  }

  /** relay.md §6.3: no signature, standing on a proof of the queue key made on this connection. */
  async ackUnsigned(queue: Pick<TestQueue, 'recipientId'>, messageIds: Uint8Array[]): Promise<RelayReply> {
    return this.request(
      'ack',
      await encodeAck(
        { requestId: this.nextRequestId(), recipientId: queue.recipientId, messageIds },
        PROVEN_ON_THIS_CONNECTION,
      ),
    );
  }

  async deleteQueue(queue: TestQueue, key = queue.key): Promise<RelayReply> {
    return this.request(
      'delete',
      await encodeDelete(
        { requestId: this.nextRequestId(), recipientId: queue.recipientId },
        { challenge: this.challenge, key: key.privateKey },
      ),
    );
  }

  async publishPrekeys(
    slotId: Uint8Array,
    key: Ed25519KeyPair,
    bundle: Uint8Array,
    oneTimePrekeys: Uint8Array[],
    mode: PrekeyPublishMode = 'replace',
  ): Promise<RelayReply> {
    return this.request(
      'prekey_publish',
      await encodePrekeyPublish(
        { requestId: this.nextRequestId(), slotId, mode, bundle, oneTimePrekeys },
        { challenge: this.challenge, key: key.privateKey },
      ),
    );
  }

  fetchPrekeys(slotId: Uint8Array): Promise<RelayReply> {
    return this.request('prekey_fetch', encodePrekeyFetch({ requestId: this.nextRequestId(), slotId }));
  }

  claimPrekey(slotId: Uint8Array): Promise<RelayReply> {
    return this.request('prekey_claim', encodePrekeyClaim({ requestId: this.nextRequestId(), slotId }));
  }

  /** relay.md §3.15: admits an upload of `length` ciphertext bytes, deleted after `fetches` distinct fetches. */
  attachCreate(length: number, fetches = 1, ttl = 0): Promise<RelayReply> {
    return this.request('attach_create', encodeAttachCreate({ requestId: this.nextRequestId(), ttl, length, fetches }));
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
    this.connection.close();
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
