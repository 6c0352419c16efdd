// The fleet UI's channels through the dispatcher, over a real workspace and keychain: the preview
// of an upload writes nothing and names the user's file (never the temporary one); the batches
// list and a batch's folder handle (for a retry) come from the store; a device's QR and detail
// carry no secret; remove needs the confirmation; changes.wait answers a new revision after a
// write and `since` at its timeout.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { runProvisioning } from '../../../src-main/core/usecases/provisioning.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
let ipc: IpcCaller;
let work: string;
let batch: string;
let folders = 0;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

beforeAll(async () => {
  t = testWorkspace('fleet-channels');
  work = mkdtempSync(join(tmpdir(), 'curvekeep-fleet-channels-'));
  ipc = ipcCaller(t, async () => {
    const dir = join(work, `chosen-${++folders}`);
    return dir;
  });
  await generateIdentity(t.ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'], tags: [] });
  writeFileSync(join(work, 'fleet.csv'), 'name,endpoint,tags,public_key\nvalve-01,,plant-3,\nbad name,,,\n');
  const run = await runProvisioning(t.ws, { csv: { path: join(work, 'fleet.csv') }, server: 'plant-broker', outDir: join(work, 'out') });
  batch = run.summary.batch!;
}, 60_000);

afterAll(async () => {
  await t.ws.changes.close();
  await t.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('provisioning channels', () => {
  it('lists the servers: own server identities first', async () => {
    const { servers } = (await ipc.ok('provisioning.servers', {})) as { servers: Array<{ name: string; kind: string }> };
    expect(servers).toEqual([expect.objectContaining({ name: 'plant-broker', kind: 'identity', endpoint: 'tcp://127.0.0.1:5555' })]);
  });

  it('previews an upload row by row and writes nothing', async () => {
    const { folder } = (await ipc.ok('provisioning.chooseFolder', {})) as { folder: { handle: string; path: string } };
    const preview = await ipc.ok('provisioning.preview', {
      fileName: 'new.csv',
      base64: b64('name,endpoint,tags,public_key\nvalve-01,,,\nvalve-02,,,\nvalve-02,,,\n'),
      server: 'plant-broker',
      outFolder: folder.handle,
    });
    // valve-01 is a device of this server already: skipped.
    expect(preview).toMatchObject({ total: 3, create: 1, skip: 1, fail: 1 });
    expect((preview.rows as Array<{ action: string }>).map((r) => r.action)).toEqual(['skip', 'create', 'fail']);
    expect(existsSync(folder.path)).toBe(false);
    const devices = (await ipc.ok('devices.list', {})) as { total: number };
    expect(devices.total).toBe(1);
  });

  it('refuses a file without a name column, naming the uploaded file and the columns, not a temporary path', async () => {
    const { folder } = (await ipc.ok('provisioning.chooseFolder', {})) as { folder: { handle: string } };
    const outcome = await ipc.call('provisioning.preview', { fileName: 'inventory.csv', base64: b64('device,site\nx,y\n'), server: 'plant-broker', outFolder: folder.handle });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.message).toContain('the file inventory.csv has no "name" column: its columns are device, site');
    expect(outcome.error.message).not.toMatch(/curvekeep-provision-|\/tmp\//);
  });

  it('lists the batches with their failed rows, and hands out a batch folder for a retry', async () => {
    const { batches } = (await ipc.ok('provisioning.batches', {})) as { batches: Array<{ id: string; counts: { ok: number; failed: number }; failed: unknown[]; devices: number; serverName: string }> };
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ id: batch, counts: { ok: 1, failed: 1 }, devices: 1, serverName: 'plant-broker' });
    expect(batches[0]!.failed).toEqual([expect.objectContaining({ row: 3, name: 'bad name' })]);
    const answer = (await ipc.ok('provisioning.batchFolder', { batch })) as { folder: { handle: string; path: string } };
    expect(answer.folder.path).toBe(join(work, 'out'));
    // The handle works for a run: the retry skips the device made and makes the fixed one.
    const started = (await ipc.ok('provisioning.start', { fileName: 'fleet.csv', base64: b64('name,endpoint,tags,public_key\nvalve-01,,plant-3,\nvalve-02,,,\n'), server: 'plant-broker', outFolder: answer.folder.handle })) as { jobId: string };
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      progress = await ipc.ok('provisioning.progress', { jobId: started.jobId });
      if (progress.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(progress.summary).toMatchObject({ ok: 1, skipped: 1, failed: 0 });
    expect(readdirSync(join(work, 'out', 'devices')).sort()).toEqual(['valve-01', 'valve-02']);
    const unknown = await ipc.call('provisioning.batchFolder', { batch: 'batch_nope' });
    expect(unknown.ok).toBe(false);
  });
});

describe('devices channels', () => {
  it('shows a device QR with its public key only, and removes it only when confirmed', async () => {
    const detail = (await ipc.ok('devices.show', { ref: 'valve-01' })) as { id: string; publicKey: string; bundleDir: string };
    const qr = (await ipc.ok('devices.qr', { ref: detail.id })) as { payload: string; svg: string };
    expect(qr.payload).toContain(`public-key = "${detail.publicKey}"`);
    expect(qr.payload).not.toMatch(/secret/i);
    expect(qr.svg).toMatch(/^<svg|<\?xml/);
    expect((await ipc.call('devices.remove', { ref: detail.id, confirm: false })).ok).toBe(false);
    expect((await ipc.call('devices.remove', { ref: detail.id })).ok).toBe(false);
    const removed = (await ipc.ok('devices.remove', { ref: detail.id, confirm: true })) as { state: string };
    expect(removed.state).toBe('removed');
  });

  it('reissues a device into a chosen folder', async () => {
    const before = (await ipc.ok('devices.show', { ref: 'valve-02' })) as { publicKey: string };
    const { folder } = (await ipc.ok('provisioning.chooseFolder', {})) as { folder: { handle: string; path: string } };
    const result = (await ipc.ok('devices.reissue', { ref: 'valve-02', outFolder: folder.handle })) as { outDir: string; devices: Array<{ publicKey: string }> };
    expect(result.outDir).toBe(folder.path);
    expect(result.devices[0]!.publicKey).not.toBe(before.publicKey);
    expect(existsSync(join(folder.path, 'devices', 'valve-02'))).toBe(true);
  });
});

describe('changes.wait', () => {
  it('answers the current revision, a newer one after a write, and since at the timeout', async () => {
    const { revision } = (await ipc.ok('changes.wait', { since: null, timeoutMs: 0 })) as { revision: number };
    expect(revision).toBeGreaterThan(0);
    expect(await ipc.ok('changes.wait', { since: revision, timeoutMs: 100 })).toEqual({ revision });
    const waiting = ipc.ok('changes.wait', { since: revision, timeoutMs: 20_000 });
    await generateIdentity(t.ws, { name: 'another', role: 'client', endpoints: [], tags: [] });
    expect(((await waiting) as { revision: number }).revision).toBeGreaterThan(revision);
    expect((await ipc.call('changes.wait', { since: 0, timeoutMs: 60_000 })).ok).toBe(false);
  });
});
