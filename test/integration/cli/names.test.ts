// A name that cannot be a file name on every OS is refused where an identity, peer or device is
// created, with the problem named, so that nothing is accepted that cannot be exported later.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
let dir: string;
beforeAll(() => {
  t = testWorkspace('names');
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-names-'));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('names that cannot be file names', () => {
  it('are refused for identities and peers with exit 2 and the reason', async () => {
    const identity = await runCli(['keys', 'generate', '--name', 'NUL'], t.env);
    expect(identity.code).toBe(2);
    expect(identity.stderr).toMatch(/reserved device name on Windows/);
    const peer = await runCli(['peers', 'add', '--name', 'a..b', '--key', generateKeyPair().publicKey], t.env);
    expect(peer.code).toBe(2);
    expect(peer.stderr).toMatch(/two dots in a row/);
    expect((await runCli(['--json', 'keys', 'list'], t.env)).json<unknown[]>()).toEqual([]);
  });

  it('fail their device row in provisioning, and an exportable name is exported', async () => {
    expect((await runCli(['keys', 'generate', '--name', 'hub', '--role', 'server', '--endpoint', 'tcp://127.0.0.1:5555'], t.env)).code).toBe(0);
    writeFileSync(join(dir, 'd.csv'), 'name\ncon.txt\nvalve.\nvalve-1\n');
    const result = await runCli(['--json', 'provision', '--csv', join(dir, 'd.csv'), '--server', 'hub', '--out', join(dir, 'out')], t.env);
    expect(result.code, result.stderr).toBe(0);
    const json = result.json<{ ok: number; failedRows: Array<{ name: string; reason: string }> }>();
    expect(json.ok).toBe(1);
    expect(json.failedRows.map((r) => r.reason)).toEqual([expect.stringMatching(/CON is a reserved device name/), expect.stringMatching(/ends with a dot/)]);
    expect(readFileSync(join(dir, 'out', 'devices', 'valve-1', 'valve-1.cert'), 'utf8')).toMatch(/public-key/);
  });
});
