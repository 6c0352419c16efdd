import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type PublicKey } from '../../../src-main/core/curve/keys.js';
import { InvalidInputError, InvalidKeyError } from '../../../src-main/core/errors.js';
import { decodeQrImage } from '../../../src-main/core/formats/qr/decode.js';
import { parseQrPayload, qrPayload } from '../../../src-main/core/formats/qr/payload.js';
import { renderQrPng, renderQrSvg, renderQrTerminal } from '../../../src-main/core/formats/qr/render.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const EXAMPLE_KEY = 'Q1HAcTIqS]15yPNb77BrV-o#RCKf4K(y@-4I%4t^' as PublicKey;
const GATEWAY_KEY = 'GEq9T6E2iLO$vZ[vs6pg.CaoTd5dml!>B6pDP>sZ';
const GATEWAY_SECRET = 'FN9[]sW3r.Fu9&kRsU8)JDmjZnB5%H<nQlQQeRf^';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

// Which colour each half of a terminal cell shows.
const HALF_BLOCKS: Record<string, readonly ['fg' | 'bg', 'fg' | 'bg']> = {
  '█': ['fg', 'fg'],
  '▀': ['fg', 'bg'],
  '▄': ['bg', 'fg'],
  ' ': ['bg', 'bg'],
};

function pngOf(width: number, height: number, paint: (x: number, y: number) => number, alpha = 255): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const v = paint(x, y);
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = alpha;
    }
  }
  return PNG.sync.write(png);
}

describe('qrPayload', () => {
  it('is the public zcert body of ARCHITECTURE.md section 4, exactly', () => {
    expect(qrPayload({ name: 'gateway-07', endpoint: 'tcp://127.0.0.7:5555', publicKey: EXAMPLE_KEY })).toBe(
      'metadata\n    name = "gateway-07"\n    endpoint = "tcp://127.0.0.7:5555"\ncurve\n    public-key = "Q1HAcTIqS]15yPNb77BrV-o#RCKf4K(y@-4I%4t^"\n',
    );
  });

  it('leaves out an endpoint that is not given', () => {
    const text = 'metadata\n    name = "gateway-07"\ncurve\n    public-key = "Q1HAcTIqS]15yPNb77BrV-o#RCKf4K(y@-4I%4t^"\n';
    expect(qrPayload({ name: 'gateway-07', publicKey: EXAMPLE_KEY })).toBe(text);
    expect(qrPayload({ name: 'gateway-07', endpoint: null, publicKey: EXAMPLE_KEY })).toBe(text);
  });

  it('refuses a public key that is not one', () => {
    expect(() => qrPayload({ name: 'x', publicKey: 'short' as PublicKey })).toThrow(InvalidKeyError);
  });
});

describe('parseQrPayload', () => {
  it('reads a payload back', () => {
    const payload = qrPayload({ name: 'gateway-07', endpoint: 'tcp://127.0.0.7:5555', publicKey: EXAMPLE_KEY });
    expect(parseQrPayload(payload, 'scan')).toEqual({ publicKey: EXAMPLE_KEY, name: 'gateway-07', endpoint: 'tcp://127.0.0.7:5555' });
    expect(parseQrPayload(qrPayload({ name: '', publicKey: EXAMPLE_KEY }), 'scan')).toEqual({ publicKey: EXAMPLE_KEY, name: null, endpoint: null });
  });

  it('reads any public zcert or pyzmq file, comments and all', () => {
    expect(parseQrPayload(fixture('czmq/gateway-07.cert'), 'scan')).toEqual({ publicKey: GATEWAY_KEY, name: 'gateway-07', endpoint: null });
    expect(parseQrPayload(fixture('pyzmq/sensor-0042.key'), 'scan').publicKey).toBe('v[3?5=7:2VbP31+KVGQG@&oqx{}n:=<YWEvnYGXk');
  });

  it('reads a bare Z85 key, with blanks around it', () => {
    expect(parseQrPayload(`  ${GATEWAY_KEY}\r\n`, 'scan')).toEqual({ publicKey: GATEWAY_KEY, name: null, endpoint: null });
  });

  it('refuses a payload holding a secret key, and never repeats it', () => {
    const payloads = [
      fixture('czmq/gateway-07.cert_secret'),
      fixture('pyzmq/field-laptop.key_secret'),
      `curve\n    public-key = "${GATEWAY_KEY}"\n    secret-key = "${GATEWAY_SECRET}"\n`,
      // Broken ZPL around a secret is still called a secret, not a syntax error.
      `curve\n   secret-key = "${GATEWAY_SECRET}`,
    ];
    for (const text of payloads) {
      const error = thrown(() => parseQrPayload(text, 'scan.png'));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/^scan\.png holds a secret key; a QR code must never carry a secret key/);
      expect(error.message).not.toContain(GATEWAY_SECRET);
      expect(error.message).not.toContain('{o[ilL}73WTNa');
    }
  });

  it.each([
    ['a web address', 'https://example.com/some/page', InvalidInputError],
    ['a 40-character string that is not Z85', '~'.repeat(40), InvalidKeyError],
    ['a 39-character key', GATEWAY_KEY.slice(1), InvalidInputError],
    ['an empty scan', '', InvalidInputError],
    ['binary bytes', '\u0000\u0001\u0002', InvalidInputError],
  ])('refuses %s', (_what, text, type) => {
    expect(() => parseQrPayload(text, 'scan')).toThrow(type);
  });

  it.each([
    ['WIFI:T:WPA;S:plant-3-guest;P:hunter22;;', 'a Wi-Fi code'],
    ['BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD', 'a contact card'],
    ['https://example.com/some/page', 'a web address'],
  ])('names a QR code people scan by mistake in plain words: %s', (text, kind) => {
    // Not parser text ("unexpected character at column 5"), and nothing of the code (a Wi-Fi password) repeated.
    expect(() => parseQrPayload(text, 'wifi.png')).toThrow(new RegExp(`^wifi\\.png is ${kind}, not a ZeroMQ key$`));
  });
});

describe('QR images', () => {
  const payload = qrPayload({ name: 'gateway-07', endpoint: 'tcp://127.0.0.7:5555', publicKey: EXAMPLE_KEY });

  it('renders a PNG that decodes to the payload', async () => {
    const png = await renderQrPng(payload);
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(decodeQrImage(png, 'ours.png')).toBe(payload);
    const small = await renderQrPng(payload, { scale: 3 });
    expect(small.length).toBeLessThan(png.length);
    expect(decodeQrImage(small, 'small.png')).toBe(payload);
  });

  it('reads a code drawn at one pixel per module, and one small in a large picture', async () => {
    expect(decodeQrImage(await renderQrPng(payload, { scale: 1 }), 'tiny.png')).toBe(payload);
    // 2600x1900 pixels with the code in a corner: found in the shrunk copies.
    const code = PNG.sync.read(await renderQrPng(payload, { scale: 6 }));
    const big = pngOf(2600, 1900, (x, y) => {
      const cx = x - 2000;
      const cy = y - 1300;
      if (cx >= 0 && cx < code.width && cy >= 0 && cy < code.height) return code.data[(cy * code.width + cx) * 4]!;
      return 180 + ((x * 7 + y * 13) % 50);
    });
    expect(decodeQrImage(big, 'big.png')).toBe(payload);
  });

  it('keeps UTF-8 names intact', async () => {
    const text = qrPayload({ name: 'Pumpe Süd €', publicKey: generateKeyPair().publicKey });
    expect(decodeQrImage(await renderQrPng(text), 'utf8.png')).toBe(text);
  });

  it('renders an SVG', async () => {
    const svg = await renderQrSvg(payload);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<path');
  });

  it('renders terminal text that scans back to the payload', async () => {
    const text = await renderQrTerminal(payload);
    // Read the half-block characters back into pixels, following the ANSI colours as a terminal does.
    const rows: number[][] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const top: number[] = [];
      const bottom: number[] = [];
      let fg = 255;
      let bg = 255;
      // eslint-disable-next-line no-control-regex -- ANSI escapes are what this reads
      for (const token of line.match(/\x1b\[\d+m|[^\x1b]/gu) ?? []) {
        if (token === '\x1b[0m') fg = bg = 255;
        else if (token === '\x1b[30m') fg = 0;
        else if (token === '\x1b[37m') fg = 255;
        else if (token === '\x1b[40m') bg = 0;
        else if (token === '\x1b[47m') bg = 255;
        else if (HALF_BLOCKS[token]) {
          const [upper, lower] = HALF_BLOCKS[token]!;
          top.push(upper === 'fg' ? fg : bg);
          bottom.push(lower === 'fg' ? fg : bg);
        } else throw new Error(`unexpected terminal output ${JSON.stringify(token)}`);
      }
      rows.push(top, bottom);
    }
    const scale = 6;
    const width = rows[0]!.length;
    const png = pngOf(width * scale, rows.length * scale, (x, y) => rows[Math.floor(y / scale)]![Math.floor(x / scale)] ?? 255);
    expect(decodeQrImage(png, 'terminal.png')).toBe(payload);
  });

  it('refuses to render a payload holding a secret key', async () => {
    const secretPayload = `curve\n    secret-key = "${GATEWAY_SECRET}"\n`;
    for (const render of [renderQrPng, renderQrSvg, renderQrTerminal]) {
      await expect(render(secretPayload)).rejects.toThrow(/a QR code must never carry a secret key/);
    }
  });

  it('says so when a payload is too long for a QR code', async () => {
    await expect(renderQrPng('x'.repeat(5000))).rejects.toThrow(InvalidInputError);
    await expect(renderQrPng(payload, { scale: 0 })).rejects.toThrow(/scale/);
  });

  it('decodes a JPEG and a PNG with transparency', async () => {
    const decoded = PNG.sync.read(await renderQrPng(payload));
    const jpg = jpeg.encode({ data: decoded.data, width: decoded.width, height: decoded.height }, 85).data;
    expect(decodeQrImage(jpg, 'photo.jpg')).toBe(payload);
    const transparent = PNG.sync.read(await renderQrPng(payload));
    for (let i = 0; i < transparent.data.length; i += 4) {
      // Light modules become fully transparent black, as some editors save them.
      if (transparent.data[i] === 255) transparent.data.fill(0, i, i + 4);
    }
    expect(decodeQrImage(PNG.sync.write(transparent), 'transparent.png')).toBe(payload);
  });
});

describe('decodeQrImage refuses what is not a readable QR image', () => {
  it.each([
    ['an empty file', new Uint8Array(0), /^empty\.img is empty/],
    ['a text file', new TextEncoder().encode(fixture('czmq/gateway-07.cert')), /is not a PNG or JPEG image/],
    ['a GIF', new TextEncoder().encode('GIF89a\u0001\u0000'), /is not a PNG or JPEG image/],
  ])('%s', (_what, bytes, pattern) => {
    const error = thrown(() => decodeQrImage(bytes, 'empty.img'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(pattern);
  });

  it('a truncated PNG or JPEG', async () => {
    const png = await renderQrPng('hello');
    for (const cut of [10, 30, Math.floor(png.length / 2), png.length - 13]) {
      expect(() => decodeQrImage(png.subarray(0, cut), 'cut.png')).toThrow(/cut\.png is a (damaged or )?truncated PNG|cut\.png is a damaged PNG/);
    }
    const raw = PNG.sync.read(png);
    const jpg = jpeg.encode({ data: raw.data, width: raw.width, height: raw.height }, 90).data;
    for (const cut of [3, 20, Math.floor(jpg.length / 2), jpg.length - 2]) {
      const error = thrown(() => decodeQrImage(jpg.subarray(0, cut), 'cut.jpg'));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/^cut\.jpg is a damaged or truncated JPEG image/);
    }
  });

  it('an image without a QR code', () => {
    const blank = pngOf(200, 120, () => 255);
    expect(() => decodeQrImage(blank, 'blank.png')).toThrow(/^no QR code found in blank\.png \(200x120 pixels\)/);
    const stripes = pngOf(200, 120, (x) => (x % 20 < 10 ? 0 : 255));
    expect(() => decodeQrImage(stripes, 'stripes.png')).toThrow(InvalidInputError);
  });

  it('an image over 40 megapixels, refused from its header before decoding', () => {
    // A real 1x1 PNG whose header is edited to claim 10000x5000 pixels.
    const png = Buffer.from(pngOf(1, 1, () => 255));
    png.writeUInt32BE(10_000, 16);
    png.writeUInt32BE(5_000, 20);
    expect(() => decodeQrImage(png, 'huge.png')).toThrow(/^huge\.png is too large an image \(10000x5000 pixels; at most 40 megapixels\)/);
    const jpg = Buffer.from(jpeg.encode({ data: Buffer.alloc(16 * 16 * 4, 255), width: 16, height: 16 }, 90).data);
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg.writeUInt16BE(8_000, sof + 5);
    jpg.writeUInt16BE(8_000, sof + 7);
    expect(() => decodeQrImage(jpg, 'huge.jpg')).toThrow(/^huge\.jpg is too large an image \(8000x8000 pixels/);
  });

  it('a file over 30 MB', () => {
    const bytes = new Uint8Array(30 * 1024 * 1024 + 1);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(() => decodeQrImage(bytes, 'big.png')).toThrow(/^big\.png is too large \(31457281 bytes; at most 30 MB\)/);
  });
});
