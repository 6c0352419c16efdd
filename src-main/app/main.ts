// Electron's entry. One instance at a time; the page comes from app://curvekeep/ (dist/renderer/)
// under a strict CSP; every session and web contents is hardened; the only IPC handler is the
// dispatcher's; the data folder is the CLI's (userData = CURVEKEEP_HOME or its default).
import { BrowserWindow, type OpenDialogOptions, app, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { type Workspace, createWorkspace, defaultHome, storeUrlFor } from '../core/workspace.js';
import { Dispatcher, handleElectronCalls } from '../ipc/dispatch.js';
import type { HandlerContext } from '../ipc/handlers/context.js';
import { handlerTable } from '../ipc/handlers/table.js';
import { OsKeychain } from '../keychain/os-keychain.js';
import { keychainServiceName } from '../keychain/os-keychain.js';
import { SECURITY_HEADERS } from '../shell/content-policy.js';
import { hardenSession, hardenWebContents } from './hardening.js';
import { appMenuTemplate } from './menu.js';
import { APP_HOST, APP_ORIGIN, APP_SCHEME } from './origin.js';
import { defaultRendererRoot, readRendererFile } from '../shell/renderer-files.js';
import { createAppWindow } from './window.js';

const log = (line: string): void => void process.stderr.write(`curvekeep: ${line}\n`);

// Before 'ready': the scheme must be privileged (standard, secure, fetch) to be a real origin
// with 'self' in the CSP, and the data folder must be set before any session touches disk. V8's
// code cache (off by default for custom schemes) lets the window's second start skip compiling
// the page's scripts, whose names carry their content's hash.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
const home = defaultHome();
app.setPath('userData', home);
// Chromium's own files (caches, local storage) go to a subfolder, beside the CLI's documents.
app.setPath('sessionData', join(home, 'electron'));
app.enableSandbox();

const appWindows = new Set<number>();
let mainWindow: BrowserWindow | null = null;

function openExternal(url: string): void {
  // Only URLs that passed origin.ts's externalLink (https, a host, no credentials) arrive here.
  shell.openExternal(url).catch(() => log('the system browser could not be opened'));
}

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers: SECURITY_HEADERS });
  const file = await readRendererFile(defaultRendererRoot(), url.pathname);
  if (!file) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
    status: 200,
    headers: { ...SECURITY_HEADERS, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' },
  });
}

/** A native dialog over the app window: paths come from the user's choice, never from the page. */
async function choose(options: OpenDialogOptions): Promise<string | null> {
  const chosen = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
}

function handlerContext(): HandlerContext {
  let workspace: Workspace | undefined;
  return {
    shell: 'electron',
    appVersion: app.getVersion(),
    workspace: () => (workspace ??= createWorkspace(home, new OsKeychain(keychainServiceName()), undefined, { store: storeUrlFor(home) })),
    chooseExportFolder: ({ title }) => choose({ title, properties: ['openDirectory', 'createDirectory'] }),
    chooseImportFile: ({ title }) => choose({ title, properties: ['openFile'] }),
  };
}

function openWindow(): void {
  const window = createAppWindow({ appVersion: app.getVersion(), devTools: !app.isPackaged });
  const id = window.webContents.id;
  appWindows.add(id);
  mainWindow = window;
  window.on('closed', () => {
    appWindows.delete(id);
    if (mainWindow === window) mainWindow = null;
  });
}

function start(): void {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal, log));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) openWindow();
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, log);
      protocol.handle(APP_SCHEME, serveRenderer);
      const context = handlerContext();
      const dispatcher = new Dispatcher({ handlers: handlerTable, context, trusted: { kind: 'electron', appUrl: `${APP_ORIGIN}/` }, log });
      // The live refresh's folder watch and waiting polls stop with the app.
      app.once('will-quit', () => void context.workspace().changes.close());
      handleElectronCalls(ipcMain, dispatcher, (id) => appWindows.has(id));
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          appMenuTemplate({
            appName: 'Curvekeep',
            isPackaged: app.isPackaged,
            platform: process.platform,
            openDataFolder: () => void shell.openPath(home),
            showAbout: () =>
              void dialog.showMessageBox({
                type: 'info',
                title: 'About Curvekeep',
                message: `Curvekeep ${app.getVersion()}`,
                detail: `Key manager for CurveZMQ links and TLS certificate pins.\nData folder: ${home}`,
              }),
          }),
        ),
      );
      openWindow();
    })
    .catch((error: unknown) => {
      dialog.showErrorBox('Curvekeep could not start', error instanceof Error ? error.message : String(error));
      app.exit(3);
    });
}

if (app.requestSingleInstanceLock()) start();
else app.quit();
