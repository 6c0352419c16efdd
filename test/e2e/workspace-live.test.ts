// The app through the browser bridge against a team workspace (the app's stored setting,
// store.json in its data folder, names it): it says which workspace it works on, a colleague's
// CLI change is there on the next call without restarting anything, and the database stopped
// shows the banner (last state kept, read-only) until it answers again.
// The Peers view open on the page shows the colleague's peer by itself (the changes channel waits
// on the workspace's LISTEN feed), without a reload.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_CALL_PATH, BRIDGE_TOKEN_HEADER } from '../../src-main/ipc/transport.js';
import { type Member, type TeamWorkspace, startTeamWorkspace } from '../integration/workspace/store-fixture.js';
import { type E2eApp, launchApp } from './harness.js';

describe('the app on a team workspace', () => {
  let ws: TeamWorkspace;
  let operator: Member;
  let app: E2eApp;
  const password = process.env.PGPASSWORD;

  beforeAll(async () => {
    ws = await startTeamWorkspace();
    const admin = await ws.grant('alice', 'admin');
    operator = await ws.grant('oscar', 'operator', admin);
    await ws.grant('tara', 'tech', admin);
    // The app's setting holds the URL without a password; the password comes from the environment.
    process.env.PGPASSWORD = ws.pg.passwordFor('tara');
    app = await launchApp('workspace-live', {
      seed: async (w) => writeFileSync(join(w.home, 'store.json'), JSON.stringify({ store: ws.pg.url('tara', null) })),
    });
  }, 120_000);

  afterAll(async () => {
    if (password === undefined) delete process.env.PGPASSWORD;
    else process.env.PGPASSWORD = password;
    await app?.close();
    await ws?.cleanup();
  });

  /** The text of the workspace line or banner (empty while there is none). */
  async function workspaceText(state: 'reachable' | 'unreachable'): Promise<string> {
    const found = app.page.locator(`[data-workspace="${state}"]`);
    return (await found.count()) > 0 ? ((await found.first().textContent()) ?? '') : '';
  }

  async function ipc<T>(channel: string, args: unknown = {}): Promise<T> {
    const token = new URL(app.bridge.pageUrl).searchParams.get('token') ?? '';
    const response = await fetch(`${app.bridge.origin}${BRIDGE_CALL_PATH}${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [BRIDGE_TOKEN_HEADER]: token },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(20_000),
    });
    const outcome = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
    if (!outcome.ok) throw new Error(`${channel} failed: ${outcome.error?.message}`);
    return outcome.result!;
  }

  it('names the workspace and the login it works as', async () => {
    const info = await ipc<{ store?: { kind: string; reachable: boolean; login: string | null } }>('app.info');
    expect(info.store).toMatchObject({ kind: 'workspace', reachable: true, login: 'tara' });
    await expect.poll(() => workspaceText('reachable'), { timeout: 15_000 }).toMatch(/Team workspace 127\.0\.0\.1:\d+.* as tara/);
  });

  it('a colleague\'s CLI change is there without a restart', async () => {
    expect((await ipc<{ rows: unknown[] }>('peers.list')).rows).toHaveLength(0);
    await app.go('Peers');
    // Set on this page only: a reload would lose it.
    await app.page.evaluate(() => ((window as unknown as { __notReloaded?: boolean }).__notReloaded = true));
    const list = app.page.getByRole('listbox', { name: 'Peers', exact: true });
    await expect.poll(() => list.getByRole('option').count(), { timeout: 10_000 }).toBe(0);
    const added = await operator.cli(['peers', 'add', '--name', 'colleague-peer', '--key', 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7']);
    expect(added.code).toBe(0);
    const { rows } = await ipc<{ rows: Array<{ name: string }> }>('peers.list');
    expect(rows.map((p) => p.name)).toEqual(['colleague-peer']);
    await expect.poll(() => list.getByRole('option', { name: /colleague-peer/ }).count(), { timeout: 30_000 }).toBe(1);
    expect(await app.page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(true);
    app.expectClean();
  });

  it('the database stopped: a banner, the last state kept; it goes once the database answers', async () => {
    await ws.pg.stopServer();
    try {
      await expect.poll(() => workspaceText('unreachable'), { timeout: 30_000 }).toMatch(/cannot be reached.*last state/);
      const info = await ipc<{ store?: { reachable: boolean } }>('app.info');
      expect(info.store?.reachable).toBe(false);
      // The Peers view still shows what it last read.
      expect(await app.page.getByRole('listbox', { name: 'Peers', exact: true }).getByRole('option', { name: /colleague-peer/ }).count()).toBe(1);
    } finally {
      await ws.pg.startServer();
    }
    await expect.poll(() => workspaceText('reachable'), { timeout: 30_000 }).toMatch(/Team workspace/);
    expect((await ipc<{ rows: Array<{ name: string }> }>('peers.list')).rows.map((p) => p.name)).toEqual(['colleague-peer']);
  }, 90_000);
});
