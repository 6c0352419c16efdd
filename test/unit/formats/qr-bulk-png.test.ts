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

  it('refuses a payload holding a secret key', () => {
    const pair = generateKeyPair();
    expect(() => bulkQrPng(`curve\n    public-key = "${pair.publicKey}"\n    secret-key = "${pair.secretKey}"\n`)).toThrow(InvalidInputError);
  });
});
