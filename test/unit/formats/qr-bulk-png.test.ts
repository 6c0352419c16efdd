// The bulk QR writer: its PNGs read back with jsQR (what `peers import` uses) and zbarimg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { decodeQrImage } from '../../../src-main/core/formats/qr/decode.js';
import { qrPayload } from '../../../src-main/core/formats/qr/payload.js';
import { bulkQrPng } from '../../../src-main/core/formats/qr/bulk-png.js';

describe('bulkQrPng', () => {
  it('writes a PNG that jsQR and zbarimg read back as the exact payload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'curvekeep-qr-'));
    try {
      for (const name of ['d', 'device-00042', `sensor-${'x'.repeat(100)}`]) {
        const payload = qrPayload({ name, endpoint: 'tcp://127.0.0.7:5555', publicKey: generateKeyPair().publicKey });
        const png = bulkQrPng(payload);
        expect(decodeQrImage(png, name)).toBe(payload);
        const file = join(dir, 'code.png');
        writeFileSync(file, png);
        const read = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        expect(read).toBe(`${payload}\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads back at other sizes, where a module does not end on a byte (5 pixels, a quiet zone of 3)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'curvekeep-qr-'));
    try {
      const payload = qrPayload({ name: 'device-00042', endpoint: null, publicKey: generateKeyPair().publicKey });
      for (const [scale, margin] of [[5, 3], [3, 4], [8, 1], [16, 4]] as const) {
        const png = bulkQrPng(payload, { scale, margin });
        // Square, a whole number of modules, and a QR size (17 + 4 per version) inside the quiet zone.
        const width = png.readUInt32BE(16);
        expect(png.readUInt32BE(20)).toBe(width);
        expect(width % scale).toBe(0);
        expect((width / scale - 2 * margin - 17) % 4).toBe(0);
        const file = join(dir, 'code.png');
        writeFileSync(file, png);
        const read = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        expect(read, `${scale} ${margin}`).toBe(`${payload}\n`);
      }
      expect(() => bulkQrPng(payload, { scale: 17 })).toThrow(InvalidInputError);
      expect(() => bulkQrPng(payload, { scale: 2.5 })).toThrow(InvalidInputError);
      expect(() => bulkQrPng(payload, { margin: -1 })).toThrow(InvalidInputError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a payload holding a secret key', () => {
    const pair = generateKeyPair();
    expect(() => bulkQrPng(`curve\n    public-key = "${pair.publicKey}"\n    secret-key = "${pair.secretKey}"\n`)).toThrow(InvalidInputError);
  });
});
