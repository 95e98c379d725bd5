/**
 * Files over one direct channel (direct.md §9), between two DirectChannels joined by an in-memory
 * link: a file comes window by window and byte for byte; a sender without it, a channel that
 * closes mid-window, a sender that stalls or fails to read, a cancel and a write that refuses
 * each end the fetch where the bytes stopped, for HTTP to go on; a request for a file not sent to
 * the asker, and every breach of the window rules by a hostile peer, close the channel as
 * malformed.
 */
import { randomBytes } from 'node:crypto';
import {
  MAX_DIRECT_FILE_REQUESTS,
  MAX_DIRECT_FILE_WINDOW_BYTES,
  decodeDirectFrame,
  encodeDirectFrame,
  type DirectFileFrame,
} from '@opendescent/protocol';
import { DirectChannel } from '../../../src/messenger/direct/direct-channel';
import type { FileFetch, FileServing } from '../../../src/messenger/direct/direct-files';
import type { DirectCloseReason, DirectLink } from '../../../src/messenger/direct/direct-ports';
import type { ServedFileLookup } from '../../../src/messenger/direct/served-files';
import { expectSameBytes } from '../attachment-support';

// A window stalls after 1 s: long enough for a loaded CI machine to start one (150 ms was not, once).
const TIMING = { ackTimeoutMs: 200, idleCloseMs: 10_000, fileStallMs: 1_000 };
const ATTACHMENT = new Uint8Array(16).fill(7);
const ATTACHMENT_HEX = '07'.repeat(16);

/** One end of a pair of links: what one sends, the other receives on the next task. */
class PairedLink implements DirectLink {
  other!: PairedLink;
  readonly sent: DirectFileFrame[] = [];
  /** When set, frames sent here are kept back instead of delivered (a stalled or cut network). */
  holding = false;
  private frameListener: (frame: unknown) => void = () => undefined;
  private closeListener: () => void = () => undefined;
  closed = false;
  whenOpen = () => Promise.resolve();
  send(frame: Uint8Array): void {
    if (this.closed) throw new Error('closed');
    const decoded = decodeDirectFrame(frame);
    if (decoded.type !== 'data' && decoded.type !== 'ack') this.sent.push(decoded);
    if (this.holding) return;
    const copy = frame.slice();
    setImmediate(() => this.other.frameListener(copy));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => this.other.closeListener());
  }
  onFrame(listener: (frame: unknown) => void): void {
    this.frameListener = listener;
  }
  onClose(listener: () => void): void {
    this.closeListener = listener;
  }
  /** A frame the peer sent by hand (a hostile peer). */
  inject(frame: DirectFileFrame): void {
    this.frameListener(encodeDirectFrame(frame));
  }
}

function servedFrom(bytes: Uint8Array): ServedFileLookup {
  return { length: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) };
}

/** One side of the pair: a channel on `link`, its closes noted in `reasons`. */
function channelOn(link: PairedLink, peer: string, reasons: DirectCloseReason[], serving: FileServing): DirectChannel {
  return new DirectChannel(
    peer,
    'c'.repeat(32),
    link,
    async () => true,
    (reason) => reasons.push(reason),
    serving,
    TIMING,
  );
}

function pair(serving: Partial<FileServing>) {
  const asking = new PairedLink();
  const serving_ = new PairedLink();
  asking.other = serving_;
  serving_.other = asking;
  const reasons = { asker: [] as DirectCloseReason[], server: [] as DirectCloseReason[] };
  const lookups: string[] = [];
  const asker = channelOn(asking, 'server', reasons.asker, { lookup: async () => 'not_held' });
  const server = channelOn(serving_, 'asker', reasons.server, {
    lookup: async (attachmentId) => {
      lookups.push(attachmentId);
      return serving.lookup ? serving.lookup(attachmentId) : 'not_held';
    },
    tamperPiece: serving.tamperPiece,
  });
  opened.push(asker, server);
  return { asker, server, asking, serving: serving_, reasons, lookups };
}

const opened: DirectChannel[] = [];
afterEach(() => {
  for (const channel of opened.splice(0)) channel.close('closed');
});

function collector(length: number, from = 0) {
  const pieces: Uint8Array[] = [];
  const progress: number[] = [];
  const job: FileFetch = {
    attachmentId: ATTACHMENT,
    length,
    from,
    write: async (bytes) => {
      pieces.push(bytes.slice());
    },
    onProgress: (done) => progress.push(done),
  };
  return { job, pieces, progress, bytes: () => Buffer.concat(pieces) };
}

const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

test('a file of three windows comes whole, in order, one request per window, with progress', async () => {
  const file = new Uint8Array(randomBytes(2 * MAX_DIRECT_FILE_WINDOW_BYTES + 12_345));
  const { asker, asking, serving, lookups, reasons } = pair({ lookup: async () => servedFrom(file) });
  const fetch = collector(file.length);
  await expect(asker.fetchFile(fetch.job)).resolves.toBe(file.length);
  expectSameBytes(fetch.bytes(), file);
  expect(fetch.progress.at(-1)).toBe(file.length);
  expect(asking.sent.map((frame) => frame.type)).toEqual(['file_request', 'file_request', 'file_request']);
  expect(lookups).toEqual([ATTACHMENT_HEX, ATTACHMENT_HEX, ATTACHMENT_HEX]);
  expect(serving.sent.filter((frame) => frame.type === 'file_end')).toEqual([
    { type: 'file_end', request: 1, status: 'sent' },
    { type: 'file_end', request: 2, status: 'sent' },
    { type: 'file_end', request: 3, status: 'sent' },
  ]);
  expect(reasons).toEqual({ asker: [], server: [] });
});

test('a fetch starting mid-file asks from there only', async () => {
  const file = new Uint8Array(randomBytes(300_000));
  const { asker, asking } = pair({ lookup: async () => servedFrom(file) });
  const fetch = collector(file.length, 123_456);
  await expect(asker.fetchFile(fetch.job)).resolves.toBe(file.length);
  expectSameBytes(fetch.bytes(), file.subarray(123_456));
  expect(asking.sent[0]).toMatchObject({ type: 'file_request', offset: 123_456 });
});

test('not held by the sender: the fetch ends where it began, and the channel stays open', async () => {
  const { asker, serving, reasons } = pair({ lookup: async () => 'not_held' });
  const fetch = collector(10_000, 500);
  await expect(asker.fetchFile(fetch.job)).resolves.toBe(500);
  expect(serving.sent).toEqual([{ type: 'file_end', request: 1, status: 'not_held' }]);
  expect(asker.isOpen).toBe(true);
  expect(reasons.server).toEqual([]);
});

test('unauthorised: a request for a file not sent to the asker closes the channel as malformed', async () => {
  const { asker, server, reasons } = pair({ lookup: async () => 'not_theirs' });
  const fetch = collector(10_000);
  await expect(asker.fetchFile(fetch.job)).resolves.toBe(0);
  expect(reasons.server).toEqual(['malformed']);
  expect(server.isOpen).toBe(false);
  expect(fetch.pieces).toEqual([]);
});

test('a channel closed mid-window: the fetch resolves with the bytes written, a prefix of the file', async () => {
  const file = new Uint8Array(randomBytes(MAX_DIRECT_FILE_WINDOW_BYTES));
  const sides: { server?: DirectChannel } = {};
  let pieces = 0;
  const setup = pair({
    lookup: async () => servedFrom(file),
    // The fifth piece of the window: the sender's side of the channel goes before it is sent.
    tamperPiece: (bytes) => {
      pieces += 1;
      if (pieces === 5) sides.server?.close('closed');
      return bytes;
    },
  });
  sides.server = setup.server;
  const fetch = collector(file.length);
  const reached = await setup.asker.fetchFile(fetch.job);
  expect(reached).toBe(4 * 65_536);
  expectSameBytes(fetch.bytes(), file.subarray(0, reached));
  await settle();
  expect(setup.asker.isOpen).toBe(false);
});

test('a sender that stalls: the window is given up after fileStallMs; its late pieces are dropped, not a breach', async () => {
  const file = new Uint8Array(randomBytes(100_000));
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const { asker, reasons } = pair({
    lookup: async () => {
      await held;
      return servedFrom(file);
    },
  });
  const fetch = collector(file.length);
  await expect(asker.fetchFile(fetch.job)).resolves.toBe(0);
  release();
  await settle(50);
  expect(fetch.pieces).toEqual([]);
  expect(reasons).toEqual({ asker: [], server: [] });
  // The window is closed by its end all the same: a new fetch may use every request slot.
  await expect(asker.fetchFile(collector(file.length).job)).resolves.toBe(file.length);
});

test('a read that fails: the sender ends that window `refused`, and the fetch keeps what came before it', async () => {
  const file = new Uint8Array(randomBytes(2 * MAX_DIRECT_FILE_WINDOW_BYTES + 600));
  const source = servedFrom(file) as Exclude<ServedFileLookup, string>;
  const { asker, serving } = pair({
    lookup: async () => ({
      length: source.length,
      read: async (offset, length) => {
        if (offset > 0) throw new Error('the vault was locked');
        return source.read(offset, length);
      },
    }),
  });
  const fetch = collector(file.length);
  const reached = await asker.fetchFile(fetch.job);
  expect(reached).toBe(MAX_DIRECT_FILE_WINDOW_BYTES);
  expectSameBytes(fetch.bytes(), file.subarray(0, reached));
  expect(serving.sent.at(-1)).toEqual({ type: 'file_end', request: 2, status: 'refused' });
  expect(asker.isOpen).toBe(true);
});

test('a write that refuses (bytes that do not check) rejects the fetch with its error', async () => {
  const file = new Uint8Array(randomBytes(200_000));
  const { asker } = pair({ lookup: async () => servedFrom(file) });
  const refusal = new Error('auth_failed');
  const job: FileFetch = {
    ...collector(file.length).job,
    write: async () => {
      throw refusal;
    },
  };
  await expect(asker.fetchFile(job)).rejects.toBe(refusal);
});

test('cancelled: the fetch ends at once with what was written; pieces still coming are dropped', async () => {
  const file = new Uint8Array(randomBytes(MAX_DIRECT_FILE_WINDOW_BYTES));
  const controller = new AbortController();
  const { asker, reasons } = pair({ lookup: async () => servedFrom(file) });
  const fetch = collector(file.length);
  const writes: Uint8Array[] = [];
  const job: FileFetch = {
    ...fetch.job,
    signal: controller.signal,
    write: async (bytes) => {
      writes.push(bytes);
      if (writes.length === 2) controller.abort();
    },
  };
  const reached = await asker.fetchFile(job);
  expect(reached).toBeLessThan(file.length);
  await settle(50);
  expect(asker.isOpen).toBe(true);
  expect(reasons.asker).toEqual([]);
});

describe('a hostile peer breaks the window rules: the channel closes as malformed', () => {
  const file = new Uint8Array(randomBytes(100_000));
  type Breach = (setup: ReturnType<typeof pair>) => void;
  const breaches: Record<string, Breach> = {
    'a piece for a request never made': ({ asking }) =>
      asking.inject({ type: 'file_piece', request: 9, offset: 0, bytes: Uint8Array.of(1) }),
    'an end for a request never made': ({ asking }) => asking.inject({ type: 'file_end', request: 9, status: 'sent' }),
    'a fifth request open at once': ({ serving }) => {
      for (let request = 1; request <= MAX_DIRECT_FILE_REQUESTS + 1; request += 1)
        serving.inject({ type: 'file_request', request, attachmentId: ATTACHMENT, offset: 0, length: 10 });
    },
    'a request number reused while open': ({ serving }) => {
      serving.inject({ type: 'file_request', request: 3, attachmentId: ATTACHMENT, offset: 0, length: 10 });
      serving.inject({ type: 'file_request', request: 3, attachmentId: ATTACHMENT, offset: 0, length: 10 });
    },
  };
  for (const [name, breach] of Object.entries(breaches)) {
    test(name, async () => {
      const setup = pair({
        lookup: async () => {
          await settle(30);
          return servedFrom(file);
        },
      });
      breach(setup);
      await settle();
      const closed = [...setup.reasons.asker, ...setup.reasons.server];
      expect(closed).toContain('malformed');
    });
  }

  test('a piece out of order, or past its window', async () => {
    const window = MAX_DIRECT_FILE_WINDOW_BYTES;
    for (const late of [false, true]) {
      const setup = pair({ lookup: () => new Promise<ServedFileLookup>(() => undefined) });
      const fetch = setup.asker.fetchFile(collector(3 * window).job);
      await settle();
      if (!late) setup.asking.inject({ type: 'file_piece', request: 1, offset: 5, bytes: Uint8Array.of(1) });
      else {
        // The window filled to one byte short of its end, then two bytes.
        for (let at = 0; at < window - 1; at += 65_536)
          setup.asking.inject({
            type: 'file_piece',
            request: 1,
            offset: at,
            bytes: new Uint8Array(Math.min(65_536, window - 1 - at)),
          });
        setup.asking.inject({ type: 'file_piece', request: 1, offset: window - 1, bytes: new Uint8Array(2) });
      }
      await expect(fetch).resolves.toBeLessThan(3 * window);
      expect(setup.reasons.asker).toEqual(['malformed']);
    }
  });
});
