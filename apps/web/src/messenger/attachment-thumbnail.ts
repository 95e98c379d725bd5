/**
 * The thumbnail an image attachment carries inside its message (docs/protocol/attachments.md §3:
 * at most 16 KiB, made on the sender's device), drawn in the worker with createImageBitmap and an
 * OffscreenCanvas. Re-encoding through a canvas also drops the photo's metadata (EXIF: place,
 * camera), which the thumbnail must not carry.
 *
 * The size loop (fitThumbnail) takes the encoder as a parameter so that it is tested in Jest,
 * which has no canvas; the canvas path itself is tested in Chromium.
 */

/** The longer side of a thumbnail, in pixels: enough for a preview in a conversation. */
export const THUMBNAIL_MAX_SIDE = 320;
/** attachments.md §3. */
export const THUMBNAIL_MAX_BYTES = 16_384;
/** Tried in order at each size, before the size is lowered. */
export const THUMBNAIL_QUALITIES: readonly number[] = [0.8, 0.65, 0.5, 0.35];
/** Each smaller size is this fraction of the one before. */
const SIDE_STEP = 0.75;
/** Below this longer side a preview shows nothing useful: no thumbnail rather than a smudge. */
const MIN_SIDE = 48;

export type ThumbnailType = 'image/webp' | 'image/jpeg';

export interface AttachmentThumbnail {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly type: ThumbnailType;
}

/**
 * Draws the image at width × height and encodes it; the Blob's `type` is what the runtime really
 * made (a runtime without a WebP encoder returns PNG for 'image/webp', as the HTML spec allows).
 */
export type ThumbnailEncoder = (width: number, height: number, type: ThumbnailType, quality: number) => Promise<Blob>;

/**
 * The first encoding of at most THUMBNAIL_MAX_BYTES: at the largest size (longer side at most
 * THUMBNAIL_MAX_SIDE, never enlarged) with falling quality, then at smaller sizes. WebP, or JPEG
 * where the runtime does not encode WebP. Undefined when nothing fits, or neither type is made.
 */
export async function fitThumbnail(
  sourceWidth: number,
  sourceHeight: number,
  encode: ThumbnailEncoder,
): Promise<AttachmentThumbnail | undefined> {
  if (!isPositiveInteger(sourceWidth) || !isPositiveInteger(sourceHeight)) return undefined;
  const longer = Math.max(sourceWidth, sourceHeight);
  let type: ThumbnailType = 'image/webp';
  for (
    let side = Math.min(THUMBNAIL_MAX_SIDE, longer);
    side >= Math.min(MIN_SIDE, longer);
    side = Math.floor(side * SIDE_STEP)
  ) {
    const width = Math.max(1, Math.round((sourceWidth * side) / longer));
    const height = Math.max(1, Math.round((sourceHeight * side) / longer));
    for (const quality of THUMBNAIL_QUALITIES) {
      let blob = await encode(width, height, type, quality);
      if (blob.type !== type && type === 'image/webp') {
        type = 'image/jpeg';
        blob = await encode(width, height, type, quality);
      }
      if (blob.type !== type) return undefined;
      if (blob.size <= THUMBNAIL_MAX_BYTES)
        return { data: new Uint8Array(await blob.arrayBuffer()), width, height, type };
    }
  }
  return undefined;
}

/**
 * A thumbnail of an image file (`type` image/*), or undefined: not an image, a runtime without
 * createImageBitmap or OffscreenCanvas (Jest), an image the runtime cannot decode, or none that
 * fits the size limit.
 */
export async function makeThumbnail(file: Blob, type: string): Promise<AttachmentThumbnail | undefined> {
  if (!type.startsWith('image/')) return undefined;
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') return undefined;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    return await fitThumbnail(bitmap.width, bitmap.height, (width, height, outputType, quality) =>
      drawBitmap(bitmap, width, height, outputType).convertToBlob({ type: outputType, quality }),
    );
  } catch {
    return undefined;
  } finally {
    bitmap.close();
  }
}

function drawBitmap(bitmap: ImageBitmap, width: number, height: number, type: ThumbnailType): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('no 2d context');
  context.imageSmoothingQuality = 'high';
  // JPEG has no transparency: a transparent area would turn black, so it is drawn on white.
  if (type === 'image/jpeg') {
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
  }
  context.drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
