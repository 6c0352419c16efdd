// `curvekeep provision` as a process: quiet without a TTY, one JSON document with --json, the
// failed rows named, and bad usage refused before anything is written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { runCli } from '../../helpers/cli.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

describe('curvekeep provision', () => {
  let t: TestWorkspace;
  let dir: string;

  beforeAll(async () => {
    t = testWorkspace('provision-cli');
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-provision-cli-'));
    await generateIdentity(t.ws, { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
    writeFileSync(join(dir, 'd.csv'), 'name,tags\nvalve-1,valve\nvalve-1,dup\npump-1,\n');
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON document with the counts and the failed rows, and no progress off a TTY', async () => {
    const result = await runCli(['--json', 'provision', '--csv', join(dir, 'd.csv'), '--server', 'broker', '--out', join(dir, 'fleet')], t.env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = result.json<{ ok: number; failed: number; failedRows: Array<{ row: number; reason: string }> }>();
    expect(json).toMatchObject({ ok: 2, failed: 1, failedRows: [{ row: 3, reason: 'duplicate name: row 2 has it already' }] });
    expect(JSON.parse(readFileSync(join(dir, 'fleet', 'devices', 'pump-1', 'config.json'), 'utf8'))).toMatchObject({ endpoint: 'tcp://127.0.0.1:5555' });
    const text = await runCli(['provision', '--csv', join(dir, 'd.csv'), '--server', 'broker', '--out', join(dir, 'fleet')], t.env);
    expect(text.stdout).toMatch(/0 provisioned, 2 skipped \(already provisioned\), 1 failed/);
    expect(text.stdout).toMatch(/duplicate name/);
  });

  it('refuses a missing CSV or an unknown server with exit 2, writing nothing', async () => {
    const missing = await runCli(['provision', '--csv', join(dir, 'nope.csv'), '--server', 'broker', '--out', join(dir, 'x')], t.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    const server = await runCli(['provision', '--csv', join(dir, 'd.csv'), '--server', 'ghost', '--out', join(dir, 'y')], t.env);
    expect(server.code).toBe(2);
    expect(existsSync(join(dir, 'x')) || existsSync(join(dir, 'y'))).toBe(false);
    expect((await runCli(['provision', '--csv', join(dir, 'd.csv')], t.env)).code).toBe(2);
  });
});
