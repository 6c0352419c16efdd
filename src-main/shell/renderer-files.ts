// Serving the built renderer (dist/renderer/) by URL path, for the app:// protocol and the browser
// bridge alike: only regular files inside the folder, never a path that climbs out of it or
// follows a link out of it, with a content type from a short list.
import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/renderer, beside dist/main (this file runs as dist/main/shell/renderer-files.js). */
export function defaultRendererRoot(): string {
  return fileURLToPath(new URL('../../renderer/', import.meta.url));
}

const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
});

export interface RendererFile {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * Vite's output under assets/ is named by a hash of its content, so a name always means the same
 * bytes: such a file is read once per root and then answered from memory (a view's first paint
 * waits on a dozen of them, and each read is four file-system calls behind whatever else the main
 * process is doing). index.html and anything else is read each time.
 */
const hashedAssets = new Map<string, RendererFile>();
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

/**
 * The file for a URL path, or null. A path without an extension is a page route of the app and
 * gets index.html.
 */
export async function readRendererFile(root: string, urlPath: string): Promise<RendererFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  // No dot segments at all: neither "..", nor hidden files.
  if (segments.some((s) => s.startsWith('.'))) return null;
  const last = segments.at(-1);
  const relative = last === undefined || extname(last) === '' ? 'index.html' : segments.join('/');
  const contentType = CONTENT_TYPES[extname(relative).toLowerCase()];
  if (!contentType) return null;

  const base = resolve(root);
  const candidate = resolve(base, relative);
  if (!candidate.startsWith(base + sep)) return null;
  const cacheKey = HASHED_ASSET.test(relative) ? `${base}${sep}${relative}` : null;
  const cached = cacheKey === null ? undefined : hashedAssets.get(cacheKey);
  if (cached) return cached;
  try {
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!realFile.startsWith(realBase + sep)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    const file = { path: realFile, contentType, body: await readFile(realFile) };
    if (cacheKey !== null) hashedAssets.set(cacheKey, file);
    return file;
  } catch {
    return null;
  }
}
