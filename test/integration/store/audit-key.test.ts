// Issue 10, finding 8: a lost audit seal key is reported, never silently replaced (a new key would
// make every older entry fail to verify).
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
});
