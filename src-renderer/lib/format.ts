// How dates, ages and keys read in the UI.

/** `2026-11-22` from an ISO time, or the fallback. */
export function formatDate(iso: string | null, fallback = 'never'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}

/** `2026-11-22 14:03` (UTC) from an ISO time. */
export function formatDateTime(iso: string | null, fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `today`, `1 day`, `37 days`. */
export function formatAge(days: number): string {
  const whole = Math.max(0, Math.floor(days));
  if (whole === 0) return 'today';
  return whole === 1 ? '1 day' : `${whole} days`;
}

/** The first and last characters of a Z85 key, for a list row. */
export function shortKey(key: string): string {
  return key.length > 16 ? `${key.slice(0, 8)}…${key.slice(-6)}` : key;
}

/** `data:` URL of an SVG document, for an <img> (img-src allows data:, and no script runs in it). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Reads a File as base64 (for the bridge upload channels). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}
