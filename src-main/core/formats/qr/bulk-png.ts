// QR images for bulk provisioning, where `qrcode`'s PNG renderer (about 20 ms a code) would take
// minutes for a fleet: the symbol comes from `qrcode` itself (one byte segment, a fixed mask, so
// no search over the eight masks), and is written as a 1-bit greyscale PNG directly. Level M,
// like every other QR code Curvekeep makes; any mask is valid QR and every reader handles it.
import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { InvalidInputError } from '../../errors.js';
import { assertNoSecret } from './payload.js';

/**
 * Deflate's fastest level: its matches reach back a whole pixel row, so a module row repeated by
 * the next one (and the zero rows of filter Up) cost a few bits. Measured on a device's code
 * (57 modules at 6 pixels): 922 bytes in 19 us, against 1,340 bytes in 21 us with the run-length
 * strategy, whose matches reach back one byte only.
 */
const DEFLATE = { level: 1 } as const;

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
  /** Pixels per module, 1 to 16 (default 6). */
  readonly scale?: number;
  /** Quiet zone in modules, 0 to 16 (default 4, as the standard asks). */
  readonly margin?: number;
}

/** A PNG of the QR code of `payload` (public material only: a secret key is refused). */
export function bulkQrPng(payload: string, options: BulkQrOptions = {}): Buffer {
  assertNoSecret(payload);
  const scale = options.scale ?? 6;
  const margin = options.margin ?? 4;
  if (!Number.isInteger(scale) || scale < 1 || scale > 16 || !Number.isInteger(margin) || margin < 0 || margin > 16) {
    throw new InvalidInputError(`a QR image takes 1 to 16 pixels per module and a quiet zone of 0 to 16 modules (got ${scale} and ${margin})`);
  }
  let symbol: QRCode.QRCode;
  try {
    symbol = QRCode.create([{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: 0 });
  } catch (error) {
    throw new InvalidInputError(`cannot make a QR code of this payload: ${(error as Error).message}`);
  }
  const { size, data } = symbol.modules;
  const modules = size + 2 * margin;
  const width = modules * scale;
  const stride = Math.ceil(width / 8) + 1;
  // 1 bit per pixel, 1 = white. Each module row's first pixel row is written with filter None; the
  // rows repeating it use filter Up, whose bytes are then all zero (as allocated). A pixel row is
  // packed left to right through an accumulator, `scale` bits per module; the last byte is padded
  // with white.
  const raw = Buffer.alloc(stride * width);
  const white = (1 << scale) - 1;
  for (let r = 0; r < modules; r++) {
    const first = r * scale * stride;
    for (let y = 1; y < scale; y++) raw[first + y * stride] = 2;
    const row = r - margin;
    let out = first + 1;
    let acc = 0;
    let bits = 0;
    for (let c = 0; c < modules; c++) {
      const col = c - margin;
      const dark = row >= 0 && row < size && col >= 0 && col < size && data[row * size + col] !== 0;
      acc = (acc << scale) | (dark ? 0 : white);
      bits += scale;
      while (bits >= 8) {
        bits -= 8;
        raw[out++] = (acc >>> bits) & 0xff;
      }
      acc &= (1 << bits) - 1;
    }
    if (bits > 0) raw[out] = ((acc << (8 - bits)) | (0xff >>> bits)) & 0xff;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, DEFLATE)), chunk('IEND', Buffer.alloc(0))]);
}
