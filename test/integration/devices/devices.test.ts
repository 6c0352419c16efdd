// Devices (issue 12) against a real server: a device provisioned for a pyzmq ROUTER whose
// ThreadAuthenticator reads an allowlist folder connects with its bundle, is not a peer (absent
// from `peers list` and from a sweep), and is refused once removed and the allowlist rewritten.
// Also: provision --dry-run writes nothing, a device provisioned again is skipped naming its
// batch and folder, a reissue keeps the old key allowed until --finish, and the IPC channels.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { parseCertFile } from '../../../src-main/core/formats/cert-file.js';
import { generateIdentity, identityKeyPair } from '../../../src-main/core/identities/identities.js';
import { testLink } from '../../../src-main/core/link/curve-test.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { runCli } from '../../helpers/cli.js';
import { ipcCaller } from '../../helpers/ipc.js';
import { type FolderRouter, startFolderRouter } from '../../helpers/rotation/folder-router.js';
import { snapshotFolder } from '../../helpers/snapshot.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

interface Row { row: number; name: string; action?: string; status?: string; reason: string; batch?: string | null; folder?: string | null; existing?: { batch: string | null; folder: string | null } }

describe('devices of a server', () => {
  let t: TestWorkspace;
  let dir: string;
  let csv: string;
  let router: FolderRouter | null = null;
  let serverKeys: { publicKey: string; secretKey: string };

  const keychainState = async (): Promise<Record<string, string | null>> => {
    const out: Record<string, string | null> = {};
    for (const account of [...(await t.keychain.accounts())].sort()) out[account] = await t.keychain.get(account);
    return out;
  };
  const bundleKeys = (out: string, name: string) => {
    const cert = parseCertFile(readFileSync(join(out, 'devices', name, `${name}.cert_secret`), 'utf8'), name);
    return { publicKey: cert.publicKey, secretKey: cert.secretKey! };
  };
  const connect = async (client: { publicKey: string; secretKey: string }) =>
    (await testLink({ endpoint: router!.endpoint, serverKey: serverKeys.publicKey as never, client: client as never, timeoutMs: 4000 })).verdict;
  const writeAllowlist = async (): Promise<string[]> => {
    const r = await runCli(['--json', 'peers', 'allowlist', '--server', 'gw', '--out', join(dir, 'allow'), '--format', 'pyzmq'], t.env);
    expect(r.code, r.stderr).toBe(0);
    await router!.reload();
    return readdirSync(join(dir, 'allow')).filter((f) => !f.startsWith('.')).sort();
  };

  beforeAll(async () => {
    t = testWorkspace('devices');
    dir = mkdtempSync(join(tmpdir(), 'curvekeep-devices-'));
    await generateIdentity(t.ws, { name: 'gw', role: 'server', endpoints: ['tcp://127.0.0.1:9'] });
    await generateIdentity(t.ws, { name: 'other-gw', role: 'server', endpoints: ['tcp://127.0.0.1:9'] });
    await generateIdentity(t.ws, { name: 'ops', role: 'client' });
    await addPeer(t.ws, { name: 'partner', publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'], allowed: true });
    serverKeys = await identityKeyPair(t.ws, 'gw');
    csv = join(dir, 'fleet.csv');
    writeFileSync(csv, 'name,endpoint,tags\ndev-1,,site-a\ndev-2,,site-b\ndev-1,,dup\n');
  });
  afterAll(async () => {
    await router?.stop();
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('provision --dry-run prints what each row would do and writes nothing', async () => {
    const homeBefore = snapshotFolder(t.home);
    const keychainBefore = await keychainState();
    const run = await runCli(['--json', 'provision', '--dry-run', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out1')], t.env);
    expect(run.code, run.stderr).toBe(0);
    const plan = run.json<{ dryRun: boolean; create: number; skip: number; fail: number; rows: Row[] }>();
    expect(plan).toMatchObject({ dryRun: true, create: 2, skip: 0, fail: 1 });
    expect(plan.rows.map((r) => [r.name, r.action])).toEqual([['dev-1', 'create'], ['dev-2', 'create'], ['dev-1', 'fail']]);
    expect(plan.rows[2]!.reason).toMatch(/duplicate name/);
    const text = await runCli(['provision', '--dry-run', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out1')], t.env);
    expect(text.stdout).toMatch(/dry run: nothing was written/);
    expect(text.stdout).toMatch(/dev-2\s+create/);
    expect(existsSync(join(dir, 'out1'))).toBe(false);
    expect(snapshotFolder(t.home)).toEqual(homeBefore);
    expect(await keychainState()).toEqual(keychainBefore);
  });

  it('records devices and a batch, not peers', async () => {
    const run = await runCli(['--json', 'provision', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out1')], t.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ ok: 2, failed: 1, devicesAdded: 2 });
    const peers = (await runCli(['--json', 'peers', 'list'], t.env)).json<Array<{ name: string }>>();
    expect(peers.map((p) => p.name)).toEqual(['partner']);
    const list = (await runCli(['--json', 'devices', 'list'], t.env)).json<{ total: number; devices: Array<{ name: string; serverName: string; batch: string; tags: string[] }> }>();
    expect(list.total).toBe(2);
    expect(list.devices.map((d) => [d.name, d.serverName, d.tags])).toEqual([['dev-1', 'gw', ['site-a']], ['dev-2', 'gw', ['site-b']]]);
    const batch = list.devices[0]!.batch;
    const { data } = await t.ws.store.read();
    expect(data.batches).toEqual([expect.objectContaining({ id: batch, csvName: 'fleet.csv', outDir: join(dir, 'out1'), counts: { rows: 3, ok: 2, skipped: 0, failed: 1 }, failed: [{ row: 4, name: 'dev-1', reason: 'duplicate name: row 2 has it already' }] })]);
    expect((await runCli(['--json', 'devices', 'list', '--tag', 'site-b'], t.env)).json<{ total: number }>().total).toBe(1);
    expect((await runCli(['--json', 'devices', 'list', '--batch', batch], t.env)).json<{ total: number }>().total).toBe(2);
    expect((await runCli(['--json', 'devices', 'list', '--server', 'other-gw'], t.env)).json<{ total: number }>().total).toBe(0);
    const show = await runCli(['devices', 'show', 'dev-1'], t.env);
    expect(show.stdout).toContain(`batch:       ${batch} (fleet.csv`);
    expect(show.stdout).toContain(join(dir, 'out1', 'devices', 'dev-1'));
  });

  it('skips a device provisioned already, naming its batch and folder (also in a dry run)', async () => {
    const batch = (await t.ws.store.read()).data.batches[0]!.id;
    const dry = (await runCli(['--json', 'provision', '--dry-run', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out2')], t.env)).json<{ rows: Row[] }>();
    expect(dry.rows[0]).toMatchObject({ name: 'dev-1', action: 'skip', batch, folder: join(dir, 'out1', 'devices', 'dev-1') });
    expect(existsSync(join(dir, 'out2'))).toBe(false);
    // Over an existing output folder: the folder, the data folder and the keychain stay byte for byte.
    const outBefore = snapshotFolder(join(dir, 'out1'));
    const homeBefore = snapshotFolder(t.home);
    const keychainBefore = await keychainState();
    const again = (await runCli(['--json', 'provision', '--dry-run', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out1')], t.env)).json<{ rows: Row[] }>();
    expect(again.rows.map((r) => r.action)).toEqual(['skip', 'skip', 'fail']);
    expect(snapshotFolder(join(dir, 'out1'))).toEqual(outBefore);
    expect(snapshotFolder(t.home)).toEqual(homeBefore);
    expect(await keychainState()).toEqual(keychainBefore);
    const run = await runCli(['--json', 'provision', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out2')], t.env);
    expect(run.code, run.stderr).toBe(0);
    const json = run.json<{ ok: number; skipped: number; failed: number; skippedRows: Row[] }>();
    expect(json).toMatchObject({ ok: 0, skipped: 2, failed: 1 });
    expect(json.skippedRows[1]).toMatchObject({ status: 'skipped', existing: { batch, folder: join(dir, 'out1', 'devices', 'dev-2') } });
    expect(json.skippedRows[1]!.reason).toContain(batch);
    const text = await runCli(['provision', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out2')], t.env);
    expect(text.stdout).toMatch(/2 skipped \(already provisioned\)/);
    // The same names for another server are other devices.
    const other = await runCli(['--json', 'provision', '--csv', csv, '--server', 'other-gw', '--out', join(dir, 'out-other')], t.env);
    expect(other.code, other.stderr).toBe(0);
    expect(other.json<{ ok: number }>().ok).toBe(2);
    expect((await runCli(['--json', 'devices', 'list', '--server', 'gw'], t.env)).json<{ total: number }>().total).toBe(2);
  });

  it("connects to a pyzmq ROUTER whose folder allowlist is the server's devices and allowed peers", async () => {
    rmSync(join(dir, 'allow'), { recursive: true, force: true });
    const r = await runCli(['peers', 'allowlist', '--server', 'gw', '--out', join(dir, 'allow'), '--format', 'pyzmq'], t.env);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'allow')).filter((f) => !f.startsWith('.')).sort()).toEqual(['dev-1.key', 'dev-2.key', 'partner.key']);
    router = await startFolderRouter(serverKeys, join(dir, 'allow'));
    expect(await connect(bundleKeys(join(dir, 'out1'), 'dev-1'))).toBe('ok');
    // other-gw's dev-1 is another device: not on gw's allowlist.
    expect(await connect(bundleKeys(join(dir, 'out-other'), 'dev-1'))).toBe('rejected');
  });

  it('is never swept: a sweep tests peers only', async () => {
    const sweep = await runCli(['--json', 'sweep', '--peers', '--timeout', '1000'], t.env);
    expect(sweep.stderr).toBe('');
    const json = sweep.json<{ results: Array<{ peer?: { name: string } }> }>();
    expect(json.results.map((x) => x.peer?.name)).toEqual(['partner']);
    expect(sweep.stdout).not.toContain('dev-1');
  });

  it('is refused after devices remove and the next allowlist write', async () => {
    const unconfirmed = await runCli(['devices', 'remove', 'dev-1'], t.env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    expect(await connect(bundleKeys(join(dir, 'out1'), 'dev-1'))).toBe('ok');
    const { data } = await t.ws.store.read();
    const gwId = data.identities.find((i) => i.name === 'gw')!.id;
    const id = data.devices.find((d) => d.name === 'dev-1' && d.server === gwId)!.id;
    const ambiguous = await runCli(['devices', 'remove', 'dev-1', '--yes'], t.env);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/more than one device/);
    const removed = await runCli(['devices', 'remove', id, '--yes'], t.env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/leaves gw's allowlist at the next write/);
    expect(await writeAllowlist()).toEqual(['dev-2.key', 'partner.key']);
    expect(await connect(bundleKeys(join(dir, 'out1'), 'dev-1'))).toBe('rejected');
    expect(await connect(bundleKeys(join(dir, 'out1'), 'dev-2'))).toBe('ok');
    // The provisioning output's allowlist is the server's too: a rerun of its folder does not
    // bring the removed device back, and takes it off that folder's allowlist.
    expect(readdirSync(join(dir, 'out1', 'allowlist')).filter((f) => !f.startsWith('.')).sort()).toEqual(['dev-1.key', 'dev-2.key', 'partner.key']);
    const rerun = await runCli(['--json', 'provision', '--csv', csv, '--server', 'gw', '--out', join(dir, 'out1')], t.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json<{ skippedRows: Row[] }>().skippedRows[0]).toMatchObject({ name: 'dev-1', reason: expect.stringMatching(/removed/) });
    expect(readdirSync(join(dir, 'out1', 'allowlist')).filter((f) => !f.startsWith('.')).sort()).toEqual(['dev-2.key', 'partner.key']);
    expect((await t.ws.store.read()).data.devices.filter((d) => d.name === 'dev-1' && d.server === gwId).map((d) => d.state)).toEqual(['removed']);
  });

  it('reissue: new bundles, the old key allowed until --finish', async () => {
    const { data } = await t.ws.store.read();
    const ref = data.devices.find((d) => d.name === 'dev-2' && d.batch === data.batches[0]!.id)!.id;
    const old = bundleKeys(join(dir, 'out1'), 'dev-2');
    const run = await runCli(['--json', 'devices', 'reissue', ref, '--out', join(dir, 'reissue')], t.env);
    expect(run.code, run.stderr).toBe(0);
    const fresh = bundleKeys(join(dir, 'reissue'), 'dev-2');
    expect(fresh.publicKey).not.toBe(old.publicKey);
    expect(run.json()).toMatchObject({ devices: [{ name: 'dev-2', publicKey: fresh.publicKey, previousPublicKey: old.publicKey }] });
    expect(await writeAllowlist()).toEqual(['dev-2.key', 'dev-2.previous.key', 'partner.key']);
    expect(await connect(old)).toBe('ok');
    expect(await connect(fresh)).toBe('ok');
    const finish = await runCli(['devices', 'reissue', ref, '--finish'], t.env);
    expect(finish.code, finish.stderr).toBe(0);
    expect(await writeAllowlist()).toEqual(['dev-2.key', 'partner.key']);
    expect(await connect(old)).toBe('rejected');
    expect(await connect(fresh)).toBe('ok');
  }, 60_000);

  it('devices.list (lean, paged, filtered) and devices.show through the dispatcher', async () => {
    const ipc = ipcCaller(t);
    const page = await ipc.ok('devices.list', { limit: 1 });
    expect(page).toMatchObject({ total: 3, offset: 0 });
    expect(page.devices as unknown[]).toHaveLength(1);
    const row = (page.devices as Array<Record<string, unknown>>)[0]!;
    expect(Object.keys(row).sort()).toEqual(['batch', 'id', 'name', 'reissuing', 'server', 'serverName', 'shortKey', 'state', 'tags']);
    expect(String(row.shortKey)).toHaveLength(8);
    expect(await ipc.ok('devices.list', { server: 'gw', includeRemoved: true })).toMatchObject({ total: 2 });
    expect(await ipc.ok('devices.list', { server: 'gw' })).toMatchObject({ total: 1 });
    expect(await ipc.ok('devices.list', { text: 'DEV-2', offset: 1 })).toMatchObject({ total: 2, offset: 1 });
    const bad = await ipc.call('devices.list', { limit: 0 });
    expect(bad.ok).toBe(false);
    const gone = (await t.ws.store.read()).data.devices.find((d) => d.state === 'removed')!;
    const shown = await ipc.ok('devices.show', { ref: gone.id });
    expect(shown).toMatchObject({ name: 'dev-1', state: 'removed', serverName: 'gw' });
    expect(JSON.stringify(shown)).not.toContain(bundleKeys(join(dir, 'out1'), 'dev-1').secretKey);
    const ambiguous = await ipc.call('devices.show', { ref: 'dev-1' });
    expect(ambiguous.ok).toBe(false);
  });

  it('devices.servers offers the servers that have devices, by name, and no other server or peer', async () => {
    const ipc = ipcCaller(t);
    const { data } = await t.ws.store.read();
    const withDevices = new Set(data.devices.map((d) => d.server));
    const { servers } = (await ipc.ok('devices.servers', {})) as { servers: Array<{ id: string; name: string }> };
    const gw = data.identities.find((i) => i.name === 'gw')!;
    expect(servers).toContainEqual({ id: gw.id, name: 'gw' });
    expect(servers.map((s) => s.id).sort()).toEqual([...withDevices].sort());
    expect(servers.map((s) => s.name)).toEqual([...servers.map((s) => s.name)].sort((a, b) => a.localeCompare(b)));
    // A server without devices, a client and a peer are not offered.
    expect(servers.map((s) => s.name)).not.toContain('partner');
    expect(servers.map((s) => s.name)).not.toContain('ops');
    const idle = await generateIdentity(t.ws, { name: 'idle-gw', role: 'server' });
    expect(((await ipc.ok('devices.servers', {})) as { servers: Array<{ id: string }> }).servers.map((s) => s.id)).not.toContain(idle.id);
  });
});
