// The Devices view in Chromium through the bridge, over devices provisioned through core (real
// bundles): opened at a device by its path, searched and filtered (text, tag, batch, removed),
// moved through by keyboard; remove and reissue each behind a confirmation, Cancel changing nothing.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowlistEntries } from '../../src-main/core/devices/devices.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { runProvisioning } from '../../src-main/core/usecases/provisioning.js';
import { type E2eApp, launchApp } from './harness.js';

let app: E2eApp;
let work: string;
const batches: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-devices-'));
  app = await launchApp('devices', {
    viewport: { width: 1280, height: 800 },
    open: false,
    seed: async (t) => {
      await generateIdentity(t.ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.0.0.1:5555'], tags: [] });
      const rows = (from: number, to: number, tag: (i: number) => string) =>
        Array.from({ length: to - from }, (_, k) => `valve-${String(from + k).padStart(2, '0')},,${tag(from + k)},`).join('\n');
      writeFileSync(join(work, 'a.csv'), `name,endpoint,tags,public_key\n${rows(0, 20, (i) => (i % 2 ? 'line-1' : 'line-2'))}\n`);
      writeFileSync(join(work, 'b.csv'), `name,endpoint,tags,public_key\n${rows(20, 30, () => 'line-3')}\n`);
      for (const csv of ['a.csv', 'b.csv']) {
        const run = await runProvisioning(t.ws, { csv: { path: join(work, csv) }, server: 'plant-broker', outDir: join(work, `out-${csv}`) });
        batches.push(run.summary.batch!);
      }
    },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(work, { recursive: true, force: true });
});

const view = () => app.page.locator('main[data-view-label="Devices"]');
const rows = () => view().getByRole('listbox', { name: 'Devices' }).getByRole('option');
const count = () => view().locator('[data-device-count]').getAttribute('data-device-count');

describe('Devices view', () => {
  it('opens a device by its path, with its bundle folder and QR', async () => {
    await app.open('/');
    await app.go('Devices');
    await expect.poll(count).toBe('30');
    const id = await rows().filter({ hasText: 'valve-07' }).locator('[data-device-id]').getAttribute('data-device-id');
    await app.page.evaluate((hash) => (window.location.hash = hash), `#/devices/${id}`);
    const detail = view().getByRole('article', { name: 'Device valve-07' });
    await detail.waitFor();
    await detail.locator('img[data-testid="device-qr"]').waitFor();
    expect(await detail.locator('[data-bundle-dir]').textContent()).toBe(join(work, 'out-a.csv', 'devices', 'valve-07'));
    expect(await detail.locator('[data-safety-code]').textContent()).toMatch(/^\d{5}( \d{5}){5}$/);
    await app.screenshot('devices-detail-1280x800');
    await app.page.setViewportSize({ width: 900, height: 600 });
    await app.screenshot('devices-detail-900x600');
    await app.page.setViewportSize({ width: 1280, height: 800 });
    app.expectClean();
  });

  it('searches and filters by text, tag, batch and server; the batch path sets the batch', async () => {
    await app.go('Devices');
    await expect.poll(count).toBe('30');
    await view().getByLabel('Search devices by name or key').fill('valve-2');
    await expect.poll(count).toBe('10');
    await view().getByLabel('Search devices by name or key').fill('');
    await view().getByLabel('Tag').fill('line-1');
    await expect.poll(count).toBe('10');
    await view().getByLabel('Tag').fill('');
    await expect.poll(count).toBe('30');
    await view().getByLabel('Batch', { exact: true }).selectOption(batches[1]!);
    await expect.poll(count).toBe('10');
    expect(await rows().first().textContent()).toMatch(/valve-2\d/);
    await view().getByLabel('Batch', { exact: true }).selectOption('');
    await view().getByLabel('Server').selectOption({ label: 'plant-broker' });
    await expect.poll(count).toBe('30');

    // #/devices/batch/ID: the batch, its outcome, its devices.
    await app.page.evaluate((hash) => (window.location.hash = hash), `#/devices/batch/${batches[0]}`);
    const batch = view().locator(`article[data-batch-id="${batches[0]}"]`);
    await batch.waitFor();
    expect(await batch.locator('[data-batch-outcome]').textContent()).toMatch(/20 ok, 0 skipped, 0 failed/);
    await expect.poll(count).toBe('20');
    expect(await view().getByLabel('Batch', { exact: true }).inputValue()).toBe(batches[0]);

    // The keyboard moves the selection; the detail follows.
    await view().getByRole('listbox', { name: 'Devices' }).focus();
    await app.page.keyboard.press('ArrowDown');
    await app.page.keyboard.press('ArrowDown');
    await view().getByRole('article', { name: /^Device valve-/ }).waitFor();
    app.expectClean();
  });

  it('removes a device only after confirming, and Cancel changes nothing', async () => {
    const { page } = app;
    await app.go('Devices');
    await expect.poll(count).toBe('30');
    await rows().filter({ hasText: 'valve-03' }).click();
    const detail = view().getByRole('article', { name: 'Device valve-03' });
    await detail.getByRole('button', { name: 'Remove…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove valve-03?' });
    await dialog.waitFor();
    await app.screenshot('devices-remove-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await count()).toBe('30');

    await detail.getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('dialog', { name: 'Remove valve-03?' }).getByRole('button', { name: 'Remove the device' }).click();
    await detail.locator('.badge', { hasText: 'removed' }).waitFor();
    await expect.poll(count).toBe('29');
    await view().getByLabel('State').selectOption('all');
    await expect.poll(count).toBe('30');
    expect(await rows().filter({ hasText: 'valve-03' }).locator('.badge').textContent()).toBe('removed');
    await view().getByLabel('State').selectOption('removed');
    await expect.poll(count).toBe('1');
    expect(await rows().first().textContent()).toMatch(/valve-03/);
    await view().getByLabel('State').selectOption('active');
    app.expectClean();
  });

  it('reissues a device after confirming: a new key and bundle, the old key allowed until finished', async () => {
    const { page } = app;
    await app.go('Devices');
    await expect.poll(count).toBe('29');
    await rows().filter({ hasText: 'valve-11' }).click();
    const detail = view().getByRole('article', { name: 'Device valve-11' });
    await detail.waitFor();
    const before = await detail.locator('[data-safety-code]').textContent();
    /** The keys of valve-11 on its server's allowlist, as the store says (what an allowlist export writes). */
    const allowedKeys = async () => {
      const { data } = await app.workspace.ws.store.read();
      const device = data.devices.find((d) => d.name === 'valve-11' && d.state === 'active')!;
      return { current: device.publicKey, allowed: allowlistEntries(data, device.server).filter((e) => e.name.startsWith('valve-11')).map((e) => e.publicKey).sort() };
    };
    const original = await allowedKeys();
    expect(original.allowed).toEqual([original.current]);
    await detail.getByRole('button', { name: 'Reissue…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reissue valve-11?' });
    await dialog.getByRole('button', { name: 'Choose a folder and reissue' }).click();
    await detail.locator('.badge', { hasText: 'reissue not finished' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => detail.locator('[data-safety-code]').textContent()).not.toBe(before);
    const bundle = (await detail.locator('[data-bundle-dir]').textContent())!;
    expect(bundle.startsWith(join(app.home, 'exports'))).toBe(true);
    expect(existsSync(bundle)).toBe(true);
    // Both keys are allowed while the reissue is not finished.
    const during = await allowedKeys();
    expect(during.current).not.toBe(original.current);
    expect(during.allowed).toEqual([original.current, during.current].sort());
    // Finishing (after a confirmation) retires the old key.
    await detail.getByRole('button', { name: 'Finish the reissue…' }).click();
    await page.getByRole('dialog', { name: 'Finish the reissue of valve-11?' }).getByRole('button', { name: 'Finish the reissue' }).click();
    await expect.poll(() => detail.locator('.badge', { hasText: 'reissue not finished' }).count()).toBe(0);
    await detail.getByRole('button', { name: 'Reissue…' }).waitFor();
    expect((await allowedKeys()).allowed).toEqual([during.current]);
    app.expectClean();
  });
});
