/**
 * Attachments against the booted relay (relay.md §3.15, attachments.md §4): admitted over a real
 * socket.io connection, uploaded and downloaded over real HTTP, deleted by the last distinct
 * fetch or at the TTL (the relay's clock is injected), and never named in a log line.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTACHMENT_HTTP, attachmentHex } from '@opendescent/protocol';
import { startRelay, type RunningRelay } from '../../src/bootstrap';
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
  send,
  type Admitted,
} from '../attachments/attachment-http';

const nonce = (): Uint8Array => new Uint8Array(randomBytes(16));
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let org: TestOrg;
let relay: RunningRelay;
let directory: string;
let clockOffsetMs = 0;
const lines: string[] = [];
const clients: RelayClient[] = [];
/** Every id the relay handed out here: none may reach its logs, and no upload id its directory. */
const handedOut: Admitted[] = [];

beforeAll(async () => {
  org = await newOrg();
  directory = await mkdtemp(join(tmpdir(), 'relay-attachments-e2e-'));
  relay = await startRelay(
    relayConfig(org, {
      RELAY_ATTACHMENT_DIR: directory,
      RELAY_ATTACHMENT_MAX_BYTES: String(1024 ** 2),
      // A 2-second default TTL, so the sweep runs every 2 s; uploads that must live ask for more.
      RELAY_ATTACHMENT_TTL_SECONDS: '2',
      RELAY_ATTACHMENT_MAX_TTL_SECONDS: '600',
      RELAY_LOG_LEVEL: 'trace',
    }),
    { clock: () => Date.now() + clockOffsetMs, logDestination: { write: (line: string) => void lines.push(line) } },
  );
});
afterEach(() => {
  clockOffsetMs = 0;
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await relay.app.close();
  await rm(directory, { recursive: true, force: true });
});

async function signedIn(): Promise<RelayClient> {
  const client = await RelayClient.signedIn(relay.url, await newDevice(org));
  clients.push(client);
  return client;
}

async function create(length: number, fetches = 1, ttl = 300): Promise<Admitted> {
  const ids = admitted(await (await signedIn()).attachCreate(length, fetches, ttl));
  handedOut.push(ids);
  return ids;
}

/** Admits and uploads `bytes` in one PATCH. */
async function uploaded(bytes: Uint8Array, fetches = 1, ttl = 300): Promise<Admitted> {
  const ids = await create(bytes.length, fetches, ttl);
  expect((await patch(relay.url, ids.uploadId, 0, bytes)).status).toBe(204);
  return ids;
}

const fileOf = (ids: Admitted): string => join(directory, attachmentHex(ids.attachmentId));

async function metric(line: RegExp): Promise<number> {
  const match = line.exec(await (await fetch(`${relay.url}/metrics`)).text());
  return match ? Number(match[1]) : 0;
}

describe('attachments at the relay', () => {
  it('create → PATCH in several pieces → HEAD shows the offsets → GET whole and with ranges', async () => {
    const bytes = ciphertextFor(200_000);
    const before = nowSeconds();
    const ids = await create(bytes.length, 2);
    expect(ids.uploadId).toHaveLength(16);
    expect(ids.attachmentId).toHaveLength(16);
    expect(attachmentHex(ids.uploadId)).not.toBe(attachmentHex(ids.attachmentId));
    expect(ids.expiresAt).toBeGreaterThanOrEqual(before + 299);
    expect(ids.expiresAt).toBeLessThanOrEqual(nowSeconds() + 300);

    const fresh = await head(relay.url, ids.uploadId);
    expect(fresh.status).toBe(200);
    expect(fresh.headers).toMatchObject({
      'upload-offset': '0',
      'upload-length': String(bytes.length),
      'upload-expires': String(ids.expiresAt),
      'cache-control': 'no-store',
    });
    const pieces: [number, number][] = [
      [0, 70_000],
      [70_000, 150_000],
      [150_000, bytes.length],
    ];
    for (const [from, to] of pieces) {
      const answer = await patch(relay.url, ids.uploadId, from, bytes.subarray(from, to));
      expect(answer.status).toBe(204);
      expect(headerNumber(answer, 'upload-offset')).toBe(to);
      expect(headerNumber(await head(relay.url, ids.uploadId), 'upload-offset')).toBe(to);
    }

    const whole = await download(relay.url, ids.attachmentId);
    expect(whole.status).toBe(200);
    expect(whole.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
      'cache-control': 'no-store',
    });
    expect(whole.body.equals(bytes)).toBe(true);

    const rest = await download(relay.url, ids.attachmentId, 'bytes=100000-');
    expect(rest.status).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes 100000-${bytes.length - 1}/${bytes.length}`);
    expect(rest.body.equals(bytes.subarray(100_000))).toBe(true);
    const middle = await download(relay.url, ids.attachmentId, 'bytes=10-19');
    expect(middle.status).toBe(206);
    expect(middle.body.equals(bytes.subarray(10, 20))).toBe(true);
    const past = await download(relay.url, ids.attachmentId, `bytes=${bytes.length}-`);
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
  });

  it('fetched by N distinct nonces deletes it: a retried nonce counts once, then GET is 404 and the file gone', async () => {
    const bytes = ciphertextFor(5_000);
    const ids = await uploaded(bytes, 3);
    const first = nonce();
    expect((await fetched(relay.url, ids.attachmentId, first)).status).toBe(204);
    expect((await fetched(relay.url, ids.attachmentId, first)).status).toBe(204); // a retry
    expect((await fetched(relay.url, ids.attachmentId, nonce())).status).toBe(204);
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
    expect((await fetched(relay.url, ids.attachmentId, nonce())).status).toBe(204); // the third device
    expect((await download(relay.url, ids.attachmentId)).status).toBe(404);
    expect((await head(relay.url, ids.uploadId)).status).toBe(404);
    expect((await fetched(relay.url, ids.attachmentId, nonce())).status).toBe(404);
    await expect(readFile(fileOf(ids))).rejects.toThrow();
  });

  it('GET and fetched before the upload is complete: 404, and nothing is counted', async () => {
    const bytes = ciphertextFor(5_000);
    const ids = await create(bytes.length, 1);
    expect((await download(relay.url, ids.attachmentId)).status).toBe(404);
    expect((await patch(relay.url, ids.uploadId, 0, bytes.subarray(0, 100))).status).toBe(204);
    expect((await download(relay.url, ids.attachmentId)).status).toBe(404);
    expect((await fetched(relay.url, ids.attachmentId, nonce())).status).toBe(404);
    expect((await patch(relay.url, ids.uploadId, 100, bytes.subarray(100))).status).toBe(204);
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
  });

  it('unauthorised: unknown ids, and each capability used as the other, are the same empty 404', async () => {
    const bytes = ciphertextFor(5_000);
    const ids = await uploaded(bytes, 1);
    const stranger = new Uint8Array(randomBytes(16));
    const answers = [
      await head(relay.url, stranger),
      await head(relay.url, ids.attachmentId),
      await patch(relay.url, stranger, 0, bytes.subarray(0, 10)),
      await patch(relay.url, ids.attachmentId, bytes.length, bytes.subarray(0, 10)),
      await download(relay.url, stranger),
      await download(relay.url, ids.uploadId),
      await fetched(relay.url, stranger, nonce()),
      await fetched(relay.url, ids.uploadId, nonce()),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toHaveLength(0);
      const text = JSON.stringify(answer.headers);
      for (const id of [ids.uploadId, ids.attachmentId, stranger]) expect(text).not.toContain(attachmentHex(id));
    }
    // None of them touched the attachment: still whole, still awaiting its one fetch.
    expect((await download(relay.url, ids.attachmentId)).body.equals(bytes)).toBe(true);
  });

  it('malformed: a missing or malformed capability header is 400', async () => {
    const ids = await create(ciphertextFor(5_000).length);
    const upload = attachmentHex(ids.uploadId);
    expect((await send(relay.url, 'HEAD', ATTACHMENT_HTTP.uploadPath, {})).status).toBe(400);
    expect(
      (await send(relay.url, 'HEAD', ATTACHMENT_HTTP.uploadPath, { 'od-upload-id': upload.toUpperCase() })).status,
    ).toBe(400);
    expect((await send(relay.url, 'GET', ATTACHMENT_HTTP.filePath, { 'od-attachment-id': 'zz' })).status).toBe(400);
    expect(
      (
        await send(relay.url, 'POST', ATTACHMENT_HTTP.fetchedPath, {
          'od-attachment-id': attachmentHex(ids.attachmentId),
        })
      ).status,
    ).toBe(400);
    // The capability goes in a header: in the path it is not one.
    expect((await send(relay.url, 'HEAD', `${ATTACHMENT_HTTP.uploadPath}/${upload}`, {})).status).toBe(404);
  });

  it('expired: 404 at once, before the sweep; then the sweep deletes the file and counts it', async () => {
    const bytes = ciphertextFor(5_000);
    const ids = await uploaded(bytes, 1, 0); // the 2-second default
    const expiredBefore = await metric(/^relay_attachments_deleted_total\{reason="expired"\} (\d+)$/m);
    clockOffsetMs = 2_000;
    expect((await download(relay.url, ids.attachmentId)).status).toBe(404);
    expect((await head(relay.url, ids.uploadId)).status).toBe(404);
    expect((await fetched(relay.url, ids.attachmentId, nonce())).status).toBe(404);
    await eventually(async () => !(await readdir(directory)).includes(attachmentHex(ids.attachmentId)));
    await eventually(
      async () => (await metric(/^relay_attachments_deleted_total\{reason="expired"\} (\d+)$/m)) > expiredBefore,
    );
  });

  it('metrics count creations, bytes received, downloads and their bytes, and deletions, and never carry an id', async () => {
    const read = {
      created: () => metric(/^relay_attachments_created_total (\d+)$/m),
      received: () => metric(/^relay_attachment_bytes_received_total (\d+)$/m),
      found: () => metric(/^relay_attachment_downloads_total\{result="found"\} (\d+)$/m),
      missing: () => metric(/^relay_attachment_downloads_total\{result="not_found"\} (\d+)$/m),
      bytesAsked: () => metric(/^relay_attachment_download_bytes_total (\d+)$/m),
      fetchedAway: () => metric(/^relay_attachments_deleted_total\{reason="fetched"\} (\d+)$/m),
    };
    const snapshot = async () => ({
      created: await read.created(),
      received: await read.received(),
      found: await read.found(),
      missing: await read.missing(),
      bytesAsked: await read.bytesAsked(),
      fetchedAway: await read.fetchedAway(),
    });
    const before = await snapshot();
    const bytes = ciphertextFor(5_000);
    const ids = await uploaded(bytes, 1);
    await download(relay.url, ids.attachmentId);
    await fetched(relay.url, ids.attachmentId, nonce());
    await download(relay.url, ids.attachmentId);
    expect(await snapshot()).toEqual({
      created: before.created + 1,
      received: before.received + bytes.length,
      found: before.found + 1,
      missing: before.missing + 1,
      bytesAsked: before.bytesAsked + bytes.length,
      fetchedAway: before.fetchedAway + 1,
    });
    const body = await (await fetch(`${relay.url}/metrics`)).text();
    expect(body).toMatch(/relay_frames_total\{command="attach_create",result="ok"\} [1-9]/);
    for (const id of [ids.uploadId, ids.attachmentId]) expect(body).not.toContain(attachmentHex(id));
  });

  it('the logs (at trace level) name no upload or attachment id; the directory names no upload id', async () => {
    expect(handedOut.length).toBeGreaterThanOrEqual(7);
    expect(lines.length).toBeGreaterThan(3);
    const text = lines.join('');
    expect(text).toContain('attachment_http');
    const names = (await readdir(directory)).join(' ');
    for (const ids of handedOut) {
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        expect(text).not.toContain(Buffer.from(ids.uploadId).toString(encoding));
        expect(text).not.toContain(Buffer.from(ids.attachmentId).toString(encoding));
      }
      expect(names).not.toContain(attachmentHex(ids.uploadId));
    }
    for (const name of await readdir(directory)) {
      const content = await readFile(join(directory, name));
      for (const ids of handedOut) expect(content.includes(Buffer.from(ids.uploadId))).toBe(false);
    }
  });
});
