// Renders the app icon set (assets/icons/NxN.png, assets/icon.png) from the shapes of icon.svg,
// with pngjs and 4x4 supersampling: `node assets/make-icons.mjs`. The images are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

// Shapes in the 1024-unit space of icon.svg.
function inRoundRect(x, y, left, top, width, height, r) {
  const cx = Math.min(Math.max(x, left + r), left + width - r);
  const cy = Math.min(Math.max(y, top + r), top + height - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= left && x <= left + width && y >= top && y <= top + height;
}
const inTile = (x, y) => inRoundRect(x, y, 64, 64, 896, 896, 200);
function inKey(x, y) {
  const d2 = (x - 352) ** 2 + (y - 512) ** 2;
  if (d2 <= 176 * 176 && d2 >= 88 * 88) return true;
  return inRoundRect(x, y, 500, 472, 360, 80, 40) || inRoundRect(x, y, 680, 520, 60, 140, 12) || inRoundRect(x, y, 780, 520, 60, 110, 12);
}
const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const TOP = hex('#1d5c63');
const BOTTOM = hex('#12343b');
const KEY = hex('#f4d35e');

function render(size) {
  const png = new PNG({ width: size, height: size });
  const n = 4;
  const scale = 1024 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) * scale;
          const y = (py + (sy + 0.5) / n) * scale;
          if (!inTile(x, y)) continue;
          const t = Math.min(Math.max((y - 64) / 896, 0), 1);
          const colour = inKey(x, y) ? KEY : TOP.map((c, i) => c + (BOTTOM[i] - c) * t);
          r += colour[0]; g += colour[1]; b += colour[2]; a += 1;
        }
      }
      const o = (py * size + px) * 4;
      png.data[o] = a ? Math.round(r / a) : 0;
      png.data[o + 1] = a ? Math.round(g / a) : 0;
      png.data[o + 2] = a ? Math.round(b / a) : 0;
      png.data[o + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(join(here, 'icons'), { recursive: true });
for (const size of SIZES) {
  const image = render(size);
  writeFileSync(join(here, 'icons', `${size}x${size}.png`), image);
  if (size === 1024) writeFileSync(join(here, 'icon.png'), image);
}
console.log(`wrote ${SIZES.length} icons to ${join(here, 'icons')}`);
