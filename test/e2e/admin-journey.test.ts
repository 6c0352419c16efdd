// The admin's journey in Chromium through the bridge, against the real core and keychain: from an
// empty store (the Overview's start) to a server identity, a provisioned batch (template, upload
// with a bad row, preview, run, failed row first, retry after fixing, history), the devices under
// their server and batch (one opened, its QR shown), and the Overview's counts updated by the
// live refresh without a reload.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, launchApp } from './harness.js';

let app: E2eApp;
let work: string;

const GOOD_KEY = 'Q1HAcTIqS]15yPNb77BrV-o#RCKf4K(y@-4I%4t^';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-admin-'));
  app = await launchApp('admin-journey', { viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await app?.close();
  rmSync(work, { recursive: true, force: true });
});

async function both(name: string): Promise<void> {
  await app.screenshot(`${name}-1280x800`);
  await app.page.setViewportSize({ width: 900, height: 600 });
  await app.screenshot(`${name}-900x600`);
  await app.page.setViewportSize({ width: 1280, height: 800 });
}

describe('admin journey', () => {
  it('goes from an empty store to a provisioned batch, its devices and updated counts', async () => {
    const { page } = app;
    const main = page.locator('main[data-view-label="Overview"]');
    await main.waitFor();

    // 1. An empty store: the Overview offers a start, and every count is 0.
    await main.getByRole('heading', { name: 'Get started' }).waitFor();
    expect(await main.locator('[data-count="keys"] .n').textContent()).toBe('0');
    await both('admin-overview-start');

    // A second tab stays on the Overview the whole time: only the live refresh can update it.
    const watcher = await app.context.newPage();
    await watcher.goto(app.bridge.pageUrl);
    const watched = watcher.locator('main[data-view-label="Overview"]');
    await watched.getByRole('heading', { name: 'Get started' }).waitFor();

    // 2. The server identity, from the Overview's start.
    const start = main.getByRole('form', { name: 'Create a server identity' });
    await start.getByLabel('Server name').fill('plant-broker');
    await start.getByLabel(/Where devices connect/).fill('tcp://127.0.0.1:5555');
    await start.getByRole('button', { name: 'Create the server identity' }).click();
    await expect.poll(() => main.locator('[data-count="keys"] .n').textContent(), { timeout: 15_000 }).toBe('1');

    // 3. Provisioning: the template, then a CSV of a few good rows and one bad one.
    await app.go('Provisioning');
    const template = page.locator('a[data-template]');
    expect(await template.getAttribute('download')).toBe('devices-template.csv');
    const templateText = decodeURIComponent((await template.getAttribute('href'))!.replace(/^data:text\/csv;charset=utf-8,/, ''));
    expect(templateText.split('\n')[0]).toBe('name,endpoint,tags,public_key');
    // No hint about a missing server any more: one exists.
    expect(await page.locator('[data-no-server]').count()).toBe(0);

    const csv = join(work, 'fleet.csv');
    writeFileSync(csv, `${templateText.split('\n')[0]}\nvalve-01,,plant-3,\nvalve-02,,plant-3,\nvalve-03,,plant-3 line-2,${GOOD_KEY}\nvalve-04,,plant-3,not-a-z85-key\n`);
    const form = page.getByRole('form', { name: 'Provision devices' });
    await form.getByLabel('Devices CSV').setInputFiles(csv);
    await expect.poll(() => form.getByLabel('Server the devices connect to').inputValue()).not.toBe('');
    await form.getByRole('button', { name: 'Choose the output folder' }).click();
    await expect.poll(() => form.locator('[data-out-folder]').getAttribute('data-out-folder')).not.toBe('');
    const out = (await form.locator('[data-out-folder]').getAttribute('data-out-folder'))!;

    // 4. The preview: every row, the failing one first; nothing written yet.
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Preview' });
    await preview.waitFor();
    expect(await preview.locator('tbody tr').count()).toBe(4);
    expect(await preview.locator('tbody tr').first().getAttribute('data-action')).toBe('fail');
    expect(await preview.locator('tbody tr').first().getAttribute('data-row')).toBe('5');
    expect(await page.locator('[data-preview-counts]').textContent()).toMatch(/3 to make, 0 skipped, 1 will fail/);
    expect(existsSync(join(out, 'devices'))).toBe(false);
    await both('admin-provisioning-preview');

    // 5. The run: progress to done, a banner that calls it a failure, the failed row first.
    await page.getByRole('button', { name: /^Run: provision 3 devices/ }).click();
    await page.locator('[data-job-state="done"]').waitFor({ timeout: 30_000 });
    const banner = page.locator('[data-summary]');
    expect(await banner.getAttribute('data-tone')).toBe('danger');
    expect(await banner.textContent()).toMatch(/3 ok, 0 skipped, 1 failed/);
    const results = page.getByRole('table', { name: 'Provisioning results' });
    const first = results.locator('tbody tr').first();
    expect(await first.getAttribute('data-status')).toBe('failed');
    expect(await first.locator('.reason').textContent()).toMatch(/public_key/);
    await both('admin-provisioning-results');

    // 6. Retry after fixing: the same folder and server; the rows made are skipped.
    await banner.getByRole('button', { name: 'Retry the failed rows' }).click();
    await page.locator('[data-retrying]').waitFor();
    expect(await form.locator('[data-out-folder]').getAttribute('data-out-folder')).toBe(out);
    const fixed = join(work, 'fleet-fixed.csv');
    writeFileSync(fixed, `name,endpoint,tags,public_key\nvalve-01,,plant-3,\nvalve-02,,plant-3,\nvalve-03,,plant-3 line-2,${GOOD_KEY}\nvalve-04,,plant-3,\n`);
    await form.getByLabel('Devices CSV').setInputFiles(fixed);
    await form.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('[data-preview-counts]').textContent()).toMatch(/1 to make, 3 skipped, 0 will fail/);
    await page.getByRole('button', { name: /^Run: provision 1 device\b/ }).click();
    await expect.poll(() => page.locator('[data-job-state]').getAttribute('data-job-state'), { timeout: 30_000 }).toBe('done');
    await expect.poll(() => page.locator('[data-summary]').getAttribute('data-tone')).toBe('ok');
    expect(await page.locator('[data-summary]').textContent()).toMatch(/1 ok, 3 skipped, 0 failed/);
    expect(existsSync(join(out, 'devices', 'valve-04'))).toBe(true);

    // 7. The history lists both runs, newest first, the first one as a failure.
    const history = page.getByRole('table', { name: 'History of batches' });
    await expect.poll(() => history.locator('tbody tr').count()).toBe(2);
    expect(await history.locator('tbody tr').nth(0).locator('[data-batch-counts]').textContent()).toBe('1 ok, 3 skipped, 0 failed');
    expect(await history.locator('tbody tr').nth(1).locator('[data-batch-counts]').getAttribute('class')).toContain('danger');
    expect(await history.locator('tbody tr').nth(1).locator('.name').textContent()).toBe('fleet.csv');

    // 8. Devices: four under plant-broker; the first batch holds three; one opened shows its QR.
    await app.go('Devices');
    const devices = page.locator('main[data-view-label="Devices"]');
    await expect.poll(() => devices.locator('[data-device-count]').getAttribute('data-device-count')).toBe('4');
    const batchSelect = devices.getByLabel('Batch');
    // The batches are read beside the devices: the count above may come first.
    const batchOptions = batchSelect.locator('option:not([value=""])');
    await expect.poll(() => batchOptions.count()).toBe(2);
    const batchValues = await batchOptions.evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    // The older batch (listed last) is fleet.csv's first run: three devices made.
    await batchSelect.selectOption(batchValues[1]!);
    await expect.poll(() => devices.locator('[data-device-count]').getAttribute('data-device-count')).toBe('3');
    await devices.getByLabel('Server').selectOption({ label: 'plant-broker' });
    await expect.poll(() => devices.locator('[data-device-count]').getAttribute('data-device-count')).toBe('3');
    await devices.getByRole('option').filter({ hasText: 'valve-02' }).click();
    const detail = devices.getByRole('article', { name: 'Device valve-02' });
    await detail.waitFor();
    await detail.locator('img[data-testid="device-qr"]').waitFor();
    expect(await detail.locator('[data-bundle-dir]').textContent()).toBe(join(out, 'devices', 'valve-02'));
    await both('admin-devices-detail');

    // 9. The tab left on the Overview was never reloaded: the live refresh brought the counts.
    await expect.poll(() => watched.locator('[data-count="devices"] .n').textContent(), { timeout: 30_000 }).toBe('4');
    expect(await watched.locator('[data-count="batches"] .n').textContent()).toBe('2');
    expect(await watched.locator('[data-count="keys"] .n').textContent()).toBe('1');
    expect(await watched.getByRole('heading', { name: 'Get started' }).count()).toBe(0);
    await watcher.close();

    // Back on the Overview: the counts say what was done.
    await app.go('Overview');
    await expect.poll(() => main.locator('[data-count="devices"] .n').textContent()).toBe('4');
    expect(await main.locator('[data-count="batches"] .n').textContent()).toBe('2');
    // The first run's failed row is still an item, with its retry as a button.
    await main.locator('[data-kind="batch-failed-rows"]').waitFor();
    await both('admin-overview-after');
    app.expectClean();
  });
});
