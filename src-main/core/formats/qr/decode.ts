// QR codes read back from PNG (pngjs) or JPEG (jpeg-js) pictures with jsQR, with the image
// size checked before any pixel is decoded.
import jpeg from 'jpeg-js';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { InvalidInputError } from '../../errors.js';

/** Larger images are refused before decoding: no phone photo of a QR code comes near this. */
export const QR_IMAGE_MAX_PIXELS = 40_000_000;
export const QR_IMAGE_MAX_BYTES = 30 * 1024 * 1024;

// jsqr is CommonJS with `exports.default`; Node's default import is the module object.
const jsQR = jsQRModule.default;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: ReadonlyArray<number>): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function checkDimensions(width: number, height: number, source: string): void {
  if (width === 0 || height === 0) throw new InvalidInputError(`${source} is an empty image (${width}x${height} pixels)`);
  if (width * height > QR_IMAGE_MAX_PIXELS) {
    throw new InvalidInputError(
      `${source} is too large an image (${width}x${height} pixels; at most ${QR_IMAGE_MAX_PIXELS / 1_000_000} megapixels): crop or scale it down to the QR code`,
    );
  }
}

/** Width and height from a JPEG's start-of-frame marker, or null when none is found. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let pos = 2;
  while (pos + 9 < bytes.length) {
    if (bytes[pos] !== 0xff) return null;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[pos + 5]! << 8) | bytes[pos + 6]!, width: (bytes[pos + 7]! << 8) | bytes[pos + 8]! };
    }
    pos += 2 + length;
  }
  return null;
}

interface Rgba {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

function decodePng(bytes: Uint8Array, source: string): Rgba {
  // IHDR sits at a fixed place: the size is checked before any pixel is inflated.
  if (bytes.length < 24) throw new InvalidInputError(`${source} is a truncated PNG image (only ${bytes.length} bytes)`);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new InvalidInputError(`${source} is a damaged PNG image (no IHDR header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkDimensions(view.getUint32(16), view.getUint32(20), source);
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { data: png.data, width: png.width, height: png.height };
  } catch (error) {
    throw new InvalidInputError(`${source} is a damaged or truncated PNG image (${(error as Error).message})`);
  }
}

function decodeJpeg(bytes: Uint8Array, source: string): Rgba {
  const size = jpegSize(bytes);
  if (!size) throw new InvalidInputError(`${source} is a damaged or truncated JPEG image (no image header found)`);
  checkDimensions(size.width, size.height, source);
  try {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: QR_IMAGE_MAX_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 1024,
    });
    return { data: image.data, width: image.width, height: image.height };
  } catch (error) {
    throw new InvalidInputError(`${source} is a damaged or truncated JPEG image (${(error as Error).message})`);
  }
}

/** Luminance of each pixel, transparent pixels put on white as a viewer shows them (jsQR ignores alpha). */
function grayOnWhite(image: Rgba): Uint8Array {
  const { data } = image;
  const gray = new Uint8Array(image.width * image.height);
  for (let p = 0, i = 0; p < gray.length; p++, i += 4) {
    const alpha = data[i + 3]!;
    const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    gray[p] = alpha === 255 ? luma : (luma * alpha + 255 * (255 - alpha)) / 255;
  }
  return gray;
}

interface Scaled {
  readonly rgba: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** The gray image resized by `factor`: > 1 shrinks by box averaging, < 1 enlarges by 1/factor. */
function resized(gray: Uint8Array, width: number, height: number, factor: number): Scaled {
  if (factor < 1) {
    const up = Math.round(1 / factor);
    const w = width * up;
    const h = height * up;
    const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = gray[Math.floor(y / up) * width + Math.floor(x / up)]!;
        const o = (y * w + x) * 4;
        rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
      }
    }
    return { rgba, width: w, height: h };
  }
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += gray[row + dx]!;
      }
      const o = (y * w + x) * 4;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = sum / area;
    }
  }
  return { rgba, width: w, height: h };
}

// jsQR's time grows faster than the pixel count (3 s for a 3-megapixel photo, 0.2 s at a quarter of
// that), so large pictures are read shrunk first: to about 1000, then about 2000 pixels across.
const FIRST_SIZE = 1024;
const LAST_SIZE = 2048;
// Below this, a code drawn at one pixel per module is too fine for jsQR's 8-pixel blocks.
const SMALL_SIZE = 256;

function scanFactors(width: number, height: number): number[] {
  const longest = Math.max(width, height);
  if (longest < SMALL_SIZE) return [1 / Math.ceil(SMALL_SIZE / longest), 1];
  if (longest <= LAST_SIZE) return [Math.max(1, Math.ceil(longest / FIRST_SIZE)), 1].filter((f, i, all) => all.indexOf(f) === i);
  return [Math.ceil(longest / FIRST_SIZE), Math.ceil(longest / LAST_SIZE)].filter((f, i, all) => all.indexOf(f) === i);
}

/** The text of the QR code in a PNG or JPEG image. */
export function decodeQrImage(bytes: Uint8Array, source: string): string {
  if (bytes.length > QR_IMAGE_MAX_BYTES) {
    throw new InvalidInputError(
      `${source} is too large (${bytes.length} bytes; at most ${QR_IMAGE_MAX_BYTES / 1024 / 1024} MB): crop or scale it down to the QR code`,
    );
  }
  let image: Rgba;
  if (startsWith(bytes, PNG_MAGIC)) image = decodePng(bytes, source);
  else if (startsWith(bytes, [0xff, 0xd8, 0xff])) image = decodeJpeg(bytes, source);
  else if (bytes.length === 0) throw new InvalidInputError(`${source} is empty; expected a PNG or JPEG image of a QR code`);
  else throw new InvalidInputError(`${source} is not a PNG or JPEG image; expected a picture of a QR code`);

  const gray = grayOnWhite(image);
  let found: ReturnType<typeof jsQR> = null;
  for (const factor of scanFactors(image.width, image.height)) {
    const scaled = resized(gray, image.width, image.height, factor);
    found = jsQR(scaled.rgba, scaled.width, scaled.height, { inversionAttempts: 'attemptBoth' });
    if (found) break;
  }
  if (!found) {
    const crop = Math.max(image.width, image.height) > LAST_SIZE ? ', or crop the picture to the code' : '';
    throw new InvalidInputError(
      `no QR code found in ${source} (${image.width}x${image.height} pixels): make sure the whole code is in the picture, sharp and not too small${crop}`,
    );
  }
  // binaryData holds the bytes of every segment; a payload is UTF-8 text.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(found.binaryData));
  } catch {
    return found.data;
  }
}
