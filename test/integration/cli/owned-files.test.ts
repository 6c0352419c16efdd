// Files Curvekeep writes are its own (issue 10, finding 5): an allowlist, a rotation's
// distribution folder and provisioning output keep a manifest of the files Curvekeep wrote; a
// rewrite removes only those, leaves every other file alone and names it, and replacing a file
// Curvekeep did not write needs --force.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { distributeRotation } from '../../../src-main/core/rotation/distribute.js';
import { stageRotation } from '../../../src-main/core/rotation/rotation.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
let scratch: string;
const TLS_KEY = '-----BEGIN PRIVATE KEY-----\nnot a real key, but a file nobody may delete\n-----END PRIVATE KEY-----\n';

beforeAll(async () => {
  t = testWorkspace('owned-files');
  scratch = mkdtempSync(join(tmpdir(), 'curvekeep-owned-files-'));
  for (const name of ['broker', 'gateway']) {
    const added = await runCli(['peers', 'add', '--name', name, '--key', generateKeyPair().publicKey, '--allow'], t.env);
    expect(added.code, added.stderr).toBe(0);
  }
  await generateIdentity(t.ws, { name: 'hub', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
});
afterAll(async () => {
  await t.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

function visible(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
}

describe('peers allowlist --out', () => {
  it('leaves a TLS key, certificates and hand-placed key files alone, and names them', async () => {
    const dir = join(scratch, 'tls');
    mkdirSync(dir);
    writeFileSync(join(dir, 'server.key'), TLS_KEY);
    writeFileSync(join(dir, 'server.cert'), 'cert');
    writeFileSync(join(dir, 'ca.cert'), 'ca');
    writeFileSync(join(dir, 'legacy-node.key'), 'public-key = "abc"\n');
    const first = await runCli(['--json', 'peers', 'allowlist', '--out', dir], t.env);
    expect(first.code, first.stderr).toBe(0);
    const json = first.json<{ removed: string[]; left: string[] }>();
    expect(json.removed).toEqual([]);
    expect(json.left.map((p) => p.replace(/^.*\//, '')).sort()).toEqual(['ca.cert', 'legacy-node.key', 'server.cert', 'server.key']);
    expect(visible(dir)).toEqual(['broker.key', 'ca.cert', 'gateway.key', 'legacy-node.key', 'server.cert', 'server.key']);

    // A rewrite after a peer is taken off removes only that peer's file.
    expect((await runCli(['peers', 'allow', 'gateway', '--off'], t.env)).code).toBe(0);
    const second = await runCli(['peers', 'allowlist', '--out', dir], t.env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/removed 1/);
    expect(second.stdout).toMatch(/left 4 file\(s\) Curvekeep did not write: .*server\.key/);
    expect(visible(dir)).toEqual(['broker.key', 'ca.cert', 'legacy-node.key', 'server.cert', 'server.key']);
    expect(readFileSync(join(dir, 'server.key'), 'utf8')).toBe(TLS_KEY);
    expect((await runCli(['peers', 'allow', 'gateway'], t.env)).code).toBe(0);
  });

  it('refuses to replace a file of the same name it did not write, unless --force', async () => {
    const dir = join(scratch, 'clash');
    mkdirSync(dir);
    writeFileSync(join(dir, 'broker.key'), 'hand-placed');
    const refused = await runCli(['peers', 'allowlist', '--out', dir], t.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/broker\.key/);
    expect(refused.stderr).toMatch(/--force/);
    expect(readFileSync(join(dir, 'broker.key'), 'utf8')).toBe('hand-placed');
    expect(existsSync(join(dir, 'gateway.key'))).toBe(false);
    const forced = await runCli(['peers', 'allowlist', '--out', dir, '--force'], t.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'broker.key'), 'utf8')).toMatch(/public-key/);
    // Once written by Curvekeep, it is Curvekeep's: a plain rewrite replaces it.
    expect((await runCli(['peers', 'allowlist', '--out', dir], t.env)).code).toBe(0);
  });
});

describe('rotate --distribute --out', () => {
  it('leaves a foreign file that looks like one of the identity\'s own, and refuses to replace one', async () => {
    const dir = join(scratch, 'dist');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hub.gen9.key'), 'hand-placed old key');
    writeFileSync(join(dir, 'server.key'), TLS_KEY);
    const first = await distributeRotation(t.ws, 'hub', { out: dir });
    expect(first.removed).toEqual([]);
    expect(first.left.map((p) => p.replace(/^.*\//, '')).sort()).toEqual(['hub.gen9.key', 'server.key']);
    await stageRotation(t.ws, 'hub');
    const second = await distributeRotation(t.ws, 'hub', { out: dir });
    expect(visible(dir)).toEqual(['hub.gen1.key', 'hub.gen2.key', 'hub.gen2.png', 'hub.gen9.key', 'server.key']);
    expect(second.removed).toEqual([]);

    const clash = join(scratch, 'dist-clash');
    mkdirSync(clash);
    writeFileSync(join(clash, 'hub.gen2.png'), 'a picture');
    await expect(distributeRotation(t.ws, 'hub', { out: clash })).rejects.toThrow(/hub\.gen2\.png/);
    expect(readFileSync(join(clash, 'hub.gen2.png'), 'utf8')).toBe('a picture');
    const cli = await runCli(['rotate', 'hub', '--distribute', '--out', clash, '--force'], t.env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(readFileSync(join(clash, 'hub.gen2.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('provision --out', () => {
  it('refuses a folder holding a manifest.json or results.csv it did not write, unless --force', async () => {
    const csv = join(scratch, 'devices.csv');
    writeFileSync(csv, 'name\nvalve-1\n');
    const out = join(scratch, 'prov');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), '{"mine": true}\n');
    writeFileSync(join(out, 'results.csv'), 'precious\n');
    const refused = await runCli(['provision', '--csv', csv, '--server', 'hub', '--out', out], t.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/manifest\.json/);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe('{"mine": true}\n');
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toBe('precious\n');
    expect(existsSync(join(out, 'devices'))).toBe(false);
    const forced = await runCli(['provision', '--csv', csv, '--server', 'hub', '--out', out, '--force'], t.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ format: 'curvekeep-provision/1' });
  });

  it('refuses a folder holding another run\'s manifest (another server), and reruns its own', async () => {
    await generateIdentity(t.ws, { name: 'hub-2', role: 'server', endpoints: ['tcp://127.0.0.1:5556'] });
    const csv = join(scratch, 'devices-2.csv');
    writeFileSync(csv, 'name\npump-1\n');
    const out = join(scratch, 'prov-2');
    expect((await runCli(['provision', '--csv', csv, '--server', 'hub', '--out', out], t.env)).code).toBe(0);
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const other = await runCli(['provision', '--csv', csv, '--server', 'hub-2', '--out', out], t.env);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/another/);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
    const rerun = await runCli(['--json', 'provision', '--csv', csv, '--server', 'hub', '--out', out], t.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json<{ skipped: number }>().skipped).toBe(1);
  });

  it('leaves a hand-placed key file in the allowlist folder alone, and fails the row whose file it would replace', async () => {
    const csv = join(scratch, 'devices-3.csv');
    writeFileSync(csv, 'name\nmeter-1\nmeter-2\n');
    const out = join(scratch, 'prov-3');
    mkdirSync(join(out, 'allowlist'), { recursive: true });
    writeFileSync(join(out, 'allowlist', 'server.key'), TLS_KEY);
    writeFileSync(join(out, 'allowlist', 'meter-2.key'), 'hand-placed');
    const result = await runCli(['--json', 'provision', '--csv', csv, '--server', 'hub', '--out', out], t.env);
    expect(result.code, result.stderr).toBe(0);
    const json = result.json<{ ok: number; failed: number; failedRows: Array<{ name: string; reason: string }> }>();
    expect(json.ok).toBe(1);
    expect(json.failedRows).toEqual([expect.objectContaining({ name: 'meter-2', reason: expect.stringMatching(/did not write/) })]);
    expect(readFileSync(join(out, 'allowlist', 'server.key'), 'utf8')).toBe(TLS_KEY);
    expect(readFileSync(join(out, 'allowlist', 'meter-2.key'), 'utf8')).toBe('hand-placed');
  });
});
