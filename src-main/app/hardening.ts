// Rules for every session and every web contents the app creates, whether or not we meant to
// create it (app 'web-contents-created' applies hardenWebContents to all of them).
import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../shell/content-policy.js';
import { externalLink, isAppUrl } from './origin.js';
import { allowPermissionCheck, allowPermissionRequest } from './permissions.js';

/** Remote content is never loaded: these requests are cancelled before they leave. */
const REMOTE_URLS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*', 'file://*/*'];

export function hardenSession(session: Session, log: (line: string) => void): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = allowPermissionRequest({
      permission,
      requestingUrl: details.requestingUrl,
      isMainFrame: details.isMainFrame,
      mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
    });
    if (!allowed) log(`denied a "${permission}" permission request`);
    callback(allowed);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    allowPermissionCheck({
      permission,
      requestingOrigin,
      isMainFrame: details.isMainFrame,
      requestingUrl: details.requestingUrl,
      mediaType: details.mediaType,
    }),
  );
  // USB, HID, serial, Bluetooth: never.
  session.setDevicePermissionHandler(() => false);
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('will-download', (event) => event.preventDefault());

  session.webRequest.onBeforeRequest({ urls: REMOTE_URLS }, (details, callback) => {
    log(`blocked a request for remote content (${new URL(details.url).protocol})`);
    callback({ cancel: true });
  });
  // The app:// handler sets the policy itself; this makes sure any other response has it too.
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void, log: (line: string) => void): void {
  const leave = (url: string): void => {
    const link = externalLink(url);
    if (link) openExternal(link);
    else log(`blocked navigation to a ${url.split(':')[0] ?? 'URL'}: URL`);
  };
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    leave(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  // window.open and target=_blank: never a new window; an https link opens in the user's browser.
  contents.setWindowOpenHandler(({ url }) => {
    leave(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
