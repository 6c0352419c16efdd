// The Provisioning view in Chromium through the bridge: a small CSV with bad rows, uploaded,
// previewed and run with progress; the results table shows each failed row (first) with its
// reason, and the bundles and results.csv are on disk. Wrong columns are said in plain words
// (the user's file name, the columns found; no temporary path), and a store without a server
// identity gets a hint and a way to make one. With a thousand peers, the server list stays short
// and a search finds the peer to provision for.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-main/core/curve/keys.js';
import { generateIdentity } from '../../src-main/core/identities/identities.js';
import { type E2eApp, launchApp } from './harness.js';

let app: E2eApp;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'curvekeep-e2e-provision-'));
  writeFileSync(
    join(work, 'fleet.csv'),
    'name,endpoint,tags,public_key\nvalve-01,,,\nvalve-02,,site-a,\nvalve-01,,,\n,,,\nvalve-05,,,not-a-z85-key\n',
  );
  app = await launchApp('provisioning', {
    seed: async (tws) => void (await generateIdentity(tws.ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.1.0.1:5555'], tags: [] })),
  });
  await app.go('Provisioning');
});

afterAll(async () => {
  await app?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('Provisioning view', () => {
  it('provisions a CSV and lists each failed row with its reason', async () => {
    const { page } = app;
    const form = page.getByRole('form', { name: 'Provision devices' });
    await form.getByLabel('Devices CSV').setInputFiles(join(work, 'fleet.csv'));
    await expect.poll(() => form.getByLabel('Server the devices connect to').inputValue()).not.toBe('');
    // The folder is chosen by the main process (in the bridge: a fresh folder inside its write
    // root); the page shows its path and sends only its handle.
    await form.getByRole('button', { name: 'Choose the output folder' }).click();
    const shown = form.locator('[data-out-folder]');
    await expect.poll(() => shown.getAttribute('data-out-folder')).not.toBe('');
    const out = (await shown.getAttribute('data-out-folder'))!;
    expect(out.startsWith(join(app.home, 'exports'))).toBe(true);
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Preview' });
    await preview.waitFor();
    expect(await preview.locator('tr[data-action="fail"]').count()).toBe(3);
    expect(await preview.locator('tr[data-action="create"]').count()).toBe(2);
    await page.getByRole('button', { name: /^Run: provision 2 devices/ }).click();
    await page.locator('[data-job-state="done"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-job-state]').textContent()).toContain('5 of 5 rows');

    const table = page.getByRole('table', { name: 'Provisioning results' });
    expect(await table.locator('tr[data-status="ok"]').count()).toBe(2);
    const failed = table.locator('tr[data-status="failed"]');
    expect(await failed.count()).toBe(3);
    expect(await table.locator('tr[data-row="4"] .reason').textContent()).toMatch(/duplicate name/);
    expect(await table.locator('tr[data-row="5"] .reason').textContent()).toMatch(/name/);
    expect(await table.locator('tr[data-row="6"] .reason').textContent()).toMatch(/public_key/);
    expect(await page.locator('[data-summary]').textContent()).toMatch(/2 ok.*0 skipped.*3 failed/s);
    // A run with failed rows is a failure, not a green banner; the failed rows come first.
    expect(await page.locator('[data-summary]').getAttribute('data-tone')).toBe('danger');
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(['failed', 'failed', 'failed', 'ok', 'ok']);
    await app.screenshot('provisioning-results');

    await page.getByLabel('Show failed rows only').check();
    expect(await table.locator('tbody tr').count()).toBe(3);

    expect(existsSync(join(out, 'devices', 'valve-01', 'valve-01.cert_secret'))).toBe(true);
    expect(existsSync(join(out, 'allowlist', 'valve-02.key'))).toBe(true);
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toMatch(/valve-05/);
    app.expectClean();
  });

  it('asks for the output folder before starting, and offers no field to type a path into', async () => {
    const { page } = app;
    await app.open('/');
    await app.go('Provisioning');
    const form = page.getByRole('form', { name: 'Provision devices' });
    expect(await form.locator('input[name="out"]').count()).toBe(0);
    await form.getByLabel('Devices CSV').setInputFiles(join(work, 'fleet.csv'));
    await expect.poll(() => form.getByLabel('Server the devices connect to').inputValue()).not.toBe('');
    await form.getByRole('button', { name: 'Preview' }).click();
    // The error stands next to the control that needs it.
    await expect.poll(() => form.locator('[data-field-error-for="provision-out"]').textContent()).toMatch(/Choose the output folder/);
    expect(await page.getByRole('table', { name: 'Preview' }).count()).toBe(0);
    app.expectClean();
  });

  it('says which columns a file has when it lacks the name column, naming the file and no temporary path', async () => {
    const { page } = app;
    await app.open('/');
    await app.go('Provisioning');
    writeFileSync(join(work, 'inventory.csv'), 'device,site\nvalve-01,a\n');
    const form = page.getByRole('form', { name: 'Provision devices' });
    await form.getByLabel('Devices CSV').setInputFiles(join(work, 'inventory.csv'));
    await expect.poll(() => form.getByLabel('Server the devices connect to').inputValue()).not.toBe('');
    await form.getByRole('button', { name: 'Choose the output folder' }).click();
    await expect.poll(() => form.locator('[data-out-folder]').getAttribute('data-out-folder')).not.toBe('');
    await form.getByRole('button', { name: 'Preview' }).click();
    const error = form.locator('[data-field-error-for="provision-csv"]');
    await expect.poll(() => error.textContent()).toMatch(/inventory\.csv/);
    const text = (await error.textContent())!;
    expect(text).toMatch(/its columns are device, site/);
    expect(text).toMatch(/expected name, endpoint, tags, public_key/);
    expect(text).not.toMatch(/\/tmp|curvekeep-provision|invalid-input/);
    app.expectClean();
  });
});

describe('Provisioning a large file', () => {
  it('shows progress and stops on Cancel, with a warning banner, and the history records no batch of it', async () => {
    const { page } = app;
    await app.open('/');
    await app.go('Provisioning');
    // 20,000 rows: a run long enough to be cancelled (each row a key pair, a bundle and a QR code).
    const lines = Array.from({ length: 20_000 }, (_, i) => `bulk-${String(i).padStart(5, '0')},,,`);
    writeFileSync(join(work, 'bulk.csv'), `name,endpoint,tags,public_key\n${lines.join('\n')}\n`);
    const form = page.getByRole('form', { name: 'Provision devices' });
    await form.getByLabel('Devices CSV').setInputFiles(join(work, 'bulk.csv'));
    await expect.poll(() => form.getByLabel('Server the devices connect to').inputValue()).not.toBe('');
    await form.getByRole('button', { name: 'Choose the output folder' }).click();
    await expect.poll(() => form.locator('[data-out-folder]').getAttribute('data-out-folder')).not.toBe('');
    await form.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.locator('[data-preview-counts]').textContent(), { timeout: 30_000 }).toMatch(/20000 to make/);
    await page.getByRole('button', { name: /^Run: provision 20000 devices/ }).click();
    await page.locator('[data-job-state="running"]').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-job-state="cancelled"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('[data-summary]').getAttribute('data-tone')).toBe('warn');
    expect(await page.locator('[data-summary]').textContent()).toMatch(/Cancelled/);
    expect(await page.locator('[data-job-state]').textContent()).not.toMatch(/20000 of 20000/);
    // The history is read again after the run; a cancelled run is no batch.
    await app.go('Overview');
    await app.go('Provisioning');
    const history = page.getByRole('table', { name: 'History of batches' });
    await history.waitFor();
    expect(await history.locator('.name', { hasText: 'bulk.csv' }).count()).toBe(0);
    app.expectClean();
  }, 120_000);
});

describe('Provisioning without a server identity', () => {
  it('says a server identity comes first, and makes one in place', async () => {
    const empty = await launchApp('provisioning-empty');
    try {
      await empty.go('Provisioning');
      const hint = empty.page.locator('[data-no-server]');
      await hint.waitFor();
      expect(await hint.textContent()).toMatch(/no server identity yet/);
      await empty.screenshot('provisioning-no-server');
      await hint.getByLabel('Server name').fill('line-broker');
      await hint.getByRole('button', { name: 'Create the server identity' }).click();
      await expect.poll(() => empty.page.locator('[data-no-server]').count()).toBe(0);
      const select = empty.page.getByRole('form', { name: 'Provision devices' }).getByLabel('Server the devices connect to');
      await expect.poll(async () => select.locator('option:checked').textContent()).toBe('line-broker');
      empty.expectClean();
    } finally {
      await empty.close();
    }
  });
});

describe('Provisioning with a thousand peers', () => {
  it('lists 50 servers of each kind at once, and finds a peer by name or endpoint for the run', async () => {
    const fleet = await launchApp('provisioning-peers', {
      seed: async (tws) => {
        await generateIdentity(tws.ws, { name: 'plant-broker', role: 'server', endpoints: ['tcp://127.1.0.1:5555'], tags: [] });
        await tws.ws.store.update((tx) => {
          const createdAt = tx.now.toISOString();
          for (let i = 0; i < 1000; i++) {
            tx.data.peers.push({
              id: `peer_many${i}`, name: `broker-${String(i).padStart(5, '0')}`, publicKey: generateKeyPair().publicKey, endpoints: [`tcp://127.0.0.1:${6000 + i}`],
              tags: [], allowed: false, createdAt, verification: { state: 'unverified' },
            });
          }
        });
      },
    });
    try {
      const { page } = fleet;
      await fleet.go('Provisioning');
      const form = page.getByRole('form', { name: 'Provision devices' });
      const select = form.getByLabel('Server the devices connect to');
      const search = form.getByLabel('Find the server by name or endpoint');
      const said = form.locator('[data-server-matches]');
      await expect.poll(() => select.inputValue()).not.toBe('');
      // The placeholder, the own server and the first 50 peers: not a thousand options.
      expect(await select.locator('option').count()).toBe(52);
      expect(await said.textContent()).toMatch(/first 50 of 1000 peers/);

      await search.fill('broker-00777');
      await expect.poll(() => said.textContent()).toMatch(/One server matches/);
      await select.selectOption({ label: 'broker-00777' });
      await search.fill('127.0.0.1:6123');
      await expect.poll(() => select.locator('optgroup[label="Peers"] option').allTextContents()).toEqual(['broker-00777', 'broker-00123']);
      // The choice made stays chosen while the search changes.
      expect(await select.inputValue()).toBe('peer_many777');
      await search.fill('no-such-server');
      await expect.poll(() => said.textContent()).toMatch(/No server matches “no-such-server”/);
      expect(await select.inputValue()).toBe('peer_many777');
      await fleet.screenshot('provisioning-many-peers');

      await form.getByLabel('Devices CSV').setInputFiles(join(work, 'fleet.csv'));
      await form.getByRole('button', { name: 'Choose the output folder' }).click();
      await expect.poll(() => form.locator('[data-out-folder]').getAttribute('data-out-folder')).not.toBe('');
      await form.getByRole('button', { name: 'Preview' }).click();
      await expect.poll(() => page.locator('[data-preview-counts]').textContent()).toMatch(/for broker-00777/);
      fleet.expectClean();
    } finally {
      await fleet.close();
    }
  }, 60_000);
});
