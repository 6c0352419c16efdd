// `provision --keep-secrets` is crash-safe (issue 10, finding 3): the CLI process is killed
// (SIGKILL, from a hook only tests set) while bundles are written, between keychain writes, and
// after the last keychain write before the store update; a rerun of the same command then
// completes the run: every device with a made key has its secret in the keychain exactly once,
// equal to its bundle's, recorded as a device identity, and no keychain item belongs to nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { parseCertFile } from '../../../src-main/core/formats/cert-file.js';
import { generateIdentity, secretAccount } from '../../../src-main/core/identities/identities.js';
import { runCli } from '../../helpers/cli.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const DEVICES = 12;
let t: TestWorkspace;
let dir: string;

beforeEach(async () => {
  t = testWorkspace('keep-secrets-crash');
  dir = mkdtempSync(join(tmpdir(), 'curvekeep-keep-secrets-crash-'));
  await generateIdentity(t.ws, { name: 'broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'] });
  const own = generateKeyPair().publicKey;
  const rows = Array.from({ length: DEVICES }, (_, i) => `meter-${i}`);
  writeFileSync(join(dir, 'd.csv'), `name,public_key\n${rows.join('\n')}\nown-key,${own}\n`);
});
afterEach(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function checkComplete(): Promise<void> {
  const { data } = await t.ws.store.read();
  const devices = data.identities.filter((i) => i.role === 'device');
  expect(devices.map((d) => d.name).sort()).toEqual(Array.from({ length: DEVICES }, (_, i) => `meter-${i}`).sort());
  const accounts = [...(await t.keychain.accounts())].sort();
  const server = data.identities.find((i) => i.name === 'broker')!;
  // Exactly the identities' items: one per device, the server's, and the store's own (seal keys).
  const expected = [...devices, server].map((i) => secretAccount(i.id, 1));
  expect(accounts.filter((a) => a.startsWith('identity:')).sort()).toEqual(expected.sort());
  for (const device of devices) {
    const bundle = parseCertFile(readFileSync(join(dir, 'out', 'devices', device.name, `${device.name}.cert_secret`), 'utf8'), device.name);
    expect(await t.keychain.get(secretAccount(device.id, 1))).toBe(bundle.secretKey);
    expect(device.generations[0]!.publicKey).toBe(bundle.publicKey);
  }
  expect(data.devices.filter((d) => d.state === 'active')).toHaveLength(DEVICES + 1);
  expect(data.peers).toHaveLength(0);
}

describe('provision --keep-secrets killed and rerun', () => {
  it.each([
    ['while bundles are written', 'rows:5'],
    ['between keychain writes', 'secrets:5'],
    ['after the last keychain write, before the store update', `secrets:${DEVICES}`],
  ])('completes after a kill %s', async (_when, crash) => {
    const args = ['--json', 'provision', '--csv', join(dir, 'd.csv'), '--server', 'broker', '--out', join(dir, 'out'), '--keep-secrets'];
    const killed = await runCli(args, { ...t.env, CURVEKEEP_TEST_CRASH: crash });
    expect(killed.code).toBe(-1);
    const rerun = await runCli(args, t.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    const json = rerun.json<{ ok: number; skipped: number; failed: number; secretsKept: number }>();
    expect(json.failed).toBe(0);
    expect(json.ok + json.skipped).toBe(DEVICES + 1);
    await checkComplete();
    // A third run finds nothing to do.
    const again = (await runCli(args, t.env)).json<{ skipped: number; secretsKept: number; devicesAdded: number }>();
    expect(again).toMatchObject({ skipped: DEVICES + 1, secretsKept: 0, devicesAdded: 0 });
    await checkComplete();
  });
});
