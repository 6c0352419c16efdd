// An operator's morning, end to end in Chromium through the bridge and only with buttons: from the
// Timeline's overdue list ("Rotate all overdue"), a CLIENT key is rotated against the two real
// CURVE servers it connects to (pyzmq ROUTERs whose authenticators admit a certificate folder),
// which the wizard remembers from the store (a past test's endpoint, the identity's endpoint) and
// tests together; the first test fails on purpose (one server has not loaded the new key) and shows
// as a red failure with promotion refused; then it passes, is promoted and finished, and the next
// due date is shown. Then the queued SERVER key is rotated: a second listener started with the
// pending key (`curvekeep serve --pending`, a real process over the same data folder) is added as
// an endpoint; testing it together with the old endpoint (still the old key) fails, alone passes.
// No view shows command-line text at any point. Loopback only; every wait is bounded.
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { distributeRotation } from '../../src-main/core/rotation/distribute.js';
import { COMMAND_LINE } from '../../src-renderer/lib/plain-errors.js';
import { type ServingCli, serveCli } from '../helpers/cli.js';
import { type FolderRouter, startFolderRouter } from '../helpers/rotation/folder-router.js';
import { type E2eApp, launchApp } from './harness.js';

const DAY = 86_400_000;
const CLIENT = 'field-laptop-operator-01';
const SERVER = 'edge-gateway-north-07';
const keysA = generateKeyPair();
const keysB = generateKeyPair();
let allowA: string;
let allowB: string;
let routerA: FolderRouter;
let routerB: FolderRouter;
let oldPort: number;
let app: E2eApp;
const serving: ServingCli[] = [];

/** A free loopback port, for the server identity's old endpoint (served later by `curvekeep serve`). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `curvekeep serve ENDPOINT --as SERVER --allow any [--pending]` over the app's data folder and keychain. */
async function serve(endpoint: string, pending: boolean): Promise<string> {
  const server = await serveCli(['--as', SERVER, '--allow', 'any', ...(pending ? ['--pending'] : [])], app.env, { endpoint });
  serving.push(server);
  return server.endpoint;
}

beforeAll(async () => {
  allowA = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-allow-a-'));
  allowB = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-allow-b-'));
  routerA = await startFolderRouter(keysA, allowA);
  routerB = await startFolderRouter(keysB, allowB);
  oldPort = await freePort();
  app = await launchApp('operator', {
    viewport: { width: 1280, height: 800 },
    seed: async ({ ws }) => {
      // The client connects to two servers: one it was tested against before, one it names itself.
      await generateIdentity(ws, { name: CLIENT, role: 'client', rotateEveryDays: 365, endpoints: [routerB.endpoint], tags: [] });
      await addPeer(ws, { name: 'plant-3-broker', publicKey: keysA.publicKey, endpoints: [routerA.endpoint] });
      await addPeer(ws, { name: 'plant-4-historian', publicKey: keysB.publicKey, endpoints: [routerB.endpoint] });
      // A server this client has nothing to do with: offered, not ticked.
      await addPeer(ws, { name: 'lab-bench-spare', publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'] });
      await distributeRotation(ws, CLIENT, { out: allowA });
      await distributeRotation(ws, CLIENT, { out: allowB });
      await generateIdentity(ws, { name: SERVER, role: 'server', rotateEveryDays: 90, endpoints: [`tcp://127.0.0.1:${oldPort}`], tags: [] });
      await ws.store.update((tx) => {
        const client = tx.data.identities.find((i) => i.name === CLIENT)!;
        client.generations[0]!.createdAt = new Date(Date.now() - 400 * DAY).toISOString();
        client.generations[0]!.lastTest = { endpoint: routerA.endpoint, verdict: 'ok', at: new Date(Date.now() - 30 * DAY).toISOString() };
        const server = tx.data.identities.find((i) => i.name === SERVER)!;
        server.generations[0]!.createdAt = new Date(Date.now() - 100 * DAY).toISOString();
      });
    },
  });
  expect(await routerA.reload()).toBe(1);
  expect(await routerB.reload()).toBe(1);
});

afterAll(async () => {
  await Promise.all(serving.map((server) => server.stop()));
  await app?.close();
  await routerA?.stop();
  await routerB?.stop();
  rmSync(allowA, { recursive: true, force: true });
  rmSync(allowB, { recursive: true, force: true });
});

/** The page's text holds no command line, at whatever point it is asked. */
async function expectNoCommandText(): Promise<void> {
  const text = await app.page.locator('body').innerText();
  expect(text).not.toMatch(COMMAND_LINE);
  expect(text).not.toMatch(/(?:^|\s)--[a-z][a-z-]+/);
}

/** The wizard shows this step, and its heading has the focus (a new step moves it there). */
async function onStep(step: string): Promise<void> {
  await app.page.locator(`section[data-step="${step}"]`).waitFor();
  await expect.poll(() => app.page.evaluate(() => document.activeElement?.id)).toBe('step-title');
}

/** A colour the page's theme gives a CSS variable, as computed style reports it. */
async function themeColor(variable: string): Promise<string> {
  return app.page.evaluate((name) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${name})`;
    document.body.append(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  }, variable);
}

/** Runs the test step with what is ticked; resolves with the verdict per target name and whether it passed. */
async function runTests(button: string | RegExp): Promise<{ passed: boolean; verdicts: Record<string, string> }> {
  const { page } = app;
  const summary = page.locator('[data-test-summary]');
  await page.getByRole('form', { name: 'Test the pending key' }).getByRole('button', { name: button }).click();
  await summary.waitFor({ timeout: 30_000 });
  const verdicts: Record<string, string> = {};
  const items = summary.getByRole('list', { name: 'Test results' }).locator('li');
  for (let i = 0; i < (await items.count()); i++) {
    const name = (await items.nth(i).locator('strong').innerText()).trim();
    verdicts[name] = (await items.nth(i).getAttribute('data-verdict'))!;
  }
  return { passed: (await summary.getAttribute('data-passed')) === 'true', verdicts };
}

function pointRouterAt(router: 'A' | 'B', folder: string): void {
  const dir = router === 'A' ? allowA : allowB;
  rmSync(dir, { recursive: true, force: true });
  symlinkSync(folder, dir);
}

describe('Operator journey', () => {
  it('rotates every overdue key from the Timeline, a client key then a server key, only with buttons', async () => {
    const { page } = app;
    // The Overview lists both overdue keys with a Rotate button each (it opens the server key's rotation below).
    await app.go('Overview');
    await page.locator('main').getByRole('button', { name: `Rotate ${CLIENT}`, exact: true }).waitFor();
    await app.go('Timeline');
    const due = page.getByRole('list', { name: 'Due in the next 30 days' });
    await due.locator('li').first().waitFor();
    expect(await due.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-identity')))).toEqual([CLIENT, SERVER]);
    await expectNoCommandText();

    // The due dates go to the operator's calendar as a file (in the bridge: a fresh folder in its write root).
    await page.getByRole('button', { name: 'Add to calendar' }).click();
    const saved = page.locator('[data-calendar-file]');
    await saved.waitFor();
    const fileName = (await saved.getAttribute('data-calendar-file'))!;
    const written = readdirSync(join(app.home, 'exports'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(fileName));
    expect(written).toHaveLength(1);
    const ics = readFileSync(join(app.home, 'exports', written[0]!), 'utf8');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(ics).toContain(`SUMMARY:Rotate ${CLIENT}`);
    expect(ics).toContain(`SUMMARY:Rotate ${SERVER}`);
    expect(ics).not.toMatch(COMMAND_LINE);
    await app.screenshot('operator-1-timeline');
    await page.getByRole('button', { name: 'Rotate all overdue (2)' }).click();

    // --- The client key ---
    await page.locator('main[data-view-label="Rotation"]').waitFor();
    await page.locator('section[data-step="stage"]').waitFor();
    expect(await page.getByLabel('Identity to rotate').locator('option:checked').innerText()).toContain(CLIENT);
    expect(await page.locator('[data-queue]').innerText()).toContain(SERVER);
    await page.getByRole('button', { name: 'Stage a new key' }).click();
    await onStep('distribute');

    const distribute = page.getByRole('form', { name: 'Distribute the pending key' });
    await distribute.getByRole('button', { name: 'Choose the folder…' }).click();
    const shown = distribute.locator('[data-distribute-folder]');
    await expect.poll(() => shown.getAttribute('data-distribute-folder')).not.toBe('');
    const chosen = (await shown.getAttribute('data-distribute-folder'))!;
    await distribute.getByRole('button', { name: 'Write the certificates' }).click();
    await page.locator('[data-distributed]').waitFor();
    expect(readdirSync(chosen).filter((f) => f.endsWith('.key')).sort()).toEqual([`${CLIENT}.gen1.key`, `${CLIENT}.gen2.key`]);
    // Only the broker loads the new certificates; the historian still admits the old key alone.
    pointRouterAt('A', chosen);
    expect(await routerA.reload()).toBe(2);
    await page.getByRole('button', { name: 'Continue to the test' }).click();
    await onStep('test');

    // The servers it connects to are remembered and ticked; an unrelated one is offered, not ticked.
    const form = page.getByRole('form', { name: 'Test the pending key' });
    await form.locator('[data-target]').first().waitFor();
    expect(await form.getByRole('checkbox', { name: /plant-3-broker/ }).isChecked()).toBe(true);
    expect(await form.getByRole('checkbox', { name: /plant-4-historian/ }).isChecked()).toBe(true);
    expect(await form.getByRole('checkbox', { name: /lab-bench-spare/ }).isChecked()).toBe(false);

    const failed = await runTests('Test at all 2 servers');
    expect(failed).toEqual({ passed: false, verdicts: { 'plant-3-broker': 'ok', 'plant-4-historian': 'rejected' } });
    // A rejected test is a failure, in red: the summary, the notice, never the success colour.
    const summary = page.locator('[data-test-summary]');
    expect(await summary.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe(await themeColor('--danger'));
    expect(await page.locator('[data-notice]').getAttribute('data-tone')).toBe('danger');
    expect(await page.locator('[data-notice]').evaluate((el) => getComputedStyle(el).borderTopColor)).not.toBe(await themeColor('--ok'));
    expect(await page.locator('aside[data-stage]').getAttribute('data-stage')).toBe('staged');
    await expectNoCommandText();
    await app.screenshot('operator-2-client-test-failed');
    await page.getByRole('list', { name: 'Rotation steps' }).getByRole('button', { name: '4. Promote' }).click();
    await onStep('promote');
    expect(await page.getByRole('button', { name: 'Promote the pending key' }).isDisabled()).toBe(true);

    pointRouterAt('B', chosen);
    expect(await routerB.reload()).toBe(2);
    await page.getByRole('list', { name: 'Rotation steps' }).getByRole('button', { name: '3. Test' }).click();
    await onStep('test');
    const passed = await runTests('Test at all 2 servers');
    expect(passed).toEqual({ passed: true, verdicts: { 'plant-3-broker': 'ok', 'plant-4-historian': 'ok' } });
    expect(await page.locator('[data-notice]').getAttribute('data-tone')).toBe('ok');
    await page.getByRole('button', { name: 'Go to promotion' }).click();
    await onStep('promote');
    await page.getByLabel(/Grace period/).fill('0');
    await page.getByRole('button', { name: 'Promote the pending key' }).click();
    await onStep('finish');
    await page.getByRole('button', { name: 'Finish: retire the previous key' }).click();
    const done = page.locator('[data-rotation-finished]');
    await done.waitFor();
    // The picker no longer calls it overdue.
    await expect.poll(() => page.getByLabel('Identity to rotate').locator('option:checked').innerText()).toBe(CLIENT);
    // After Finish: the next due date (a year on), not another rotation.
    const nextDue = Date.parse((await done.locator('[data-next-due]').getAttribute('data-next-due'))!);
    expect(Math.round((nextDue - Date.now()) / DAY)).toBe(365);
    expect(await done.innerText()).toContain(`Next rotation due on ${new Date(nextDue).toISOString().slice(0, 10)}`);
    expect(await page.getByRole('list', { name: 'Next steps' }).locator('li[data-next-action="stage"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Stage a new key' }).count()).toBe(0);
    await expectNoCommandText();
    await app.screenshot('operator-3-client-finished');

    // --- The server key: the queue offers it next; the operator takes it from the Overview's button ---
    expect(await page.getByRole('button', { name: `Rotate the next overdue key: ${SERVER}` }).count()).toBe(1);
    await app.go('Overview');
    const fromOverview = page.locator('main').getByRole('button', { name: `Rotate ${SERVER}`, exact: true });
    await fromOverview.first().waitFor();
    await app.screenshot('operator-3b-overview');
    await fromOverview.first().click();
    await page.locator('main[data-view-label="Rotation"]').waitFor();
    await page.locator('aside[data-stage="idle"]').waitFor();
    await expect.poll(() => page.getByLabel('Identity to rotate').locator('option:checked').innerText()).toContain(SERVER);
    await page.getByRole('button', { name: 'Stage a new key' }).click();
    await onStep('distribute');
    await page.getByRole('button', { name: 'Skip: the peers have it already' }).click();
    await onStep('test');

    // The old endpoint keeps the old key; a second listener presents the pending one.
    const old = await serve(`tcp://127.0.0.1:${oldPort}`, false);
    const second = await serve('tcp://127.0.0.1:0', true);
    const serverForm = page.getByRole('form', { name: 'Test the pending key' });
    const oldBox = serverForm.getByRole('checkbox', { name: old });
    await oldBox.waitFor();
    expect(await oldBox.isChecked()).toBe(false);
    await serverForm.getByLabel('Another endpoint serving the pending key').fill(second);
    await serverForm.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await serverForm.getByRole('checkbox', { name: second }).isChecked()).toBe(true);
    expect(await serverForm.getByLabel('Connect as').locator('option:checked').innerText()).toBe(CLIENT);
    await oldBox.check();
    const both = await runTests('Test at all 2 endpoints');
    expect(both.passed).toBe(false);
    expect(both.verdicts[second]).toBe('ok');
    expect(both.verdicts[old]).toBe('wrong-server-key');
    // The rotation's advice (restart the listener with the pending key), not a peer test's "re-import the key".
    expect(await page.locator('li[data-verdict="wrong-server-key"]').innerText()).toMatch(/still presents the current key: start a listener with the pending key there/);
    expect(await page.locator('aside[data-stage]').getAttribute('data-stage')).toBe('staged');
    await expectNoCommandText();
    await app.screenshot('operator-4-server-test-failed');

    await oldBox.uncheck();
    const alone = await runTests('Test the pending key');
    expect(alone).toEqual({ passed: true, verdicts: { [second]: 'ok' } });
    await page.getByRole('button', { name: 'Go to promotion' }).click();
    await onStep('promote');
    await page.getByLabel(/Grace period/).fill('0');
    await page.getByRole('button', { name: 'Promote the pending key' }).click();
    await onStep('finish');
    await page.getByRole('button', { name: 'Finish: retire the previous key' }).click();
    await done.waitFor();
    const serverDue = Date.parse((await done.locator('[data-next-due]').getAttribute('data-next-due'))!);
    expect(Math.round((serverDue - Date.now()) / DAY)).toBe(90);
    // The queue is done: no next key, a way back to the timeline.
    expect(await page.getByRole('button', { name: /Rotate the next overdue key/ }).count()).toBe(0);
    await expectNoCommandText();
    await app.screenshot('operator-5-server-finished');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.screenshot('operator-5-server-finished-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('button', { name: 'Back to the timeline' }).click();
    await page.locator('main[data-view-label="Timeline"]').waitFor();
    await page.locator('[data-timeline-summary]').waitFor();
    expect(await page.locator('[data-timeline-summary]').innerText()).toContain('0 overdue');
    app.expectClean();
  });
});
