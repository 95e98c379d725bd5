import { PieceChannel } from '../../src/worker/bench-piece-channel';

const piece = (n: number) => Uint8Array.of(n);

async function readAll(channel: PieceChannel, onPiece: (p: Uint8Array) => Promise<void> | void = () => undefined) {
  const read: number[] = [];
  for await (const p of channel) {
    read.push(p[0] as number);
    await onPiece(p);
  }
  return read;
}

describe('PieceChannel (bench: a pushed download read as a stream)', () => {
  test('pieces come out in the order they were pushed, then the stream ends', async () => {
    const channel = new PieceChannel();
    const reading = readAll(channel);
    for (let i = 0; i < 5; i++) await channel.push(piece(i));
    channel.end();
    await expect(reading).resolves.toEqual([0, 1, 2, 3, 4]);
  });

  test('a slow reader holds the writer back: never more than one piece waits', async () => {
    const channel = new PieceChannel();
    let releaseReader: () => void = () => undefined;
    const reading = readAll(channel, () => new Promise<void>((resolve) => (releaseReader = resolve)));
    await channel.push(piece(0)); // taken at once by the waiting reader, which then stalls
    await channel.push(piece(1)); // waits in the slot
    let thirdAccepted = false;
    const third = channel.push(piece(2)).then(() => (thirdAccepted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(thirdAccepted).toBe(false);
    releaseReader();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await third;
    expect(thirdAccepted).toBe(true);
    const drain = setInterval(() => releaseReader(), 1);
    channel.end();
    await expect(reading).resolves.toEqual([0, 1, 2]);
    clearInterval(drain);
  });

  test('a failed download makes the reader throw that failure after the pieces it had', async () => {
    const channel = new PieceChannel();
    const read: number[] = [];
    const reading = (async () => {
      for await (const p of channel) read.push(p[0] as number);
    })();
    await channel.push(piece(7));
    channel.end(new Error('dropped'));
    await expect(reading).rejects.toThrow('dropped');
    expect(read).toEqual([7]);
  });

  test('a reader that stops early (a bad tag) makes the waiting writer reject instead of hanging', async () => {
    const channel = new PieceChannel();
    const reading = (async () => {
      for await (const p of channel) if (p[0] === 1) throw new Error('auth_failed');
    })();
    await channel.push(piece(0));
    await channel.push(piece(1));
    await expect(reading).rejects.toThrow('auth_failed');
    await expect(channel.push(piece(2))).rejects.toThrow('the reader stopped');
  });
});
