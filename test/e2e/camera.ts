// What Chromium's fake camera plays in the e2e tests: a QR code drawn by qrencode, as a few Y4M
// frames (the format --use-file-for-fake-video-capture reads).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** A PNG of `payload` as qrencode draws it (8 px modules), written into `dir`. */
export function qrPng(dir: string, name: string, payload: string): string {
  const path = join(dir, `${name}.png`);
  execFileSync('qrencode', ['-s', '8', '-m', '4', '-o', path, '--', payload]);
  return path;
}

/** A few 4:2:0 Y4M frames of a PNG: luma from the pixels, chroma neutral (128). */
export function y4mOfPng(pngPath: string, frames = 10): string {
  const png = PNG.sync.read(readFileSync(pngPath));
  // 4:2:0 needs even sides; the extra row and column are white.
  const width = png.width + (png.width % 2);
  const height = png.height + (png.height % 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      luma[y * width + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  for (let f = 0; f < frames; f++) parts.push(Buffer.from('FRAME\n', 'ascii'), luma, chroma);
  const path = pngPath.replace(/\.png$/, '.y4m');
  writeFileSync(path, Buffer.concat(parts));
  return path;
}
