// `curvekeep status` over a store seeded with one of each kind of item (through core and the real
// CLI: keys made in the past through an injected clock, a staged rotation, an unverified peer whose
// last link test failed, pin sets expired / expiring without a backup pin, a provision run with failed
// rows, an orphan keychain item for doctor): each kind at its severity with its next action, the
// --check exit codes, and the same report from the IPC channel status.get over the same store.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../src-main/common/time.js';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { setPinSet } from '../../../src-main/core/pins/pin-set.js';
import { stageRotation } from '../../../src-main/core/usecases/rotation.js';
import type { StatusReport } from '../../../src-main/core/usecases/status.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { runCli } from '../../helpers/cli.js';
import { ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

const pin = () => `sha256/${randomBytes(32).toString('base64')}`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('curvekeep status', () => {
  let t: TestWorkspace;
  let clean: TestWorkspace;
  let bundles: string;

  beforeAll(async () => {
    t = testWorkspace('status');
    clean = testWorkspace('status-clean');
    bundles = join(mkdtempSync(join(tmpdir(), 'curvekeep-status-out-')), 'bundles');
    const at = (ms: number) => createWorkspace(t.home, t.keychain, () => new Date(ms));
    const now = Date.now();
    // Overdue: made in 2020 with a 30-day period. Due soon: 80 days old with a 90-day period.
    await generateIdentity(createWorkspace(t.home, t.keychain, () => new Date('2020-01-01T12:00:00Z')), { name: 'old-client', role: 'client', rotateEveryDays: 30 });
    await generateIdentity(at(now - 80 * DAY_MS), { name: 'soon-client', role: 'client', rotateEveryDays: 90 });
    // A rotation under way.
    await generateIdentity(t.ws, { name: 'gw-1', role: 'server', rotateEveryDays: null });
    await stageRotation(t.ws, 'gw-1');
    // A peer never verified; its last test (the real CLI, against the closed port 9) fails.
    await addPeer(t.ws, { name: 'sensor-a', publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'] });
    const test = await runCli(['test', 'tcp://127.0.0.1:9', '--peer', 'sensor-a', '--as', 'old-client', '--timeout', '3000'], t.env);
    expect(test.code).toBe(1);
    // Pin sets: one expiring in 10 days without a backup pin; one made in 2020 that expired.
    await setPinSet(t.ws, { host: 'broker.invalid', pins: [pin()], expires: day(now + 10 * DAY_MS), noBackup: true });
    await setPinSet(createWorkspace(t.home, t.keychain, () => new Date('2020-01-01T12:00:00Z')), { host: 'old.invalid', pins: [pin()], backupPins: [pin()], expires: '2020-06-01' });
    // A provisioning batch with failed rows: the real `provision`, one good row and two bad ones.
    writeFileSync(join(t.home, 'devices.csv'), 'name,endpoint,tags,public_key\ndev-1,,plant-3,\nbad name,,,\ndev-3,not-an-endpoint,,\n');
    const provision = await runCli(['--json', 'provision', '--csv', join(t.home, 'devices.csv'), '--server', 'gw-1', '--endpoint', 'tcp://127.0.0.1:9', '--out', bundles], t.env);
    expect([0, 1]).toContain(provision.code);
    // Doctor: a keychain item that belongs to nothing.
    await t.keychain.set('identity:gone:1', randomBytes(32).toString('base64'));
    // A store with warnings only.
    await addPeer(clean.ws, { name: 'sensor-b', publicKey: generateKeyPair().publicKey });
  }, 60_000);
  afterAll(async () => {
    await t.cleanup();
    await clean.cleanup();
    rmSync(join(bundles, '..'), { recursive: true, force: true });
  });

  it('lists each kind at its severity with its next action as data', async () => {
    const result = await runCli(['--json', 'status'], t.env);
    expect(result.code).toBe(0);
    const report = result.json<StatusReport>();
    const find = (kind: string) => report.items.filter((i) => i.kind === kind);
    expect(find('key-overdue')).toEqual([expect.objectContaining({ severity: 'error', subject: expect.objectContaining({ name: 'old-client' }), next: { action: 'rotate', identity: 'old-client' } })]);
    expect(find('key-due')).toEqual([expect.objectContaining({ severity: 'warning', subject: expect.objectContaining({ name: 'soon-client' }), facts: expect.objectContaining({ daysLeft: 9 }) })]);
    expect(find('rotation-in-progress')).toEqual([expect.objectContaining({ severity: 'info', facts: expect.objectContaining({ stage: 'staged' }), next: { action: 'rotation-step', identity: 'gw-1', step: 'distribute' } })]);
    expect(find('peer-unverified')).toEqual([expect.objectContaining({ severity: 'warning', next: { action: 'verify-peer', peer: 'sensor-a' } })]);
    expect(find('peer-test-failed')).toEqual([expect.objectContaining({ severity: 'warning', facts: expect.objectContaining({ verdict: 'unreachable' }), next: { action: 'test-peer', peer: 'sensor-a' } })]);
    expect(find('pin-set-expiring')).toEqual([expect.objectContaining({ severity: 'warning', subject: { host: 'broker.invalid' } })]);
    expect(find('pin-set-no-backup')).toEqual([expect.objectContaining({ severity: 'warning', next: { action: 'add-backup-pin', host: 'broker.invalid' } })]);
    expect(find('pin-set-expired')).toEqual([expect.objectContaining({ severity: 'error', subject: { host: 'old.invalid' } })]);
    const batch = find('batch-failed-rows');
    expect(batch).toEqual([expect.objectContaining({ severity: 'warning', subject: expect.objectContaining({ csvName: 'devices.csv', serverName: 'gw-1' }), facts: expect.objectContaining({ failed: 2, rows: 3, ok: 1 }) })]);
    expect(batch[0]!.next).toEqual({ action: 'retry-batch', batch: batch[0]!.subject.id });
    expect(find('doctor')).toEqual([expect.objectContaining({ severity: 'warning', subject: { code: 'orphan-secret' }, next: { action: 'repair-store' } })]);
    expect(report.counts).toEqual({ keys: 3, peers: 1, devices: 1, batches: 1, pinSets: 2 });
    expect(report.summary).toEqual({ error: 2, warning: 7, info: 1 });
    // Errors first.
    expect(report.items.slice(0, 2).map((i) => i.severity)).toEqual(['error', 'error']);
    // Nothing secret: no keychain item's value, no "secret" field.
    expect(result.stdout).not.toMatch(/secretKey|"secret"/);
  });

  it('words each next action as a command line', async () => {
    const result = await runCli(['status'], t.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('next: curvekeep rotate old-client --stage');
    expect(result.stdout).toContain('next: curvekeep rotate gw-1 --distribute --out DIR');
    expect(result.stdout).toContain('next: curvekeep peers verify sensor-a --code');
    expect(result.stdout).toContain('next: curvekeep test tcp://127.0.0.1:9 --peer sensor-a');
    expect(result.stdout).toContain('next: curvekeep pins backup-key broker.invalid');
    expect(result.stdout).toContain(`next: curvekeep provision --csv devices.csv --server gw-1 --out ${bundles}`);
    expect(result.stdout).toContain('next: curvekeep doctor --repair --yes');
    expect(result.stdout).not.toMatch(/undefined|\[object/);
  });

  it('--check exits 1 on an error item, 0 with warnings only', async () => {
    expect((await runCli(['status', '--check'], t.env)).code).toBe(1);
    const ok = await runCli(['--json', 'status', '--check'], clean.env);
    expect(ok.code).toBe(0);
    expect(ok.json<StatusReport>().items.map((i) => [i.kind, i.severity])).toEqual([['peer-unverified', 'warning']]);
  });

  it('the IPC channel status.get gives the same report as the CLI over one store', async () => {
    const cli = (await runCli(['--json', 'status'], t.env)).json<StatusReport>();
    const ipc = (await ipcCaller(t).ok('status.get', {})) as unknown as StatusReport;
    const { now: _a, ...cliRest } = cli;
    const { now: _b, byKind, ...ipcRest } = ipc as StatusReport & { byKind: Record<string, number> };
    expect(ipcRest).toEqual(cliRest);
    const counted: Record<string, number> = {};
    for (const item of cli.items) counted[item.kind] = (counted[item.kind] ?? 0) + 1;
    expect(byKind).toEqual(counted);
    const refused = await ipcCaller(t).call('status.get', { extra: 1 });
    expect(refused.ok).toBe(false);
  });

  it('status.get gives only the kinds asked, and at most perKind items of each, counting them all', async () => {
    type Windowed = StatusReport & { byKind: Record<string, number> };
    // Two more unverified peers: three items of that kind, so that the cap takes something away.
    await addPeer(t.ws, { name: 'extra-peer-1', publicKey: generateKeyPair().publicKey });
    await addPeer(t.ws, { name: 'extra-peer-2', publicKey: generateKeyPair().publicKey });
    const all = (await ipcCaller(t).ok('status.get', {})) as unknown as Windowed;
    const kinds = [...new Set(all.items.map((i) => i.kind))];
    expect(all.byKind['peer-unverified']).toBe(3);
    const one = (await ipcCaller(t).ok('status.get', { perKind: 1 })) as unknown as Windowed;
    expect(one.items).toEqual(all.items.filter((item, i) => all.items.findIndex((x) => x.kind === item.kind) === i));
    expect(one.byKind).toEqual(all.byKind);
    expect(one.summary).toEqual(all.summary);
    const only = (await ipcCaller(t).ok('status.get', { kinds: [kinds[1]!] })) as unknown as Windowed;
    expect(only.items).toEqual(all.items.filter((i) => i.kind === kinds[1]));
    expect(only.byKind).toEqual({ [kinds[1]!]: all.byKind[kinds[1]!] });
    expect((await ipcCaller(t).call('status.get', { perKind: 0 })).ok).toBe(false);
    expect((await ipcCaller(t).call('status.get', { kinds: ['no-such-kind'] })).ok).toBe(false);
  });

  it('a store changed outside Curvekeep: only doctor speaks (an error), --check exits 1, status.get agrees', async () => {
    const file = join(clean.home, 'curvekeep.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('sensor-b', 'sensor-x'));
    const result = await runCli(['--json', 'status', '--check'], clean.env);
    expect(result.code).toBe(1);
    const report = result.json<StatusReport>();
    expect(report.storeRead).toBe(false);
    expect(report.items).toEqual([expect.objectContaining({ kind: 'doctor', severity: 'error', subject: { code: 'store-tampered' }, next: { action: 'see-doctor' } })]);
    const ipc = (await ipcCaller(clean).ok('status.get', {})) as unknown as StatusReport;
    expect(ipc.items).toEqual(report.items);
    expect((await runCli(['status'], clean.env)).stdout).toContain('curvekeep store reseal');
  });
});
