// QR images against real tools: zbarimg reads ours, we read qrencode's, Chromium draws our SVG.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError } from '../../../src-main/core/errors.js';
import { decodeQrImage } from '../../../src-main/core/formats/qr/decode.js';
import { parseQrPayload, qrPayload } from '../../../src-main/core/formats/qr/payload.js';
import { renderQrPng, renderQrSvg } from '../../../src-main/core/formats/qr/render.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-qr-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: ReadonlyArray<string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function zbarimg(path: string): string {
  const result = run('zbarimg', ['--raw', '-q', path]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const { publicKey } = generateKeyPair();
const payload = qrPayload({ name: 'gateway-07', endpoint: 'tcp://127.0.0.7:5555', publicKey });

describe('zbarimg reads the QR codes we draw', () => {
  it.each([2, 4, 8])('PNG at scale %i decodes to exactly the payload', async (scale) => {
    const path = join(dir, `ours-${scale}.png`);
    writeFileSync(path, await renderQrPng(payload, { scale }));
    // zbarimg ends each symbol it prints with a newline of its own.
    expect(zbarimg(path)).toBe(`${payload}\n`);
  });

  it('a payload without endpoint, and a payload read back gives the key', async () => {
    const short = qrPayload({ name: 'sensor-0042', publicKey });
    const path = join(dir, 'short.png');
    writeFileSync(path, await renderQrPng(short));
    const scanned = zbarimg(path).slice(0, -1);
    expect(scanned).toBe(short);
    expect(parseQrPayload(scanned, 'short.png')).toEqual({ publicKey, name: 'sensor-0042', endpoint: null });
  });
});

describe('we read QR codes qrencode draws', () => {
  const encode = (name: string, extra: ReadonlyArray<string> = []): string => {
    const path = join(dir, name);
    const result = run('qrencode', ['-l', 'M', ...extra, '-o', path, '--', payload]);
    expect(result.status, result.stderr).toBe(0);
    return path;
  };

  it('PNG', () => {
    expect(decodeQrImage(readFileSync(encode('qrencode.png')), 'qrencode.png')).toBe(payload);
  });

  it('PNG in 8-bit mode at size 2, level H', () => {
    const path = join(dir, 'qrencode-8bit.png');
    const result = run('qrencode', ['-8', '-s', '2', '-l', 'H', '-o', path, '--', payload]);
    expect(result.status, result.stderr).toBe(0);
    expect(decodeQrImage(readFileSync(path), 'qrencode-8bit.png')).toBe(payload);
  });

  it('a JPEG made from it, and a JPEG photo-like with the code small on a large grey page', () => {
    const png = PNG.sync.read(readFileSync(encode('for-jpeg.png')));
    const jpg = jpeg.encode({ data: png.data, width: png.width, height: png.height }, 75).data;
    expect(decodeQrImage(jpg, 'qrencode.jpg')).toBe(payload);

    const width = png.width * 4;
    const height = png.height * 3;
    const page = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const inside = x >= png.width && x < 2 * png.width && y >= png.height && y < 2 * png.height;
        const v = inside ? png.data[((y - png.height) * png.width + (x - png.width)) * 4]! : 200 + ((x * 7 + y * 13) % 30);
        page[i] = page[i + 1] = page[i + 2] = v;
        page[i + 3] = 255;
      }
    }
    const photo = jpeg.encode({ data: page, width, height }, 60).data;
    expect(decodeQrImage(photo, 'photo.jpg')).toBe(payload);
  });

  it('a PNG without a QR code gives a clear error', () => {
    const png = new PNG({ width: 320, height: 240 });
    for (let i = 0; i < png.data.length; i += 4) {
      const p = i / 4;
      png.data[i] = (p * 37) % 256;
      png.data[i + 1] = (p * 11) % 256;
      png.data[i + 2] = 128;
      png.data[i + 3] = 255;
    }
    const bytes = PNG.sync.write(png);
    writeFileSync(join(dir, 'noise.png'), bytes);
    // zbarimg agrees there is nothing to read.
    expect(run('zbarimg', ['--raw', '-q', join(dir, 'noise.png')]).status).not.toBe(0);
    expect(() => decodeQrImage(bytes, 'noise.png')).toThrow(InvalidInputError);
    expect(() => decodeQrImage(bytes, 'noise.png')).toThrow(/^no QR code found in noise\.png \(320x240 pixels\): make sure the whole code is in the picture/);
  });
});

describe('our SVG, drawn by Chromium', () => {
  it('reads back with zbarimg and with our decoder', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], timeout: 20_000 });
    try {
      const page = await browser.newPage({ viewport: { width: 500, height: 500 } });
      const svg = await renderQrSvg(payload);
      await page.setContent(`<body style="margin:0;background:#fff">${svg.replace('<svg ', '<svg width="480" height="480" ')}</body>`);
      const shot = await page.screenshot({ type: 'png' });
      const path = join(dir, 'svg.png');
      writeFileSync(path, shot);
      expect(decodeQrImage(shot, 'svg.png')).toBe(payload);
      expect(zbarimg(path)).toBe(`${payload}\n`);
    } finally {
      await browser.close();
    }
  });
});
