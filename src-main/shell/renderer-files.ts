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
  try {
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!realFile.startsWith(realBase + sep)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return { path: realFile, contentType, body: await readFile(realFile) };
  } catch {
    return null;
  }
}
