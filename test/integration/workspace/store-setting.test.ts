// The app's Settings choose the team workspace: the URL (verified TLS or a Unix socket, no
// password) is kept in the data folder's store.json, which the app, the bridge and the CLI read
// at start; a password goes to the keychain, never to the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveStoreSetting, storeUrlFor } from '../../../src-main/core/workspace.js';
import { WORKSPACE_PASSWORD_ACCOUNT } from '../../../src-main/core/team/audit-signing.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

describe('the store setting', () => {
  let t: TestWorkspace;
  beforeEach(() => {
    t = testWorkspace('store-setting');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('keeps a verified-TLS URL in store.json and the password in the keychain; clearing removes both', async () => {
    const url = 'postgres://tara@/curvekeep?host=/run/postgresql';
    await saveStoreSetting(t.home, t.keychain, url, 'pw-secret-1');
    expect(storeUrlFor(t.home, null, {})).toBe(url);
    expect(readFileSync(join(t.home, 'store.json'), 'utf8')).not.toContain('pw-secret-1');
    expect(await t.keychain.get(WORKSPACE_PASSWORD_ACCOUNT)).toBe('pw-secret-1');
    // --store and CURVEKEEP_STORE come first.
    expect(storeUrlFor(t.home, 'postgres://a@/x?host=/s', {})).toBe('postgres://a@/x?host=/s');
    expect(storeUrlFor(t.home, null, { CURVEKEEP_STORE: 'postgres://b@/x?host=/s' })).toBe('postgres://b@/x?host=/s');
    await saveStoreSetting(t.home, t.keychain, null);
    expect(existsSync(join(t.home, 'store.json'))).toBe(false);
    expect(await t.keychain.get(WORKSPACE_PASSWORD_ACCOUNT)).toBeNull();
    expect(storeUrlFor(t.home, null, {})).toBeNull();
  });

  it('refuses a URL with a password or without verified TLS, and writes nothing', async () => {
    await expect(saveStoreSetting(t.home, t.keychain, 'postgres://tara:hunter2@/curvekeep?host=/run/postgresql')).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(saveStoreSetting(t.home, t.keychain, 'postgres://tara@127.0.0.1:5432/curvekeep?sslmode=require')).rejects.toMatchObject({ code: 'workspace-tls-required' });
    expect(existsSync(join(t.home, 'store.json'))).toBe(false);
  });
});
