// The local change feed (the page's live refresh) over a real data folder and keychain: a write
// by another workspace over the same folder (as the CLI would make) wakes a waiting call with the
// new revision; a quiet folder answers `since` at the timeout; close() answers waiting calls.
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { LocalChangeFeed, readRevision } from '../../../src-main/core/store/local-change-feed.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let tws: TestWorkspace | undefined;
let feed: LocalChangeFeed | undefined;

afterEach(async () => {
  await feed?.close();
  await tws?.cleanup();
  feed = tws = undefined;
});

describe('LocalChangeFeed', () => {
  it('answers the current revision at once for since = null (0 for an empty folder)', async () => {
    tws = testWorkspace('feed-null');
    feed = new LocalChangeFeed(tws.home);
    expect(await feed.wait(null, 1000)).toBe(0);
    await generateIdentity(tws.ws, { name: 'gw-1', role: 'server', endpoints: [], tags: [] });
    const revision = await feed.wait(null, 1000);
    expect(revision).toBeGreaterThan(0);
    expect(revision).toBe(await readRevision(`${tws.home}/curvekeep.json`));
  });

  it('wakes a waiting call when another process writes the store (the file replaced by a rename)', async () => {
    tws = testWorkspace('feed-wake');
    await generateIdentity(tws.ws, { name: 'gw-1', role: 'server', endpoints: [], tags: [] });
    feed = new LocalChangeFeed(tws.home);
    const before = await feed.wait(null, 0);
    // Another writer over the same folder and keychain: a second workspace, as the CLI opens.
    const other = createWorkspace(tws.home, tws.keychain);
    const waiting = feed.wait(before, 20_000);
    let answered = false;
    void waiting.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    await generateIdentity(other, { name: 'gw-2', role: 'server', endpoints: [], tags: [] });
    const after = await waiting;
    expect(after).toBeGreaterThan(before);
    // And again: the watch survived the rename that replaced the file.
    const second = feed.wait(after, 20_000);
    await generateIdentity(other, { name: 'gw-3', role: 'server', endpoints: [], tags: [] });
    expect(await second).toBeGreaterThan(after);
  });

  it('answers since when nothing changes before the timeout, and when closed', async () => {
    tws = testWorkspace('feed-quiet');
    await generateIdentity(tws.ws, { name: 'gw-1', role: 'server', endpoints: [], tags: [] });
    feed = new LocalChangeFeed(tws.home);
    const now = await feed.wait(null, 0);
    expect(await feed.wait(now, 150)).toBe(now);
    const waiting = feed.wait(now, 20_000);
    await feed.close();
    expect(await waiting).toBe(now);
  });

  it('answers since when the signal aborts', async () => {
    tws = testWorkspace('feed-abort');
    feed = new LocalChangeFeed(tws.home);
    const controller = new AbortController();
    const waiting = feed.wait(0, 20_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(0);
  });
});
