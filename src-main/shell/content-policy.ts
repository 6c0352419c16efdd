// The Content Security Policy of the page and the headers that go with it. Served by the app://
// protocol handler, added again by the session's onHeadersReceived, and served by the browser
// bridge, so the page runs under the same rules in Electron and in a browser.

const DIRECTIVES: ReadonlyArray<string> = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  // The camera stream for QR scanning.
  "media-src 'self' mediastream: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

export const CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ');

/**
 * For the `<meta http-equiv="Content-Security-Policy">` fallback in index.html: browsers ignore
 * frame-ancestors there and warn about it on the console, so it is left out (the header has it).
 */
export const CONTENT_SECURITY_POLICY_META = DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')).join('; ');

/** Headers on every response that carries the page or its files. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The bridge's page URL carries its token until the page removes it: never send it on.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), usb=(), serial=(), hid=(), payment=()',
});
