// Both faces over ONE store (one data folder, the real keychain): `curvekeep schedule --json`,
// `curvekeep rotate --due --json` and `curvekeep rotate REF --json` as real processes, and the
// rotation channels through the one dispatcher, must give the same answer. The identities are made
// "in the past" through an injected clock, half a day off whole days, so that ages and days left
// cannot tip over between the two calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../src-main/common/time.js';
import { generateKeyPair } from '../../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../../src-main/core/identities/identities.js';
import { type Responder, startResponder } from '../../../src-main/core/link/responder.js';
import { addPeer } from '../../../src-main/core/peers/peers.js';
import { promoteRotation, stageRotation } from '../../../src-main/core/rotation/rotation.js';
import { createWorkspace } from '../../../src-main/core/workspace.js';
import { runCli } from '../../helpers/cli.js';
import { type IpcCaller, ipcCaller } from '../../helpers/ipc.js';
import { type TestWorkspace, testWorkspace } from '../../helpers/workspace.js';

let t: TestWorkspace;
let ipc: IpcCaller;

/** A workspace over the same store whose clock says `days` days ago (plus half a day). */
function daysAgo(days: number) {
  const at = new Date(Date.now() - days * DAY_MS + DAY_MS / 2);
  return createWorkspace(t.home, t.keychain, () => at);
}

beforeAll(async () => {
  t = testWorkspace('rotation-faces');
  ipc = ipcCaller(t);
  // overdue (made 40 days ago, every 30), due soon (made 80 of 90 days ago), fine, never due,
  // an overdue one with a rotation staged, and one promoted 20 days ago whose 7-day grace is over.
  await generateIdentity(daysAgo(40), { name: 'old-client', role: 'client', rotateEveryDays: 30 });
  await generateIdentity(daysAgo(80), { name: 'soon-device', role: 'device', rotateEveryDays: 90 });
  await generateIdentity(daysAgo(3), { name: 'fresh-server', role: 'server' });
  await generateIdentity(daysAgo(5), { name: 'lab-box', role: 'client', rotateEveryDays: null });
  await generateIdentity(daysAgo(75), { name: 'staged-gw', role: 'server', rotateEveryDays: 60 });
  await stageRotation(daysAgo(2), 'staged-gw');
  await generateIdentity(daysAgo(100), { name: 'promoted-gw', role: 'client', rotateEveryDays: 365 });
  await stageRotation(daysAgo(21), 'promoted-gw');
  await promoteRotation(daysAgo(20), 'promoted-gw', { force: true, graceDays: 7 });
});

let responder: Responder | undefined;

afterAll(async () => {
  await responder?.close();
  await t?.cleanup();
});

interface Listing {
  now: string;
  by?: string;
  items: Array<{ name: string; due: string; stage: string; overdue: boolean; daysLeft: number | null; dueAt: string | null }>;
  overdue?: number;
}

function closeInTime(a: string, b: string): void {
  expect(Math.abs(Date.parse(a) - Date.parse(b))).toBeLessThan(60_000);
}

describe('schedule and due dates: the CLI and the app answer alike', () => {
  it('schedule: the same items, in the same order, with the same stages and due states', async () => {
    const cli = await runCli(['--json', 'schedule'], t.env);
    expect(cli.code).toBe(0);
    const fromCli = cli.json<Listing & { ics: string | null }>();
    const fromApp = (await ipc.ok('rotation.schedule', {})) as unknown as Listing;

    expect(fromCli.items).toEqual(fromApp.items);
    closeInTime(fromCli.now, fromApp.now);
    // Not vacuous: every kind of entry is there, the never-due one last.
    expect(fromApp.items.map((i) => [i.name, i.due, i.stage])).toEqual([
      ['staged-gw', 'overdue', 'staged'],
      ['old-client', 'overdue', 'idle'],
      ['soon-device', 'due-soon', 'idle'],
      ['promoted-gw', 'ok', 'grace-over'],
      ['fresh-server', 'ok', 'idle'],
      ['lab-box', 'never', 'idle'],
    ]);
    expect(fromCli.ics).toBeNull();
  });

  it('rotate --due: the same list and overdue count, by now plus the same default window', async () => {
    const cli = await runCli(['--json', 'rotate', '--due'], t.env);
    expect(cli.code).toBe(0);
    const fromCli = cli.json<Listing>();
    const fromApp = (await ipc.ok('rotation.due', {})) as unknown as Listing;
    expect(fromCli.items).toEqual(fromApp.items);
    expect(fromCli.overdue).toBe(fromApp.overdue);
    expect(fromApp.items.map((i) => i.name)).toEqual(['staged-gw', 'old-client', 'soon-device']);
    expect(fromApp.overdue).toBe(2);
    for (const list of [fromCli, fromApp]) expect(Date.parse(list.by!) - Date.parse(list.now)).toBe(14 * DAY_MS);
  });

  it('rotate --due --at: the same planning date, parsed alike, and the same refusal of a bad one', async () => {
    const cli = await runCli(['--json', 'rotate', '--due', '--at', '2099-01-01'], t.env);
    const fromCli = cli.json<Listing>();
    const fromApp = (await ipc.ok('rotation.due', { at: '2099-01-01' })) as unknown as Listing;
    expect(fromCli.by).toBe('2099-01-01T23:59:59.999Z');
    expect(fromApp.by).toBe(fromCli.by);
    expect(fromCli.items).toEqual(fromApp.items);
    expect(fromApp.items.map((i) => i.name)).toEqual(['staged-gw', 'old-client', 'soon-device', 'promoted-gw', 'fresh-server']);

    const badCli = await runCli(['--json', 'rotate', '--due', '--at', 'next week'], t.env);
    expect(badCli.code).toBe(2);
    const badApp = await ipc.call('rotation.due', { at: 'next week' });
    expect(badApp).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(badCli.json<{ error: { code: string; message: string } }>().error).toEqual((badApp as { error: unknown }).error);
  });

  it('rotate --due --check fails exactly when the app counts an overdue key', async () => {
    const check = await runCli(['rotate', '--due', '--check'], t.env);
    const fromApp = (await ipc.ok('rotation.due', {})) as unknown as Listing;
    expect(fromApp.overdue).toBeGreaterThan(0);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/2 key\(s\) overdue/);
  });

  it('rotation status: the same stage and the same next steps, as data', async () => {
    for (const name of ['old-client', 'staged-gw', 'promoted-gw']) {
      const cli = await runCli(['--json', 'rotate', name], t.env);
      expect(cli.code).toBe(0);
      const fromCli = cli.json<{ stage: string; next: unknown[] }>();
      const fromApp = await ipc.ok('rotation.status', { ref: name });
      expect({ stage: fromCli.stage, next: fromCli.next }).toEqual({ stage: fromApp.stage, next: fromApp.next });
    }
    expect((await ipc.ok('rotation.status', { ref: 'staged-gw' })).next).toEqual([
      { action: 'distribute', identity: 'staged-gw' },
      { action: 'test', identity: 'staged-gw' },
      { action: 'rollback', identity: 'staged-gw' },
    ]);
  });

  it('a refusal: the same code; the CLI words its next steps as commands, the app gets no command text', async () => {
    const cli = await runCli(['--json', 'rotate', 'staged-gw', '--promote'], t.env);
    expect(cli.code).toBe(2);
    const app = await ipc.call('rotation.promote', { ref: 'staged-gw' });
    expect(app).toMatchObject({ ok: false, error: { code: 'refused' } });
    const appMessage = (app as { error: { message: string } }).error.message;
    expect(appMessage).toMatch(/no passing live test/);
    expect(appMessage).not.toMatch(/curvekeep|--[a-z]/);
    const cliError = cli.json<{ error: { code: string; message: string } }>().error;
    expect(cliError.code).toBe('refused');
    expect(cliError.message).toContain(appMessage);
    // staged-gw is a server: its test step is where the pending key is served, not against a peer.
    expect(cliError.message).toContain('curvekeep rotate staged-gw --test ENDPOINT\n');
    expect(cliError.message).not.toContain('--peer SERVER');
    expect(cliError.message).toContain('curvekeep rotate staged-gw --promote --force');
  });
});

describe('the test step: one default target for both faces', () => {
  it("tests the pending key against a stored peer's first TCP endpoint, skipping an ipc:// one, from either face", async () => {
    // A client key: its pending key is the client of the test (a server key is tested where its
    // pending key is served: test/integration/rotation/server-key.test.ts).
    await generateIdentity(t.ws, { name: 'staged-client', role: 'client' });
    await stageRotation(t.ws, 'staged-client');
    const server = generateKeyPair();
    responder = await startResponder({ endpoint: 'tcp://127.0.0.1:0', server, allow: 'any' });
    await addPeer(t.ws, { name: 'broker', publicKey: server.publicKey, endpoints: ['ipc:///tmp/curvekeep-broker.invalid', responder.endpoint] });
    await addPeer(t.ws, { name: 'local-only', publicKey: server.publicKey, endpoints: ['ipc:///tmp/curvekeep-local.invalid'] });

    const cli = await runCli(['--json', 'rotate', 'staged-client', '--test', '--peer', 'broker', '--timeout', '4000'], t.env);
    expect(cli.code).toBe(0);
    const fromCli = cli.json<{ stage: string; result: { verdict: string; endpoint: string } }>();
    const fromApp = (await ipc.ok('rotation.test', { ref: 'staged-client', peer: 'broker', timeoutMs: 4000 })) as { stage: string; result: { verdict: string; endpoint: string } };
    expect(fromCli).toMatchObject({ stage: 'tested', result: { verdict: 'ok', endpoint: responder.endpoint } });
    expect(fromApp).toMatchObject({ stage: fromCli.stage, result: { verdict: fromCli.result.verdict, endpoint: fromCli.result.endpoint } });

    // A peer with no TCP endpoint: the same typed refusal, before any socket is opened.
    const badCli = await runCli(['--json', 'rotate', 'staged-client', '--test', '--peer', 'local-only'], t.env);
    expect(badCli.code).toBe(2);
    const badApp = await ipc.call('rotation.test', { ref: 'staged-client', peer: 'local-only' });
    expect(badApp).toMatchObject({ ok: false, error: { code: 'no-testable-endpoint' } });
    expect(badCli.json<{ error: unknown }>().error).toEqual((badApp as { error: unknown }).error);
  });
});
