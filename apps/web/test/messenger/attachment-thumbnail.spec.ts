/**
 * The thumbnail's size loop, with the encoder injected: Jest has no canvas, so the real
 * createImageBitmap + OffscreenCanvas path is tested in Chromium, not here.
 */
import {
  fitThumbnail,
  makeThumbnail,
  THUMBNAIL_MAX_BYTES,
  THUMBNAIL_QUALITIES,
  type ThumbnailEncoder,
  type ThumbnailType,
} from '../../src/messenger/attachment-thumbnail';

interface Call {
  readonly width: number;
  readonly height: number;
  readonly type: ThumbnailType;
  readonly quality: number;
}

/** An encoder whose output has `bytes(call)` bytes, of the type the runtime `makes` for a request. */
function fakeEncoder(
  bytes: (call: Call) => number,
  makes: (type: ThumbnailType) => string = (type) => type,
): { encode: ThumbnailEncoder; calls: Call[] } {
  const calls: Call[] = [];
  const encode: ThumbnailEncoder = async (width, height, type, quality) => {
    const call = { width, height, type, quality };
    calls.push(call);
    return new Blob([new Uint8Array(Math.round(bytes(call))).fill(7)], { type: makes(type) });
  };
  return { encode, calls };
}

/** Bytes proportional to pixels and quality: what lossy encoders roughly do. */
const byPixels = (factor: number) => (call: Call) => call.width * call.height * call.quality * factor;

describe('fitThumbnail', () => {
  it('scales the longer side to 320 px and lowers the quality until the encoding fits 16 KiB', async () => {
    const { encode, calls } = fakeEncoder(byPixels(0.5));
    const thumbnail = await fitThumbnail(4000, 3000, encode);
    expect(calls.map((call) => call.quality)).toEqual(THUMBNAIL_QUALITIES);
    expect(calls.every((call) => call.width === 320 && call.height === 240 && call.type === 'image/webp')).toBe(true);
    expect(thumbnail).toMatchObject({ width: 320, height: 240, type: 'image/webp' });
    expect(thumbnail?.data.length).toBe(Math.round(320 * 240 * 0.35 * 0.5));
    expect(thumbnail?.data.length).toBeLessThanOrEqual(THUMBNAIL_MAX_BYTES);
    expect(thumbnail?.data.every((byte) => byte === 7)).toBe(true);
  });

  it('keeps the first quality that fits', async () => {
    const { encode, calls } = fakeEncoder(() => 1_000);
    expect(await fitThumbnail(640, 480, encode)).toMatchObject({ width: 320, height: 240 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.quality).toBe(THUMBNAIL_QUALITIES[0]);
  });

  it('lowers the size when no quality fits, keeping the aspect ratio of a portrait image', async () => {
    const { encode, calls } = fakeEncoder((call) => call.width * call.height);
    const thumbnail = await fitThumbnail(3000, 4000, encode);
    const sizes = [...new Set(calls.map((call) => `${call.width}x${call.height}`))];
    expect(sizes).toEqual(['240x320', '180x240', '135x180', '101x135']);
    expect(thumbnail).toMatchObject({ width: 101, height: 135 });
    expect(thumbnail?.data.length).toBeLessThanOrEqual(THUMBNAIL_MAX_BYTES);
  });

  it('never enlarges a small image', async () => {
    const { encode, calls } = fakeEncoder(() => 10);
    expect(await fitThumbnail(100, 50, encode)).toMatchObject({ width: 100, height: 50 });
    expect(calls[0]).toMatchObject({ width: 100, height: 50 });
  });

  it('falls back to JPEG where the runtime does not encode WebP (it answers PNG)', async () => {
    const { encode, calls } = fakeEncoder(byPixels(0.5), (type) => (type === 'image/webp' ? 'image/png' : type));
    const thumbnail = await fitThumbnail(4000, 3000, encode);
    expect(thumbnail?.type).toBe('image/jpeg');
    expect(calls.filter((call) => call.type === 'image/webp')).toHaveLength(1);
  });

  it('gives none when the runtime encodes neither WebP nor JPEG', async () => {
    const { encode } = fakeEncoder(
      () => 10,
      () => 'image/png',
    );
    expect(await fitThumbnail(4000, 3000, encode)).toBeUndefined();
  });

  it('gives none, after a bounded number of tries, when even the smallest size is oversized', async () => {
    const { encode, calls } = fakeEncoder(() => THUMBNAIL_MAX_BYTES + 1);
    expect(await fitThumbnail(4000, 3000, encode)).toBeUndefined();
    expect(Math.min(...calls.map((call) => call.width))).toBeGreaterThanOrEqual(48);
    expect(calls.length).toBeLessThanOrEqual(8 * THUMBNAIL_QUALITIES.length);
  });

  it('gives none for malformed dimensions, without encoding', async () => {
    const { encode, calls } = fakeEncoder(() => 10);
    for (const [width, height] of [
      [0, 10],
      [10, -1],
      [Number.NaN, 10],
      [1.5, 10],
    ] as const)
      expect(await fitThumbnail(width, height, encode)).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('keeps a 1-pixel side for a very elongated image', async () => {
    const { encode } = fakeEncoder(() => 10);
    expect(await fitThumbnail(10_000, 10, encode)).toMatchObject({ width: 320, height: 1 });
  });
});

describe('makeThumbnail', () => {
  it('gives none for a type that is not an image', async () => {
    expect(await makeThumbnail(new Blob(['%PDF-1.7']), 'application/pdf')).toBeUndefined();
  });

  it('gives none in a runtime without createImageBitmap or OffscreenCanvas (Node, Jest)', async () => {
    expect(typeof globalThis.createImageBitmap).toBe('undefined');
    expect(await makeThumbnail(new Blob([new Uint8Array(10)]), 'image/png')).toBeUndefined();
  });
});
