// Issue 10, finding 1: an older validly sealed copy of the document (or a deleted one) is refused,
// because the revision and the audit head are sealed in the keychain beside the seal key.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { addPeer, listPeers, removePeer } from '../../../src-main/core/peers/peers.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
afterEach(async () => t?.cleanup());

const json = (home: string, name: string) => join(home, name);

describe('rollback and deletion of the sealed document', () => {
  it('refuses curvekeep.json.bak copied back (a removed peer would come back), exit 3 "rolled back"; reseal accepts it and logs it', async () => {
    t = testWorkspace('rollback');
    await addPeer(t.ws, { name: 'good', publicKey: generateKeyPair().publicKey });
    await addPeer(t.ws, { name: 'evil', publicKey: generateKeyPair().publicKey });
    await removePeer(t.ws, 'evil');
    // The .bak still holds the removed peer; it is validly sealed.
    copyFileSync(json(t.home, 'curvekeep.json.bak'), json(t.home, 'curvekeep.json'));
    const list = await runCli(['peers', 'list'], t.env);
    expect(list.code).toBe(3);
    expect(list.stderr).toMatch(/rolled back/);
    expect(list.stderr).toMatch(/curvekeep store reseal/);
    expect(list.stdout).not.toMatch(/evil/);
    const allow = await runCli(['--json', 'peers', 'list'], t.env);
    expect(allow.code).toBe(3);
    expect(allow.json<{ error: { code: string } }>().error.code).toBe('store-rolled-back');
    // Nothing is written on top of it.
    expect((await runCli(['peers', 'add', '--name', 'x', '--key', generateKeyPair().publicKey], t.env)).code).toBe(3);

    const reseal = await runCli(['--json', 'store', 'reseal'], t.env);
    expect(reseal.code).toBe(0);
    expect((await listPeers(t.ws)).map((p) => p.name).sort()).toEqual(['evil', 'good']);
    const last = (await t.ws.store.auditEntries()).at(-1)!;
    expect(last.action).toBe('store.resealed');
    expect(last.details?.rolledBack).toBe(true);
    expect((await runCli(['audit', 'verify'], t.env)).code).toBe(0);
  });

  it('a hand-edited document: exit 3, says why once and what to run (the advice is not said twice)', async () => {
    t = testWorkspace('rollback');
    await addPeer(t.ws, { name: 'good', publicKey: generateKeyPair().publicKey });
    const file = json(t.home, 'curvekeep.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"good"', '"goof"'));
    const list = await runCli(['peers', 'list'], t.env);
    expect(list.code).toBe(3);
    expect(list.stdout).toBe('');
    expect(list.stderr).toMatch(/changed outside Curvekeep \(its seal does not match\)/);
    expect(list.stderr).toMatch(/run `curvekeep store reseal` to accept it/);
    expect(list.stderr.match(/review/g)).toHaveLength(1);
  });

  it('refuses a rolled-back document even when the audit log is cut back to match it', async () => {
    t = testWorkspace('rollback');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    const oldDoc = readFileSync(json(t.home, 'curvekeep.json'));
    const oldLog = readFileSync(json(t.home, 'audit.jsonl'));
    await addPeer(t.ws, { name: 'b', publicKey: generateKeyPair().publicKey });
    await removePeer(t.ws, 'a');
    writeFileSync(json(t.home, 'curvekeep.json'), oldDoc);
    writeFileSync(json(t.home, 'audit.jsonl'), oldLog);
    const verify = await runCli(['audit', 'verify'], t.env);
    expect(verify.code).toBe(3);
    expect(verify.stderr).toMatch(/rolled back/);
  });

  it('refuses a deleted document and its .bak while a seal exists: exit 3 "missing"; reseal starts again and logs it', async () => {
    t = testWorkspace('rollback');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    await addPeer(t.ws, { name: 'b', publicKey: generateKeyPair().publicKey });
    rmSync(json(t.home, 'curvekeep.json'));
    rmSync(json(t.home, 'curvekeep.json.bak'));
    const list = await runCli(['peers', 'list'], t.env);
    expect(list.code).toBe(3);
    expect(list.stderr).toMatch(/missing/);
    expect(list.stderr).toMatch(/curvekeep store reseal/);
    expect((await runCli(['store', 'reseal'], t.env)).code).toBe(0);
    expect(await listPeers(t.ws)).toEqual([]);
    const last = (await t.ws.store.auditEntries()).at(-1)!;
    expect(last.action).toBe('store.resealed');
    expect(last.details?.missing).toBe(true);
    expect((await runCli(['audit', 'verify'], t.env)).code).toBe(0);
  });

  it('a fresh data folder is still an empty store (exit 0)', async () => {
    t = testWorkspace('rollback');
    const list = await runCli(['--json', 'peers', 'list'], t.env);
    expect(list.code).toBe(0);
    expect(list.json()).toEqual([]);
  });

  it('two data folders sharing one keychain service do not see each other\'s revision', async () => {
    t = testWorkspace('rollback');
    for (let i = 0; i < 3; i++) await addPeer(t.ws, { name: `p${i}`, publicKey: generateKeyPair().publicKey });
    const other = mkdtempSync(join(tmpdir(), 'curvekeep-rollback-other-'));
    try {
      const env = { ...t.env, CURVEKEEP_HOME: other };
      expect((await runCli(['peers', 'list'], env)).code).toBe(0);
      expect((await runCli(['peers', 'add', '--name', 'q', '--key', generateKeyPair().publicKey], env)).code).toBe(0);
      expect((await runCli(['peers', 'list'], t.env)).code).toBe(0);
      // Doctor sees another folder's items in the service: it removes none of them.
      await t.keychain.set('identity:id_ghost0000009:1', 'x');
      const doctor = await runCli(['--json', 'doctor', '--repair', '--yes'], t.env);
      expect(doctor.code).toBe(1);
      expect(doctor.json<{ remaining: Array<{ code: string; repairable: boolean }> }>().remaining).toEqual([
        expect.objectContaining({ code: 'orphan-secret', repairable: false }),
      ]);
      expect(await t.keychain.get('identity:id_ghost0000009:1')).toBe('x');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
