// The page never names a path to write (issue 10, finding 6): the folders of provisioning and of
// a rotation's distribute step are chosen in the main process and reach the page as opaque
// handles; a path, relative or absolute, sent by a forged message is refused by the dispatcher
// before anything is written, and so is a handle this session never handed out.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace;
let ipc: IpcCaller;
let chosen: string;
let elsewhere: string;
const base64 = Buffer.from('name\nvalve-1\n').toString('base64');

beforeAll(async () => {
  tws = testWorkspace('ipc-folder-handles');
  chosen = mkdtempSync(join(tmpdir(), 'curvekeep-chosen-'));
  elsewhere = mkdtempSync(join(tmpdir(), 'curvekeep-elsewhere-'));
  ipc = ipcCaller(tws, async () => chosen);
  await ipc.ok('keys.generate', { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
  await ipc.ok('keys.generate', { name: 'gateway', role: 'client' });
  await ipc.ok('rotation.stage', { ref: 'gateway' });
});
afterAll(async () => {
  await tws?.cleanup();
  rmSync(chosen, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

describe('folders the page writes to', () => {
  it.each([
    ['an absolute path', () => elsewhere],
    ['a relative path', () => 'relative/out'],
    ['a handle never handed out', () => 'fh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('provisioning.start refuses %s as the output folder', async (_what, folder) => {
    const outcome = await ipc.call('provisioning.start', { fileName: 'd.csv', base64, server: 'broker', outFolder: folder() });
    expect(outcome.ok).toBe(false);
    const legacy = await ipc.call('provisioning.start', { fileName: 'd.csv', base64, server: 'broker', outDir: folder() });
    expect(legacy).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(process.cwd(), 'relative'))).toBe(false);
  });

  it.each([
    ['an absolute path', () => ({ out: elsewhere })],
    ['a relative path', () => ({ out: 'relative/out' })],
    ['a path as the folder handle', () => ({ folder: elsewhere })],
  ])('rotation.distribute refuses %s', async (_what, extra) => {
    const outcome = await ipc.call('rotation.distribute', { ref: 'gateway', ...extra() });
    expect(outcome.ok).toBe(false);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(process.cwd(), 'relative'))).toBe(false);
  });

  it('writes into the folder the main process chose, named by its handle', async () => {
    const picked = (await ipc.ok('rotation.chooseFolder', {})) as { folder: { handle: string; path: string } };
    expect(picked.folder.path).toBe(chosen);
    expect(picked.folder.handle).not.toContain(chosen);
    const distributed = await ipc.ok('rotation.distribute', { ref: 'gateway', folder: picked.folder.handle });
    expect(distributed.dir).toBe(chosen);
    expect(readdirSync(chosen)).toContain('gateway.gen2.key');

    const out = (await ipc.ok('provisioning.chooseFolder', {})) as { folder: { handle: string; path: string } };
    const started = await ipc.ok('provisioning.start', { fileName: 'd.csv', base64, server: 'broker', outFolder: out.folder.handle });
    for (let i = 0; i < 200; i++) {
      const progress = await ipc.ok('provisioning.progress', { jobId: started.jobId, from: 0 });
      if (progress.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(existsSync(join(chosen, 'devices', 'valve-1', 'valve-1.cert'))).toBe(true);
  });
});
