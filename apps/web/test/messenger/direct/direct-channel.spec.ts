/**
 * One direct channel's frame rules (direct.md §5-§7), over an in-memory link: acks settle sends,
 * a missing ack gives the blob back to the relay, and a peer that breaks the rules (an ack for
 * nothing, a frame out of order, more than 8 MiB unacked) gets the channel closed as malformed.
 */
import { encodeDirectFrame } from '@opendescent/protocol';
import { DirectChannel, MAX_UNACKED_BYTES } from '../../../src/messenger/direct/direct-channel';
import type { DirectCloseReason, DirectLink } from '../../../src/messenger/direct/direct-ports';

class MemoryLink implements DirectLink {
  readonly sent: Uint8Array[] = [];
  private frame: (frame: unknown) => void = () => undefined;
  private closeListener: () => void = () => undefined;
  closed = false;
  whenOpen = () => Promise.resolve();
  send(frame: Uint8Array): void {
    this.sent.push(frame);
  }
  close(): void {
    this.closed = true;
  }
  onFrame(listener: (frame: unknown) => void): void {
    this.frame = listener;
  }
  onClose(listener: () => void): void {
    this.closeListener = listener;
  }
  /** The peer's frame arrives. */
  arrive(frame: unknown): void {
    this.frame(frame);
  }
  drop(): void {
    this.closeListener();
  }
}

const TIMING = { ackTimeoutMs: 200, idleCloseMs: 400, fileStallMs: 200 };
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

function channel(receive: (blob: Uint8Array) => Promise<boolean> = async () => true) {
  const link = new MemoryLink();
  const reasons: DirectCloseReason[] = [];
  const received: Uint8Array[] = [];
  const open = new DirectChannel(
    'peer',
    'c'.repeat(32),
    link,
    async (blob) => {
      received.push(blob);
      return receive(blob);
    },
    (reason) => reasons.push(reason),
    { lookup: async () => 'not_held' },
    TIMING,
  );
  return { link, open, reasons, received };
}

test('a send resolves true when its ack comes, false when none comes in time', async () => {
  const { link, open } = channel();
  const first = open.send(new Uint8Array([1, 2, 3]));
  link.arrive(encodeDirectFrame({ type: 'ack', seq: 1 }));
  await expect(first).resolves.toBe(true);
  await expect(open.send(new Uint8Array([4]))).resolves.toBe(false);
  // A late ack is still taken (the blob went both ways and is shown once): the channel stays open.
  link.arrive(encodeDirectFrame({ type: 'ack', seq: 2 }));
  expect(open.isOpen).toBe(true);
});

test('an ack for a frame never sent, or acked twice, closes the channel as malformed', async () => {
  const { link, open, reasons } = channel();
  const sent = open.send(new Uint8Array([1]));
  link.arrive(encodeDirectFrame({ type: 'ack', seq: 1 }));
  await sent;
  link.arrive(encodeDirectFrame({ type: 'ack', seq: 1 }));
  expect(reasons).toEqual(['malformed']);
  expect(link.closed).toBe(true);
});

test('data frames are handed over in order and acked once committed; one not committed is not acked', async () => {
  let commit = true;
  const { link, received } = channel(async () => commit);
  link.arrive(encodeDirectFrame({ type: 'data', seq: 1, blob: new Uint8Array([7]) }));
  await settle();
  commit = false;
  link.arrive(encodeDirectFrame({ type: 'data', seq: 2, blob: new Uint8Array([8]) }));
  await settle();
  expect(received.map((b) => b[0])).toEqual([7, 8]);
  expect(link.sent).toEqual([encodeDirectFrame({ type: 'ack', seq: 1 })]);
});

test('a data frame out of order, a text message, or a short frame closes the channel as malformed', async () => {
  for (const bad of [
    encodeDirectFrame({ type: 'data', seq: 2, blob: new Uint8Array([1]) }),
    'a string, not bytes',
    new Uint8Array([1, 0, 0]),
  ]) {
    const { link, reasons, received } = channel();
    link.arrive(bad);
    await settle();
    expect(reasons).toEqual(['malformed']);
    expect(received).toHaveLength(0);
  }
});

test('more than 8 MiB unacked: a sender gives the blob back to the relay; a receiver closes the channel', async () => {
  const { open, link } = channel();
  const big = new Uint8Array(65_536);
  const pending: Promise<boolean>[] = [];
  for (let i = 0; i < MAX_UNACKED_BYTES / big.length; i++) pending.push(open.send(big));
  expect(link.sent).toHaveLength(MAX_UNACKED_BYTES / big.length);
  await expect(open.send(big)).resolves.toBe(false);
  expect(link.sent).toHaveLength(MAX_UNACKED_BYTES / big.length);
  open.close('closed');
  expect(await Promise.all(pending)).toEqual(pending.map(() => false));

  // A peer that floods: its frames are never committed here, so none is acked.
  const flooded = channel(() => new Promise<boolean>(() => undefined));
  for (let seq = 1; seq <= MAX_UNACKED_BYTES / big.length + 1; seq++)
    flooded.link.arrive(encodeDirectFrame({ type: 'data', seq, blob: big }));
  expect(flooded.reasons).toEqual(['malformed']);
});

test('a channel with no frame for the idle time closes; a dropped link closes it and fails what waits', async () => {
  const idle = channel();
  await new Promise((resolve) => setTimeout(resolve, TIMING.idleCloseMs + 100));
  expect(idle.reasons).toEqual(['closed']);
  const dropped = channel();
  const waiting = dropped.open.send(new Uint8Array([1]));
  dropped.link.drop();
  await expect(waiting).resolves.toBe(false);
  expect(dropped.reasons).toEqual(['closed']);
});
