import jsQR from 'jsqr';

/**
 * Reading the administrator's enrolment QR code (admin-api.md §4.1): from the camera, or from a
 * picture of it. Decoding is jsQR's, on the pixels only; what it finds is just text, checked
 * afterwards like a typed code (enrolment-code.ts).
 */
const MAX_PICTURE_BYTES = 15 * 1024 * 1024;
const MAX_SIDE = 1600;

export function decodeQr(image: ImageData): string | undefined {
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data || undefined;
}

function pixels(source: CanvasImageSource, width: number, height: number): ImageData {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2D canvas');
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** The text of the QR code in a picture, or undefined when none is found. */
export async function decodeQrPicture(file: Blob): Promise<string | undefined> {
  if (file.size > MAX_PICTURE_BYTES) return undefined;
  const bitmap = await createImageBitmap(file);
  try {
    return decodeQr(pixels(bitmap, bitmap.width, bitmap.height));
  } finally {
    bitmap.close();
  }
}

export const cameraAvailable = (): boolean =>
  typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';

/** Shows the camera in `video` until a QR code is read (its text) or `signal` aborts; always stops the camera. */
export async function scanWithCamera(video: HTMLVideoElement, signal: AbortSignal): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  try {
    video.srcObject = stream;
    await video.play();
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) continue;
      const text = decodeQr(pixels(video, video.videoWidth, video.videoHeight));
      if (text) return text;
    }
    throw new DOMException('the scan was cancelled', 'AbortError');
  } finally {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  }
}
