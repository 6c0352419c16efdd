// OsKeychain.prefetch (what a CLI command that reads the store starts before it loads its code):
// a prefetched read is used once, and never outlives a write of its item.
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../../src-main/keychain/os-keychain.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
afterEach(async () => t?.cleanup());

describe('prefetched keychain reads', () => {
  it('give the value read, and a second get reads again', async () => {
    t = testWorkspace('prefetch');
    await t.keychain.set('a', 'one');
    const keychain = new OsKeychain(t.service);
    keychain.prefetch(['a', 'missing']);
    expect(await keychain.get('a')).toBe('one');
    await t.keychain.set('a', 'two'); // another process writes it meanwhile
    expect(await keychain.get('a')).toBe('two');
    expect(await keychain.get('missing')).toBeNull();
  });

  it('are dropped by a set or a delete of the item, so no stale value is read', async () => {
    t = testWorkspace('prefetch');
    await t.keychain.set('a', 'old');
    await t.keychain.set('b', 'old');
    const keychain = new OsKeychain(t.service);
    keychain.prefetch(['a', 'b']);
    await keychain.set('a', 'new');
    expect(await keychain.delete('b')).toBe(true);
    expect(await keychain.get('a')).toBe('new');
    expect(await keychain.get('b')).toBeNull();
  });
  // A keychain that cannot be reached: test/integration/cli/keys.test.ts runs `keys list` (which
  // prefetches) without a D-Bus session and gets the keychain-unavailable error.
});
