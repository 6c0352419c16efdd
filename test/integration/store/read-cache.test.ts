// A long-lived process (the app, the bridge) reads the document on every call. While the file is
// the same file, the store answers from the document it last read and checked; any change to the
// file (another process's write, a copy put back, an edit with its modification time set back)
// is read and checked again, so no caching weakens what the seal and the sealed revision find.
import { copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { addPeer, removePeer } from '../../../src-main/core/peers/peers.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { runCli } from '../../helpers/cli.js';
import { testWorkspace, type TestWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
afterEach(async () => t?.cleanup());

describe('reading an unchanged document again', () => {
  it('answers from the document already checked while the file is the same file', async () => {
    t = testWorkspace('read-cache');
    await addPeer(t.ws, { name: 'gw-1', publicKey: generateKeyPair().publicKey });
    const first = await t.ws.store.read();
    const second = await t.ws.store.read();
    expect(second).toBe(first);
    expect(second.data.peers.map((p) => p.name)).toEqual(['gw-1']);
  });

  it('sees another process\'s write at once', async () => {
    t = testWorkspace('read-cache');
    await addPeer(t.ws, { name: 'gw-1', publicKey: generateKeyPair().publicKey });
    const before = await t.ws.store.read();
    expect((await runCli(['peers', 'add', '--name', 'gw-2', '--key', generateKeyPair().publicKey], t.env)).code).toBe(0);
    const after = await t.ws.store.read();
    expect(after.revision).toBe(before.revision + 1);
    expect(after.data.peers.map((p) => p.name).sort()).toEqual(['gw-1', 'gw-2']);
    // A second store over the same folder (another window) agrees.
    expect((await createWorkspace(t.home, t.keychain).store.read()).revision).toBe(after.revision);
  });

  it('still refuses an older copy put back after it answered from memory', async () => {
    t = testWorkspace('read-cache');
    await addPeer(t.ws, { name: 'good', publicKey: generateKeyPair().publicKey });
    await addPeer(t.ws, { name: 'evil', publicKey: generateKeyPair().publicKey });
    await removePeer(t.ws, 'evil');
    await t.ws.store.read();
    await t.ws.store.read();
    copyFileSync(join(t.home, 'curvekeep.json.bak'), join(t.home, 'curvekeep.json'));
    await expect(t.ws.store.read()).rejects.toMatchObject({ code: 'store-rolled-back' });
  });

  it('still finds an edit of the same size whose modification time was set back', async () => {
    t = testWorkspace('read-cache');
    const key = generateKeyPair().publicKey;
    await addPeer(t.ws, { name: 'gw-a', publicKey: key });
    const file = join(t.home, 'curvekeep.json');
    await t.ws.store.read();
    const { atime, mtime, size } = statSync(file);
    const text = readFileSync(file, 'utf8');
    const edited = text.replace('"gw-a"', '"gw-b"');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    utimesSync(file, atime, mtime);
    expect(statSync(file).size).toBe(size);
    expect(Math.abs(statSync(file).mtimeMs - mtime.getTime())).toBeLessThan(1);
    await expect(t.ws.store.read()).rejects.toMatchObject({ code: 'store-tampered' });
  });
});
