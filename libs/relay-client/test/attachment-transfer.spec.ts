/**
 * The HTTP half of an attachment (docs/protocol/attachments.md §4.2-§4.4) from the client's side:
 * an upload resumes from the relay's offset after a drop, a download resumes with a range, a
 * transfer can be cancelled, retries are bounded, and a relay that answers wrongly is refused.
 */
import { randomBytes } from 'node:crypto';
import { attachmentCiphertextLength, attachmentHex } from '@opendescent/protocol';
import {
  TRANSFER_MAX_RETRIES,
  downloadAttachment,
  fetchNonce,
  reportFetched,
  uploadAttachment,
  uploadStatus,
  RelayRequestError,
  type TransferOptions,
  UploadBuffers,
} from '../src';
import { TusRelay } from './support/tus-relay';

const uploadId = new Uint8Array(randomBytes(16));
const attachmentId = new Uint8Array(randomBytes(16));
const length = attachmentCiphertextLength(300_000);
const ciphertext = new Uint8Array(randomBytes(length));

let relay: TusRelay;
const options = (extra: Partial<TransferOptions> = {}): TransferOptions => ({
  relayUrl: relay.url,
  retryDelayMs: () => 5,
  ...extra,
});
const read = async (offset: number, n: number) => ciphertext.slice(offset, offset + n);

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof RelayRequestError) return error.code;
    throw error;
  }
  throw new Error('expected the transfer to fail');
}

async function downloaded(extra: Partial<TransferOptions> = {}): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  await downloadAttachment({ attachmentId, length, write: (bytes) => void pieces.push(bytes.slice()) }, options(extra));
  return Buffer.concat(pieces);
}

beforeEach(async () => {
  relay = new TusRelay(attachmentHex(uploadId), attachmentHex(attachmentId), length);
  await relay.start();
});
afterEach(() => relay.stop());

describe('an attachment upload', () => {
  it('sends the stream in PATCH requests of the size asked, with progress up to the length', async () => {
    const progress: number[] = [];
    await uploadAttachment(
      { uploadId, length, read, requestBytes: 100_000 },
      options({ onProgress: (done) => progress.push(done) }),
    );
    expect(relay.stored).toEqual(ciphertext);
    expect(relay.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(Math.ceil(length / 100_000));
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(length);
    expect(await uploadStatus(uploadId, options())).toMatchObject({ offset: length, length });
  });

  it('resumes after a connection dropped mid-body, from the offset the relay kept, without re-sending it', async () => {
    relay.faults.patchDropsAfter.push(70_000);
    await uploadAttachment({ uploadId, length, read, requestBytes: 100_000 }, options());
    expect(relay.stored).toEqual(ciphertext);
    // The dropped PATCH is retried at its old offset (409), the client asks HEAD, and goes on from 70,000.
    expect(relay.requests.filter((r) => r.startsWith('HEAD')).length).toBeGreaterThanOrEqual(2);
  });

  it('resumes in a later call (a reload) from where the first one stopped', async () => {
    const controller = new AbortController();
    await expect(
      codeOf(
        uploadAttachment(
          { uploadId, length, read, requestBytes: 100_000 },
          options({ signal: controller.signal, onProgress: (done) => done >= 100_000 && controller.abort() }),
        ),
      ),
    ).resolves.toBe('cancelled');
    const before = relay.offset;
    expect(before).toBeGreaterThanOrEqual(100_000);
    const asked: number[] = [];
    await uploadAttachment(
      { uploadId, length, read: (offset, n) => (asked.push(offset), read(offset, n)), requestBytes: 100_000 },
      options(),
    );
    expect(asked[0]).toBe(before);
    expect(relay.stored).toEqual(ciphertext);
  });

  it('reads the next piece while the previous PATCH is on the wire, one read at a time', async () => {
    const events: string[] = [];
    let reading = 0;
    const overlapping: number[] = [];
    const tracedRead = async (offset: number, n: number) => {
      reading += 1;
      if (reading > 1) overlapping.push(offset);
      events.push(`read ${offset}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
      reading -= 1;
      return read(offset, n);
    };
    const tracedFetch: typeof fetch = async (input, init) => {
      const at = new Headers(init?.headers).get('upload-offset');
      if (init?.method === 'PATCH') events.push(`patch ${at}`);
      const response = await fetch(input, init);
      if (init?.method === 'PATCH') events.push(`answered ${at}`);
      return response;
    };
    await uploadAttachment(
      { uploadId, length, read: tracedRead, requestBytes: 100_000 },
      options({ fetch: tracedFetch }),
    );
    expect(relay.stored).toEqual(ciphertext);
    expect(overlapping).toEqual([]);
    // The piece at 100,000 is asked for after PATCH 0 left and before its answer came back.
    expect(events.indexOf('read 100000')).toBeGreaterThan(events.indexOf('patch 0'));
    expect(events.indexOf('read 100000')).toBeLessThan(events.indexOf('answered 0'));
    expect(events.filter((e) => e.startsWith('read'))).toHaveLength(Math.ceil(length / 100_000));
  });

  it('a piece read ahead for an offset the relay did not reach is read again, and none outlives a failed upload', async () => {
    relay.faults.patchDropsAfter.push(70_000);
    const asked: number[] = [];
    await uploadAttachment(
      { uploadId, length, read: (offset, n) => (asked.push(offset), read(offset, n)), requestBytes: 100_000 },
      options(),
    );
    expect(relay.stored).toEqual(ciphertext);
    expect(asked).toContain(70_000);

    // Refused mid-way (the upload expired): the upload rejects only once the read ahead is over.
    const other = new TusRelay(attachmentHex(uploadId), attachmentHex(attachmentId), length);
    await other.start();
    try {
      let open = 0;
      const slowRead = async (offset: number, n: number) => {
        open += 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        open -= 1;
        return read(offset, n);
      };
      const expiring: typeof fetch = async (input, init) =>
        init?.method === 'PATCH' && new Headers(init.headers).get('upload-offset') === '100000'
          ? new Response(null, { status: 404 })
          : fetch(input, init);
      expect(
        await codeOf(
          uploadAttachment(
            { uploadId, length, read: slowRead, requestBytes: 100_000 },
            { relayUrl: other.url, retryDelayMs: () => 5, fetch: expiring },
          ),
        ),
      ).toBe('not_found');
      expect(open).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('a reader filling two buffers in turn uploads the exact stream, through a drop, even if the body is read late', async () => {
    relay.faults.patchDropsAfter.push(70_000, 250_000);
    const buffers = new UploadBuffers();
    const given = new Set<Uint8Array>();
    const reusing = async (offset: number, n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const out = buffers.take(n);
      given.add(out);
      out.set(ciphertext.subarray(offset, offset + n));
      return out;
    };
    // A transport that takes the body only when it sends it, some time after the request was made:
    // a buffer filled again too early would reach the relay with the wrong bytes.
    const late: typeof fetch = async (input, init) => {
      if (init?.method !== 'PATCH') return fetch(input, init);
      const body = init.body as Uint8Array;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return fetch(input, { ...init, body: body.slice() });
    };
    await uploadAttachment({ uploadId, length, read: reusing, requestBytes: 100_000 }, options({ fetch: late }));
    expect(relay.stored).toEqual(ciphertext);
    // Two buffers of the request size and one for the shorter last request, whatever the drops.
    expect(given.size).toBe(3);
    expect(relay.requests.filter((r) => r.startsWith('PATCH')).length).toBeGreaterThan(Math.ceil(length / 100_000));
  });

  it('retries a relay that is unavailable for a while, and gives up offline after too many failures in a row', async () => {
    relay.faults.unavailable = 3;
    await uploadAttachment({ uploadId, length, read }, options());
    expect(relay.stored).toEqual(ciphertext);
    relay.faults.unavailable = TRANSFER_MAX_RETRIES + 1;
    expect(await codeOf(uploadStatus(uploadId, options()))).toBe('offline');
  });

  it('unauthorised: an unknown upload id is not_found and nothing is stored', async () => {
    const stranger = new Uint8Array(randomBytes(16));
    expect(await codeOf(uploadAttachment({ uploadId: stranger, length, read }, options()))).toBe('not_found');
    expect(relay.offset).toBe(0);
  });

  it('a source that gives the wrong number of bytes stops the upload before anything is sent', async () => {
    const short = async (offset: number, n: number) => ciphertext.slice(offset, offset + n - 1);
    expect(await codeOf(uploadAttachment({ uploadId, length, read: short }, options()))).toBe('malformed');
    expect(relay.requests.some((r) => r.startsWith('PATCH'))).toBe(false);
  });
});

describe('an attachment download', () => {
  beforeEach(() => uploadAttachment({ uploadId, length, read }, options()));

  it('streams the whole attachment in order, with progress', async () => {
    const progress: number[] = [];
    expect(await downloaded({ onProgress: (done) => progress.push(done) })).toEqual(ciphertext);
    expect(progress.at(-1)).toBe(length);
  });

  it('resumes with a range after the connection dropped mid-body', async () => {
    relay.faults.getDropsAfter.push(123_457);
    expect(await downloaded()).toEqual(ciphertext);
    expect(relay.requests.filter((r) => r.startsWith('GET'))).toHaveLength(2);
  });

  it('starts at `from` with a range (bytes held already, from a direct channel), and refuses a `from` outside the length', async () => {
    const pieces: Uint8Array[] = [];
    const from = 200_001;
    await downloadAttachment(
      { attachmentId, length, from, write: (bytes) => void pieces.push(bytes.slice()) },
      options(),
    );
    expect(Buffer.concat(pieces)).toEqual(Buffer.from(ciphertext.subarray(from)));
    expect(relay.requests.filter((r) => r.startsWith('GET'))).toHaveLength(1);
    for (const bad of [-1, length + 1, 1.5])
      await expect(
        downloadAttachment({ attachmentId, length, from: bad, write: () => undefined }, options()),
      ).rejects.toThrow(RangeError);
    await downloadAttachment({ attachmentId, length, from: length, write: () => undefined }, options());
    expect(relay.requests.filter((r) => r.startsWith('GET'))).toHaveLength(1);
  });

  it('expired or unknown: not_found', async () => {
    const stranger = new Uint8Array(randomBytes(16));
    await expect(
      codeOf(downloadAttachment({ attachmentId: stranger, length, write: () => undefined }, options())),
    ).resolves.toBe('not_found');
  });

  it('a relay that sends more than the attachment holds is refused', async () => {
    await expect(
      codeOf(downloadAttachment({ attachmentId, length: length - 1, write: () => undefined }, options())),
    ).resolves.toBe('bad_reply');
  });

  it('fetched carries the nonce, so a retried report counts once', async () => {
    const nonce = fetchNonce();
    relay.faults.unavailable = 1;
    await reportFetched(attachmentId, nonce, options());
    await reportFetched(attachmentId, nonce, options());
    expect([...relay.fetchedNonces]).toEqual([attachmentHex(nonce)]);
  });
});
