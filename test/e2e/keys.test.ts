// Keys view end to end: generate, search, detail (safety code, QR decoded by zbarimg from a
// screenshot), public export, secret export only after confirmation (0600), delete.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePublicKey, parseSecretKey } from '../../src-main/core/curve/keys.js';
import { safetyCode } from '../../src-main/core/curve/safety-code.js';
import { listIdentities, secretAccount } from '../../src-main/core/identities/identities.js';
import { type E2eApp, launchApp } from './harness.js';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('Keys view', () => {
  let app: E2eApp;

  beforeAll(async () => {
    app = await launchApp('keys');
    await app.go('Keys');
  });

  afterAll(async () => {
    await app?.close();
  });

  async function generate(name: string, fields: { role?: string; endpoint?: string; tags?: string } = {}): Promise<void> {
    const { page } = app;
    await page.getByRole('button', { name: 'New key…' }).click();
    const form = page.getByRole('form', { name: 'Generate a key pair' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    if (fields.role) await form.getByLabel('Role', { exact: true }).selectOption(fields.role);
    if (fields.endpoint) await form.getByLabel('Endpoint (optional)').fill(fields.endpoint);
    if (fields.tags) await form.getByLabel('Tags (optional, separated by commas)').fill(fields.tags);
    await form.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('heading', { level: 2, name }).waitFor();
  }

  it('starts empty and generates identities whose secrets land in the keychain', async () => {
    const { page } = app;
    await page.getByText('No identities yet.').waitFor();
    expect(await page.getByText('No identities yet.').isVisible()).toBe(true);
    expect(await page.getByRole('listbox', { name: 'Identities' }).getByRole('option').count()).toBe(0);
    expect(await app.workspace.keychain.accounts()).toEqual([]);
    await generate('gateway-07', { role: 'server', endpoint: 'tcp://127.0.0.7:5555', tags: 'plant-3, edge' });
    await generate('sensor-0042', { role: 'device', tags: 'field' });
    await generate('field-laptop');
    const identities = await listIdentities(app.workspace.ws);
    expect(identities.map((i) => i.name).sort()).toEqual(['field-laptop', 'gateway-07', 'sensor-0042']);
    const gateway = identities.find((i) => i.name === 'gateway-07')!;
    expect(gateway.role).toBe('server');
    expect(gateway.tags).toEqual(['plant-3', 'edge']);
    expect(await app.workspace.keychain.get(secretAccount(gateway.id, 1))).toMatch(/^.{40}$/);
    await expect(page.getByRole('listbox', { name: 'Identities' }).getByRole('option').count()).resolves.toBe(3);
    app.expectClean();
  });

  it('filters by name, tag and key as you type', async () => {
    const { page } = app;
    const search = page.getByRole('searchbox', { name: 'Search keys by name, tag or key' });
    const options = page.getByRole('listbox', { name: 'Identities' }).getByRole('option');
    await search.fill('plant');
    await expect.poll(() => options.allInnerTexts()).toEqual([expect.stringContaining('gateway-07')]);
    await search.fill('field');
    await expect.poll(async () => (await options.allInnerTexts()).length).toBe(2);
    const sensor = (await listIdentities(app.workspace.ws)).find((i) => i.name === 'sensor-0042')!;
    await search.fill(sensor.publicKey.slice(3, 15));
    await expect.poll(() => options.allInnerTexts()).toEqual([expect.stringContaining('sensor-0042')]);
    await search.fill('no-such-thing');
    await page.getByText('No identity matches this search.').waitFor();
    await search.fill('');
    await expect.poll(() => options.count()).toBe(3);
    app.expectClean();
  });

  it('shows the detail with the safety code and a QR code that zbarimg reads as the section 4 payload', async () => {
    const { page } = app;
    await page.getByRole('option', { name: /gateway-07/ }).click();
    const gateway = (await listIdentities(app.workspace.ws)).find((i) => i.name === 'gateway-07')!;
    await expect.poll(() => page.getByTestId('public-key').textContent()).toBe(gateway.publicKey);
    expect(await page.getByTestId('safety-code').textContent()).toBe(safetyCode(gateway.publicKey));
    expect(await page.getByRole('listbox', { name: 'Identities' }).getByRole('option', { selected: true }).innerText()).toContain('gateway-07');

    const qr = page.getByRole('img', { name: 'QR code of the public key of gateway-07' });
    await qr.waitFor();
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const shot = await app.screenshot('keys-qr', qr);
    const decoded = execFileSync('zbarimg', ['--raw', '-q', shot], { encoding: 'utf8' });
    const expected = ['metadata', '    name = "gateway-07"', '    endpoint = "tcp://127.0.0.7:5555"', 'curve', `    public-key = "${gateway.publicKey}"`, ''].join('\n');
    // zbarimg ends its output with a newline of its own.
    expect(decoded.slice(0, -1)).toBe(expected);
    expect(decoded).not.toMatch(/secret/);
    await app.screenshot('keys-detail');
    app.expectClean();
  });

  it('saves a public export through the main process', async () => {
    const { page } = app;
    await page.getByLabel('Format', { exact: true }).selectOption('pyzmq');
    await page.getByRole('button', { name: 'Save public key' }).click();
    const saved = page.getByTestId('saved-files');
    await saved.waitFor();
    const path = (await saved.locator('code').first().textContent())!;
    expect(path.startsWith(join(app.home, 'exports'))).toBe(true);
    expect(path.endsWith('gateway-07.key')).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/public-key = /);
    expect(text).not.toMatch(/secret-key/);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    await page.getByRole('status', { name: 'Messages' }).getByText(/Saved the public key of gateway-07/).waitFor();
    app.expectClean();
  });

  it('exports the secret only after confirmation, as a 0600 file, and never shows it', async () => {
    const { page } = app;
    const exportsDir = join(app.home, 'exports');
    const before = filesUnder(exportsDir).length;
    await page.getByRole('button', { name: 'Export secret key…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export the secret key of gateway-07?' });
    await dialog.waitFor();
    expect(filesUnder(exportsDir).length).toBe(before);
    // Cancel writes nothing; Escape works as Cancel.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Export secret key…' }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(filesUnder(exportsDir).length).toBe(before);

    await page.getByRole('button', { name: 'Export secret key…' }).click();
    await dialog.getByLabel('Format of the secret file').selectOption('zcert');
    await app.screenshot('keys-secret-confirm');
    await dialog.getByRole('button', { name: 'Export secret key' }).click();
    await dialog.waitFor({ state: 'detached' });
    const saved = page.getByTestId('saved-files');
    await saved.getByText('Secret key written (mode 0600) to:').waitFor();
    const paths = await saved.locator('code').allTextContents();
    const secretPath = paths.find((p) => p.endsWith('_secret'))!;
    expect(secretPath).toBeDefined();
    expect(statSync(secretPath).mode & 0o777).toBe(0o600);
    const secretLine = /secret-key = "(.{40})"/.exec(readFileSync(secretPath, 'utf8'));
    const gateway = (await listIdentities(app.workspace.ws)).find((i) => i.name === 'gateway-07')!;
    expect(derivePublicKey(parseSecretKey(secretLine![1]!))).toBe(gateway.publicKey);
    // The page never held the secret: not in the DOM, not in any message.
    expect(await page.content()).not.toContain(secretLine![1]!);
    app.expectClean();
  });

  it('deletes an identity after confirmation, with its keychain item', async () => {
    const { page } = app;
    await page.getByRole('listbox', { name: 'Identities' }).getByRole('option', { name: /field-laptop/ }).click();
    await page.getByRole('heading', { level: 2, name: 'field-laptop' }).waitFor();
    // The selection is in the address: #/keys/ID opens this identity again.
    expect(new URL(page.url()).hash).toMatch(/^#\/keys\/id_/);
    const laptop = (await listIdentities(app.workspace.ws)).find((i) => i.name === 'field-laptop')!;
    await page.getByRole('button', { name: 'Delete identity…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete field-laptop?' });
    await dialog.getByRole('button', { name: 'Delete identity' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('listbox', { name: 'Identities' }).getByRole('option').count()).toBe(2);
    expect((await listIdentities(app.workspace.ws)).map((i) => i.name).sort()).toEqual(['gateway-07', 'sensor-0042']);
    expect(await app.workspace.keychain.get(secretAccount(laptop.id, 1))).toBeNull();
    app.expectClean();
  });

  it('moves through the list with the keyboard', async () => {
    const { page } = app;
    const list = page.getByRole('listbox', { name: 'Identities' });
    await list.focus();
    await page.keyboard.press('Home');
    const first = await list.getByRole('option', { selected: true }).innerText();
    await page.keyboard.press('ArrowDown');
    const second = await list.getByRole('option', { selected: true }).innerText();
    expect(second).not.toBe(first);
    const name = second.split('\n')[0]!.trim();
    await page.getByRole('heading', { level: 2, name }).waitFor();
    app.expectClean();
  });

  it('lists a new key once when the live refresh brings it before the answer to Generate', async () => {
    // Seen in CI on a slow machine: the store's change reached the page (live refresh, the list
    // read again) before the answer to keys.generate, whose handler then added the row a second
    // time; Svelte refused the duplicate key and the page stopped. Here the answer is held until
    // the refreshed list shows the key.
    const { page } = app;
    const options = page.getByRole('listbox', { name: 'Identities' }).getByRole('option');
    const before = await options.count();
    await page.route(/\/ipc\/keys\.generate$/, async (route) => {
      const response = await route.fetch();
      await options.filter({ hasText: 'late-answer' }).first().waitFor();
      await route.fulfill({ response });
    });
    try {
      await generate('late-answer');
    } finally {
      await page.unroute(/\/ipc\/keys\.generate$/);
    }
    await expect.poll(() => options.count()).toBe(before + 1);
    expect(await options.filter({ hasText: 'late-answer' }).count()).toBe(1);
    app.expectClean();
  });
});
