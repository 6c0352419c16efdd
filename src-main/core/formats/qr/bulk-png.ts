// QR images for bulk provisioning, where `qrcode`'s PNG renderer (about 20 ms a code) would take
// minutes for a fleet: the symbol comes from `qrcode` itself (one byte segment, a fixed mask, so
// no search over the eight masks), and is written as a 1-bit greyscale PNG directly. Level M,
// like every other QR code Curvekeep makes; any mask is valid QR and every reader handles it.
import { constants as zlibConstants, crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { InvalidInputError } from '../../errors.js';
import { assertNoSecret } from './payload.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export interface BulkQrOptions {
  /** Pixels per module (default 6). */
  readonly scale?: number;
  /** Quiet zone in modules (default 4, as the standard asks). */
  readonly margin?: number;
}

/** A PNG of the QR code of `payload` (public material only: a secret key is refused). */
export function bulkQrPng(payload: string, options: BulkQrOptions = {}): Buffer {
  assertNoSecret(payload);
  const scale = options.scale ?? 6;
  const margin = options.margin ?? 4;
  let symbol: QRCode.QRCode;
  try {
    symbol = QRCode.create([{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: 0 });
  } catch (error) {
    throw new InvalidInputError(`cannot make a QR code of this payload: ${(error as Error).message}`);
  }
  const { size, data } = symbol.modules;
  const width = (size + 2 * margin) * scale;
  const rowBytes = Math.ceil(width / 8);
  const stride = rowBytes + 1;
  // 1 bit per pixel, 1 = white: start all white, then clear the dark modules. Filter bytes stay 0
  // (None) on each module row's first pixel row; the rows repeating it use filter Up, whose bytes
  // are then all zero, which deflate's run-length strategy packs at once.
  const raw = Buffer.alloc(stride * width, 0xff);
  for (let y = 0; y < width; y++) {
    if (y % scale === 0) raw[y * stride] = 0;
    else raw.fill(0, y * stride, (y + 1) * stride)[y * stride] = 2;
  }
  for (let row = 0; row < size; row++) {
    const first = (row + margin) * scale * stride;
    for (let col = 0; col < size; col++) {
      if (!data[row * size + col]) continue;
      const x0 = (col + margin) * scale;
      for (let x = x0; x < x0 + scale; x++) raw[first + 1 + (x >> 3)]! &= ~(0x80 >> (x & 7));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 6, strategy: zlibConstants.Z_RLE })), chunk('IEND', Buffer.alloc(0))]);
}
