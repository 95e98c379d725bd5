/**
 * Attachments through a booted relay whose bytes go to S3 (RELAY_ATTACHMENT_STORE=s3, the memory
 * index), against a real S3-compatible server on loopback (test-s3.ts): several PATCHes become
 * several objects named by the attachment id and offset only, GET reads across them, the last
 * fetch deletes them, and an interrupted PATCH keeps nothing.
 */
import { randomBytes } from 'node:crypto';
import { ATTACHMENT_HTTP, attachmentHex } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { RelayClient, newDevice, newOrg, relayConfig, type TestOrg } from '../support/relay-client';
import {
  admitted,
  attachmentId,
  ciphertextFor,
  download,
  eventually,
  fetched,
  head,
  headerNumber,
  openRequest,
  patch,
  send,
  uploadId,
  type Admitted,
} from './attachment-http';
import { startTestS3, type TestS3 } from './test-s3';

const PREFIX = 'relay-e2e/';

let s3: TestS3;
let org: TestOrg;
let relay: RunningRelay;
let client: RelayClient;
const lines: string[] = [];

beforeAll(async () => {
  s3 = await startTestS3();
  org = await newOrg();
  relay = await startRelay(relayConfig(org, { ...s3.env(PREFIX), RELAY_LOG_LEVEL: 'trace' }), {
    logDestination: { write: (line: string) => void lines.push(line) },
  });
  client = await RelayClient.signedIn(relay.url, await newDevice(org));
});
afterAll(async () => {
  client.close();
  await relay.app.close();
  await s3.close();
});

async function create(length: number, fetches = 1): Promise<Admitted> {
  return admitted(await client.attachCreate(length, fetches, 600));
}

/** The keys of the objects holding this attachment, in order. */
async function objectsOf(ids: Admitted): Promise<string[]> {
  const mine = `${PREFIX}${attachmentHex(ids.attachmentId)}/`;
  return (await s3.keys()).filter((key) => key.startsWith(mine));
}

describe('attachments on S3 through the relay', () => {
  it('PATCHes become objects named by id and offset; GET whole and ranged across them; the last fetch deletes them', async () => {
    const bytes = ciphertextFor(200_000);
    const ids = await create(bytes.length, 1);
    for (const [from, to] of [
      [0, 70_000],
      [70_000, 150_000],
      [150_000, bytes.length],
    ] as const) {
      const answer = await patch(relay.url, ids.uploadId, from, bytes.subarray(from, to));
      expect(answer.status).toBe(204);
      expect(headerNumber(answer, 'upload-offset')).toBe(to);
    }
    const id = attachmentHex(ids.attachmentId);
    expect(await objectsOf(ids)).toEqual(
      ['0000000000000000', '0000000000070000', '0000000000150000'].map((offset) => `${PREFIX}${id}/${offset}`),
    );
    for (const object of await s3.objects()) {
      expect(object.metadata).toEqual({});
      expect(object.key).not.toContain(attachmentHex(ids.uploadId));
    }

    const whole = await download(relay.url, ids.attachmentId);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);
    const across = await download(relay.url, ids.attachmentId, 'bytes=69990-150009');
    expect(across.status).toBe(206);
    expect(across.body.equals(bytes.subarray(69_990, 150_010))).toBe(true);
    const headed = await send(relay.url, 'HEAD', ATTACHMENT_HTTP.filePath, attachmentId(ids.attachmentId));
    expect(headed.status).toBe(200);
    expect(headed.headers['content-length']).toBe(String(bytes.length));
    expect(headed.body).toHaveLength(0);
    const tail = await download(relay.url, ids.attachmentId, 'bytes=-5');
    expect(tail.body.equals(bytes.subarray(bytes.length - 5))).toBe(true);

    expect((await fetched(relay.url, ids.attachmentId, new Uint8Array(randomBytes(16)))).status).toBe(204);
    expect((await download(relay.url, ids.attachmentId)).status).toBe(404);
    expect(await objectsOf(ids)).toEqual([]);
  });

  it('interrupted: a client gone mid-body keeps nothing; the offset stays and the upload resumes from it', async () => {
    const bytes = ciphertextFor(300_000);
    const ids = await create(bytes.length);
    expect((await patch(relay.url, ids.uploadId, 0, bytes.subarray(0, 50_000))).status).toBe(204);
    const { request, answer } = openRequest(relay.url, 'PATCH', ATTACHMENT_HTTP.uploadPath, {
      ...uploadId(ids.uploadId),
      'upload-offset': 50_000,
      'content-type': ATTACHMENT_HTTP.contentType,
      'content-length': bytes.length - 50_000,
    });
    answer.catch(() => undefined); // no answer comes: the client is gone
    request.write(bytes.subarray(50_000, 150_000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    request.destroy();
    // Once the relay has seen the body end, the claim is released at the old offset.
    await eventually(async () => (await patch(relay.url, ids.uploadId, 50_000, bytes.subarray(50_000))).status === 204);
    expect(headerNumber(await head(relay.url, ids.uploadId), 'upload-offset')).toBe(bytes.length);
    expect((await objectsOf(ids)).map((key) => key.slice(-16))).toEqual(['0000000000000000', '0000000000050000']);
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
  });

  it('no log line names an id or the bucket layout', () => {
    const text = lines.join('\n');
    expect(text).not.toMatch(/[0-9a-f]{32}/);
    expect(text).not.toContain(PREFIX);
  });
});
