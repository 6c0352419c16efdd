// The Electron side of the IPC layer with the real handler table, core and keychain: calls arrive
// as Electron would deliver them (event.sender, event.senderFrame) through the single handler
// that handleElectronCalls registers. Our page's top frame is served; a sub-frame, another window
// or a remote page is refused and changes nothing; a secret save needs confirm: true and answers
// with paths, never the secret. (Electron itself cannot run here: ipcMain is a recording stand-in.)
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Workspace, createWorkspace } from '../../../src-main/core/workspace.js';
import { Dispatcher, type ElectronCallEvent, handleElectronCalls } from '../../../src-main/ipc/dispatch.js';
import type { HandlerContext } from '../../../src-main/ipc/handlers/context.js';
import { handlerTable } from '../../../src-main/ipc/handlers/table.js';
import { ELECTRON_CALL_CHANNEL } from '../../../src-main/ipc/transport.js';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';

const SERVICE = `curvekeep-test-app-ipc-${process.pid}`;
const APP_WINDOW = 1;
let home: string;
let exportsFolder: string;
let workspace: Workspace;
let invoke: (event: ElectronCallEvent, channel: unknown, args: unknown) => Promise<unknown>;
const logged: string[] = [];

const topFrame = { url: 'app://curvekeep/index.html', parent: null };
const ours: ElectronCallEvent = { sender: { id: APP_WINDOW }, senderFrame: topFrame };

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'curvekeep-app-ipc-'));
  exportsFolder = mkdtempSync(join(tmpdir(), 'curvekeep-app-exports-'));
  workspace = createWorkspace(home, new OsKeychain(SERVICE));
  const context: HandlerContext = {
    shell: 'electron',
    appVersion: '0.0.0-test',
    workspace: () => workspace,
    // What the save dialog would answer.
    chooseExportFolder: async () => exportsFolder,
  };
  const listeners = new Map<string, (event: ElectronCallEvent, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain = { handle: (c: string, l: (event: ElectronCallEvent, ...args: unknown[]) => Promise<unknown>) => void listeners.set(c, l), removeHandler: () => undefined };
  const dispatcher = new Dispatcher({ handlers: handlerTable, context, trusted: { kind: 'electron', appUrl: 'app://curvekeep/' }, log: (l) => logged.push(l) });
  handleElectronCalls(ipcMain, dispatcher, (id) => id === APP_WINDOW);
  expect([...listeners.keys()]).toEqual([ELECTRON_CALL_CHANNEL]);
  const listener = listeners.get(ELECTRON_CALL_CHANNEL)!;
  invoke = (event, channel, args) => listener(event, channel, args);
});

afterAll(async () => {
  const keychain = new OsKeychain(SERVICE);
  for (const account of await keychain.accounts().catch(() => [])) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
  rmSync(exportsFolder, { recursive: true, force: true });
});

describe('IPC in the app', () => {
  let id = '';
  let secret = '';

  it('serves our page: generate an identity', async () => {
    const outcome = (await invoke(ours, 'keys.generate', { name: 'gateway-07', role: 'server' })) as { ok: boolean; result: { id: string } };
    expect(outcome.ok).toBe(true);
    id = outcome.result.id;
    secret = (await workspace.secrets.get(`identity:${id}:1`))!;
    expect(secret).toHaveLength(40);
  });

  it.each([
    ['a sub-frame of our page', { sender: { id: APP_WINDOW }, senderFrame: { url: 'app://curvekeep/frame.html', parent: topFrame } }],
    ['another window', { sender: { id: 99 }, senderFrame: topFrame }],
    ['a remote page in our window', { sender: { id: APP_WINDOW }, senderFrame: { url: 'https://evil.example/', parent: null } }],
    ['a frame that is gone', { sender: { id: APP_WINDOW }, senderFrame: null }],
  ] as ReadonlyArray<[string, ElectronCallEvent]>)('refuses %s, and nothing changes', async (_what, event) => {
    for (const [channel, args] of [
      ['keys.delete', { ref: 'gateway-07', confirm: true }],
      ['keys.saveSecret', { ref: 'gateway-07', format: 'zcert', confirm: true }],
      ['keys.list', {}],
    ] as const) {
      expect(await invoke(event, channel, args)).toMatchObject({ ok: false, error: { code: 'foreign-sender' } });
    }
    const listed = (await invoke(ours, 'keys.list', {})) as { result: { identities: Array<{ id: string }> } };
    expect(listed.result.identities.map((i) => i.id)).toEqual([id]);
  });

  it('saves a secret only with confirm: true, 0600, and answers with the path, not the secret', async () => {
    expect(await invoke(ours, 'keys.saveSecret', { ref: 'gateway-07', format: 'zcert' })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(await invoke(ours, 'keys.saveSecret', { ref: 'gateway-07', format: 'zcert', confirm: 'yes' })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    const saved = (await invoke(ours, 'keys.saveSecret', { ref: 'gateway-07', format: 'zcert', confirm: true })) as { ok: boolean; result: { files: string[]; secretIncluded: boolean } };
    expect(saved.ok).toBe(true);
    expect(saved.result.secretIncluded).toBe(true);
    const secretFile = saved.result.files.find((f) => f.endsWith('_secret'))!;
    expect(secretFile.startsWith(exportsFolder)).toBe(true);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, 'utf8')).toContain(secret);
    expect(JSON.stringify(saved)).not.toContain(secret);
  });

  it('never lets the secret out in any answer or log line', async () => {
    const answers = await Promise.all([
      invoke(ours, 'keys.show', { ref: 'gateway-07' }),
      invoke(ours, 'keys.list', {}),
      invoke(ours, 'keys.qr', { ref: 'gateway-07' }),
      invoke(ours, 'app.info', {}),
    ]);
    expect(answers.every((a) => (a as { ok: boolean }).ok)).toBe(true);
    expect(JSON.stringify(answers)).not.toContain(secret);
    expect(logged.join('\n')).not.toContain(secret);
    expect(logged.some((l) => /refused a call/.test(l))).toBe(true);
  });

  it('deletes with confirm: true, and the keychain item goes too', async () => {
    expect(await invoke(ours, 'keys.delete', { ref: 'gateway-07', confirm: true })).toEqual({ ok: true, result: { id, name: 'gateway-07', secretsRemoved: 1 } });
    expect(await workspace.secrets.get(`identity:${id}:1`)).toBeNull();
  });
});
