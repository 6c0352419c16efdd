// Formats figures (printed, not asserted): certificate files read per second against pyzmq's
// load_certificate in the same run, and QR render/decode times against qrencode/zbarimg processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { generateKeyPair } from '../dist/main/core/curve/keys.js';
import { formatCertFile, parseCertFile, writeCertFiles } from '../dist/main/core/formats/cert-file.js';
import { decodeQrImage } from '../dist/main/core/formats/qr/decode.js';
import { qrPayload } from '../dist/main/core/formats/qr/payload.js';
import { renderQrPng } from '../dist/main/core/formats/qr/render.js';
import { figure } from './figures.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'curvekeep-bench-formats-'));

/** Calls per second: the median of five windows of 0.3 s (a burst of the VM's noise moves one). */
function perSecond(fn, windows = 5, seconds = 0.3) {
  for (let i = 0; i < 200; i++) fn();
  const rates = [];
  for (let w = 0; w < windows; w++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      for (let i = 0; i < 100; i++) fn();
      n += 100;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

function msEach(fn, runs) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

function pyzmqLoadsPerSecond(path, seconds = 1.5) {
  const code = `
import time, zmq.auth
for _ in range(200): zmq.auth.load_certificate(${JSON.stringify(path)})
n = 0; start = time.perf_counter()
while time.perf_counter() - start < ${seconds}:
    for _ in range(100): zmq.auth.load_certificate(${JSON.stringify(path)})
    n += 100
print(n / (time.perf_counter() - start))`;
  return Number(execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' }).trim());
}

function processMs(command, args, runs = 9) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { encoding: 'utf8' });
    times.push(performance.now() - start);
    if (result.status !== 0) return NaN;
  }
  return median(times);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

try {
  const pair = generateKeyPair();
  const cert = { ...pair, metadata: { name: 'gateway-07', organization: 'Example Field Ops' } };
  const { publicPath, secretPath } = await writeCertFiles(dir, 'gateway-07', cert, 'zcert', { secret: true });

  const oursPublic = perSecond(() => parseCertFile(readFileSync(publicPath, 'utf8'), publicPath));
  const oursSecret = perSecond(() => parseCertFile(readFileSync(secretPath, 'utf8'), secretPath));
  const pyPublic = pyzmqLoadsPerSecond(publicPath);
  const pySecret = pyzmqLoadsPerSecond(secretPath);
  const formats = perSecond(() => formatCertFile(cert, 'zcert', { secret: true }));
  console.log(`cert files read (file read + parse + key checks), per second:`);
  console.log(`  public file: ours ${fmt(oursPublic)}  pyzmq load_certificate ${fmt(pyPublic)}  (${(oursPublic / pyPublic).toFixed(2)}x)`);
  console.log(`  secret file: ours ${fmt(oursSecret)} (checks the secret matches: an X25519 multiplication)  pyzmq ${fmt(pySecret)} (no check)  (${(oursSecret / pySecret).toFixed(2)}x)`);
  console.log(`  zcert secret file formatted: ${fmt(formats)} per second`);
  figure('secret cert file reads/s (with the public-key check) vs pyzmq load_certificate (no check)', `${fmt(oursSecret)}/s`, `${fmt(pySecret)}/s`, oursSecret / pySecret, '>= 20,000/s', oursSecret >= 20000);

  const payload = qrPayload({ name: 'gateway-07', endpoint: 'tcp://127.0.0.1:5555', publicKey: pair.publicKey });
  const payloadFile = join(dir, 'payload.txt');
  writeFileSync(payloadFile, payload);
  const renders = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    await renderQrPng(payload);
    renders.push(performance.now() - start);
  }
  const qrencodeMs = processMs('qrencode', ['-l', 'M', '-s', '8', '-o', join(dir, 'qrencode.png'), '-r', payloadFile]);
  console.log(`QR PNG render (scale 8): ours ${median(renders).toFixed(1)} ms in process; qrencode ${qrencodeMs.toFixed(1)} ms as a whole process`);

  const png = await renderQrPng(payload);
  const pngPath = join(dir, 'ours.png');
  writeFileSync(pngPath, png);
  // A photo-like picture: the code small in a 2000x1500 grey page, saved as JPEG.
  const code = PNG.sync.read(png);
  const width = 2000;
  const height = 1500;
  const page = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const cx = x - 800;
      const cy = y - 500;
      const inside = cx >= 0 && cx < code.width && cy >= 0 && cy < code.height;
      const v = inside ? code.data[(cy * code.width + cx) * 4] : 190 + ((x * 7 + y * 13) % 40);
      page[i] = page[i + 1] = page[i + 2] = v;
      page[i + 3] = 255;
    }
  }
  const photo = jpeg.encode({ data: page, width, height }, 80).data;
  const photoPath = join(dir, 'photo.jpg');
  writeFileSync(photoPath, photo);
  console.log(`QR decode, ours in process vs zbarimg as a whole process (median):`);
  console.log(`  our PNG ${code.width}x${code.height}: ours ${msEach(() => decodeQrImage(png, 'png'), 15).toFixed(1)} ms  zbarimg ${processMs('zbarimg', ['--raw', '-q', pngPath]).toFixed(1)} ms`);
  console.log(`  JPEG photo ${width}x${height}: ours ${msEach(() => decodeQrImage(photo, 'jpg'), 7).toFixed(1)} ms  zbarimg ${processMs('zbarimg', ['--raw', '-q', photoPath]).toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
