// Issue 10, finding 8: a lost audit seal key is reported, never silently replaced (a new key would
// make every older entry fail to verify).
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
afterEach(async () => t?.cleanup());

describe('the audit seal key', () => {
  it('is not replaced when it is missing: the write is refused (exit 3) and the key stays missing', async () => {
    t = testWorkspace('auditkey');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    expect(await t.keychain.delete('seal:audit')).toBe(true);
    const add = await runCli(['peers', 'add', '--name', 'b', '--key', generateKeyPair().publicKey], t.env);
    expect(add.code).toBe(3);
    expect(add.stderr).toMatch(/audit seal key is missing/);
    expect(await t.keychain.get('seal:audit')).toBeNull();
    const verify = await runCli(['audit', 'verify'], t.env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/audit seal key is missing/);
  });

  it('a lost key with the log moved aside: store reseal starts a new chain and says so', async () => {
    t = testWorkspace('auditkey');
    await addPeer(t.ws, { name: 'a', publicKey: generateKeyPair().publicKey });
    await t.keychain.delete('seal:audit');
    renameSync(join(t.home, 'audit.jsonl'), join(t.home, 'audit.old.jsonl'));
    const reseal = await runCli(['store', 'reseal'], t.env);
    expect(reseal.code, reseal.stderr).toBe(0);
    const entries = await t.ws.store.auditEntries();
    expect(entries.map((e) => [e.seq, e.action, e.details?.auditRestarted])).toEqual([[1, 'store.resealed', true]]);
    expect((await runCli(['audit', 'verify'], t.env)).code).toBe(0);
    expect((await runCli(['peers', 'add', '--name', 'b', '--key', generateKeyPair().publicKey], t.env)).code).toBe(0);
  });
});
