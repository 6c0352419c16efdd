// The Overview in Chromium through the bridge, over a store seeded with one item of each kind
// (through core and the real CLI): items grouped by severity, every next step a button that lands
// on the right view at the right place, and the live refresh when another process (the CLI, run
// by the test) changes the store: the counts and items move without a reload.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { addPeer } from '../../src-main/core/peers/peers.js';
import { setPinSet } from '../../src-main/core/pins/pin-set.js';
import { stageRotation } from '../../src-main/core/usecases/rotation.js';
import { createWorkspace } from '../../src-main/core/workspace.js';
import { runCli } from '../helpers/cli.js';
import { type E2eApp, launchApp } from './harness.js';

let app: E2eApp;
let bundles: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  bundles = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-overview-'));
  app = await launchApp('overview', {
    viewport: { width: 1280, height: 800 },
    seed: async (t) => {
      // Overdue: made in 2020 with a 30-day period.
      ids.old = (await generateIdentity(createWorkspace(t.home, t.keychain, () => new Date('2020-01-01T12:00:00Z')), { name: 'old-client', role: 'client', rotateEveryDays: 30 })).id;
      // A rotation under way.
      ids.gw = (await generateIdentity(t.ws, { name: 'gw-1', role: 'server', rotateEveryDays: null })).id;
      await stageRotation(t.ws, 'gw-1');
      // A peer never verified, whose last test (the real CLI, against the closed port 9) failed.
      ids.peer = (await addPeer(t.ws, { name: 'sensor-a', publicKey: generateKeyPair().publicKey, endpoints: ['tcp://127.0.0.1:9'] })).id;
      const test = await runCli(['test', 'tcp://127.0.0.1:9', '--peer', 'sensor-a', '--as', 'old-client', '--timeout', '3000'], t.env);
      expect(test.code).toBe(1);
      await setPinSet(t.ws, { host: 'broker.invalid', pins: [`sha256/${randomBytes(32).toString('base64')}`], noBackup: true });
      // A batch with a failed row (the real `provision`).
      writeFileSync(join(bundles, 'devices.csv'), 'name,endpoint,tags,public_key\ndev-1,,plant-3,\nbad name,,,\n');
      const provision = await runCli(['--json', 'provision', '--csv', join(bundles, 'devices.csv'), '--server', 'gw-1', '--endpoint', 'tcp://127.0.0.1:9', '--out', join(bundles, 'out')], t.env);
      expect([0, 1]).toContain(provision.code);
      ids.batch = (provision.json<{ batch: string }>()).batch;
    },
  });
}, 90_000);

afterAll(async () => {
  await app?.close();
  rmSync(bundles, { recursive: true, force: true });
});

const main = () => app.page.locator('main[data-view-label="Overview"]');

async function click(kind: string, next: string): Promise<void> {
  // Through the sidebar, not a page load: a load would cut the view's files still loading.
  await app.go('Overview');
  await main().locator(`[data-kind="${kind}"] button[data-next="${next}"]`).first().click();
}

describe('Overview', () => {
  it('groups the items by severity, with counts', async () => {
    const m = main();
    await m.locator('[data-severity="error"]').waitFor();
    const order = await m.locator('section[data-severity]').evaluateAll((s) => s.map((e) => e.getAttribute('data-severity')));
    expect(order).toEqual(['error', 'warning', 'info']);
    expect(await m.locator('[data-severity="error"] [data-kind="key-overdue"]').textContent()).toMatch(/old-client is overdue for rotation/);
    expect(await m.locator('[data-severity="info"] [data-kind="rotation-in-progress"]').textContent()).toMatch(/gw-1/);
    expect(await m.locator('[data-count="keys"] .n').textContent()).toBe('2');
    expect(await m.locator('[data-count="peers"] .n').textContent()).toBe('1');
    expect(await m.locator('[data-count="devices"] .n').textContent()).toBe('1');
    expect(await m.locator('[data-count="batches"] .n').textContent()).toBe('1');
    // Buttons in words: no command line anywhere.
    expect(await m.textContent()).not.toMatch(/curvekeep |--[a-z]/);
    await app.screenshot('overview-items-1280x800');
    await app.page.setViewportSize({ width: 900, height: 600 });
    await app.screenshot('overview-items-900x600');
    await app.page.setViewportSize({ width: 1280, height: 800 });
    app.expectClean();
  });

  it('opens the right view at the right place from each button', async () => {
    const { page } = app;
    const hash = () => page.evaluate(() => window.location.hash);

    await click('key-overdue', 'rotate');
    await page.locator('main[data-view-label="Rotation"]').waitFor();
    expect(await hash()).toBe(`#/rotation/${ids.old}`);

    await click('rotation-in-progress', 'rotation-step');
    await page.locator('main[data-view-label="Rotation"]').waitFor();
    expect(await hash()).toBe(`#/rotation/${ids.gw}`);

    await click('peer-unverified', 'verify-peer');
    await page.locator('main[data-view-label="Peers"]').waitFor();
    expect(await hash()).toBe(`#/peers/${ids.peer}`);

    await click('peer-test-failed', 'test-peer');
    await page.locator('main[data-view-label="Peers"]').waitFor();
    expect(await hash()).toBe(`#/peers/${ids.peer}/test`);

    await click('pin-set-no-backup', 'add-backup-pin');
    await page.locator('main[data-view-label="Pins"]').waitFor();
    expect(await hash()).toBe('#/pins/broker.invalid');
    // The Pins view starts its pin set form at that host.
    await expect.poll(() => page.locator('main form.new-set input[name="host"]').inputValue()).toBe('broker.invalid');

    // Retry: the Devices view opens the batch, with its failed row and the retry.
    await click('batch-failed-rows', 'retry-batch');
    const devices = page.locator('main[data-view-label="Devices"]');
    await devices.waitFor();
    expect(await hash()).toBe(`#/devices/batch/${ids.batch}`);
    const batch = devices.locator(`article[data-batch-id="${ids.batch}"]`);
    await batch.waitFor();
    expect(await batch.locator('[data-failed-row="3"]').textContent()).toMatch(/bad name/);
    await expect.poll(() => devices.locator('[data-device-count]').getAttribute('data-device-count')).toBe('1');
    await app.screenshot('overview-retry-batch-in-devices');
    // ...and its retry opens Provisioning with the batch's folder and server set.
    await batch.getByRole('button', { name: 'Retry the failed rows' }).click();
    await page.locator(`[data-retrying="${ids.batch}"]`).waitFor();
    expect(await page.locator('[data-out-folder]').getAttribute('data-out-folder')).toBe(join(bundles, 'out'));
    expect(await page.getByLabel('Server the devices connect to').inputValue()).toBe(ids.gw);

    // The doctor's finding (an orphan keychain item) leads to Settings.
    await app.workspace.keychain.set('identity:gone:1', randomBytes(32).toString('base64'));
    await app.go('Overview');
    await main().locator('[data-kind="doctor"] button').first().click();
    await page.locator('main[data-view-label="Settings"]').waitFor();
    expect(await hash()).toBe('#/settings');
    // Settings shows the finding and repairs it after a confirmation.
    const health = page.locator('[data-store-health]');
    await health.locator('[data-finding="orphan-secret"]').waitFor();
    await health.getByRole('button', { name: 'Repair what is safe…' }).click();
    await page.getByRole('dialog', { name: 'Repair the data folder?' }).getByRole('button', { name: 'Repair' }).click();
    await health.locator('[data-store-healthy]').waitFor();
    expect(await app.workspace.keychain.get('identity:gone:1')).toBeNull();
    app.expectClean();
  });

  it('refreshes by itself when the CLI changes the store, without a reload', async () => {
    const { page } = app;
    await app.go('Overview');
    const m = main();
    await m.locator('[data-count="keys"] .n').waitFor();
    const keysBefore = Number(await m.locator('[data-count="keys"] .n').textContent());
    // A mark in the page: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));

    const made = await runCli(['keys', 'generate', '--name', 'from-the-cli', '--role', 'client'], app.env);
    expect(made.code).toBe(0);
    await expect.poll(() => m.locator('[data-count="keys"] .n').textContent(), { timeout: 15_000 }).toBe(String(keysBefore + 1));

    const verified = await runCli(['peers', 'remove', 'sensor-a'], app.env);
    expect(verified.code).toBe(0);
    await expect.poll(() => m.locator('[data-kind="peer-unverified"]').count(), { timeout: 15_000 }).toBe(0);
    expect(await m.locator('[data-count="peers"] .n').textContent()).toBe('0');

    // The Devices view follows too: the CLI removes the batch's device.
    await app.go('Devices');
    const devices = page.locator('main[data-view-label="Devices"]');
    await expect.poll(() => devices.locator('[data-device-count]').getAttribute('data-device-count')).toBe('1');
    const removed = await runCli(['devices', 'remove', 'dev-1', '--yes'], app.env);
    expect(removed.code).toBe(0);
    await expect.poll(() => devices.locator('[data-device-count]').getAttribute('data-device-count'), { timeout: 15_000 }).toBe('0');

    expect(await page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)).toBe(true);
    app.expectClean();
  });
});
