// `curvekeep audit list` and `audit verify` as real processes: an edited, a deleted, a reordered
// entry and a truncated tail are each found and named; no entry holds any secret made meanwhile.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertFile } from '../../../src-main/core/formats/cert-file.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { provisionDevices } from '../../../src-main/core/provisioning/provision.js';
import { finishRotation, promoteRotation, rollbackRotation, stageRotation } from '../../../src-main/core/rotation/rotation.js';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { runCli } from '../../helpers/cli.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';
import { localStoreOf } from '../../../src-main/core/workspace.js';

describe('audit log', () => {
  let t: TestWorkspace;
  let out: string;
  let log: string;
  let original: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = testWorkspace('audit');
    out = mkdtempSync(join(tmpdir(), 'curvekeep-audit-'));
    const { ws } = t;
    await generateIdentity(ws, { name: 'broker', role: 'server' });
    await generateIdentity(ws, { name: 'laptop', role: 'client' });
    await addPeer(ws, { name: 'partner', publicKey: generateKeyPair().publicKey, allowed: true });
    await stageRotation(ws, 'broker');
    for (const account of await t.keychain.accounts()) if (account.startsWith('identity:')) secrets.push((await t.keychain.get(account))!);
    await promoteRotation(ws, 'broker', { force: true });
    await finishRotation(ws, 'broker', { force: true });
    await stageRotation(ws, 'laptop');
    for (const account of await t.keychain.accounts()) if (account.startsWith('identity:')) secrets.push((await t.keychain.get(account))!);
    await rollbackRotation(ws, 'laptop');
    writeFileSync(join(out, 'd.csv'), 'name\nvalve-1\nvalve-2\n');
    await provisionDevices(ws, { csvPath: join(out, 'd.csv'), serverRef: 'broker', outDir: join(out, 'fleet'), endpoint: 'tcp://127.0.0.1:5555', keepSecrets: true });
    for (const name of readdirSync(join(out, 'fleet', 'devices'))) {
      secrets.push(parseCertFile(readFileSync(join(out, 'fleet', 'devices', name, `${name}.cert_secret`), 'utf8'), name).secretKey!);
    }
    log = localStoreOf(t.ws, 'test').auditFile;
    original = readFileSync(log, 'utf8');
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  const lines = (): string[] => original.trimEnd().split('\n');
  const withLog = async (text: string) => {
    writeFileSync(log, text);
    try {
      return await runCli(['audit', 'verify'], t.env);
    } finally {
      writeFileSync(log, original);
    }
  };

  it('verifies the intact log, and lists it with --limit', async () => {
    const ok = await runCli(['audit', 'verify'], t.env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/intact: \d+ entries/);
    const listed = await runCli(['--json', 'audit', 'list', '--limit', '2'], t.env);
    const entries = listed.json<Array<{ seq: number; action: string }>>();
    expect(entries.map((e) => e.action)).toEqual(['identity.provisioned', 'provision.completed']);
    expect(entries[1]!.seq).toBe(lines().length);
    const actions = original.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(expect.arrayContaining(['rotation.staged', 'rotation.promoted', 'rotation.finished', 'rotation.rolled-back', 'peer.added', 'provision.completed']));
  });

  it('finds an edited entry and names it', async () => {
    const edited = lines().map((line, i) => (i === 2 ? line.replace('"subject":"', '"subject":"x') : line));
    const result = await withLog(`${edited.join('\n')}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at entry 3 \(line 3\): its content does not match its hash/);
  });

  it('finds a deleted entry', async () => {
    const deleted = lines().filter((_, i) => i !== 1);
    const result = await withLog(`${deleted.join('\n')}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at entry 3 \(line 2\): expected entry 2 here/);
  });

  it('finds a reordered entry', async () => {
    const l = lines();
    [l[3], l[4]] = [l[4]!, l[3]!];
    const result = await withLog(`${l.join('\n')}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at entry 5 \(line 4\)/);
  });

  it('finds a truncated tail against the sealed store', async () => {
    const l = lines();
    const result = await withLog(`${l.slice(0, -2).join('\n')}\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`the log ends before entry ${l.length}`));
    const json = await (async () => {
      writeFileSync(log, `${l.slice(0, -2).join('\n')}\n`);
      try {
        return await runCli(['--json', 'audit', 'verify'], t.env);
      } finally {
        writeFileSync(log, original);
      }
    })();
    expect(json.json<{ ok: boolean; broken: { seq: number } }>()).toMatchObject({ ok: false, broken: { seq: l.length } });
  });

  it('holds no secret made in this test', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(original).not.toContain(secret);
  });
});
