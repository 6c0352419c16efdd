// Where the app's page comes from, and which URLs may leave the app. Plain functions (no Electron
// import), shared by the window, the session hardening and the tests.

/** The page is served from this privileged custom scheme, never from file:// or the network. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'curvekeep';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for our own page's URLs (and our origin alone, as permission checks report it). */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  // URL.origin is "null" for custom schemes, so scheme and host are compared.
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/**
 * A link the user may open in their own browser: https only, with a host and no credentials.
 * Anything else (file:, javascript:, custom schemes that launch other programs) is null.
 */
export function externalLink(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || parsed.protocol !== 'https:' || parsed.hostname === '' || parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}
