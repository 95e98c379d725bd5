/**
 * Attachments on two relay nodes sharing one Redis (RELAY_STORE=redis: the Redis attachment
 * index) and one store of bytes, as behind a load balancer (relay.md §3.15, §9; attachments.md
 * §4.5): an upload admitted on one node is written on both, read and fetched on either; a node
 * restarted still knows it; a node stopping deletes nothing shared; either node's sweep deletes
 * what expired. Once over a shared directory, once over S3 (test-s3.ts). Runs when REDIS_URL is
 * set (CI sets it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachmentHex } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import type { RelayConfig } from '../../src/config/relay-config';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import { RelayClient, newDevice, newOrg, relayConfig, type TestOrg } from '../support/relay-client';
import {
  admitted,
  ciphertextFor,
  download,
  eventually,
  fetched,
  head,
  headerNumber,
  patch,
  type Admitted,
} from '../attachments/attachment-http';
import { startTestS3 } from '../attachments/test-s3';

const nonce = (): Uint8Array => new Uint8Array(randomBytes(16));

/** Where a pair of nodes keeps its bytes, and how a test sees whether an attachment's bytes are there. */
interface SharedBytes {
  readonly env: Record<string, string>;
  held(ids: Admitted): Promise<boolean>;
  close(): Promise<void>;
}

async function sharedDirectory(): Promise<SharedBytes> {
  const directory = await mkdtemp(join(tmpdir(), 'relay-attachments-shared-'));
  return {
    env: { RELAY_ATTACHMENT_DIR: directory },
    held: async (ids) => (await readdir(directory)).includes(attachmentHex(ids.attachmentId)),
    close: () => rm(directory, { recursive: true, force: true }),
  };
}

async function sharedBucket(): Promise<SharedBytes> {
  const s3 = await startTestS3();
  const prefix = 'scale-out/';
  return {
    env: s3.env(prefix),
    held: async (ids) =>
      (await s3.keys()).some((key) => key.startsWith(`${prefix}${attachmentHex(ids.attachmentId)}/`)),
    close: () => s3.close(),
  };
}

function twoNodes(name: string, openBytes: () => Promise<SharedBytes>): void {
  describe(name, () => {
    const prefix = testPrefix();
    const offsetMs = { a: 0, b: 0 };
    let org: TestOrg;
    let bytes: SharedBytes;
    let config: RelayConfig;
    let nodeA: RunningRelay;
    let nodeB: RunningRelay;

    const startA = (): Promise<RunningRelay> => startRelay(config, { clock: () => Date.now() + offsetMs.a });
    const startB = (): Promise<RunningRelay> => startRelay(config, { clock: () => Date.now() + offsetMs.b });

    beforeAll(async () => {
      org = await newOrg();
      bytes = await openBytes();
      config = relayConfig(org, {
        RELAY_STORE: 'redis',
        REDIS_URL: REDIS_URL as string,
        RELAY_REDIS_PREFIX: prefix,
        // A 2-second default TTL, so each node sweeps every 2 s; the uploads here ask for more.
        RELAY_ATTACHMENT_TTL_SECONDS: '2',
        RELAY_ATTACHMENT_MAX_TTL_SECONDS: '600',
        ...bytes.env,
      });
      [nodeA, nodeB] = await Promise.all([startA(), startB()]);
    });
    afterEach(() => {
      offsetMs.a = 0;
      offsetMs.b = 0;
    });
    afterAll(async () => {
      await Promise.all([nodeA.app.close(), nodeB.app.close()]);
      await bytes.close();
      await deleteKeys(prefix);
    });

    /** Admitted over a socket on `node`, for `fetches` devices. */
    async function create(node: RunningRelay, length: number, fetches: number): Promise<Admitted> {
      const client = await RelayClient.signedIn(node.url, newDevice(org));
      try {
        return admitted(await client.attachCreate(length, fetches, 300));
      } finally {
        client.close();
      }
    }

    it('admitted on A, written half on A and half on B, read from B, deleted by fetches on A and B', async () => {
      const data = ciphertextFor(120_000);
      const half = 60_000;
      const ids = await create(nodeA, data.length, 2);
      expect((await patch(nodeA.url, ids.uploadId, 0, data.subarray(0, half))).status).toBe(204);
      expect(headerNumber(await head(nodeB.url, ids.uploadId), 'upload-offset')).toBe(half);
      expect((await patch(nodeB.url, ids.uploadId, 0, data.subarray(0, 10))).status).toBe(409);
      expect((await patch(nodeB.url, ids.uploadId, half, data.subarray(half))).status).toBe(204);

      expect((await download(nodeB.url, ids.attachmentId)).body.equals(data)).toBe(true);
      const ranged = await download(nodeA.url, ids.attachmentId, 'bytes=59990-60009');
      expect(ranged.status).toBe(206);
      expect(ranged.body.equals(data.subarray(59_990, 60_010))).toBe(true);

      const first = nonce();
      expect((await fetched(nodeA.url, ids.attachmentId, first)).status).toBe(204);
      expect((await fetched(nodeB.url, ids.attachmentId, first)).status).toBe(204); // a retry, on the other node
      expect(await bytes.held(ids)).toBe(true);
      expect((await fetched(nodeB.url, ids.attachmentId, nonce())).status).toBe(204);
      expect((await download(nodeA.url, ids.attachmentId)).status).toBe(404);
      expect((await download(nodeB.url, ids.attachmentId)).status).toBe(404);
      expect(await bytes.held(ids)).toBe(false);
    });

    it('restarted: node A comes back knowing the attachment; a node stopping deletes no shared bytes', async () => {
      const data = ciphertextFor(30_000);
      const ids = await create(nodeA, data.length, 1);
      const unfinished = await create(nodeB, data.length, 1);
      expect((await patch(nodeA.url, ids.uploadId, 0, data)).status).toBe(204);
      expect((await patch(nodeB.url, unfinished.uploadId, 0, data.subarray(0, 1_000))).status).toBe(204);

      await nodeA.app.close();
      expect(await bytes.held(ids)).toBe(true);
      expect(await bytes.held(unfinished)).toBe(true);
      nodeA = await startA();

      expect((await download(nodeA.url, ids.attachmentId)).body.equals(data)).toBe(true);
      expect(headerNumber(await head(nodeA.url, unfinished.uploadId), 'upload-offset')).toBe(1_000);
      expect((await patch(nodeA.url, unfinished.uploadId, 1_000, data.subarray(1_000))).status).toBe(204);
      expect((await download(nodeB.url, unfinished.attachmentId)).body.equals(data)).toBe(true);
    });

    it('expired: the sweep of whichever node sees it first deletes the shared bytes, for both', async () => {
      const data = ciphertextFor(5_000);
      const ids = await create(nodeA, data.length, 1);
      expect((await patch(nodeA.url, ids.uploadId, 0, data)).status).toBe(204);
      offsetMs.b = 301_000;
      await eventually(async () => !(await bytes.held(ids)), 10_000);
      expect((await download(nodeA.url, ids.attachmentId)).status).toBe(404);
    });
  });
}

describeWithRedis('attachments on two relay nodes', () => {
  twoNodes('over one shared directory', sharedDirectory);
  twoNodes('over one S3 bucket', sharedBucket);
});
