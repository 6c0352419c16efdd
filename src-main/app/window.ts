// The app window: context isolation, the sandbox, no Node in the page, web security on, no
// webview, no insecure content, no experimental features, developer tools only in development.
import { BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';
import { APP_ENTRY_URL } from './origin.js';
import { VERSION_SWITCH } from './window-arguments.js';

export interface WindowOptions {
  readonly appVersion: string;
  readonly devTools: boolean;
}

export function createAppWindow(options: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Curvekeep',
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    show: false,
    webPreferences: {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click opens links in new windows; there are none to open.
      disableBlinkFeatures: 'Auxclick',
      devTools: options.devTools,
      additionalArguments: [`${VERSION_SWITCH}${options.appVersion}`],
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
