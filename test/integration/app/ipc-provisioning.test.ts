// The provisioning channels through the one dispatcher with the real keychain: an uploaded CSV
// with a bad row, run as a job and polled as the Provisioning view does, and a refused start.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace;
let ipc: IpcCaller;
let out: string;

const call = (channel: string, args: unknown) => ipc.call(channel, args);
const ok = (channel: string, args: unknown) => ipc.ok(channel, args);

beforeAll(async () => {
  tws = testWorkspace('ipc-provisioning');
  out = mkdtempSync(join(tmpdir(), 'curvekeep-provision-out-'));
  ipc = ipcCaller(tws, async () => out);
  await ok('keys.generate', { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
});

afterAll(async () => {
  await tws?.cleanup();
  rmSync(out, { recursive: true, force: true });
});

describe('provisioning channels', () => {
  it('runs a CSV with a bad row as a job and reports each row', async () => {
    const csv = 'name,endpoint,tags,public_key\nsensor-1,,,\nsensor-2,,lab,\n,,,\nsensor-4,,,not-a-key\n';
    const { folder } = (await ok('provisioning.chooseFolder', {})) as { folder: { handle: string } };
    const started = await ok('provisioning.start', { fileName: 'fleet.csv', base64: Buffer.from(csv).toString('base64'), server: 'broker', outFolder: folder.handle });
    let progress: Record<string, unknown> = {};
    const rows: Array<{ row: number; name: string; status: string; reason: string }> = [];
    for (let i = 0; i < 200; i++) {
      progress = await ok('provisioning.progress', { jobId: started.jobId, from: rows.length });
      rows.push(...(progress.results as typeof rows));
      if (progress.state !== 'running' && rows.length >= (progress.done as number)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(progress).toMatchObject({ state: 'done', done: 4, total: 4, summary: { ok: 2, failed: 2, skipped: 0, server: { name: 'broker' } } });
    expect(rows.map((r) => [r.row, r.status])).toEqual([[2, 'ok'], [3, 'ok'], [4, 'failed'], [5, 'failed']]);
    expect(rows[3]!.reason).toMatch(/public_key/);
    expect(existsSync(join(out, 'devices', 'sensor-1', 'sensor-1.cert_secret'))).toBe(true);
    const results = readFileSync(join(out, 'results.csv'), 'utf8');
    expect(results).toContain('sensor-4');
    // No device secret in any answer.
    const secretFile = readFileSync(join(out, 'devices', 'sensor-1', 'sensor-1.cert_secret'), 'utf8');
    const secret = /secret-key = "(.{40})"/.exec(secretFile)![1]!;
    expect(JSON.stringify(progress)).not.toContain(secret);
  });

  it('refuses a path as the output folder and an unknown server before starting', async () => {
    const base64 = Buffer.from('name\nx\n').toString('base64');
    expect(await call('provisioning.start', { fileName: 'a.csv', base64, server: 'broker', outFolder: 'relative/dir' })).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    const { folder } = (await ok('provisioning.chooseFolder', {})) as { folder: { handle: string } };
    expect(await call('provisioning.start', { fileName: 'a.csv', base64, server: 'nobody', outFolder: folder.handle })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('offers a folder from the shell, as a handle and the path to show', async () => {
    expect(await ok('provisioning.chooseFolder', {})).toEqual({ folder: { handle: expect.stringMatching(/^fh_/), path: out } });
  });
});
