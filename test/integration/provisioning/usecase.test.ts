// The provisioning use case both faces call: the CLI (a CSV path) and the app (uploaded bytes,
// through the dispatcher as a job) give the same answer for the same CSV, the uploaded copy does
// not outlive the run, and an unknown server is refused before anything starts.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { checkProvisioningServer, runProvisioning } from '../../../src-main/core/usecases/provisioning.js';
import { runCli } from '../../helpers/cli.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const CSV = 'name,tags,public_key\nvalve-1,a;b,\nvalve-1,,\nNUL,,\npump-1,,not-a-key\nmeter-1,,\n';
let cliSide: TestWorkspace;
let appSide: TestWorkspace;
let ipc: IpcCaller;
let dir: string;

beforeAll(async () => {
  cliSide = testWorkspace('usecase-cli');
  appSide = testWorkspace('usecase-app');
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-usecase-'));
  for (const t of [cliSide, appSide]) await generateIdentity(t.ws, { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
  ipc = ipcCaller(appSide, async () => join(dir, 'app-out'));
  writeFileSync(join(dir, 'd.csv'), CSV);
});
afterAll(async () => {
  await cliSide.cleanup();
  await appSide.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

type Row = { row: number; name: string; status: string; reason: string };

describe('the provisioning use case', () => {
  it('gives the CLI and the app the same answer for the same CSV', async () => {
    const cli = await runCli(['--json', 'provision', '--csv', join(dir, 'd.csv'), '--server', 'broker', '--out', join(dir, 'cli-out')], cliSide.env);
    expect(cli.code, cli.stderr).toBe(0);
    const cliJson = cli.json<{ total: number; ok: number; skipped: number; failed: number; devicesAdded: number; failedRows: Row[] }>();

    const { folder } = (await ipc.ok('provisioning.chooseFolder', {})) as { folder: { handle: string } };
    const started = await ipc.ok('provisioning.start', { fileName: 'd.csv', base64: Buffer.from(CSV).toString('base64'), server: 'broker', outFolder: folder.handle });
    const rows: Row[] = [];
    let progress: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) {
      progress = await ipc.ok('provisioning.progress', { jobId: started.jobId, from: rows.length });
      rows.push(...(progress.results as Row[]));
      if (progress.state !== 'running' && rows.length >= (progress.done as number)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const summary = progress.summary as { total: number; ok: number; skipped: number; failed: number; devicesAdded: number };
    const pick = (s: typeof summary) => ({ total: s.total, ok: s.ok, skipped: s.skipped, failed: s.failed, devicesAdded: s.devicesAdded });
    expect(pick(summary)).toEqual(pick(cliJson));
    expect(pick(summary)).toEqual({ total: 5, ok: 2, skipped: 0, failed: 3, devicesAdded: 2 });
    const shape = (r: Row) => ({ row: r.row, name: r.name, reason: r.reason.replaceAll(join(dir, 'app-out'), 'OUT').replaceAll(join(dir, 'cli-out'), 'OUT') });
    expect(rows.filter((r) => r.status === 'failed').map(shape)).toEqual(cliJson.failedRows.map(shape));
  });

  it('keeps an upload in a private file only for the run', async () => {
    const fileName = `upload-${process.pid}-${Date.now()}.csv`;
    const outcome = await runProvisioning(appSide.ws, { csv: { fileName, bytes: Buffer.from('name\nbad..name\n') }, server: 'broker', outDir: join(dir, 'upload-out') });
    expect(outcome.failedRows).toHaveLength(1);
    const leftovers = readdirSync(tmpdir())
      .filter((n) => n.startsWith('curvekeep-provision-'))
      .filter((n) => existsSync(join(tmpdir(), n, fileName)));
    expect(leftovers).toEqual([]);
  });

  it('refuses an unknown server at once', async () => {
    await expect(checkProvisioningServer(appSide.ws, 'nobody')).rejects.toMatchObject({ code: 'not-found' });
    await expect(checkProvisioningServer(appSide.ws, 'broker')).resolves.toBeUndefined();
  });
});
