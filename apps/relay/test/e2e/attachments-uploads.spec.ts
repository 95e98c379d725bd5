/**
 * PATCH failure modes (attachments.md §4.2) against the booted relay, each by name, with the file
 * on disk checked after each: nothing past the length is ever written, a refused PATCH keeps
 * nothing, an interrupted one keeps what arrived.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTACHMENT_HTTP, MAX_ATTACHMENT_PATCH_BYTES, attachmentHex } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
import { RelayClient, newDevice, newOrg, relayConfig, type TestOrg } from '../support/relay-client';
import {
  admitted,
  ciphertextFor,
  download,
  eventually,
  head,
  headerNumber,
  openRequest,
  patch,
  uploadId,
  type Admitted,
} from '../attachments/attachment-http';

let org: TestOrg;
let relay: RunningRelay;
let directory: string;
let clockOffsetMs = 0;
let client: RelayClient;

beforeAll(async () => {
  org = await newOrg();
  directory = await mkdtemp(join(tmpdir(), 'relay-attachments-e2e-'));
  relay = await startRelay(
    relayConfig(org, {
      RELAY_ATTACHMENT_DIR: directory,
      // Room for a file over 16 MiB, to tell the PATCH ceiling from the upload's length.
      RELAY_ATTACHMENT_MAX_BYTES: String(20 * 1024 ** 2),
    }),
    { clock: () => Date.now() + clockOffsetMs },
  );
  client = await RelayClient.signedIn(relay.url, await newDevice(org));
});
afterEach(() => {
  clockOffsetMs = 0;
});
afterAll(async () => {
  client.close();
  await relay.app.close();
  await rm(directory, { recursive: true, force: true });
});

async function create(length: number): Promise<Admitted> {
  return admitted(await client.attachCreate(length, 1, 600));
}

/** Bytes of the attachment's file on disk. */
async function onDisk(ids: Admitted): Promise<number> {
  return (await stat(join(directory, attachmentHex(ids.attachmentId)))).size;
}

async function offsetOf(ids: Admitted): Promise<number> {
  return headerNumber(await head(relay.url, ids.uploadId), 'upload-offset');
}

/** A PATCH whose body the test writes piece by piece (chunked), or never finishes. */
function streamingPatch(ids: Admitted, offset: number, headers: Record<string, string | number> = {}) {
  return openRequest(relay.url, 'PATCH', ATTACHMENT_HTTP.uploadPath, {
    ...uploadId(ids.uploadId),
    'upload-offset': offset,
    'content-type': ATTACHMENT_HTTP.contentType,
    ...headers,
  });
}

describe('attachment uploads', () => {
  it('wrong offset: 409 with the current Upload-Offset, nothing written', async () => {
    const bytes = ciphertextFor(10_000);
    const ids = await create(bytes.length);
    expect((await patch(relay.url, ids.uploadId, 0, bytes.subarray(0, 1_000))).status).toBe(204);
    for (const offset of [0, 999, 1_001]) {
      const answer = await patch(relay.url, ids.uploadId, offset, bytes.subarray(offset, offset + 10));
      expect(answer.status).toBe(409);
      expect(headerNumber(answer, 'upload-offset')).toBe(1_000);
    }
    expect(await onDisk(ids)).toBe(1_000);
  });

  it('body past the length (declared): 413 before a byte is read, nothing written', async () => {
    const bytes = ciphertextFor(10_000);
    const ids = await create(bytes.length);
    await patch(relay.url, ids.uploadId, 0, bytes.subarray(0, 5_000));
    const tooLong = new Uint8Array(bytes.length - 5_000 + 1);
    expect((await patch(relay.url, ids.uploadId, 5_000, tooLong)).status).toBe(413);
    expect(await onDisk(ids)).toBe(5_000);
    expect(await offsetOf(ids)).toBe(5_000);
  });

  it('body past the length (streamed, no Content-Length): 413, the PATCH keeps nothing, nothing past the length', async () => {
    const bytes = ciphertextFor(10_000);
    const ids = await create(bytes.length);
    await patch(relay.url, ids.uploadId, 0, bytes.subarray(0, 5_000));
    const rest = bytes.subarray(5_000);
    const answer = await patch(relay.url, ids.uploadId, 5_000, [rest, new Uint8Array(1)]);
    expect(answer.status).toBe(413);
    expect(await onDisk(ids)).toBe(5_000);
    expect(await offsetOf(ids)).toBe(5_000);
    // The upload is unharmed: the exact rest completes it.
    expect((await patch(relay.url, ids.uploadId, 5_000, rest)).status).toBe(204);
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
  });

  it('after completion, any further byte is past the length: 413', async () => {
    const bytes = ciphertextFor(1_000);
    const ids = await create(bytes.length);
    expect(headerNumber(await patch(relay.url, ids.uploadId, 0, bytes), 'upload-offset')).toBe(bytes.length);
    expect((await patch(relay.url, ids.uploadId, bytes.length, new Uint8Array(1))).status).toBe(413);
    expect(await onDisk(ids)).toBe(bytes.length);
  });

  it('wrong content type: 415, nothing written', async () => {
    const bytes = ciphertextFor(1_000);
    const ids = await create(bytes.length);
    for (const contentType of ['application/octet-stream', 'text/plain'])
      expect((await patch(relay.url, ids.uploadId, 0, bytes, { 'content-type': contentType })).status).toBe(415);
    expect(await onDisk(ids)).toBe(0);
  });

  it('malformed headers: 400 for a missing or malformed Upload-Offset, an upload id that is not 32 hex, an empty body', async () => {
    const bytes = ciphertextFor(1_000);
    const ids = await create(bytes.length);
    for (const offset of ['', '-1', '1.0', 'zero'])
      expect((await patch(relay.url, ids.uploadId, 0, bytes, { 'upload-offset': offset })).status).toBe(400);
    expect((await patch(relay.url, ids.uploadId, 0, bytes, { 'od-upload-id': 'abc' })).status).toBe(400);
    expect((await patch(relay.url, ids.uploadId, 0, new Uint8Array(0))).status).toBe(400);
    expect(await onDisk(ids)).toBe(0);
  });

  it('oversized PATCH: a declared body over 16 MiB is 413 without reading it', async () => {
    const ids = await create(ciphertextFor(17 * 1024 ** 2).length);
    const { request, answer } = streamingPatch(ids, 0, { 'content-length': MAX_ATTACHMENT_PATCH_BYTES + 1 });
    const refused = await answer;
    request.destroy();
    expect(refused.status).toBe(413);
    expect(await onDisk(ids)).toBe(0);
  });

  it('oversized PATCH: a streamed body over 16 MiB is 413 and keeps nothing; 16 MiB exactly is taken', async () => {
    const ids = await create(ciphertextFor(17 * 1024 ** 2).length);
    const piece = new Uint8Array(1024 ** 2).fill(7);
    const pieces = Array.from({ length: 16 }, () => piece);
    expect((await patch(relay.url, ids.uploadId, 0, [...pieces, new Uint8Array(1)])).status).toBe(413);
    expect(await onDisk(ids)).toBe(0);
    expect(await offsetOf(ids)).toBe(0);
    const taken = await patch(relay.url, ids.uploadId, 0, pieces);
    expect(taken.status).toBe(204);
    expect(headerNumber(taken, 'upload-offset')).toBe(MAX_ATTACHMENT_PATCH_BYTES);
  });

  it('interrupted: a client gone mid-body leaves the offset at what was written; resuming completes it', async () => {
    const bytes = ciphertextFor(300_000);
    const ids = await create(bytes.length);
    const { request, answer } = streamingPatch(ids, 0, { 'content-length': bytes.length });
    answer.catch(() => undefined); // no answer comes: the client is gone
    request.write(bytes.subarray(0, 100_000));
    await eventually(async () => (await onDisk(ids)) === 100_000);
    request.destroy();
    await eventually(async () => (await offsetOf(ids)) === 100_000);
    expect(await onDisk(ids)).toBe(100_000);
    expect((await patch(relay.url, ids.uploadId, 100_000, bytes.subarray(100_000))).status).toBe(204);
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
  });

  it('concurrent PATCH: a second one while the first runs is 409; the first completes', async () => {
    const bytes = ciphertextFor(100_000);
    const ids = await create(bytes.length);
    const first = streamingPatch(ids, 0);
    first.request.write(bytes.subarray(0, 10_000));
    await eventually(async () => (await onDisk(ids)) === 10_000);
    const second = await patch(relay.url, ids.uploadId, 0, bytes);
    expect(second.status).toBe(409);
    expect(headerNumber(second, 'upload-offset')).toBe(0);
    first.request.end(bytes.subarray(10_000));
    const done = await first.answer;
    expect(done.status).toBe(204);
    expect(headerNumber(done, 'upload-offset')).toBe(bytes.length);
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
  });

  it('expired: a PATCH, a HEAD and a GET after the TTL are 404', async () => {
    const bytes = ciphertextFor(1_000);
    const ids = await create(bytes.length);
    await patch(relay.url, ids.uploadId, 0, bytes.subarray(0, 500));
    clockOffsetMs = 600_000;
    expect((await patch(relay.url, ids.uploadId, 500, bytes.subarray(500))).status).toBe(404);
    expect((await head(relay.url, ids.uploadId)).status).toBe(404);
    expect((await download(relay.url, ids.attachmentId)).status).toBe(404);
  });
});
