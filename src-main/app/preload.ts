// The preload: the page's only way to the main process. It exposes one frozen object,
// `window.curvekeep`, with the app's version and `call(channel, args)`; never ipcRenderer itself,
// and nothing else. Built to CommonJS (dist/main/app/preload.cjs) because sandboxed preloads
// cannot be ES modules. Every call is checked again in the main process (ipc/dispatch.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { type CallOutcome, type CurvekeepBridgeApi, ELECTRON_CALL_CHANNEL } from '../ipc/transport.js';
import { VERSION_SWITCH } from './window-arguments.js';

const version = process.argv.find((arg) => arg.startsWith(VERSION_SWITCH))?.slice(VERSION_SWITCH.length) ?? 'unknown';

const api: CurvekeepBridgeApi = Object.freeze({
  version,
  call(channel: string, args: unknown): Promise<CallOutcome<unknown>> {
    if (typeof channel !== 'string') return Promise.reject(new TypeError('curvekeep.call: the channel must be a string'));
    return ipcRenderer.invoke(ELECTRON_CALL_CHANNEL, channel, args) as Promise<CallOutcome<unknown>>;
  },
});

contextBridge.exposeInMainWorld('curvekeep', api);
