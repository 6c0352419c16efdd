// Transpiles src-main/ file by file to dist/main/ (ESM), and the preload to one CommonJS file,
// because Electron's sandboxed preloads cannot be ES modules. Type-checking is `npm run check`.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.svelte.ts') ? [path] : [];
  });
}

rmSync('dist/main', { recursive: true, force: true });
const entryPoints = sources('src-main').filter((p) => !p.includes(join('app', 'preload')));
await build({
  entryPoints,
  outdir: 'dist/main',
  outbase: 'src-main',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
await build({
  entryPoints: ['src-main/app/preload.ts'].filter((p) => { try { return statSync(p).isFile(); } catch { return false; } }),
  outfile: 'dist/main/app/preload.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});
