// Issue 10: `curvekeep doctor [--repair --yes] [--json]` over a real data folder and keychain.
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { addPeer, removePeer } from '../../../src-main/core/peers/peers.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
afterEach(async () => t?.cleanup());

interface Report {
  ok: boolean;
  findings: Array<{ code: string; severity: string; repairable: boolean; fields: Record<string, unknown> }>;
  repaired: Array<{ code: string; fields: Record<string, unknown> }>;
  remaining: Array<{ code: string; fields: Record<string, unknown> }>;
  logged: boolean;
}

describe('curvekeep doctor', () => {
  it('says all is consistent (exit 0) for a healthy data folder', async () => {
    t = testWorkspace('doctor');
    await generateIdentity(t.ws, { name: 'gw' });
    await addPeer(t.ws, { name: 'p', publicKey: generateKeyPair().publicKey });
    const r = await runCli(['--json', 'doctor'], t.env);
    expect(r.code).toBe(0);
    expect(r.json<Report>()).toMatchObject({ ok: true, findings: [] });
    const text = await runCli(['doctor'], t.env);
    expect(text.stdout).toMatch(/all consistent/);
  });

  it('finds orphan keychain items of every kind, a stale lock and an unfinished write; --repair --yes fixes them and logs it', async () => {
    t = testWorkspace('doctor');
    await generateIdentity(t.ws, { name: 'gw' });
    // Left by interrupted writes: a device secret, a backup key, a pending rotation key, an unknown kind.
    await t.keychain.set('identity:id_ghost0000001:1', 'x');
    await t.keychain.set('pin-backup:broker.example.invalid:bk_ghost', 'x');
    await t.keychain.set('something-else', 'x');
    writeFileSync(join(t.home, 'curvekeep.lock'), '');
    writeFileSync(join(t.home, 'curvekeep.lock.999999999-abcdef01'), JSON.stringify({ pid: 999999999, start: '1', token: 'abcdef01' }));
    // An unfinished write that named a keychain item and never committed.
    await t.keychain.set('identity:id_ghost0000002:1', 'x');
    writeFileSync(join(t.home, 'curvekeep.journal'), `${JSON.stringify({ op: 'secret', account: 'identity:id_ghost0000002:1' })}\n`);

    const check = await runCli(['--json', 'doctor'], t.env);
    expect(check.code).toBe(1);
    const codes = check.json<Report>().findings.map((f) => f.code).sort();
    expect(codes).toEqual(['journal-pending', 'lock-leftover', 'lock-stale']);
    const text = await runCli(['doctor'], t.env);
    expect(text.stdout).toMatch(/curvekeep doctor --repair --yes/);

    expect((await runCli(['doctor', '--repair'], t.env)).code).toBe(2);
    const repair = await runCli(['--json', 'doctor', '--repair', '--yes'], t.env);
    expect(repair.code, repair.stderr).toBe(0);
    const report = repair.json<Report>();
    expect(report.ok).toBe(true);
    expect(report.logged).toBe(true);
    expect(report.repaired.map((f) => f.code).sort()).toEqual(['journal-pending', 'lock-leftover', 'lock-stale', 'orphan-secret', 'orphan-secret', 'orphan-secret']);
    expect(existsSync(join(t.home, 'curvekeep.lock.999999999-abcdef01'))).toBe(false);
    const accounts = await t.keychain.accounts();
    expect(accounts.filter((a) => a.includes('ghost') || a === 'something-else')).toEqual([]);
    expect(existsSync(join(t.home, 'curvekeep.lock'))).toBe(false);
    expect(existsSync(join(t.home, 'curvekeep.journal'))).toBe(false);
    const entries = await t.ws.store.auditEntries();
    expect(entries.filter((e) => e.action === 'doctor.repaired').map((e) => e.subject).sort()).toEqual(report.repaired.map((f) => f.code).sort());
    expect((await runCli(['audit', 'verify'], t.env)).code).toBe(0);
    expect((await runCli(['doctor'], t.env)).code).toBe(0);
  });

  it('finds an orphan item once nothing else is pending (exit 1), and an identity whose secret is missing, which it cannot repair', async () => {
    t = testWorkspace('doctor');
    const gw = await generateIdentity(t.ws, { name: 'gw' });
    await t.keychain.set('identity:id_ghost0000003:2', 'x');
    await t.keychain.delete(`identity:${gw.id}:1`);
    const check = await runCli(['--json', 'doctor'], t.env);
    expect(check.code).toBe(1);
    const findings = check.json<Report>().findings;
    expect(findings.map((f) => f.code).sort()).toEqual(['orphan-secret', 'secret-missing']);
    expect(findings.find((f) => f.code === 'secret-missing')).toMatchObject({ severity: 'error', repairable: false, fields: { name: 'gw', generation: 1 } });
    const repair = await runCli(['--json', 'doctor', '--repair', '--yes'], t.env);
    expect(repair.code).toBe(1);
    expect(repair.json<Report>().remaining.map((f) => f.code)).toEqual(['secret-missing']);
    expect(await t.keychain.get('identity:id_ghost0000003:2')).toBeNull();
  });

  it('reports a rolled-back document as a finding (exit 1) without writing anything', async () => {
    t = testWorkspace('doctor');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    await removePeer(t.ws, 'a');
    copyFileSync(join(t.home, 'curvekeep.json.bak'), join(t.home, 'curvekeep.json'));
    const check = await runCli(['--json', 'doctor', '--repair', '--yes'], t.env);
    expect(check.code).toBe(1);
    expect(check.json<Report>().remaining).toEqual([expect.objectContaining({ code: 'store-rolled-back' })]);
    const text = await runCli(['doctor'], t.env);
    expect(text.stdout).toMatch(/rolled back.*curvekeep store reseal/);
  });
});
